/* calls.c - see calls.h. */
#define _GNU_SOURCE
#include "model/calls.h"

#include <stdlib.h>

struct msock *call_close_begin(struct model *m, struct mproc *p, int fd)
{
	return model_close_take(m, p, fd);
}

void call_close_end(struct model *m, struct msock *sk, int fd, const struct call_out *o)
{
	if (!sk)
		return;
	if (o->closed)
		o->closed(o->ctx, sk, fd, sk->refs == 1); /* fd's reference is the one left */
	model_sock_release(m, sk);
}

void call_close(struct model *m, struct mproc *p, int fd, const struct call_out *o)
{
	call_close_end(m, call_close_begin(m, p, fd), fd, o);
}

void call_close_range(struct model *m, struct mproc *p, long lo, long hi, unsigned flags,
		      const struct call_out *o)
{
	size_t n;
	int *fds;

	if (flags & CLOSE_RANGE_UNSHARE)
		model_unshare_files(m, p);
	fds = fdtab_list(p->fds, lo, hi, &n); /* rare: allocating here is fine */
	for (size_t i = 0; i < n; i++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			model_set_cloexec(p, fds[i], true);
		else
			call_close(m, p, fds[i], o);
	}
	free(fds);
}

void call_dup(struct model *m, struct mproc *p, int oldfd, int newfd, bool cloexec,
	      const struct call_out *o)
{
	struct fd_entry *e;

	model_dup(m, p, oldfd, newfd, cloexec);
	e = model_fd(p, newfd);
	if (e && e->kind == FD_SOCKET && o->duped)
		o->duped(o->ctx, e->sk, oldfd, newfd);
}
