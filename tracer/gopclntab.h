/* gopclntab.h - the function table every Go binary keeps in .gopclntab,
 * stripped or not: the runtime needs it for stack traces and the garbage
 * collector, so `-ldflags=-s -w` and strip(1) leave it in place.
 *
 * Four layouts, told apart by the magic number of the header:
 *   0xfffffffb  Go 1.2 - 1.15   functab of (entry pc, _func offset), pointer-sized
 *   0xfffffffa  Go 1.16 - 1.17  header with offsets to funcnametab and functab
 *   0xfffffff0  Go 1.18 - 1.19  functab of uint32 offsets from the text start
 *   0xfffffff1  Go 1.20 - 1.24  the same layout
 * Little-endian only (what x86-64 and arm64 Linux run).
 *
 * Pure: parses the bytes it is given, reads nothing else, never outside
 * [tab, tab + len), and trusts no offset or count in them. */
#ifndef NST_GOPCLNTAB_H
#define NST_GOPCLNTAB_H

#include <stddef.h>
#include <stdint.h>

/* One function: [entry, end) in link-time addresses, and its name (not
 * NUL-terminated in general: namelen bytes inside the table). */
typedef void (*gopcln_func_cb)(void *ctx, uint64_t entry, uint64_t end, const char *name,
			       size_t namelen);

/* "1.2", "1.16", "1.18", "1.20" for a table with a known magic, else NULL. */
const char *gopclntab_version(const uint8_t *tab, size_t len);

/* The text start a Go 1.18+ header holds: 0 when the file leaves it to a
 * relocation (PIE), or for older layouts (whose entries are absolute). */
uint64_t gopclntab_text_start(const uint8_t *tab, size_t len);

/* Calls cb for each function of the table, in address order.  text_start
 * is the address of the .text section: Go 1.18+ tables count entries from
 * it, and their header holds it only after relocation (0 in a PIE file).
 * Returns the number of functions, or -EINVAL when the header is not a Go
 * table nstrace knows.  Entries whose offsets lie outside the table are
 * skipped; at most max functions are returned.  cb may be NULL (to count). */
int gopclntab_funcs(const uint8_t *tab, size_t len, uint64_t text_start, size_t max,
		    gopcln_func_cb cb, void *ctx);

#endif
