/* stack.c - see stack.h. */
#include "tracer/stack.h"

#include <libunwind-ptrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "tracer/tmem.h"

#define PAGE 4096
#define CACHE_PAGES 16

static unw_addr_space_t as;
static unw_accessors_t accessors;
/* The thread being unwound, for the accessors (one capture at a time). */
static pid_t cur_pid;
static struct sym_proc **cur_sp;

/* Tracee memory for one capture, a page at a time: libunwind-ptrace would
 * read it one PTRACE_PEEKDATA word at a time, hundreds of syscalls a stack. */
static struct {
	uint64_t page;
	int valid;
	unsigned char data[PAGE];
} pages[CACHE_PAGES];

/* The stack above rsp, read in one go at each capture: a Go stack of two
 * dozen frames spans several pages, one syscall each through the page cache. */
#define WINDOW (4 * PAGE)
static uint8_t window[WINDOW];
static uint64_t window_base;
static size_t window_len;

static void read_window(uint64_t rsp)
{
	long n = tmem_read(cur_pid, rsp & ~(uint64_t)7, window, WINDOW);

	window_base = rsp & ~(uint64_t)7;
	window_len = n > 0 ? (size_t)n : 0;
}

static int window_word(uint64_t addr, uint64_t *val)
{
	if (addr < window_base || addr - window_base + sizeof(*val) > window_len)
		return -1;
	memcpy(val, window + (addr - window_base), sizeof(*val));
	return 0;
}

/* One word of the tracee, from the stack window or through the page cache;
 * -1 when its page cannot be read whole. */
static int read_word(uint64_t addr, uint64_t *val)
{
	uint64_t page = addr & ~(uint64_t)(PAGE - 1), off = addr - page;
	unsigned slot = (unsigned)(page / PAGE) % CACHE_PAGES;

	if (window_word(addr, val) == 0)
		return 0;
	if (off + sizeof(*val) > PAGE)
		return -1;
	if (!pages[slot].valid || pages[slot].page != page) {
		if (tmem_read(cur_pid, page, pages[slot].data, PAGE) != PAGE)
			return -1;
		pages[slot].page = page;
		pages[slot].valid = 1;
	}
	memcpy(val, pages[slot].data + off, sizeof(*val));
	return 0;
}

static int access_mem(unw_addr_space_t a, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	uint64_t v;

	if (write)
		return _UPT_access_mem(a, addr, val, write, arg);
	if (read_word((uint64_t)addr, &v) < 0)
		return _UPT_access_mem(a, addr, val, write, arg);
	*val = (unw_word_t)v;
	return 0;
}

/* Registers, fetched once per capture with PTRACE_GETREGS (stack_capture)
 * instead of one PTRACE_PEEKUSER per register libunwind asks for.  The
 * frame-pointer walk leaves rip/rsp/rbp at the frame libunwind starts from. */
static struct user_regs_struct regs;

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

/* Which IPs have DWARF unwind info, per process.  A cgo binary such as
 * dockerd has .eh_frame for its C parts only, and asking libunwind-ptrace
 * about a Go frame maps the whole ELF file again each time before failing. */
#define DWARF_CACHE 8192
static struct {
	pid_t pid;
	unw_word_t ip;
	bool has;
} dwarf_known[DWARF_CACHE];
static pid_t cur_tgid; /* the process being unwound: the cache's key */

static unsigned dwarf_slot(unw_word_t ip)
{
	return (unsigned)((ip >> 1) ^ ((uint64_t)cur_tgid << 7)) % DWARF_CACHE;
}

static void dwarf_note(unw_word_t ip, bool has)
{
	unsigned slot = dwarf_slot(ip);

	dwarf_known[slot].pid = cur_tgid;
	dwarf_known[slot].ip = ip;
	dwarf_known[slot].has = has;
}

static int find_proc_info(unw_addr_space_t a, unw_word_t ip, unw_proc_info_t *pi,
			  int need_unwind_info, void *arg)
{
	unsigned slot = dwarf_slot(ip);
	int r;

	if (dwarf_known[slot].ip == ip && dwarf_known[slot].pid == cur_tgid && !dwarf_known[slot].has)
		return -UNW_ENOINFO;
	if (!symbols_has_unwind_info(cur_sp, cur_pid, (uint64_t)ip))
		r = -UNW_ENOINFO;
	else
		r = _UPT_find_proc_info(a, ip, pi, need_unwind_info, arg);
	if (r == -UNW_ENOINFO)
		dwarf_note(ip, false);
	return r;
}

/* Has the code at ip DWARF unwind tables?  Asked of libunwind once per ip
 * and process. */
static bool has_dwarf(unw_word_t ip, void *upt)
{
	unsigned slot = dwarf_slot(ip);
	unw_proc_info_t pi;

	if (dwarf_known[slot].ip == ip && dwarf_known[slot].pid == cur_tgid)
		return dwarf_known[slot].has;
	memset(&pi, 0, sizeof(pi)); /* put_unwind_info frees what it finds */
	if (!upt || find_proc_info(as, ip, &pi, 0, upt) < 0)
		return false;
	_UPT_put_unwind_info(as, &pi, upt);
	dwarf_note(ip, true);
	return true;
}

void stack_thread_free(void **upt)
{
	if (*upt)
		_UPT_destroy(*upt);
	*upt = NULL;
}

/* The target of the direct call (e8 rel32) that returns to ret, or 0; code
 * does not change, so the answer is kept per process and address. */
#define CALL_CACHE 1024
static struct {
	pid_t pid;
	uint64_t ret, target;
} calls[CALL_CACHE];

static uint64_t direct_call_target(pid_t tid, uint64_t ret)
{
	unsigned slot = (unsigned)((ret >> 1) ^ ((uint64_t)cur_tgid << 5)) % CALL_CACHE;
	uint8_t call[5];
	int32_t rel;

	if (calls[slot].ret == ret && calls[slot].pid == cur_tgid)
		return calls[slot].target;
	calls[slot].pid = cur_tgid;
	calls[slot].ret = ret;
	calls[slot].target = 0;
	if (ret >= sizeof(call) &&
	    tmem_read(tid, ret - sizeof(call), call, sizeof(call)) == sizeof(call) && call[0] == 0xe8) {
		memcpy(&rel, call + 1, sizeof(rel));
		calls[slot].target = ret + (uint64_t)(int64_t)rel;
	}
	return calls[slot].target;
}

/* A leaf with no frame of its own (Go's syscall stubs, small C leaves)
 * keeps its return address at [rsp], and the frame-pointer chain would skip
 * its caller.  [rsp] is taken when it returns right after a direct call to
 * the start of the function the thread is in: a local that merely looks
 * like a code address cannot pass that. */
static bool frameless_leaf_return(pid_t tid, struct sym_proc **sp, uint64_t *ret)
{
	struct nst_frame f;
	uint64_t target;

	if (read_word(regs.rsp, ret) < 0 || !(target = direct_call_target(tid, *ret)))
		return false;
	symbolize(sp, tid, regs.rip, &f);
	return f.function && f.addr - f.offset == target;
}

/* Frame pointers, while the code has no DWARF tables (Go, whose amd64 code
 * always keeps RBP as a frame pointer): the chain libunwind falls back to
 * there, without its per-frame costs (code reads for its signal-frame and
 * PLT checks, a lock that blocks signals).  Stops at code with tables,
 * leaving regs at that frame (rip, rsp = the CFA below it, rbp) for
 * libunwind to go on from; returns the frames taken. */
static int walk_frame_pointers(pid_t tid, struct sym_proc **sp, struct nst_stack *st,
			       int n, int max_depth, void *upt)
{
	uint64_t ip = regs.rip, fp = regs.rbp, saved_fp, ret, fp_ret;

	while (n < max_depth && ip && !has_dwarf(ip, upt)) {
		symbolize(sp, tid, ip, &st->frames[n++]);
		/* (unless the leaf's frame pointer already leads to that caller) */
		if (n == 1 && n < max_depth && frameless_leaf_return(tid, sp, &ret) &&
		    !(read_word(fp + 8, &fp_ret) == 0 && fp_ret == ret)) {
			if (has_dwarf(ret, upt)) { /* a C caller: libunwind goes on */
				regs.rsp += 8;
				ip = ret;
				break;
			}
			symbolize(sp, tid, ret, &st->frames[n++]);
		}
		/* The caller's frame lies above this one, not far: anything else
		 * is not a frame pointer (the chain's end, or C code). */
		if (!fp || (fp & 7) || fp < regs.rsp || fp - regs.rsp > (1u << 20) ||
		    read_word(fp, &saved_fp) < 0 || read_word(fp + 8, &ret) < 0) {
			ip = 0;
			break;
		}
		regs.rsp = fp + 16;
		ip = ret;
		if (saved_fp && saved_fp <= fp)
			saved_fp = 0; /* a loop or a chain going down: stop after ret */
		fp = saved_fp;
	}
	regs.rip = ip;
	regs.rbp = fp;
	return n;
}

/* The rest of the stack, from regs, by libunwind's DWARF unwinder. */
static int walk_dwarf(pid_t tid, struct sym_proc **sp, struct nst_stack *st, int n,
		      int max_depth, void **uptp)
{
	unw_cursor_t cur;

	if (!*uptp || unw_init_remote(&cur, as, *uptp) < 0)
		return n;
	do {
		unw_word_t ip;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		symbolize(sp, tid, (uint64_t)ip, &st->frames[n]);
		n++;
	} while (n < max_depth && unw_step(&cur) > 0);
	return n;
}

int stack_capture(pid_t pid, pid_t tid, struct sym_proc **sp, struct nst_stack *st,
		  int max_depth, void **uptp)
{
	int n;

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
		/* unwind state cached across captures: C frames (libc's, a C
		 * program's) would re-parse their DWARF at every step.  The cache
		 * lock blocks signals around each step; Go frames never get here. */
		unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
	}
	cur_pid = tid;
	cur_tgid = pid;
	cur_sp = sp;
	for (int i = 0; i < CACHE_PAGES; i++) /* memory changes between captures */
		pages[i].valid = 0;
	if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) < 0)
		return 0;
	read_window(regs.rsp);
	if (!*uptp)
		*uptp = _UPT_create(tid);
	n = walk_frame_pointers(tid, sp, st, 0, max_depth, *uptp);
	if (n < max_depth && regs.rip)
		n = walk_dwarf(tid, sp, st, n, max_depth, uptp);
	st->nframes = (uint32_t)n;
	return n;
}

void stack_cleanup(void)
{
	if (as)
		unw_destroy_addr_space(as);
	as = NULL;
}
