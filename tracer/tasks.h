/* tasks.h - the tracer's own state for each thread and process of the
 * model (their priv, as strace keeps a tcb per thread), and the /proc reads
 * that put live tasks into the model.
 *
 * The model (model/model.h) says what a thread is; this says what the
 * tracer is in the middle of with it: the syscall between its entry and
 * exit stops, a libunwind handle, a pidfd. */
#ifndef NST_TASKS_H
#define NST_TASKS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/model.h"

struct syscall_desc;
struct sym_proc;

/* Saved at syscall entry for the exit stop. */
struct syscall_entry {
	const struct syscall_desc *sc; /* NULL: not a decoded syscall */
	bool decode;        /* the exit stop needs decoding */
	uint64_t args[6];
	nsid_t netns;       /* the thread's netns at entry */
	uint64_t aux;       /* decoder scratch: setns target nsid, clone flags */
	int aux_type;       /* decoder scratch: setns nstype */
	nsid_t child_netns; /* clone: the child's netns, read at the clone event
	                       (the child may be gone by the exit stop) */
};

/* select, pselect6: the fds the call watches, read at its entry (the
 * kernel rewrites the sets): the first NST_WAIT_MAX of nwatch. */
struct wait_stash {
	uint16_t n, nwatch;
	int32_t fd[64];
	uint8_t events[64]; /* POLLIN, POLLOUT */
};

struct tthread {
	bool in_syscall; /* between entry and exit stops */
	struct wait_stash wait;
	struct syscall_entry entry;
	char entry_path[128]; /* setns: the bind-mount path of its fd */
	struct msock *closing; /* close: the socket taken at entry (a reference) */
	void *unwind;         /* -k: libunwind-ptrace handle, kept between unwinds */
};

struct tproc {
	bool pidfd_open;
	int pidfd;
	struct sym_proc *syms; /* -k: maps and symbol cache, NULL until needed */
};

static inline struct tthread *tthread_of(const struct mthread *t)
{
	return t->priv;
}

static inline struct tproc *tproc_of(const struct mproc *p)
{
	return p->priv;
}

/* The model configuration for live tasks, for model m: priv sizes, and
 * the hooks that close pidfds, free unwind handles and symbol caches, and
 * give back a socket a thread was closing. */
void tasks_model_cfg(struct model_cfg *cfg, struct model *m);

/* The process's pidfd, opened on demand; -errno on failure. */
int tproc_pidfd(struct mproc *p);
/* (Re)read /proc/PID/comm into p->comm. */
void tproc_read_comm(struct mproc *p);
/* The thread group of pid (-p may name any thread of it): its leader's
 * pid, or -ESRCH when there is no such process. */
pid_t tasks_thread_group(pid_t pid);
/* fn for each thread /proc/TGID/task lists now; the number of calls that
 * returned > 0 (new threads), or -errno when the list cannot be read.
 * The one attach scan of both backends. */
int tasks_each(pid_t tgid, int (*fn)(void *ctx, pid_t tid), void *ctx);

/* Has thread tid exited, its task kept as a zombie (a thread group's
 * leader whose other threads still run)?  false when /proc cannot say. */
bool tasks_zombie(pid_t tid);
/* Its thread group and parent, from /proc/TID/status: 0 or -errno. */
int tasks_status_ids(pid_t tid, pid_t *tgid, pid_t *ppid);
/* The netns tid is in now (one stat), interned; 0 when /proc cannot tell. */
nsid_t tasks_ns_of(struct model *m, pid_t tid);

#endif
