/* calls.h - what the calls that change an fd table mean, written once for
 * every source.  The live tracer (ptrace stops, BPF records) and the
 * strace import decode the arguments their own way; these rules then
 * change the model and say what each source emits, through its callbacks.
 * A new call of this kind is added here once.
 *
 * Pure bookkeeping, as model.h: no I/O. */
#ifndef NST_CALLS_H
#define NST_CALLS_H

#include <stdbool.h>
#if __has_include(<linux/close_range.h>)
#include <linux/close_range.h>
#endif

#include "model/model.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* One fd of a readiness call, as its source decoded it: the socket it
 * names (NULL: none, or not known) and what the kernel reported for it
 * (POLL* bits; select's sets as POLLIN, POLLOUT, POLLPRI; 0: nothing). */
struct wait_fd {
	int fd;
	unsigned revents;
	struct msock *sk;
};
#define NST_WAIT_MAX 64 /* fds of one call decoded at most */

/* What a readiness result says about one socket, for its event. */
struct wait_says {
	unsigned revents;
	bool socks_only; /* every fd the call watched is an inet socket */
};

/* What a rule asks its source to emit, for an fd that names socket sk:
 * closed (last: no other fd keeps the socket, so no answer can follow on
 * it); duped (fd's socket now at newfd too).  A callback may be NULL. */
struct call_out {
	void (*closed)(void *ctx, struct msock *sk, int fd, bool last);
	void (*duped)(void *ctx, struct msock *sk, int fd, int newfd);
	/* a readiness call's result on socket sk at fd (call_wait) */
	void (*ready)(void *ctx, struct msock *sk, int fd, const struct wait_says *w);
	void *ctx;
};

/* close(fd) begins: the kernel frees fd inside the call, and another
 * thread may be given the number before this one returns, so fd leaves the
 * table now.  The socket it named comes back with fd's reference (NULL: fd
 * named none), for call_close_end. */
struct msock *call_close_begin(struct model *m, struct mproc *p, int fd);
/* close(fd) ended (whatever it returned): closed for sk, then fd's
 * reference goes.  sk NULL: nothing. */
void call_close_end(struct model *m, struct msock *sk, int fd, const struct call_out *o);
/* close(fd) seen whole (a log line): both at once. */
void call_close(struct model *m, struct mproc *p, int fd, const struct call_out *o);

/* close_range(lo, hi, flags) returned 0 (flags: CLOSE_RANGE_UNSHARE,
 * CLOSE_RANGE_CLOEXEC): the fds in the range closed as close() would (one
 * closed per socket fd), or marked close-on-exec; the table unshared first
 * when asked. */
void call_close_range(struct model *m, struct mproc *p, long lo, long hi, unsigned flags,
		      const struct call_out *o);

/* dup, dup2, dup3 and fcntl(F_DUPFD, F_DUPFD_CLOEXEC) returned newfd:
 * newfd names what oldfd does (close-on-exec as asked); duped when that is
 * a socket. */
void call_dup(struct model *m, struct mproc *p, int oldfd, int newfd, bool cloexec,
	      const struct call_out *o);



/* A readiness call (poll, ppoll, select, pselect6; nwatch fds watched,
 * the n of them in fds) returned ret (-1: it failed) after waiting up to
 * wait_us (NST_WAIT_FOREVER, NST_WAIT_UNKNOWN).  What it says about DNS:
 * an inet socket with POLLERR has an ICMP error (or a failed TCP connect)
 * queued; a timeout (ret 0, wait_us > 0) says of every inet socket it
 * watched that nothing came.  Those go to o->ready; a wake-up for data says
 * nothing (its read follows). */
void call_wait(struct model *m, struct mproc *p, const struct wait_fd *fds, size_t n,
	       size_t nwatch, long ret, const struct call_out *o);

/* epoll_ctl(epfd, op, fd, {.data = data}) returned 0: an inet socket added
 * or modified is known by its data from now on. */
void call_epoll_ctl(struct model *m, struct mproc *p, int epfd, int op, int fd, uint64_t data);
/* The fd and socket of an epoll event's data on epfd; false when not known
 * (registered before the trace, or lost from the cache). */
bool call_epoll_fd(struct model *m, struct mproc *p, int epfd, uint64_t data, int *fd,
		   struct msock **sk);
/* Could an epoll wait in p report on a DNS socket (one was registered)?
 * A live source's test before it pays for the wait's end. */
bool call_epoll_watched(const struct mproc *p);

#endif
