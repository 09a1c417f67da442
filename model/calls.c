/* calls.c - see calls.h. */
#define _GNU_SOURCE
#include "model/calls.h"

#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "model/epset.h"

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

static bool is_inet(const struct msock *sk)
{
	return sk && (sk->family == AF_INET || sk->family == AF_INET6);
}

void call_wait(struct model *m, struct mproc *p, const struct wait_fd *fds, size_t n,
	       size_t nwatch, long ret, const struct call_out *o)
{
	struct wait_says w = { 0, nwatch > 0 && n == nwatch };

	(void)m;
	(void)p;
	if (ret < 0 || !o->ready)
		return;
	for (size_t i = 0; i < n && w.socks_only; i++)
		w.socks_only = is_inet(fds[i].sk);
	for (size_t i = 0; i < n; i++) {
		if (!is_inet(fds[i].sk))
			continue;
		if (ret == 0 || (fds[i].revents & POLLERR)) {
			w.revents = ret == 0 ? 0 : fds[i].revents;
			o->ready(o->ctx, fds[i].sk, fds[i].fd, &w);
		}
	}
}

/* A socket whose peer is a DNS server's port. */
static bool dns_peer(const struct msock *sk)
{
	return is_inet(sk) && sk->peer.port == 53;
}

void call_epoll_ctl(struct model *m, struct mproc *p, int epfd, int op, int fd, uint64_t data)
{
	struct fd_entry *e = model_fd(p, fd);
	struct msock *sk = e && e->kind == FD_SOCKET ? e->sk : NULL;

	if (!is_inet(sk))
		return;
	if (op == EPOLL_CTL_DEL) {
		if (sk->epolled && p->fds->ep_dns > 0)
			p->fds->ep_dns--;
		sk->epolled = false;
		return;
	}
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD)
		return;
	if (!m->ep && !(m->ep = epset_new()))
		return; /* ENOMEM: its events stay unknown */
	epset_put(m->ep, p->fds, epfd, data, fd, sk->id);
	if (dns_peer(sk) && !sk->epolled) {
		sk->epolled = true;
		p->fds->ep_dns++;
	}
}

bool call_epoll_fd(struct model *m, struct mproc *p, int epfd, uint64_t data, int *fd,
		   struct msock **sk)
{
	uint64_t id;
	struct fd_entry *e;

	if (!m->ep || !epset_get(m->ep, p->fds, epfd, data, fd, &id))
		return false;
	e = model_fd(p, *fd);
	if (!e || e->kind != FD_SOCKET || e->sk->id != id)
		return false; /* closed since, or another socket now */
	*sk = e->sk;
	return true;
}

bool call_epoll_watched(const struct mproc *p)
{
	return p->fds && p->fds->ep_dns > 0;
}
