/* symbols.h - turning tracee addresses into module(function+0xoff).
 *
 * A file's functions come from its .symtab; without one (stripped), from
 * .dynsym and from Go's .gopclntab, which every Go binary keeps (Debian's
 * dockerd 20.10 exports its Go functions in .dynsym, 28.x does not).  They
 * are loaded once per file and shared by every process mapping it; each
 * process keeps its parsed /proc/PID/maps and a cache from address to
 * frame, dropped on exec.
 * Strings returned live until symcache_free(). */
#ifndef NST_SYMBOLS_H
#define NST_SYMBOLS_H

#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"

struct symcache; /* the ELF files loaded so far, shared by every process */
struct sym_proc; /* per-process state; NULL is a valid empty one */

/* NULL on ENOMEM. */
struct symcache *symcache_new(void);
void symcache_free(struct symcache *c);

/* Fill f for addr in process pid.  Unknown parts degrade: no symbol gives
 * function NULL and offset = addr - module start; no module gives module
 * "?".  Never fails.  f's strings live until symcache_free. */
void symbolize(struct symcache *c, struct sym_proc **sp, pid_t pid, uint64_t addr,
	       struct nst_frame *f);

/* Does the module mapped at addr carry DWARF unwind tables (.eh_frame)?
 * A Go binary does not: it is unwound by its frame pointers. */
int symbols_has_unwind_info(struct symcache *c, struct sym_proc **sp, pid_t pid, uint64_t addr);

/* One file's function table, as symbolize() would load it, for tests and
 * tools: cb(start, size, name) in address order.  what: SYMS_ELF (.symtab,
 * else .dynsym), SYMS_GO (.gopclntab), or both.  Returns the count, or
 * -errno when the file cannot be read. */
#define SYMS_ELF 1u
#define SYMS_GO 2u
typedef void (*symbols_file_cb)(void *ctx, uint64_t start, uint64_t size, const char *name);
long symbols_file(const char *path, unsigned what, symbols_file_cb cb, void *ctx);

/* Forget a process's maps and cache (exec, exit). */
void sym_proc_free(struct sym_proc *sp);

#endif
