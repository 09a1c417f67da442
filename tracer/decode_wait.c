/* decode_wait.c - the readiness calls: poll, ppoll, select, pselect6,
 * epoll_ctl and the epoll waits.  What a result means is model/calls.c's
 * (call_wait): these fetch the fds, what the kernel reported for each, and
 * the timeout the call was given.
 *
 * The kernel rewrites select's sets and ppoll's and pselect6's timeouts
 * before the call returns, so those are read at the entry stop (into the
 * thread's wait stash); poll's and epoll's are read at the exit. */
#define _GNU_SOURCE
#include "tracer/decode.h"

#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "model/calls.h"
#include "tracer/syscalls.h"

#define SELECT_FDS 1024 /* FD_SETSIZE: glibc's select never passes more */

_Static_assert(sizeof(((struct wait_stash *)0)->fd) / sizeof(int32_t) == NST_WAIT_MAX,
	       "the stash holds what a call decodes");

/* A timespec (or, us_fields, a timeval) at addr as µs; NULL: forever. */
static int64_t read_timeout(struct decoder *d, struct mthread *t, uint64_t addr, bool usec)
{
	int64_t ts[2];

	if (!addr)
		return NST_WAIT_FOREVER;
	if (d->kf.read(d->kf.ctx, t->tid, addr, ts, sizeof(ts)) != sizeof(ts) || ts[0] < 0 ||
	    ts[1] < 0 || ts[0] > INT64_MAX / 2000000)
		return NST_WAIT_UNKNOWN;
	return ts[0] * 1000000 + (usec ? ts[1] : ts[1] / 1000);
}

static int64_t ms_timeout(uint64_t arg)
{
	int ms = (int)arg;

	return ms < 0 ? NST_WAIT_FOREVER : (int64_t)ms * 1000;
}

/* --- the events ------------------------------------------------------------ */

struct wait_out {
	struct decode_ctx *c;
	struct nst_event proto;
};

static void dec_ready(void *ctx, struct msock *sk, int fd, const struct wait_says *w)
{
	struct wait_out *o = ctx;
	struct decode_ctx *c = o->c;
	int err;

	*c->ev = o->proto;
	c->ev->fd = fd;
	c->ev->arg = w->revents;
	if (w->socks_only)
		c->ev->flags |= NST_EV_WAIT_SOCKS;
	if ((w->revents & POLLERR) && c->d->kf.sock_err &&
	    (err = c->d->kf.sock_err(c->d->kf.ctx, fd)) >= 0) {
		c->ev->flags |= NST_EV_SOCK_ERR;
		c->ev->sock_err = err;
	}
	decode_attach(c, sk);
	decode_emit(c);
}

/* fds (n of them, of nwatch watched) through the rule, as events. */
static void wait_emit(struct decode_ctx *c, const struct wait_fd *fds, size_t n, size_t nwatch,
		      int64_t wait_us)
{
	struct wait_out o = { .c = c };

	c->ev->fd = -1;
	c->ev->wait_us = wait_us;
	c->ev->wait_nfds = (uint32_t)nwatch;
	o.proto = *c->ev;
	call_wait(c->d->m, c->t->p, fds, n, nwatch, (long)c->ret,
		  &(struct call_out){ .ready = dec_ready, .ctx = &o });
}

/* --- poll, ppoll ------------------------------------------------------------ */

bool entry_poll(struct decoder *d, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);
	const uint64_t *a = tt->entry.args;

	if (!a[0] || !a[1])
		return false;
	/* ppoll's timeout is the remaining time by its exit */
	tt->entry.aux = (uint64_t)(tt->entry.sc->sen == SEN_poll ? ms_timeout(a[2])
					: read_timeout(d, t, a[2], false));
	return true;
}

void exit_poll(struct decode_ctx *c)
{
	struct pollfd pfd[NST_WAIT_MAX];
	struct wait_fd fds[NST_WAIT_MAX];
	size_t nwatch = (size_t)c->a[1], n = nwatch < NST_WAIT_MAX ? nwatch : NST_WAIT_MAX;
	long got;

	if (c->ret < 0)
		return;
	got = kf_read(c, c->a[0], pfd, n * sizeof(pfd[0]));
	if (got < 0)
		return;
	n = (size_t)got / sizeof(pfd[0]);
	for (size_t i = 0; i < n; i++)
		fds[i] = (struct wait_fd){ pfd[i].fd, (unsigned short)pfd[i].revents,
					   pfd[i].fd >= 0 ? decode_sock(c->d, c->t, pfd[i].fd) : NULL };
	wait_emit(c, fds, n, nwatch, (int64_t)c->tt->entry.aux);
}

/* --- select, pselect6 ------------------------------------------------------- */

/* The fds set in the read and write sets at rd, wr (nfds of them): into
 * the thread's stash, with POLLIN, POLLOUT for the set they are in. */
bool entry_select(struct decoder *d, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);
	const uint64_t *a = tt->entry.args;
	uint64_t set[2][SELECT_FDS / 64] = { { 0 } };
	size_t nfds = a[0] > SELECT_FDS ? SELECT_FDS : (size_t)a[0];
	size_t bytes = (nfds + 63) / 64 * 8;
	struct wait_stash *w = &tt->wait;

	w->n = w->nwatch = 0;
	for (int s = 0; s < 2; s++)
		if (a[1 + s] && d->kf.read(d->kf.ctx, t->tid, a[1 + s], set[s], bytes) != (long)bytes)
			return false;
	for (size_t fd = 0; fd < nfds; fd++) {
		unsigned ev = ((set[0][fd / 64] >> (fd % 64)) & 1 ? POLLIN : 0) |
			      ((set[1][fd / 64] >> (fd % 64)) & 1 ? POLLOUT : 0);
		if (!ev)
			continue;
		w->nwatch++;
		if (w->n < NST_WAIT_MAX) {
			w->fd[w->n] = (int32_t)fd;
			w->events[w->n++] = (uint8_t)ev;
		}
	}
	tt->entry.aux = (uint64_t)read_timeout(d, t, a[4], tt->entry.sc->sen == SEN_select);
	return w->nwatch > 0;
}

void exit_select(struct decode_ctx *c)
{
	const struct wait_stash *w = &c->tt->wait;
	uint64_t set[2] = { 0, 0 };
	struct wait_fd fds[NST_WAIT_MAX];

	if (c->ret < 0)
		return;
	for (size_t i = 0; i < w->n; i++) {
		int fd = w->fd[i];
		unsigned rev = 0;
		/* the result sets hold the ready fds; nothing on a timeout */
		for (int s = 0; s < 2 && c->ret > 0; s++)
			if ((w->events[i] & (s ? POLLOUT : POLLIN)) && c->a[1 + s] &&
			    kf_read(c, c->a[1 + s] + (uint64_t)(fd / 64) * 8, &set[s], 8) == 8 &&
			    ((set[s] >> (fd % 64)) & 1))
				rev |= s ? POLLOUT : POLLIN;
		fds[i] = (struct wait_fd){ fd, rev, decode_sock(c->d, c->t, fd) };
	}
	wait_emit(c, fds, w->n, w->nwatch, (int64_t)c->tt->entry.aux);
}

/* --- epoll ------------------------------------------------------------------- */

/* struct epoll_event as x86_64 lays it out: packed, 12 bytes. */
struct ep_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

bool entry_epoll_ctl(struct decoder *d, struct mthread *t)
{
	const uint64_t *a = tthread_of(t)->entry.args;

	return decode_sock(d, t, (int)a[2]) != NULL; /* only sockets are kept */
}

void exit_epoll_ctl(struct decode_ctx *c)
{
	struct ep_event e = { 0, 0 };
	int op = (int)c->a[1];

	if (c->ret < 0)
		return;
	if (op != EPOLL_CTL_DEL && kf_read(c, c->a[3], &e, sizeof(e)) != sizeof(e))
		return;
	call_epoll_ctl(c->d->m, c->t->p, (int)c->a[0], op, (int)c->a[2], e.data);
}

bool entry_epoll_wait(struct decoder *d, struct mthread *t)
{
	(void)d;
	return call_epoll_watched(t->p); /* else the exit stop is not worth it */
}

void exit_epoll_wait(struct decode_ctx *c)
{
	struct ep_event ev[NST_WAIT_MAX];
	struct wait_fd fds[NST_WAIT_MAX];
	size_t n = c->ret > NST_WAIT_MAX ? NST_WAIT_MAX : (size_t)(c->ret > 0 ? c->ret : 0), k = 0;
	int64_t wait_us = c->tt->entry.sc->sen == SEN_epoll_pwait2
				  ? read_timeout(c->d, c->t, c->a[3], false)
				  : ms_timeout(c->a[3]);
	long got;

	if (!n)
		return; /* a timeout: which sockets it watched is the kernel's */
	got = kf_read(c, c->a[1], ev, n * sizeof(ev[0]));
	if (got < 0)
		return;
	n = (size_t)got / sizeof(ev[0]);
	for (size_t i = 0; i < n; i++) {
		struct msock *sk;
		int fd;
		if (call_epoll_fd(c->d->m, c->t->p, (int)c->a[0], ev[i].data, &fd, &sk))
			fds[k++] = (struct wait_fd){ fd, ev[i].events & 0xffff, sk };
	}
	wait_emit(c, fds, k, 0, wait_us);
}
