/* stack.h - user-space stacks of a stopped tracee (-k), with libunwind-ptrace.
 *
 * Taken only where the diagnosis needs one (setns, a socket made in a
 * foreign netns, connect and DNS sends on one), never on every syscall:
 * unwinding and symbolizing against dockerd's ~170,000 dynamic symbols is
 * what makes `strace -k` stall it. */
#ifndef NST_STACK_H
#define NST_STACK_H

#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "model/event.h"
#include "tracer/symbols.h"

struct stacks;

/* The unwinder's state and caches (libunwind address space, page cache,
 * which code has DWARF tables, the symbol cache).  NULL on ENOMEM. */
struct stacks *stacks_new(void);
void stacks_free(struct stacks *s);

/* Unwind thread tid of process pid (in a ptrace stop) into st, at most
 * max_depth frames, symbolized through *sp.  *upt is the thread's
 * libunwind-ptrace handle, made on first use and kept between unwinds.
 * An unwinding error ends the stack early; returns the number of frames
 * (0 when nothing could be read, or s is NULL). */
int stack_unwind(struct stacks *s, pid_t pid, pid_t tid, struct sym_proc **sp,
		  struct nst_stack *st, int max_depth, void **upt);

/* The target of the direct call (e8 rel32) whose 5 bytes end at ret, 0
 * when they are no such call: how a frameless leaf's return address at
 * [rsp] is told from a local that looks like one (both backends).  Pure. */
static inline uint64_t stack_call_target(const uint8_t call[5], uint64_t ret)
{
	int32_t rel;

	if (ret < 5 || call[0] != 0xe8)
		return 0;
	memcpy(&rel, call + 1, sizeof(rel));
	return ret + (uint64_t)(int64_t)rel;
}

/* Free the per-thread libunwind-ptrace handle kept in *upt between unwinds
 * (it caches the ELF image it last looked at). */
void stack_thread_free(void **upt);

#endif
