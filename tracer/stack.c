/* stack.c - see stack.h. */
#include "tracer/stack.h"

#include <libunwind-ptrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "tracer/tmem.h"

#define PAGE 4096
#define CACHE_PAGES 16
/* The stack above rsp, read in one go at each unwind: a Go stack of two
 * dozen frames spans several pages, one syscall each through the page cache. */
#define WINDOW (4 * PAGE)
#define DWARF_CACHE 8192
#define CALL_CACHE 1024

/* Everything an unwind needs; one unwind at a time. */
struct stacks {
	unw_addr_space_t as;
	unw_accessors_t accessors;
	struct symcache *syms;
	/* The thread being unwound, for the accessors. */
	pid_t cur_pid, cur_tgid;
	struct sym_proc **cur_sp;
	/* Registers, fetched once per unwind with PTRACE_GETREGS instead of
	 * one PTRACE_PEEKUSER per register libunwind asks for.  The frame-
	 * pointer walk leaves rip/rsp/rbp at the frame libunwind starts from. */
	struct user_regs_struct regs;
	/* Tracee memory for one unwind, a page at a time: libunwind-ptrace
	 * would read it one PTRACE_PEEKDATA word at a time. */
	struct {
		uint64_t page;
		int valid;
		unsigned char data[PAGE];
	} pages[CACHE_PAGES];
	uint8_t window[WINDOW];
	uint64_t window_base;
	size_t window_len;
	/* Which IPs have DWARF unwind info, per process.  A cgo binary such
	 * as dockerd has .eh_frame for its C parts only, and asking
	 * libunwind-ptrace about a Go frame maps the whole ELF file again each
	 * time before failing. */
	struct {
		pid_t pid;
		unw_word_t ip;
		bool has;
	} dwarf_known[DWARF_CACHE];
	/* The target of the direct call that returns to ret (code does not
	 * change: kept per process and address). */
	struct {
		pid_t pid;
		uint64_t ret, target;
	} calls[CALL_CACHE];
};

/* libunwind's accessors get no context of ours: their arg is the thread's
 * libunwind-ptrace handle, which _UPT_* functions pass back into the
 * accessors of the address space.  The unwind in progress is reached
 * through this instead, set only while stack_unwind runs. */
static struct stacks *capturing;

static void read_window(struct stacks *s, uint64_t rsp)
{
	long n = tmem_read(s->cur_pid, rsp & ~(uint64_t)7, s->window, WINDOW);

	s->window_base = rsp & ~(uint64_t)7;
	s->window_len = n > 0 ? (size_t)n : 0;
}

static int window_word(const struct stacks *s, uint64_t addr, uint64_t *val)
{
	if (addr < s->window_base || addr - s->window_base + sizeof(*val) > s->window_len)
		return -1;
	memcpy(val, s->window + (addr - s->window_base), sizeof(*val));
	return 0;
}

/* One word of the tracee, from the stack window or through the page cache;
 * -1 when its page cannot be read whole. */
static int read_word(struct stacks *s, uint64_t addr, uint64_t *val)
{
	uint64_t page = addr & ~(uint64_t)(PAGE - 1), off = addr - page;
	unsigned slot = (unsigned)(page / PAGE) % CACHE_PAGES;

	if (window_word(s, addr, val) == 0)
		return 0;
	if (off + sizeof(*val) > PAGE)
		return -1;
	if (!s->pages[slot].valid || s->pages[slot].page != page) {
		if (tmem_read(s->cur_pid, page, s->pages[slot].data, PAGE) != PAGE)
			return -1;
		s->pages[slot].page = page;
		s->pages[slot].valid = 1;
	}
	memcpy(val, s->pages[slot].data + off, sizeof(*val));
	return 0;
}

/* --- libunwind accessors: ours where they save syscalls ------------------- */

static int access_mem(unw_addr_space_t a, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	uint64_t v;

	if (write || read_word(capturing, (uint64_t)addr, &v) < 0)
		return _UPT_access_mem(a, addr, val, write, arg);
	*val = (unw_word_t)v;
	return 0;
}

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
	memcpy(val, (const char *)&capturing->regs + off, sizeof(*val));
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

static unsigned dwarf_slot(const struct stacks *s, unw_word_t ip)
{
	return (unsigned)((ip >> 1) ^ ((uint64_t)s->cur_tgid << 7)) % DWARF_CACHE;
}

static void dwarf_note(struct stacks *s, unw_word_t ip, bool has)
{
	unsigned slot = dwarf_slot(s, ip);

	s->dwarf_known[slot].pid = s->cur_tgid;
	s->dwarf_known[slot].ip = ip;
	s->dwarf_known[slot].has = has;
}

static int find_proc_info(unw_addr_space_t a, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	struct stacks *s = capturing;
	unsigned slot = dwarf_slot(s, ip);
	int r;

	if (s->dwarf_known[slot].ip == ip && s->dwarf_known[slot].pid == s->cur_tgid &&
	    !s->dwarf_known[slot].has)
		return -UNW_ENOINFO;
	if (!symbols_has_unwind_info(s->syms, s->cur_sp, s->cur_pid, (uint64_t)ip))
		r = -UNW_ENOINFO;
	else
		r = _UPT_find_proc_info(a, ip, pi, need_unwind_info, arg);
	if (r == -UNW_ENOINFO)
		dwarf_note(s, ip, false);
	return r;
}

/* Has the code at ip DWARF unwind tables?  Asked of libunwind once per ip
 * and process. */
static bool has_dwarf(struct stacks *s, void *upt, unw_word_t ip)
{
	unsigned slot = dwarf_slot(s, ip);
	unw_proc_info_t pi;

	if (s->dwarf_known[slot].ip == ip && s->dwarf_known[slot].pid == s->cur_tgid)
		return s->dwarf_known[slot].has;
	memset(&pi, 0, sizeof(pi)); /* put_unwind_info frees what it finds */
	if (!upt || find_proc_info(s->as, ip, &pi, 0, upt) < 0)
		return false;
	_UPT_put_unwind_info(s->as, &pi, upt);
	dwarf_note(s, ip, true);
	return true;
}

void stack_thread_free(void **upt)
{
	if (*upt)
		_UPT_destroy(*upt);
	*upt = NULL;
}

/* The target of the direct call (e8 rel32) that returns to ret, or 0. */
static uint64_t direct_call_target(struct stacks *s, pid_t tid, uint64_t ret)
{
	unsigned slot = (unsigned)((ret >> 1) ^ ((uint64_t)s->cur_tgid << 5)) % CALL_CACHE;
	uint8_t call[5];

	if (s->calls[slot].ret == ret && s->calls[slot].pid == s->cur_tgid)
		return s->calls[slot].target;
	s->calls[slot].pid = s->cur_tgid;
	s->calls[slot].ret = ret;
	s->calls[slot].target = 0;
	if (ret >= sizeof(call) && tmem_read(tid, ret - sizeof(call), call, sizeof(call)) == sizeof(call))
		s->calls[slot].target = stack_call_target(call, ret);
	return s->calls[slot].target;
}

/* A leaf with no frame of its own (Go's syscall stubs, small C leaves)
 * keeps its return address at [rsp], and the frame-pointer chain would skip
 * its caller.  [rsp] is taken when it returns right after a direct call to
 * the start of the function the thread is in: a local that merely looks
 * like a code address cannot pass that. */
static bool frameless_leaf_return(struct stacks *s, pid_t tid, uint64_t *ret)
{
	struct nst_frame f;
	uint64_t target;

	if (read_word(s, s->regs.rsp, ret) < 0 || !(target = direct_call_target(s, tid, *ret)))
		return false;
	symbolize(s->syms, s->cur_sp, tid, s->regs.rip, &f);
	return f.function && f.addr - f.offset == target;
}

/* Frame pointers, while the code has no DWARF tables (Go, whose amd64 code
 * always keeps RBP as a frame pointer): the chain libunwind falls back to
 * there, without its per-frame costs (code reads for its signal-frame and
 * PLT checks, a lock that blocks signals).  Stops at code with tables,
 * leaving regs at that frame (rip, rsp = the CFA below it, rbp) for
 * libunwind to go on from; returns the frames taken. */
static int walk_frame_pointers(struct stacks *s, void *upt, pid_t tid, struct nst_stack *st,
			       int n, int max_depth)
{
	struct user_regs_struct *regs = &s->regs;
	uint64_t ip = regs->rip, fp = regs->rbp, saved_fp, ret, fp_ret;

	while (n < max_depth && ip && !has_dwarf(s, upt, ip)) {
		symbolize(s->syms, s->cur_sp, tid, ip, &st->frames[n++]);
		/* (unless the leaf's frame pointer already leads to that caller) */
		if (n == 1 && n < max_depth && frameless_leaf_return(s, tid, &ret) &&
		    !(read_word(s, fp + 8, &fp_ret) == 0 && fp_ret == ret)) {
			if (has_dwarf(s, upt, ret)) { /* a C caller: libunwind goes on */
				regs->rsp += 8;
				ip = ret;
				break;
			}
			symbolize(s->syms, s->cur_sp, tid, ret, &st->frames[n++]);
		}
		/* The caller's frame lies above this one, not far: anything else
		 * is not a frame pointer (the chain's end, or C code). */
		if (!fp || (fp & 7) || fp < regs->rsp || fp - regs->rsp > (1u << 20) ||
		    read_word(s, fp, &saved_fp) < 0 || read_word(s, fp + 8, &ret) < 0) {
			ip = 0;
			break;
		}
		regs->rsp = fp + 16;
		ip = ret;
		if (saved_fp && saved_fp <= fp)
			saved_fp = 0; /* a loop or a chain going down: stop after ret */
		fp = saved_fp;
	}
	regs->rip = ip;
	regs->rbp = fp;
	return n;
}

/* The rest of the stack, from regs, by libunwind's DWARF unwinder. */
static int walk_dwarf(struct stacks *s, void *upt, pid_t tid, struct nst_stack *st, int n,
		      int max_depth)
{
	unw_cursor_t cur;

	if (!upt || unw_init_remote(&cur, s->as, upt) < 0)
		return n;
	do {
		unw_word_t ip;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		symbolize(s->syms, s->cur_sp, tid, (uint64_t)ip, &st->frames[n]);
		n++;
	} while (n < max_depth && unw_step(&cur) > 0);
	return n;
}

struct stacks *stacks_new(void)
{
	struct stacks *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->syms = symcache_new();
	s->accessors = _UPT_accessors;
	s->accessors.find_proc_info = find_proc_info;
	s->accessors.get_dyn_info_list_addr = get_dyn_info_list_addr;
	s->accessors.access_mem = access_mem;
	s->accessors.access_reg = access_reg;
	s->as = unw_create_addr_space(&s->accessors, 0);
	if (!s->as || !s->syms) {
		stacks_free(s);
		return NULL;
	}
	/* unwind state cached across unwinds: C frames (libc's, a C program's)
	 * would re-parse their DWARF at every step.  The cache lock blocks
	 * signals around each step; Go frames never get here. */
	unw_set_caching_policy(s->as, UNW_CACHE_GLOBAL);
	return s;
}

void stacks_free(struct stacks *s)
{
	if (!s)
		return;
	if (s->as)
		unw_destroy_addr_space(s->as);
	symcache_free(s->syms);
	free(s);
}

int stack_unwind(struct stacks *s, pid_t pid, pid_t tid, struct sym_proc **sp,
		  struct nst_stack *st, int max_depth, void **uptp)
{
	int n;

	st->nframes = 0;
	if (!s)
		return 0;
	if (max_depth > NST_MAX_FRAMES)
		max_depth = NST_MAX_FRAMES;
	s->cur_pid = tid;
	s->cur_tgid = pid;
	s->cur_sp = sp;
	for (int i = 0; i < CACHE_PAGES; i++) /* memory changes between unwinds */
		s->pages[i].valid = 0;
	if (ptrace(PTRACE_GETREGS, tid, 0L, &s->regs) < 0)
		return 0;
	read_window(s, s->regs.rsp);
	if (!*uptp)
		*uptp = _UPT_create(tid);
	capturing = s;
	n = walk_frame_pointers(s, *uptp, tid, st, 0, max_depth);
	if (n < max_depth && s->regs.rip)
		n = walk_dwarf(s, *uptp, tid, st, n, max_depth);
	capturing = NULL;
	st->nframes = (uint32_t)n;
	return n;
}
