/* proc.h - traced processes and threads.
 *
 * Each traced thread has a struct thread carrying syscall-entry data to the
 * exit stop; threads of one process share a struct proc (home netns, fd
 * table, pidfd).  Lookup by tid is O(1) and allocation-free. */
#ifndef NST_PROC_H
#define NST_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"
#include "tracer/fdtab.h"

struct syscall_desc;
struct sym_proc;

struct proc {
	pid_t pid; /* tgid */
	int nthreads;
	char comm[NST_COMM_LEN];
	uint64_t home_netns;
	struct fdtab *fds;
	int pidfd; /* -1 until first needed */
	struct sym_proc *syms; /* -k: maps and symbol cache, NULL until needed */
};

/* Data saved at syscall entry for the exit stop. */
struct syscall_entry {
	const struct syscall_desc *sc;
	int32_t nr;
	bool decode;        /* the exit stop needs decoding */
	uint64_t args[6];
	uint64_t ts_us;
	uint64_t netns;     /* thread netns at entry */
	uint64_t aux;       /* decoder scratch: setns target inode, clone3 flags */
	int aux_type;       /* decoder scratch: setns nstype */
	uint64_t child_netns; /* clone: the child's netns, read at the clone event
	                         (the child may be gone by the exit stop) */
};

struct thread {
	pid_t tid;
	struct proc *p;
	uint64_t netns;   /* current netns inode, 0 = unknown */
	bool in_syscall;  /* between entry and exit stops */
	bool detached;
	struct syscall_entry entry;
	char entry_path[128]; /* setns: the bind-mount path of its fd */
	void *unwind;         /* -k: libunwind-ptrace handle, kept between captures */
};

/* Find a thread; NULL when not traced. */
struct thread *thread_find(pid_t tid);
/* Register tid as a thread of p (creating the proc when p is NULL, with
 * pid=tid and the given fd table, which it takes over).  Reads the thread's
 * netns.  Returns NULL on ENOMEM. */
struct thread *thread_add(pid_t tid, struct proc *p, struct fdtab *fds);
/* Forget a thread; frees its proc with the last thread. */
void thread_remove(struct thread *t);
/* exec by a non-leader: the thread takes over the leader's tid. */
void thread_retid(struct thread *t, pid_t new_tid);

struct proc *proc_find(pid_t pid);
/* (Re)read /proc/PID/comm. */
void proc_read_comm(struct proc *p);
/* The process's pidfd, opened on demand; -errno on failure. */
int proc_pidfd(struct proc *p);

/* Iterate over all threads: returns the next one after *cursor (start at 0),
 * or NULL at the end.  Safe against removal of the returned thread. */
struct thread *thread_next(size_t *cursor);
size_t thread_count(void);

void proc_cleanup(void);

#endif
