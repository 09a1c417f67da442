/* symbols.c - see symbols.h.  Reads /proc/PID/maps and mmap()s the ELF
 * files named there; the ELF64 parsing itself only reads the mapping. */
#define _GNU_SOURCE
#include "tracer/symbols.h"

#include <elf.h>
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
	const char *name; /* into module->names */
};

struct module {
	char path[256];
	const char *base; /* basename, into path */
	dev_t dev;
	ino_t ino;
	int loaded; /* symbols read (or tried) */
	int has_eh_frame; /* PT_GNU_EH_FRAME: DWARF unwind info exists */
	struct sym *syms;
	size_t nsyms;
	char *names;
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

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Read FUNC symbols from .symtab (or .dynsym) and the PT_LOAD segments. */
static void load_symbols(struct module *m)
{
	struct stat st;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh, *tab = NULL;
	size_t total = 0, n = 0;
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
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	eh = map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > (uint64_t)st.st_size)
		goto out;
	for (int i = 0; i < eh->e_phnum && m->nloads < MAX_LOADS; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)map + eh->e_phoff) + i;
		if (ph->p_type == PT_GNU_EH_FRAME)
			m->has_eh_frame = 1;
		if (ph->p_type != PT_LOAD)
			continue;
		m->loads[m->nloads].off = ph->p_offset;
		m->loads[m->nloads].vaddr = ph->p_vaddr;
		m->loads[m->nloads].filesz = ph->p_filesz;
		m->nloads++;
	}
	sh = (const Elf64_Shdr *)((const char *)map + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB || (sh[i].sh_type == SHT_DYNSYM && !tab))
			tab = &sh[i];
	if (!tab || tab->sh_link >= eh->e_shnum || tab->sh_entsize != sizeof(Elf64_Sym) ||
	    tab->sh_offset + tab->sh_size > (uint64_t)st.st_size)
		goto out;
	const Elf64_Shdr *strs = &sh[tab->sh_link];
	if (strs->sh_offset + strs->sh_size > (uint64_t)st.st_size)
		goto out;
	const Elf64_Sym *syms = (const Elf64_Sym *)((const char *)map + tab->sh_offset);
	const char *str = (const char *)map + strs->sh_offset;
	size_t count = tab->sh_size / sizeof(Elf64_Sym);
	for (size_t i = 0; i < count; i++)
		if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC && syms[i].st_value &&
		    syms[i].st_name < strs->sh_size)
			total += strnlen(str + syms[i].st_name, strs->sh_size - syms[i].st_name) + 1;
	m->syms = malloc(count * sizeof(*m->syms));
	m->names = malloc(total ? total : 1);
	if (!m->syms || !m->names)
		goto out;
	total = 0;
	for (size_t i = 0; i < count; i++) {
		const Elf64_Sym *s = &syms[i];
		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || !s->st_value || s->st_name >= strs->sh_size)
			continue;
		size_t l = strnlen(str + s->st_name, strs->sh_size - s->st_name);
		memcpy(m->names + total, str + s->st_name, l);
		m->names[total + l] = '\0';
		m->syms[n].start = s->st_value;
		m->syms[n].size = s->st_size;
		m->syms[n].name = m->names + total;
		total += l + 1;
		n++;
	}
	qsort(m->syms, n, sizeof(*m->syms), cmp_sym);
	m->nsyms = n;
out:
	munmap(map, (size_t)st.st_size);
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
			f->function = s->name;
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
		free(c->modules->syms);
		free(c->modules->names);
		free(c->modules);
		c->modules = m;
	}
	free(c);
}
