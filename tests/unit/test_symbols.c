/* test_symbols.c - Go's function table in every layout (Go 1.2 to 1.24),
 * hostile tables, and the tables of the real Go binaries on this machine
 * against the names their .dynsym gives. */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/unit.h"
#include "tracer/gopclntab.h"
#include "tracer/symbols.h"

/* --- a table built the way each Go linker lays it out --------------------- */

struct fn {
	uint64_t entry, end;
	char name[64];
};

struct got {
	struct fn f[8];
	int n;
};

static void collect(void *ctx, uint64_t entry, uint64_t end, const char *name, size_t l)
{
	struct got *g = ctx;
	if (g->n < 8) {
		g->f[g->n].entry = entry;
		g->f[g->n].end = end;
		snprintf(g->f[g->n].name, sizeof(g->f[g->n].name), "%.*s", (int)l, name);
		g->n++;
	}
}

static void put(uint8_t *b, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

#define TEXT 0x401000u
static const char *const names[] = { "main.main", "github.com/docker/docker/libnetwork.(*Resolver).serveDNS",
				     "runtime.goexit" };
static const uint64_t starts[] = { 0x0, 0x40, 0xc0 }, endoff = 0x100;

/* Builds the three functions above in layout magic (0xfffffffb, ...fa, ...f0,
 * ...f1) with pointer size ps.  Returns the table's length. */
static size_t build(uint8_t *b, size_t cap, uint32_t magic, unsigned ps)
{
	bool go118 = magic == 0xfffffff0u || magic == 0xfffffff1u, go12 = magic == 0xfffffffbu;
	unsigned fsz = go118 ? 4 : ps, nhdr = go118 ? 8 : 7;
	size_t nametab, functab, funcs, o, noff[3];

	memset(b, 0, cap);
	put(b, 0, magic, 4);
	b[6] = 1;
	b[7] = (uint8_t)ps;
	put(b, 8, 3, ps); /* nfunc */
	/* 1.2: the functab follows nfunc, names after the _funcs; later: the
	 * header's offsets say where funcnametab and the functab are */
	functab = go12 ? 8 + ps : 0;
	nametab = go12 ? 8 + ps + 4 * 2 * fsz + 3 * 16 : 8 + nhdr * ps;
	o = nametab;
	for (int i = 0; i < 3; i++) {
		noff[i] = go12 ? o : o - nametab;
		memcpy(b + o, names[i], strlen(names[i]) + 1);
		o += strlen(names[i]) + 1;
	}
	if (!go12)
		functab = (o + 7) & ~(size_t)7;
	funcs = functab + 4 * 2 * fsz; /* 3 pairs and the end entry */
	for (int i = 0; i < 3; i++) {
		uint64_t entry = go118 ? starts[i] : TEXT + starts[i];
		size_t fo = funcs + (size_t)i * 16; /* a _func: entry, nameoff */
		put(b, functab + (size_t)i * 2 * fsz, entry, fsz);
		put(b, functab + (size_t)i * 2 * fsz + fsz, go12 ? fo : fo - functab, fsz);
		put(b, fo, entry, go118 ? 4 : ps);
		put(b, fo + (go118 ? 4 : ps), noff[i], 4);
	}
	put(b, functab + 3 * 2 * fsz, go118 ? endoff : TEXT + endoff, fsz);
	if (!go12) { /* header offsets */
		put(b, 8 + (go118 ? 3 : 2) * ps, nametab, ps);
		put(b, 8 + (go118 ? 7 : 6) * ps, functab, ps);
	}
	return go12 ? o : funcs + 3 * 16;
}

static const uint32_t magics[] = { 0xfffffffbu, 0xfffffffau, 0xfffffff0u, 0xfffffff1u };
static const char *const versions[] = { "1.2", "1.16", "1.18", "1.20" };

static void every_layout(void)
{
	uint8_t b[1024];

	for (int m = 0; m < 4; m++)
		for (unsigned ps = 4; ps <= 8; ps += 4) {
			size_t len = build(b, sizeof(b), magics[m], ps);
			struct got g = { .n = 0 };
			CHECK_STR(gopclntab_version(b, len), versions[m]);
			CHECK(gopclntab_funcs(b, len, TEXT, 100, collect, &g) == 3);
			CHECK(g.n == 3);
			for (int i = 0; i < 3 && i < g.n; i++) {
				CHECK(g.f[i].entry == TEXT + starts[i]);
				CHECK(g.f[i].end == TEXT + (i < 2 ? starts[i + 1] : endoff));
				CHECK_STR(g.f[i].name, names[i]);
			}
			CHECK(gopclntab_funcs(b, len, TEXT, 2, NULL, NULL) == 2); /* max */
		}
}

static void hostile_tables(void)
{
	uint8_t b[1024], c[1024];
	unsigned seed = 7;

	/* not a Go table */
	memset(b, 0, sizeof(b));
	CHECK(gopclntab_version(b, sizeof(b)) == NULL);
	CHECK(gopclntab_funcs(b, sizeof(b), 0, 100, NULL, NULL) == -EINVAL);
	/* a count the table cannot hold */
	size_t len = build(b, sizeof(b), 0xfffffff1u, 8);
	put(b, 8, 1ull << 40, 8);
	CHECK(gopclntab_funcs(b, len, TEXT, 100, NULL, NULL) == -EINVAL);
	/* every prefix, and 20000 random corruptions of every layout: never
	 * outside the buffer (ASan build), never more functions than asked */
	for (int m = 0; m < 4; m++) {
		len = build(b, sizeof(b), magics[m], 8);
		for (size_t cut = 0; cut <= len; cut++) {
			uint8_t *p = malloc(cut ? cut : 1);
			memcpy(p, b, cut);
			CHECK(gopclntab_funcs(p, cut, TEXT, 100, NULL, NULL) <= 3);
			free(p);
		}
		for (int r = 0; r < 5000; r++) {
			size_t n = len;
			memcpy(c, b, len);
			for (int k = 0; k < 1 + r % 6; k++)
				c[8 + (size_t)rand_r(&seed) % (len - 8)] = (uint8_t)rand_r(&seed);
			uint8_t *p = malloc(n);
			memcpy(p, c, n);
			CHECK(gopclntab_funcs(p, n, TEXT, 1000, NULL, NULL) <= 1000);
			free(p);
		}
	}
}

/* --- the real Go binaries here ---------------------------------------------- */

struct table {
	struct { uint64_t start; char *name; } *s;
	size_t n, cap;
};

static void keep(void *ctx, uint64_t start, uint64_t size, const char *name)
{
	struct table *t = ctx;
	(void)size;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->s = realloc(t->s, t->cap * sizeof(*t->s));
	}
	t->s[t->n].start = start;
	t->s[t->n].name = strdup(name);
	t->n++;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i].name);
	free(t->s);
}

static uint64_t addr_of(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->s[i].name, name))
			return t->s[i].start;
	return 0;
}

/* Debian 12's dockerd 20.10 exports its Go functions in .dynsym: its Go
 * table alone (found inside .data.rel.ro, entries counted from the text
 * start its header holds) must give every one of them the same address. */
static void real_dockerd_go_table_matches_dynsym(void)
{
	const char *bin = "/usr/sbin/dockerd";
	struct table elf = { 0 }, go = { 0 };
	size_t same = 0, checked = 0, sampled = 0;

	if (symbols_file(bin, SYMS_ELF, keep, &elf) < 1000) {
		printf("SKIP: real_dockerd_go_table_matches_dynsym: no %s with exported Go symbols\n", bin);
		table_free(&elf);
		return;
	}
	CHECK(symbols_file(bin, SYMS_GO, keep, &go) > 10000);
	/* (the ELF names assembly functions "x.abi0" and keeps type hashes the
	 * Go table does not have: those are not found, and not compared) */
	for (size_t i = 0; i < elf.n && sampled < 3000; i += elf.n / 3000 + 1) {
		uint64_t a = addr_of(&go, elf.s[i].name);
		sampled++;
		if (!a)
			continue;
		checked++;
		same += a == elf.s[i].start;
	}
	CHECK(checked * 10 >= sampled * 9 && same == checked);
	CHECK(addr_of(&go, "github.com/docker/libnetwork.(*resolver).ServeDNS") ==
	      addr_of(&elf, "github.com/docker/libnetwork.(*resolver).ServeDNS"));
	table_free(&elf);
	table_free(&go);
}

/* containerd and runc (Go 1.19, stripped: no .symtab) are named from their
 * Go tables alone. */
static void real_stripped_go_binaries_are_named(void)
{
	static const char *const bins[] = { "/usr/bin/containerd", "/usr/sbin/runc" };
	int found = 0;

	for (int i = 0; i < 2; i++) {
		struct table t = { 0 };
		if (symbols_file(bins[i], SYMS_GO, keep, &t) < 0)
			continue;
		found++;
		CHECK(addr_of(&t, "main.main") != 0);
		CHECK(addr_of(&t, "runtime.goexit") != 0);
		CHECK(addr_of(&t, "syscall.Syscall6") != 0 || addr_of(&t, "syscall.RawSyscall6") != 0);
		table_free(&t);
	}
	if (!found)
		printf("SKIP: real_stripped_go_binaries_are_named: neither containerd nor runc here\n");
}

int main(int argc, char **argv)
{
	/* tools: test_symbols FILE [1|2|3] prints a file's table */
	if (argc >= 2) {
		struct table t = { 0 };
		long n = symbols_file(argv[1], argc > 2 ? (unsigned)atoi(argv[2]) : 3, keep, &t);
		for (size_t i = 0; i < t.n; i++)
			printf("%#lx %s\n", (unsigned long)t.s[i].start, t.s[i].name);
		table_free(&t);
		return n < 0;
	}
	RUN(every_layout, "Go 1.2, 1.16, 1.18 and 1.20+ tables (all four magics, 4- and 8-byte pointers) give each function's range and name");
	RUN(hostile_tables, "not-Go, impossible counts, every truncation and 20000 corruptions: no read outside, no more than asked");
	RUN(real_dockerd_go_table_matches_dynsym, "Debian's dockerd 20.10: its Go table alone has >= 90% of its .dynsym names, each at the same address");
	RUN(real_stripped_go_binaries_are_named, "stripped containerd and runc are named from their Go tables (main.main, runtime.goexit, syscall)");
	return UNIT_DONE();
}
