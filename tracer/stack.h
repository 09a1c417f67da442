/* stack.h - user-space stacks of a stopped tracee (-k), with libunwind-ptrace.
 *
 * Taken only where the diagnosis needs one (setns, a socket made in a
 * foreign netns, connect and DNS sends on one), never on every syscall:
 * unwinding and symbolizing against dockerd's ~170,000 dynamic symbols is
 * what makes `strace -k` stall it. */
#ifndef NST_STACK_H
#define NST_STACK_H

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
 * libunwind-ptrace handle, made on first use and kept between captures.
 * An unwinding error ends the stack early; returns the number of frames
 * (0 when nothing could be read, or s is NULL). */
int stack_capture(struct stacks *s, pid_t pid, pid_t tid, struct sym_proc **sp,
		  struct nst_stack *st, int max_depth, void **upt);

/* Free the per-thread libunwind-ptrace handle kept in *upt between captures
 * (it caches the ELF image it last looked at). */
void stack_thread_free(void **upt);

#endif
