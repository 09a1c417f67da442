/* stack.c - see stack.h. */
#include "stack.h"

#include <libunwind-ptrace.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "tmem.h"

#define PAGE 4096
#define CACHE_PAGES 16

static unw_addr_space_t as;
static unw_accessors_t accessors;
/* The process being unwound, for find_proc_info (one capture at a time). */
static pid_t cur_pid;
static struct sym_proc **cur_sp;

/* libunwind-ptrace looks for DWARF unwind info by reopening and mapping the
 * module's ELF file, for every frame.  For a module that has none (Go's
 * dockerd), say so at once: libunwind then follows the frame pointers. */
/* Tracee memory for one capture, a page at a time: libunwind-ptrace would
 * read it one PTRACE_PEEKDATA word at a time, hundreds of syscalls a stack. */
static struct {
	uint64_t page;
	int valid;
	unsigned char data[PAGE];
} pages[CACHE_PAGES];

static int access_mem(unw_addr_space_t a, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	uint64_t page = (uint64_t)addr & ~(uint64_t)(PAGE - 1), off = (uint64_t)addr - page;
	unsigned slot = (unsigned)(page / PAGE) % CACHE_PAGES;

	if (write || off + sizeof(*val) > PAGE)
		return _UPT_access_mem(a, addr, val, write, arg);
	if (!pages[slot].valid || pages[slot].page != page) {
		if (tmem_read(cur_pid, page, pages[slot].data, PAGE) != PAGE)
			return _UPT_access_mem(a, addr, val, write, arg);
		pages[slot].page = page;
		pages[slot].valid = 1;
	}
	memcpy(val, pages[slot].data + off, sizeof(*val));
	return 0;
}

/* Registers, fetched once per capture with PTRACE_GETREGS instead of one
 * PTRACE_PEEKUSER per register libunwind asks for. */
static struct user_regs_struct regs;
static int regs_valid;

static int reg_offset(unw_regnum_t r)
{
	static const size_t off[] = {
		[UNW_X86_64_RAX] = offsetof(struct user_regs_struct, rax),
		[UNW_X86_64_RDX] = offsetof(struct user_regs_struct, rdx),
		[UNW_X86_64_RCX] = offsetof(struct user_regs_struct, rcx),
		[UNW_X86_64_RBX] = offsetof(struct user_regs_struct, rbx),
		[UNW_X86_64_RSI] = offsetof(struct user_regs_struct, rsi),
		[UNW_X86_64_RDI] = offsetof(struct user_regs_struct, rdi),
		[UNW_X86_64_RBP] = offsetof(struct user_regs_struct, rbp),
		[UNW_X86_64_RSP] = offsetof(struct user_regs_struct, rsp),
		[UNW_X86_64_R8] = offsetof(struct user_regs_struct, r8),
		[UNW_X86_64_R9] = offsetof(struct user_regs_struct, r9),
		[UNW_X86_64_R10] = offsetof(struct user_regs_struct, r10),
		[UNW_X86_64_R11] = offsetof(struct user_regs_struct, r11),
		[UNW_X86_64_R12] = offsetof(struct user_regs_struct, r12),
		[UNW_X86_64_R13] = offsetof(struct user_regs_struct, r13),
		[UNW_X86_64_R14] = offsetof(struct user_regs_struct, r14),
		[UNW_X86_64_R15] = offsetof(struct user_regs_struct, r15),
		[UNW_X86_64_RIP] = offsetof(struct user_regs_struct, rip),
	};
	return r >= 0 && (size_t)r < sizeof(off) / sizeof(off[0]) &&
	       (r == UNW_X86_64_RAX || off[r]) ? (int)off[r] : -1;
}

static int access_reg(unw_addr_space_t a, unw_regnum_t r, unw_word_t *val, int write, void *arg)
{
	int off = reg_offset(r);

	if (write || off < 0)
		return _UPT_access_reg(a, r, val, write, arg);
	if (!regs_valid) {
		if (ptrace(PTRACE_GETREGS, cur_pid, 0L, &regs) < 0)
			return _UPT_access_reg(a, r, val, write, arg);
		regs_valid = 1;
	}
	memcpy(val, (const char *)&regs + off, sizeof(*val));
	return 0;
}

/* No JIT-registered unwind info to look for (it would read /proc/PID/maps). */
static int get_dyn_info_list_addr(unw_addr_space_t a, unw_word_t *dil, void *arg)
{
	(void)a;
	(void)dil;
	(void)arg;
	return -UNW_ENOINFO;
}

/* IPs already known to have no DWARF info.  A cgo binary such as dockerd
 * has .eh_frame for its C parts only, and asking libunwind-ptrace about a Go
 * frame maps the whole ELF file again each time before failing. */
#define NOINFO_CACHE 8192
static struct { pid_t pid; unw_word_t ip; } noinfo[NOINFO_CACHE];

static int find_proc_info(unw_addr_space_t a, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	unsigned slot = (unsigned)((ip >> 1) ^ ((uint64_t)cur_pid << 7)) % NOINFO_CACHE;
	int r;

	if (noinfo[slot].ip == ip && noinfo[slot].pid == cur_pid)
		return -UNW_ENOINFO;
	if (!symbols_has_unwind_info(cur_sp, cur_pid, (uint64_t)ip))
		r = -UNW_ENOINFO;
	else
		r = _UPT_find_proc_info(a, ip, pi, need_unwind_info, arg);
	if (r == -UNW_ENOINFO) {
		noinfo[slot].ip = ip;
		noinfo[slot].pid = cur_pid;
	}
	return r;
}

void stack_thread_free(void **upt)
{
	if (*upt)
		_UPT_destroy(*upt);
	*upt = NULL;
}

int stack_capture(pid_t tid, struct sym_proc **sp, struct nst_stack *st, int max_depth,
		  void **uptp)
{
	unw_cursor_t cur;
	void *upt;
	int n = 0;

	st->nframes = 0;
	if (max_depth > NST_MAX_FRAMES)
		max_depth = NST_MAX_FRAMES;
	if (!as) {
		accessors = _UPT_accessors;
		accessors.find_proc_info = find_proc_info;
		accessors.access_mem = access_mem;
		accessors.access_reg = access_reg;
		accessors.get_dyn_info_list_addr = get_dyn_info_list_addr;
		as = unw_create_addr_space(&accessors, 0);
		if (!as)
			return 0;
		/* unwind tables are cached across captures, per address space */
		unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
	}
	cur_pid = tid;
	cur_sp = sp;
	for (int i = 0; i < CACHE_PAGES; i++) /* memory changes between captures */
		pages[i].valid = 0;
	regs_valid = 0;
	if (!*uptp)
		*uptp = _UPT_create(tid);
	upt = *uptp;
	if (!upt)
		return 0;
	if (unw_init_remote(&cur, as, upt) == 0) {
		do {
			unw_word_t ip;
			if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
				break;
			symbolize(sp, tid, (uint64_t)ip, &st->frames[n]);
			n++;
		} while (n < max_depth && unw_step(&cur) > 0);
	}
	st->nframes = (uint32_t)n;
	return n;
}

void stack_cleanup(void)
{
	if (as)
		unw_destroy_addr_space(as);
	as = NULL;
}
