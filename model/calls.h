/* calls.h - what the calls that change an fd table mean, written once for
 * every source.  The live tracer (ptrace stops, BPF records) and the
 * strace import decode the arguments their own way; these rules then
 * change the model and say what each source emits, through its callbacks.
 * A new call of this kind (poll and epoll are next) is added here once.
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

/* What a rule asks its source to emit, for an fd that names socket sk:
 * closed (last: no other fd keeps the socket, so no answer can follow on
 * it); duped (fd's socket now at newfd too).  A callback may be NULL. */
struct call_out {
	void (*closed)(void *ctx, struct msock *sk, int fd, bool last);
	void (*duped)(void *ctx, struct msock *sk, int fd, int newfd);
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

#endif
