/* gopclntab.c - see gopclntab.h.  The layouts follow the Go runtime's
 * runtime/symtab.go (pcHeader, functab, _func) of each version. */
#include "tracer/gopclntab.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

enum layout { GO12, GO116, GO118, GO120 };

struct tab {
	const uint8_t *p;
	size_t len;
	unsigned ps; /* pointer size: 4 or 8 */
	enum layout v;
};

static bool get(const struct tab *t, uint64_t off, unsigned n, uint64_t *v)
{
	if (off > t->len || n > t->len - off)
		return false;
	*v = 0;
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)t->p[off + i] << (8 * i);
	return true;
}

static int layout_of(const uint8_t *p, size_t len, enum layout *v)
{
	uint32_t magic;

	if (len < 16 || p[4] || p[5] || (p[6] != 1 && p[6] != 2 && p[6] != 4) ||
	    (p[7] != 4 && p[7] != 8))
		return -EINVAL;
	magic = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	switch (magic) {
	case 0xfffffffbu: *v = GO12; return 0;
	case 0xfffffffau: *v = GO116; return 0;
	case 0xfffffff0u: *v = GO118; return 0;
	case 0xfffffff1u: *v = GO120; return 0;
	default: return -EINVAL;
	}
}

const char *gopclntab_version(const uint8_t *tab, size_t len)
{
	static const char *const names[] = { "1.2", "1.16", "1.18", "1.20" };
	enum layout v;

	return layout_of(tab, len, &v) < 0 ? NULL : names[v];
}

/* The name at off: bounded by the table, up to its NUL. */
static bool name_at(const struct tab *t, uint64_t off, const char **name, size_t *n)
{
	if (off >= t->len)
		return false;
	*name = (const char *)t->p + off;
	*n = strnlen(*name, t->len - off);
	return *n > 0 && *n < t->len - off; /* NUL-terminated inside the table */
}

/* Header word i (after magic, pads, quantum and ptrsize), pointer-sized. */
static bool hdr(const struct tab *t, unsigned i, uint64_t *v)
{
	return get(t, 8 + (uint64_t)i * t->ps, t->ps, v);
}

uint64_t gopclntab_text_start(const uint8_t *p, size_t len)
{
	struct tab t = { p, len, 0, GO12 };
	uint64_t v;

	if (layout_of(p, len, &t.v) < 0 || t.v < GO118)
		return 0;
	t.ps = p[7];
	return hdr(&t, 2, &v) ? v : 0;
}

int gopclntab_funcs(const uint8_t *p, size_t len, uint64_t text_start, size_t max,
		    gopcln_func_cb cb, void *ctx)
{
	struct tab t = { p, len, 0, GO12 };
	uint64_t nfunc, functab, nametab = 0, fsz; /* fsz: one functab field */
	int n = 0;

	if (layout_of(p, len, &t.v) < 0)
		return -EINVAL;
	t.ps = p[7];
	if (!hdr(&t, 0, &nfunc))
		return -EINVAL;
	switch (t.v) {
	case GO12:
		functab = 8 + t.ps;
		fsz = t.ps;
		break;
	case GO116: /* nfunc, nfiles, funcname, cu, filetab, pctab, pcln */
		if (!hdr(&t, 2, &nametab) || !hdr(&t, 6, &functab))
			return -EINVAL;
		fsz = t.ps;
		break;
	default: /* nfunc, nfiles, textStart, funcname, cu, filetab, pctab, pcln */
		if (!hdr(&t, 3, &nametab) || !hdr(&t, 7, &functab))
			return -EINVAL;
		fsz = 4;
		break;
	}
	if (functab > len || nametab > len || nfunc > (len - functab) / (2 * fsz))
		return -EINVAL; /* an offset or count the table cannot hold */
	for (uint64_t i = 0; i < nfunc && (size_t)n < max; i++) {
		uint64_t at = functab + i * 2 * fsz, entry, funcoff, end, nameoff, fbase, noff;
		const char *name;
		size_t nl;
		if (!get(&t, at, (unsigned)fsz, &entry) || !get(&t, at + fsz, (unsigned)fsz, &funcoff) ||
		    !get(&t, at + 2 * fsz, (unsigned)fsz, &end))
			break; /* the end entry follows the last function */
		/* _func: entry (pointer, or uint32 from 1.18), then int32 nameoff */
		fbase = t.v == GO12 ? funcoff : functab + funcoff;
		noff = fbase + (t.v >= GO118 ? 4 : t.ps);
		if (funcoff > len || !get(&t, noff, 4, &nameoff))
			continue;
		if (!name_at(&t, (t.v == GO12 ? 0 : nametab) + (uint32_t)nameoff, &name, &nl))
			continue;
		if (t.v >= GO118) {
			entry += text_start;
			end += text_start;
		}
		if (end <= entry)
			continue;
		if (cb)
			cb(ctx, entry, end, name, nl);
		n++;
	}
	return n;
}
