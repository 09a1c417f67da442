/* model.h - the one model of what the traced programs are made of:
 * processes, threads, fd tables, sockets, and the network namespaces they
 * live in.
 *
 * Every event source turns what it sees into the facts below (the live
 * tracer from ptrace stops and /proc, the strace import from log lines),
 * and reads its events off the model (model_event_*), so both agree on what
 * a socket is, which namespace it lives in, and who shares it.
 *
 * Pure bookkeeping: no I/O, no ptrace, no clock.  Lookups never allocate;
 * facts allocate only for new objects, so the ptrace stop path may call any
 * of it.  The model owns its processes, threads, fd tables and sockets.
 * Each thread and process carries cfg.thread_priv / cfg.proc_priv zeroed
 * bytes of the source's own state (its priv), which the source releases in
 * its gone hooks. */
#ifndef NST_MODEL_H
#define NST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"
#include "model/fdtab.h"
#include "model/idmap.h"
#include "model/nstab.h"
#include "model/strtab.h"

struct epset;

struct mproc {
	pid_t pid; /* tgid */
	int nthreads;
	char comm[NST_COMM_LEN];
	nsid_t home; /* the netns the process counts as its own */
	struct fdtab *fds;
	void *priv;
};

struct mthread {
	pid_t tid;
	struct mproc *p;
	nsid_t ns; /* the netns the thread is in now */
	void *priv;
};

struct model_cfg {
	size_t thread_priv, proc_priv;
	/* Called just before a thread or process is freed. */
	void (*thread_gone)(struct mthread *t, void *ctx);
	void (*proc_gone)(struct mproc *p, void *ctx);
	void *ctx;
};

struct model {
	struct model_cfg cfg;
	struct nstab ns;
	struct sockpool socks;
	struct strtab unix_paths;
	struct idmap threads, procs;
	struct epset *ep; /* epoll registrations (model/epset.h), made at the
	                     first epoll_ctl on a socket; NULL until then */
};

/* cfg may be NULL (no private state).  Cannot fail. */
void model_init(struct model *m, const struct model_cfg *cfg);
/* Frees everything, calling the gone hooks. */
void model_destroy(struct model *m);

struct mthread *model_thread(const struct model *m, pid_t tid);
struct mproc *model_proc(const struct model *m, pid_t pid);
/* The next thread after *cursor (start at 0), or NULL.  Do not exit
 * threads while iterating: collect them first. */
struct mthread *model_thread_next(const struct model *m, size_t *cursor);
size_t model_thread_count(const struct model *m);

/* --- tasks ---------------------------------------------------------------- */

/* Thread tid of process pid, met without seeing its birth (attach, a log
 * line, a child whose creator is unknown).  It joins pid's process, or
 * makes it: then the process's fd table is fds (taken over; NULL: a new
 * empty table) and its home is ns, where its first thread is.  fds is
 * released when not used.  Returns the thread (the existing one if tid is
 * known), or NULL on ENOMEM. */
struct mthread *model_task_new(struct model *m, pid_t tid, pid_t pid, struct fdtab *fds,
			       nsid_t ns);
/* parent created child (clone, fork, vfork) with these clone flags.  With
 * CLONE_THREAD the child joins parent's process; otherwise it is a new
 * process with parent's fd table, shared (CLONE_FILES) or copied, and its
 * comm, at home in child_ns.  A child already known (its first stop came
 * before the clone event) is only made to share the table under
 * CLONE_FILES.  The child is in child_ns (the parent's netns, or a new one
 * with CLONE_NEWNET).  Returns the child, or NULL on ENOMEM. */
struct mthread *model_clone(struct model *m, struct mthread *parent, pid_t child,
			    uint64_t flags, nsid_t child_ns);
/* execve succeeded in t: every other thread of the process is gone, t
 * takes the tid leader (a non-leader that execs becomes the leader), the
 * fd table is unshared and its close-on-exec fds closed, and the new
 * program is at home in the netns it starts in. */
void model_exec(struct model *m, struct mthread *t, pid_t leader);
/* t turns out to be numbered tid (a log's unprefixed first process, whose
 * pid shows later): the thread takes tid, and its process the pid tid when
 * t leads it.  -EEXIST when tid is known, -ENOMEM. */
int model_renumber(struct model *m, struct mthread *t, pid_t tid);
/* t is gone; its process goes with its last thread, and with the process
 * its references to the fd table and the sockets in it. */
void model_thread_exit(struct model *m, struct mthread *t);
/* unshare(CLONE_FILES), close_range(CLOSE_RANGE_UNSHARE): p gets its own
 * copy of a shared fd table. */
void model_unshare_files(struct model *m, struct mproc *p);

/* --- namespaces ----------------------------------------------------------- */

/* The thread is now in netns ns (setns, unshare(CLONE_NEWNET)). */
void model_enter_ns(struct mthread *t, nsid_t ns);
/* p's home netns is ns. */
void model_set_home(struct mproc *p, nsid_t ns);

/* --- fds ------------------------------------------------------------------ */

/* NULL when fd is beyond the table (= FD_UNKNOWN). */
struct fd_entry *model_fd(struct mproc *p, int fd);
/* socket(), socketpair(), accept(): a new socket at fd, replacing whatever
 * fd was, made in netns ns (0: unknown).  NULL on ENOMEM or a bad fd. */
struct msock *model_socket(struct model *m, struct mproc *p, int fd, int family, int type,
			   int protocol, nsid_t ns, enum nst_ns_origin origin, bool cloexec);
/* accept(): a new socket at fd, made from the listener l (NULL when not
 * known): it lives in l's netns, whatever netns the accepting thread is in,
 * with l's family, type, protocol and local address; without l, in netns
 * ns.  NULL on ENOMEM or a bad fd. */
struct msock *model_accept(struct model *m, struct mproc *p, int fd, const struct msock *l,
			   nsid_t ns, bool cloexec);
/* fd refers to the existing socket sk (one found by its inode).  0 or
 * -errno. */
int model_fd_socket(struct model *m, struct mproc *p, int fd, struct msock *sk, bool cloexec);
/* fd is something that is not a socket (FD_OTHER), or a namespace file
 * whose namespace is not known (FD_NSFILE).  Whether it is close-on-exec
 * is not known: it is forgotten at exec. */
void model_fd_kind(struct model *m, struct mproc *p, int fd, enum fd_kind kind);
/* fd refers to netns ns (an nsfs file, an opened /run/netns path). */
void model_fd_netns(struct model *m, struct mproc *p, int fd, nsid_t ns);
/* dup2(oldfd, newfd) and friends: newfd refers to what oldfd does. */
void model_dup(struct model *m, struct mproc *p, int oldfd, int newfd, bool cloexec);
/* close(fd), whatever it returns.  true: it was the socket's last fd. */
bool model_close(struct model *m, struct mproc *p, int fd);
/* close(fd) as its call begins, for a source that sees the call's end
 * later (when another thread may already have been given the same fd
 * number): fd is gone from the table now, and the socket it named is
 * returned with fd's reference, which the caller gives back with
 * model_sock_release once the close's event is out.  NULL when fd named
 * no socket. */
struct msock *model_close_take(struct model *m, struct mproc *p, int fd);
/* Drop a reference model_close_take handed over (NULL: nothing).  true:
 * it was the socket's last. */
bool model_sock_release(struct model *m, struct msock *s);
void model_set_cloexec(struct mproc *p, int fd, bool on);

/* --- sockets -------------------------------------------------------------- */

struct msock *model_sock_by_ino(const struct model *m, uint64_t ino);
void model_sock_set_ino(struct model *m, struct msock *s, uint64_t ino);
/* connect(): the peer (AF_UNSPEC dissolves a UDP association).  An inet
 * socket's implicit local address is then not known until asked. */
void model_sock_peer(struct model *m, struct msock *s, const struct nst_addr *a);
/* bind(), getsockname(): exact unless the kernel is yet to pick the port. */
void model_sock_local(struct model *m, struct msock *s, const struct nst_addr *a, bool exact);
/* One of a socket's addresses as an nst_addr: the bytes its family uses
 * (an inet address, a unix path); the rest of out is left as it was. */
void model_sock_addr(const struct maddr *a, struct nst_addr *out);

/* --- verdicts and events -------------------------------------------------- */

/* The socket lives in another netns than p's home (both known, and
 * distinct identities: the strace import's home vote decides). */
bool model_sock_foreign(const struct model *m, const struct mproc *p, const struct msock *s);
/* A thread in ns is away from p's home, for certain (nstab_surely_differ):
 * a claim about a thread is made only on what is known. */
bool model_away(const struct model *m, const struct mproc *p, nsid_t ns);
/* The fields of ev that the model knows for a call by t, which was in netns
 * at when it made it: pid, tid, comm, thread_netns, home_netns, NST_EV_AWAY;
 * fd and fd2 are set to -1.  Other fields are left alone. */
void model_event_begin(const struct model *m, const struct mthread *t, nsid_t at,
		       struct nst_event *ev);
/* ev->sock from s (with NST_EV_SOCK), foreign as seen by p. */
void model_event_sock(const struct model *m, const struct mproc *p, const struct msock *s,
		      struct nst_event *ev);
/* ev->ns_new = ns (with NST_EV_NS_CHANGE, and NST_EV_NEW_AWAY). */
void model_event_ns_new(const struct model *m, const struct mproc *p, nsid_t ns,
			struct nst_event *ev);

#endif
