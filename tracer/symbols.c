/* symbols.c - see symbols.h.  Reads /proc/PID/maps and mmap()s the ELF
 * files named there; the ELF64 parsing itself only reads the mapping. */
#define _GNU_SOURCE
#include "tracer/symbols.h"

#include "tracer/gopclntab.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define ADDR_CACHE 4096 /* per process, direct-mapped */
#define MAX_MAPS 4096
#define MAX_LOADS 16

struct sym {
	uint64_t start, size;
	uint32_t name; /* offset into module->names */
};

struct module {
	char path[256];
	const char *base; /* basename, into path */
	dev_t dev;
	ino_t ino;
	int loaded; /* symbols read (or tried) */
	int has_eh_frame; /* PT_GNU_EH_FRAME: DWARF unwind info exists */
	struct sym *syms;
	size_t nsyms, cap;
	char *names;
	size_t nlen, ncap;
	struct { uint64_t off, vaddr, filesz; } loads[MAX_LOADS];
	int nloads;
	struct module *next;
};

struct map {
	uint64_t start, end, off;
	struct module *mod;
};

struct cached {
	uint64_t addr;
	struct nst_frame f;
};

struct sym_proc {
	struct map maps[MAX_MAPS];
	int nmaps;
	time_t maps_read;
	struct cached cache[ADDR_CACHE];
};

struct symcache {
	struct module *modules;
};

struct symcache *symcache_new(void)
{
	return calloc(1, sizeof(struct symcache));
}

/* By address; at one address, the name added first (the Go table's). */
static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* --- building a module's table ------------------------------------------- */

#define MAX_SYMS 4000000 /* a bound for hostile files; dockerd has ~200k */

static void add_sym(struct module *m, uint64_t start, uint64_t size, const char *name, size_t l)
{
	if (m->nsyms == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4096;
		struct sym *v = cap <= MAX_SYMS ? realloc(m->syms, cap * sizeof(*v)) : NULL;
		if (!v)
			return;
		m->syms = v;
		m->cap = cap;
	}
	if (m->nlen + l + 1 > m->ncap) {
		size_t cap = m->ncap ? m->ncap : 65536;
		while (cap < m->nlen + l + 1)
			cap *= 2;
		char *v = cap <= UINT32_MAX ? realloc(m->names, cap) : NULL;
		if (!v)
			return;
		m->names = v;
		m->ncap = cap;
	}
	memcpy(m->names + m->nlen, name, l);
	m->names[m->nlen + l] = '\0';
	m->syms[m->nsyms++] = (struct sym){ start, size, (uint32_t)m->nlen };
	m->nlen += l + 1;
}

static void on_go_func(void *ctx, uint64_t entry, uint64_t end, const char *name, size_t l)
{
	add_sym(ctx, entry, end - entry, name, l);
}

/* A mapped ELF file.  Its headers are copied out (aligned) before use: a
 * file is untrusted input (any program in any container), and its offsets
 * may point anywhere, misaligned, or wrap around. */
struct elf {
	const uint8_t *map;
	size_t size;
	Elf64_Ehdr eh;
	Elf64_Shdr *sh; /* eh.e_shnum entries, malloc'd */
};

/* Does [off, off + n * each) lie inside the file, without wrapping? */
static bool inside(const struct elf *e, uint64_t off, uint64_t n, uint64_t each)
{
	return off <= e->size && (!each || n <= (e->size - off) / each);
}

/* A section's bytes, when they lie inside the file. */
static const uint8_t *section(const struct elf *e, const Elf64_Shdr *sh, size_t *len)
{
	if (sh->sh_type == SHT_NOBITS || !inside(e, sh->sh_offset, sh->sh_size, 1))
		return NULL;
	*len = sh->sh_size;
	return e->map + sh->sh_offset;
}

static const Elf64_Shdr *section_named(const struct elf *e, const char *name)
{
	const char *names;
	size_t nl, l = strlen(name);

	if (e->eh.e_shstrndx >= e->eh.e_shnum ||
	    !(names = (const char *)section(e, &e->sh[e->eh.e_shstrndx], &nl)))
		return NULL;
	for (int i = 0; i < e->eh.e_shnum; i++)
		if (e->sh[i].sh_name < nl && nl - e->sh[i].sh_name > l &&
		    !memcmp(names + e->sh[i].sh_name, name, l + 1))
			return &e->sh[i];
	return NULL;
}

/* FUNC symbols of a .symtab or .dynsym. */
static void add_elf_syms(struct module *m, const struct elf *e, const Elf64_Shdr *tab)
{
	const uint8_t *syms;
	const char *str;
	size_t tl, sl;

	if (tab->sh_link >= e->eh.e_shnum || tab->sh_entsize != sizeof(Elf64_Sym) ||
	    !(syms = section(e, tab, &tl)) || !(str = (const char *)section(e, &e->sh[tab->sh_link], &sl)))
		return;
	for (size_t i = 0; i < tl / sizeof(Elf64_Sym); i++) {
		Elf64_Sym s;
		memcpy(&s, syms + i * sizeof(s), sizeof(s));
		if (ELF64_ST_TYPE(s.st_info) == STT_FUNC && s.st_value && s.st_name < sl)
			add_sym(m, s.st_value, s.st_size, str + s.st_name,
				strnlen(str + s.st_name, sl - s.st_name));
	}
}

/* Where the Go table is: its own section, or inside .data.rel.ro or
 * .rodata where an external link merged it, found by a header that parses. */
static const uint8_t *find_pclntab(const struct elf *e, size_t *len, uint64_t *vaddr)
{
	static const char *const own[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	static const char *const in[] = { ".data.rel.ro", ".rodata" };
	const Elf64_Shdr *sh;
	const uint8_t *tab;
	size_t l;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if ((sh = section_named(e, own[i])) && (tab = section(e, sh, len)) &&
		    gopclntab_version(tab, *len)) {
			*vaddr = sh->sh_addr;
			return tab;
		}
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		if (!(sh = section_named(e, in[i])) || !(tab = section(e, sh, &l)))
			continue;
		for (size_t off = 0; off + 16 <= l; off += 8) /* the header is pointer-aligned */
			if (tab[off + 3] == 0xff && tab[off + 2] == 0xff && gopclntab_version(tab + off, l - off) &&
			    gopclntab_funcs(tab + off, l - off, 0, 16, NULL, NULL) > 0) {
				*len = l - off;
				*vaddr = sh->sh_addr + off;
				return tab + off;
			}
	}
	return NULL;
}

/* The addend of the RELATIVE relocation that fills the word at where
 * (want_target 0), or where the one whose addend is want_target sits. */
static uint64_t relative(const struct elf *e, uint64_t where, uint64_t want_target)
{
	uint32_t type = e->eh.e_machine == EM_AARCH64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;

	for (int i = 0; i < e->eh.e_shnum; i++) {
		const uint8_t *r;
		size_t l;
		if (e->sh[i].sh_type != SHT_RELA || !(r = section(e, &e->sh[i], &l)))
			continue;
		for (size_t k = 0; k < l / sizeof(Elf64_Rela); k++) {
			Elf64_Rela x;
			memcpy(&x, r + k * sizeof(x), sizeof(x));
			if (ELF64_R_TYPE(x.r_info) != type)
				continue;
			if (want_target ? (uint64_t)x.r_addend == want_target : x.r_offset == where)
				return want_target ? x.r_offset : (uint64_t)x.r_addend;
		}
	}
	return 0;
}

/* Where a Go 1.18+ table's entry offsets count from: its header, or in a
 * PIE (header 0) runtime.firstmoduledata's text field, both filled by
 * relocations: moduledata begins with the table's address, and text is
 * its word 22 (pcHeader, six slices, findfunctab, minpc, maxpc, text) in
 * every Go from 1.16.  0 when it cannot be known: no names then, rather
 * than names shifted by the C start-up code an external link put first. */
static uint64_t go_text_start(const struct elf *e, const uint8_t *tab, size_t len, uint64_t vaddr)
{
	uint64_t t = gopclntab_text_start(tab, len), md;

	if (t || e->eh.e_type != ET_DYN)
		return t;
	md = relative(e, 0, vaddr);
	return md ? relative(e, md + 22 * 8, 0) : 0;
}

/* Go's own function table: all a stripped Go binary still names (its
 * .dynsym holds only what cgo exports). */
static void add_go_funcs(struct module *m, const struct elf *e)
{
	const uint8_t *tab;
	const char *v;
	size_t len;
	uint64_t vaddr, text = 0;

	if (!(tab = find_pclntab(e, &len, &vaddr)) || !(v = gopclntab_version(tab, len)))
		return;
	if (!strcmp(v, "1.18") || !strcmp(v, "1.20")) {
		if (!(text = go_text_start(e, tab, len, vaddr)))
			return;
	}
	gopclntab_funcs(tab, len, text, MAX_SYMS, on_go_func, m);
}

/* Sorted by address, one symbol per address (the first name added). */
static void finish_table(struct module *m)
{
	size_t k = 0;

	if (!m->nsyms)
		return;
	qsort(m->syms, m->nsyms, sizeof(*m->syms), cmp_sym);
	for (size_t i = 0; i < m->nsyms; i++)
		if (!k || m->syms[i].start != m->syms[k - 1].start)
			m->syms[k++] = m->syms[i];
	m->nsyms = k;
}

/* The PT_LOAD segments (file offset to address) and whether DWARF unwind
 * tables exist; then the symbols: .symtab, else .dynsym plus .gopclntab
 * (what: SYMS_ELF, SYMS_GO or both). */
static void load_tables(struct module *m, unsigned what)
{
	struct stat st;
	struct elf e = { 0 };
	const Elf64_Shdr *symtab = NULL, *dynsym = NULL;
	void *map;
	int fd;

	m->loaded = 1;
	fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return;
	}
	e.size = (size_t)st.st_size;
	map = mmap(NULL, e.size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	e.map = map;
	memcpy(&e.eh, map, sizeof(e.eh));
	if (memcmp(e.eh.e_ident, ELFMAG, SELFMAG) || e.eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    !inside(&e, e.eh.e_phoff, e.eh.e_phnum, sizeof(Elf64_Phdr)) ||
	    !inside(&e, e.eh.e_shoff, e.eh.e_shnum, sizeof(Elf64_Shdr)) ||
	    (e.eh.e_shnum && !(e.sh = malloc((size_t)e.eh.e_shnum * sizeof(Elf64_Shdr)))))
		goto out;
	if (e.eh.e_shnum)
		memcpy(e.sh, e.map + e.eh.e_shoff, (size_t)e.eh.e_shnum * sizeof(Elf64_Shdr));
	for (int i = 0; i < e.eh.e_phnum && m->nloads < MAX_LOADS; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, e.map + e.eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_GNU_EH_FRAME)
			m->has_eh_frame = 1;
		if (ph.p_type != PT_LOAD)
			continue;
		m->loads[m->nloads].off = ph.p_offset;
		m->loads[m->nloads].vaddr = ph.p_vaddr;
		m->loads[m->nloads].filesz = ph.p_filesz;
		m->nloads++;
	}
	for (int i = 0; i < e.eh.e_shnum; i++) {
		if (e.sh[i].sh_type == SHT_SYMTAB)
			symtab = &e.sh[i];
		if (e.sh[i].sh_type == SHT_DYNSYM)
			dynsym = &e.sh[i];
	}
	/* Go's names first: at an address both name, the runtime's own name
	 * wins over the ELF one ("runtime.goexit", not "runtime.goexit.abi0") */
	if ((what & SYMS_GO) && (!symtab || !(what & SYMS_ELF)))
		add_go_funcs(m, &e);
	if ((what & SYMS_ELF) && (symtab || dynsym))
		add_elf_syms(m, &e, symtab ? symtab : dynsym);
	finish_table(m);
out:
	free(e.sh);
	munmap(map, e.size);
}

static void load_symbols(struct module *m)
{
	load_tables(m, SYMS_ELF | SYMS_GO);
}

static void module_free(struct module *m)
{
	free(m->syms);
	free(m->names);
	free(m);
}

long symbols_file(const char *path, unsigned what, symbols_file_cb cb, void *ctx)
{
	struct module *m = calloc(1, sizeof(*m));
	long n;

	if (!m)
		return -ENOMEM;
	snprintf(m->path, sizeof(m->path), "%s", path);
	if (access(path, R_OK) < 0) {
		n = -errno;
		free(m);
		return n;
	}
	load_tables(m, what);
	for (size_t i = 0; i < m->nsyms; i++)
		cb(ctx, m->syms[i].start, m->syms[i].size, m->names + m->syms[i].name);
	n = (long)m->nsyms;
	module_free(m);
	return n;
}

static struct module *module_for(struct symcache *c, const char *path)
{
	struct module *m;
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	for (m = c->modules; m; m = m->next)
		if (m->dev == st.st_dev && m->ino == st.st_ino)
			return m;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	snprintf(m->path, sizeof(m->path), "%s", path);
	const char *slash = strrchr(m->path, '/');
	m->base = slash ? slash + 1 : m->path;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->next = c->modules;
	c->modules = m;
	return m;
}

static void read_maps(struct symcache *c, struct sym_proc *sp, pid_t pid)
{
	char path[64], line[512];
	FILE *f;

	sp->nmaps = 0;
	sp->maps_read = time(NULL);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (sp->nmaps < MAX_MAPS && fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off;
		char perms[8], file[256] = "";
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %255[^\n]", &start, &end, perms, &off, file) < 4)
			continue;
		if (perms[2] != 'x' || file[0] != '/')
			continue; /* only executable file mappings hold code */
		struct map *m = &sp->maps[sp->nmaps];
		m->start = start;
		m->end = end;
		m->off = off;
		m->mod = module_for(c, file);
		if (m->mod)
			sp->nmaps++;
	}
	fclose(f);
}

static const struct map *find_map(struct sym_proc *sp, uint64_t addr)
{
	for (int i = 0; i < sp->nmaps; i++)
		if (addr >= sp->maps[i].start && addr < sp->maps[i].end)
			return &sp->maps[i];
	return NULL;
}

static void resolve(struct symcache *c, struct sym_proc *sp, pid_t pid, uint64_t addr,
		    struct nst_frame *f)
{
	const struct map *m = find_map(sp, addr);
	uint64_t fo, va;

	if (!m && sp->maps_read != time(NULL)) { /* a library loaded since */
		read_maps(c, sp, pid);
		m = find_map(sp, addr);
	}
	f->addr = addr;
	f->function = NULL;
	if (!m) {
		f->module = "?";
		f->offset = addr;
		return;
	}
	f->module = m->mod->base;
	fo = addr - m->start + m->off;
	f->offset = fo;
	if (!m->mod->loaded)
		load_symbols(m->mod);
	va = fo;
	for (int i = 0; i < m->mod->nloads; i++)
		if (fo >= m->mod->loads[i].off && fo < m->mod->loads[i].off + m->mod->loads[i].filesz) {
			va = fo - m->mod->loads[i].off + m->mod->loads[i].vaddr;
			break;
		}
	/* the last symbol starting at or below va */
	size_t lo = 0, hi = m->mod->nsyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->mod->syms[mid].start <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo) {
		const struct sym *s = &m->mod->syms[lo - 1];
		if (!s->size || va < s->start + s->size) {
			f->function = m->mod->names + s->name;
			f->offset = va - s->start;
		}
	}
}

void symbolize(struct symcache *sc, struct sym_proc **spp, pid_t pid, uint64_t addr,
	       struct nst_frame *f)
{
	struct sym_proc *sp = *spp;
	struct cached *c;

	if (!sp) {
		sp = *spp = calloc(1, sizeof(*sp));
		if (!sp) {
			memset(f, 0, sizeof(*f));
			f->addr = addr;
			f->module = "?";
			return;
		}
		read_maps(sc, sp, pid);
	}
	c = &sp->cache[(addr >> 2) % ADDR_CACHE];
	if (c->addr == addr && c->f.module) {
		*f = c->f;
		return;
	}
	resolve(sc, sp, pid, addr, f);
	c->addr = addr;
	c->f = *f;
}

int symbols_has_unwind_info(struct symcache *c, struct sym_proc **spp, pid_t pid, uint64_t addr)
{
	const struct map *m;

	if (!*spp) {
		struct nst_frame f;
		symbolize(c, spp, pid, addr, &f);
	}
	if (!*spp || !(m = find_map(*spp, addr)))
		return 0;
	if (!m->mod->loaded)
		load_symbols(m->mod);
	return m->mod->has_eh_frame;
}

void sym_proc_free(struct sym_proc *sp)
{
	free(sp);
}

void symcache_free(struct symcache *c)
{
	while (c && c->modules) {
		struct module *m = c->modules->next;
		module_free(c->modules);
		c->modules = m;
	}
	free(c);
}
