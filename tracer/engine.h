/* engine.h - the ptrace engine: attach or launch, follow every thread and
 * child, run the syscall decoders at each stop, and detach cleanly.
 *
 * It owns the model of the traced tasks and the decoder that turns stops
 * into events for the sink.  Setup functions return -errno and print
 * nothing; the caller explains. */
#ifndef NST_ENGINE_H
#define NST_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"

struct engine;

struct engine_opts {
	nst_event_sink sink; /* every event, after the thread is resumed */
	void *ctx;
	uint32_t snaplen;    /* -s */
	int stack_depth;     /* -k: 0 = no stacks */
	const volatile sig_atomic_t *stop; /* set: detach and return (a signal
	                                      handler's, backend.c) */
};

/* NULL on ENOMEM. */
struct engine *engine_new(const struct engine_opts *o);
/* Flushes pending events to the sink, then frees.  Call after engine_run. */
void engine_free(struct engine *e);

/* Attach to every thread of pid (PTRACE_SEIZE, never EXITKILL), rescanning
 * /proc/pid/task until no new thread shows up.  Returns 0 or -errno:
 * -ESRCH no such process, -EPERM not allowed to trace it, -EINVAL after a
 * launch under the seccomp filter (it resumes threads past the calls).
 * With a launch too, the run ends when the launched command does. */
int engine_attach(struct engine *e, pid_t pid);

/* Fork and exec argv under trace (with PTRACE_O_EXITKILL).  With
 * use_seccomp, a seccomp-bpf filter installed before exec makes only the
 * decoded syscalls stop (it sets no_new_privs: setuid programs lose their
 * privileges).  Returns the child's pid or -errno.  A failing exec makes the
 * child exit 127. */
pid_t engine_launch(struct engine *e, char *const argv[], bool use_seccomp);

/* The stop loop.  Returns when every tracee is gone, or after a stop
 * request, once every thread is detached.  Returns the launched command's
 * exit status (128+signal when killed), or 0 in attach mode. */
int engine_run(struct engine *e);

/* Counters for the closing report. */
struct engine_stats {
	unsigned long stops, syscall_stops, decoded, threads_seen, signals;
	unsigned long undetached; /* threads that never stopped for detach */
};
const struct engine_stats *engine_stats(const struct engine *e);

#endif
