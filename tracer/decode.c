/* decode.c - syscall decoders, see decode.h.
 *
 * Entry decoders decide cheaply whether the exit stop is worth decoding;
 * exit decoders fetch what the call moved and emit events.  Every copy from
 * the tracee is capped: by -s for payloads, by arch.h for counts. */
#define _GNU_SOURCE
#include "tracer/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "tracer/arch.h"
#include "tracer/netns.h"
#include "model/parse.h"
#include "tracer/stack.h"
#include "tracer/syscalls.h"
#include "tracer/tmem.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

static nst_event_sink sink;
static void *sink_ctx;
static uint32_t snaplen;
static uint8_t *payload_buf;      /* one buffer: decode_emit() copies it into the queue */
static struct iovec iov_buf[NST_MAX_IOV];
static struct mmsghdr mmsg_buf[NST_MAX_MMSG];
static int stack_depth; /* -k */
static struct nst_stack stack_buf;

/* Events wait here until the thread is resumed: the sink (output, analysis)
 * then runs while the tracee runs, not while it sits in its stop. */
#define QUEUE_SLOTS 64
static struct queued {
	struct nst_event ev;
	struct nst_stack stack;
} *queue;
static uint8_t *queue_payload; /* QUEUE_SLOTS * snaplen */
static size_t qlen;

void decode_set_stacks(int depth)
{
	stack_depth = depth;
}

void decode_init(nst_event_sink s, void *ctx, uint32_t cap)
{
	sink = s;
	sink_ctx = ctx;
	snaplen = cap;
	free(payload_buf);
	payload_buf = malloc(cap ? cap : 1);
	if (!payload_buf)
		snaplen = 0;
	free(queue);
	free(queue_payload);
	queue = malloc(QUEUE_SLOTS * sizeof(*queue));
	queue_payload = malloc(QUEUE_SLOTS * (size_t)(snaplen ? snaplen : 1));
	qlen = 0;
	if (!queue || !queue_payload) { /* without a queue, events go out at once */
		free(queue);
		free(queue_payload);
		queue = NULL;
		queue_payload = NULL;
	}
}

/* Paths are looked up here, once the thread runs again: an unknown inode
 * may cost a directory scan. */
static void name_namespaces(struct nst_event *ev)
{
	struct nst_ns *ns[] = { &ev->thread_netns, &ev->home_netns, &ev->ns_new,
				&ev->sock.netns };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (ns[i]->ino)
			ns[i]->path = netns_path(ns[i]->ino);
}

void decode_flush(void)
{
	for (size_t i = 0; i < qlen; i++) {
		name_namespaces(&queue[i].ev);
		sink(&queue[i].ev, sink_ctx);
	}
	qlen = 0;
}

void decode_cleanup(void)
{
	decode_flush();
	free(payload_buf);
	free(queue);
	free(queue_payload);
	payload_buf = NULL;
	queue = NULL;
	queue_payload = NULL;
}

/* --- fd and socket bookkeeping ------------------------------------------ */

/* Socket object behind fd, classifying an fd never seen before with one
 * readlink, and asking the kernel (SIOCGSKNS) about sockets that predate the
 * trace.  NULL when fd is not a socket. */
static struct sock_obj *sock_for_fd(struct thread *t, int fd)
{
	struct fdtab *fds = t->p->fds;
	struct fd_entry *e = fdtab_get(fds, fd);
	char path[64], link[256];
	struct sock_obj *sk;
	uint64_t ino;
	ssize_t n;
	int pidfd;

	if (e && e->kind == FD_SOCKET)
		return e->sk;
	if (e && e->kind != FD_UNKNOWN)
		return NULL;
	if (fd < 0)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->p->pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return NULL; /* not open (the call will fail with EBADF) */
	link[n] = '\0';
	if (parse_fd_link(link, &ino) != LINK_SOCKET) {
		fdtab_set(fds, fd, FD_OTHER, NULL, true); /* cloexec unknown */
		return NULL;
	}
	sk = sock_new();
	if (!sk)
		return NULL;
	pidfd = proc_pidfd(t->p);
	if (pidfd < 0 || netns_query_socket(pidfd, fd, &sk->s) < 0) {
		/* Still a socket; its netns stays unknown rather than guessed. */
		sk->s.origin = NST_NS_UNKNOWN;
	} else {
		sk->s.origin = NST_NS_QUERIED;
		sk->local_known = true;
	}
	if (fdtab_set(fds, fd, FD_SOCKET, sk, true) < 0) { /* cloexec unknown */
		sk->refs = 1;
		sock_unref(sk);
		return NULL;
	}
	return sk;
}

static struct sock_obj *new_socket(struct thread *t, int fd, int family,
				   int type, int proto, uint64_t netns, bool cloexec)
{
	struct sock_obj *sk = sock_new();

	if (!sk)
		return NULL;
	sk->s.family = family;
	sk->s.type = type & 0xf;
	sk->s.protocol = proto;
	sk->s.netns.ino = netns;
	sk->s.origin = netns ? NST_NS_CREATED : NST_NS_UNKNOWN;
	sk->s.local.family = AF_UNSPEC;
	sk->s.peer.family = AF_UNSPEC;
	if (fdtab_set(t->p->fds, fd, FD_SOCKET, sk, cloexec) < 0) {
		sk->refs = 1;
		sock_unref(sk);
		return NULL;
	}
	return sk;
}

static bool is_inet(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* --- event helpers -------------------------------------------------------- */

void event_set_ns(struct nst_ns *ns, uint64_t ino)
{
	ns->ino = ino;
	ns->path = NULL;
}

/* Attach socket sk (the one behind ev->fd) to the event. */
static void attach_sock(struct decode_ctx *c, struct sock_obj *sk)
{
	struct nst_event *ev = c->ev;
	struct proc *p = c->t->p;

	if (!sk)
		return;
	/* An implicit local address (UDP connect, first send) is learned once,
	 * when data moves: a program that asks getsockname() itself right after
	 * connect() (dockerd does) tells it for free. */
	if (!sk->local_known && is_inet(sk->s.family) && sk->s.peer.family != AF_UNSPEC &&
	    ev->ret >= 0 && (c->t->entry.sc->flags & SF_IO)) {
		int pidfd = proc_pidfd(p);
		if (pidfd >= 0)
			netns_query_local(pidfd, ev->fd, &sk->s.local);
		sk->local_known = true;
	}
	ev->sock = sk->s;
	event_set_ns(&ev->sock.netns, sk->s.netns.ino);
	ev->sock.foreign = sk->s.netns.ino && p->home_netns && sk->s.netns.ino != p->home_netns;
	ev->flags |= NST_EV_SOCK;
}

/* -k: is this an event the diagnosis wants a stack for?  A namespace
 * switch, a socket made or connected in a foreign netns, a DNS send on one. */
static bool wants_stack(const struct nst_event *ev)
{
	const char *n = ev->syscall;
	bool foreign = (ev->flags & NST_EV_SOCK) && ev->sock.foreign;

	if (ev->flags & NST_EV_NS_CHANGE)
		return ev->ret == 0;
	if (!foreign)
		return false;
	if (!strcmp(n, "socket") || !strcmp(n, "socketpair") || !strncmp(n, "accept", 6) ||
	    !strcmp(n, "connect"))
		return true;
	return (n[0] == 'w' || (n[0] == 's' && n[1] == 'e')) &&
	       (ev->sock.peer.port == 53 || ((ev->flags & NST_EV_ADDR) && ev->addr.port == 53));
}

void decode_emit(struct decode_ctx *c)
{
	struct queued *q;

	if (stack_depth && !c->ev->stack && wants_stack(c->ev) &&
	    stack_capture(c->t->p->pid, c->t->tid, &c->t->p->syms, &stack_buf, stack_depth,
			  &c->t->unwind) > 0)
		c->ev->stack = &stack_buf;
	if (!queue) {
		name_namespaces(c->ev);
		sink(c->ev, sink_ctx);
		return;
	}
	if (qlen == QUEUE_SLOTS)
		decode_flush();
	/* Copy what points into buffers the next stop reuses. */
	q = &queue[qlen];
	q->ev = *c->ev;
	if (c->ev->payload_len) {
		memcpy(queue_payload + qlen * snaplen, c->ev->payload, c->ev->payload_len);
		q->ev.payload = queue_payload + qlen * snaplen;
	}
	if (c->ev->stack) {
		q->stack = *c->ev->stack;
		q->ev.stack = &q->stack;
	}
	qlen++;
}

/* n bytes of a sockaddr, as read from the tracee, into out. */
static void take_sockaddr(struct decode_ctx *c, const uint8_t *buf, long n,
			  struct nst_addr *out)
{
	if (n <= 0 || parse_sockaddr(buf, (size_t)n, out) < 0) {
		c->ev->flags |= NST_EV_ADDR_UNREADABLE;
		return;
	}
	c->ev->flags |= NST_EV_ADDR;
}

/* Read a sockaddr of tracee length len at addr into out. */
static void decode_sockaddr(struct decode_ctx *c, uint64_t addr, uint64_t len,
			    struct nst_addr *out)
{
	uint8_t buf[NST_MAX_SOCKADDR];

	if (!addr || !len)
		return;
	if (len > sizeof(buf))
		len = sizeof(buf);
	take_sockaddr(c, buf, tmem_read(c->t->tid, addr, buf, len), out);
}

/* A socklen_t* and the sockaddr it sizes, read together in one go; the
 * sockaddr again alone when its buffer ends near unmapped memory. */
static void decode_sockaddr_lenp(struct decode_ctx *c, uint64_t addr, uint64_t lenp,
				 struct nst_addr *out)
{
	uint8_t buf[NST_MAX_SOCKADDR];
	uint32_t len;
	size_t want;
	long n;

	if (!addr || !lenp)
		return;
	n = tmem_read2(c->t->tid, lenp, &len, sizeof(len), addr, buf, sizeof(buf));
	if (n < (long)sizeof(len)) {
		c->ev->flags |= NST_EV_ADDR_UNREADABLE;
		return;
	}
	want = len < sizeof(buf) ? len : sizeof(buf);
	if ((size_t)n - sizeof(len) < want)
		decode_sockaddr(c, addr, len, out);
	else if (want)
		take_sockaddr(c, buf, (long)want, out);
}

static void capture_flat(struct decode_ctx *c, uint64_t addr, uint64_t len)
{
	size_t want = len < snaplen ? (size_t)len : snaplen;
	long n;

	c->ev->io_len = len;
	if (!want)
		return;
	n = tmem_read(c->t->tid, addr, payload_buf, want);
	if (n < 0) {
		c->ev->flags |= NST_EV_UNREADABLE;
		return;
	}
	if ((size_t)n < want)
		c->ev->flags |= NST_EV_UNREADABLE;
	c->ev->payload = payload_buf;
	c->ev->payload_len = (uint32_t)n;
	if (len > (uint64_t)n && !(c->ev->flags & NST_EV_UNREADABLE))
		c->ev->flags |= NST_EV_TRUNCATED;
}

/* Gather len bytes from the first nread of cnt entries of iov_buf. */
static void gather_payload(struct decode_ctx *c, size_t nread, size_t cnt, uint64_t len)
{
	pid_t tid = c->t->tid;
	int unreadable = 0;
	size_t got;

	got = gather_iov(iov_buf, nread, len, payload_buf, snaplen, tmem_reader, &tid,
			 &unreadable);
	if (unreadable || nread < cnt)
		c->ev->flags |= NST_EV_UNREADABLE;
	c->ev->payload = payload_buf;
	c->ev->payload_len = (uint32_t)got;
	if (len > got && !(c->ev->flags & NST_EV_UNREADABLE))
		c->ev->flags |= NST_EV_TRUNCATED;
}

/* Gather an iovec array (tracee pointer iov, count cnt) for len bytes. */
static void capture_iov(struct decode_ctx *c, uint64_t iov, uint64_t cnt, uint64_t len)
{
	long n;

	c->ev->io_len = len;
	if (!len || !snaplen)
		return;
	if (cnt > NST_MAX_IOV)
		cnt = NST_MAX_IOV;
	n = tmem_read(c->t->tid, iov, iov_buf, cnt * sizeof(struct iovec));
	if (n < 0) {
		c->ev->flags |= NST_EV_UNREADABLE;
		return;
	}
	gather_payload(c, (size_t)n / sizeof(struct iovec), (size_t)cnt, len);
}

/* Bytes to capture for a call: what it moved, or what it tried to send. */
static uint64_t moved(const struct decode_ctx *c, uint64_t asked, bool sending)
{
	if (c->ret >= 0)
		return (uint64_t)c->ret;
	return sending ? asked : 0;
}

static bool is_send(const struct decode_ctx *c)
{
	const char *n = c->ev->syscall;
	return n[0] == 'w' || (n[0] == 's' && n[1] == 'e');
}

/* --- entry decoders ------------------------------------------------------- */

bool entry_sockfd(struct thread *t)
{
	return sock_for_fd(t, (int)t->entry.args[0]) != NULL;
}

bool entry_close(struct thread *t)
{
	int fd = (int)t->entry.args[0];
	struct fd_entry *e = fdtab_get(t->p->fds, fd);

	if (e && e->kind == FD_SOCKET)
		return true; /* the exit emits the close event */
	/* close() frees the fd whatever it returns: forget it now, skip exit. */
	fdtab_close(t->p->fds, fd);
	return false;
}

bool entry_dup(struct thread *t)
{
	(void)t;
	return true; /* the table must follow every dup */
}

bool entry_fcntl(struct thread *t)
{
	int cmd = (int)t->entry.args[1];
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD;
}

/* --- exit decoders -------------------------------------------------------- */

void exit_plain(struct decode_ctx *c)
{
	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	decode_emit(c);
}

void exit_socket(struct decode_ctx *c)
{
	const uint64_t *a = c->a;
	struct sock_obj *sk = NULL;

	c->ev->fd = -1;
	c->ev->arg = a[1];
	if (c->ret >= 0) {
		c->ev->fd = (int)c->ret;
		sk = new_socket(c->t, (int)c->ret, (int)a[0], (int)a[1], (int)a[2],
				c->t->entry.netns, a[1] & SOCK_CLOEXEC);
	} else {
		/* Describe what was asked for, even though it failed. */
		c->ev->sock.family = (int)a[0];
		c->ev->sock.type = (int)a[1] & 0xf;
		c->ev->sock.protocol = (int)a[2];
	}
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_socketpair(struct decode_ctx *c)
{
	const uint64_t *a = c->a;
	struct sock_obj *sk = NULL;
	int sv[2];

	c->ev->fd = -1;
	c->ev->arg = a[1];
	if (c->ret == 0 && tmem_read(c->t->tid, a[3], sv, sizeof(sv)) == sizeof(sv)) {
		uint64_t ns = c->t->entry.netns;
		bool cx = a[1] & SOCK_CLOEXEC;
		sk = new_socket(c->t, sv[0], (int)a[0], (int)a[1], (int)a[2], ns, cx);
		new_socket(c->t, sv[1], (int)a[0], (int)a[1], (int)a[2], ns, cx);
		c->ev->fd = sv[0];
		c->ev->fd2 = sv[1];
	}
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_connect(struct decode_ctx *c)
{
	struct sock_obj *sk = sock_for_fd(c->t, c->ev->fd);

	decode_sockaddr(c, c->a[1], c->a[2], &c->ev->addr);
	if (sk && (c->ev->flags & NST_EV_ADDR) && (c->ret == 0 || c->err == EINPROGRESS)) {
		if (c->ev->addr.family == AF_UNSPEC) { /* dissolves a UDP association */
			memset(&sk->s.peer, 0, sizeof(sk->s.peer));
		} else {
			sk->s.peer = c->ev->addr;
			if (is_inet(sk->s.family) && !(sk->local_known && sk->s.local.port))
				sk->local_known = false; /* connect picks the source */
		}
	}
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_bind(struct decode_ctx *c)
{
	struct sock_obj *sk = sock_for_fd(c->t, c->ev->fd);

	decode_sockaddr(c, c->a[1], c->a[2], &c->ev->addr);
	if (sk && c->ret == 0 && (c->ev->flags & NST_EV_ADDR)) {
		sk->s.local = c->ev->addr;
		/* Port 0 means the kernel picks one: learn it on first use. */
		sk->local_known = !is_inet(sk->s.family) || c->ev->addr.port != 0;
	}
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_accept(struct decode_ctx *c)
{
	struct sock_obj *lsk = sock_for_fd(c->t, c->ev->fd);
	struct sock_obj *sk = NULL;

	decode_sockaddr_lenp(c, c->a[1], c->a[2], &c->ev->addr);
	if (c->ret >= 0) {
		/* An accepted socket lives in its listener's netns, whatever
		 * netns the accepting thread has moved to since. */
		uint64_t ns = lsk && lsk->s.netns.ino ? lsk->s.netns.ino : c->t->entry.netns;
		bool cx = c->ev->syscall[6] == '4' && (c->a[3] & SOCK_CLOEXEC);
		sk = new_socket(c->t, (int)c->ret, lsk ? lsk->s.family : AF_UNSPEC,
				lsk ? lsk->s.type : 0, lsk ? lsk->s.protocol : 0, ns, cx);
		if (sk) {
			if (lsk) {
				sk->s.local = lsk->s.local;
				sk->local_known = lsk->local_known;
			}
			if (c->ev->flags & NST_EV_ADDR)
				sk->s.peer = c->ev->addr;
		}
		c->ev->fd2 = (int)c->ret;
	}
	attach_sock(c, sk ? sk : lsk);
	decode_emit(c);
}

void exit_sockname(struct decode_ctx *c)
{
	struct sock_obj *sk = sock_for_fd(c->t, c->ev->fd);
	bool peer = c->ev->syscall[3] == 'p';

	if (c->ret == 0) {
		struct nst_addr *dst = sk ? (peer ? &sk->s.peer : &sk->s.local) : NULL;
		decode_sockaddr_lenp(c, c->a[1], c->a[2], &c->ev->addr);
		if (dst && (c->ev->flags & NST_EV_ADDR)) {
			*dst = c->ev->addr;
			if (!peer)
				sk->local_known = true;
		}
	}
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_sendto(struct decode_ctx *c)
{
	capture_flat(c, c->a[1], moved(c, c->a[2], true));
	c->ev->arg = c->a[3];
	decode_sockaddr(c, c->a[4], c->a[5], &c->ev->addr);
	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	decode_emit(c);
}

void exit_recvfrom(struct decode_ctx *c)
{
	capture_flat(c, c->a[1], moved(c, c->a[2], false));
	c->ev->arg = c->a[3];
	if (c->ret >= 0)
		decode_sockaddr_lenp(c, c->a[4], c->a[5], &c->ev->addr);
	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	decode_emit(c);
}

/* One msghdr: its name and its iovecs, for len bytes.  The name and the
 * iovec array are read in one go when both are wanted. */
static void decode_msghdr(struct decode_ctx *c, const struct msghdr *m, uint64_t len)
{
	uint64_t name = (uint64_t)(uintptr_t)m->msg_name, iov = (uint64_t)(uintptr_t)m->msg_iov;
	size_t namelen = m->msg_namelen < NST_MAX_SOCKADDR ? m->msg_namelen : NST_MAX_SOCKADDR;
	size_t cnt = m->msg_iovlen < NST_MAX_IOV ? m->msg_iovlen : NST_MAX_IOV;
	bool want_name = (c->ret >= 0 || is_send(c)) && name && namelen;
	uint8_t buf[NST_MAX_SOCKADDR];

	if (want_name && len && snaplen && cnt &&
	    tmem_read2(c->t->tid, name, buf, namelen, iov, iov_buf, cnt * sizeof(struct iovec)) ==
		    (long)(namelen + cnt * sizeof(struct iovec))) {
		take_sockaddr(c, buf, (long)namelen, &c->ev->addr);
		c->ev->io_len = len;
		gather_payload(c, cnt, cnt, len);
		return;
	}
	if (want_name)
		decode_sockaddr(c, name, namelen, &c->ev->addr);
	capture_iov(c, iov, m->msg_iovlen, len);
}

static uint64_t iov_total(struct decode_ctx *c, const struct msghdr *m)
{
	size_t cnt = m->msg_iovlen < NST_MAX_IOV ? m->msg_iovlen : NST_MAX_IOV;
	uint64_t total = 0;
	long n;
	size_t i;

	n = tmem_read(c->t->tid, (uint64_t)(uintptr_t)m->msg_iov, iov_buf,
		      cnt * sizeof(struct iovec));
	for (i = 0; n > 0 && i < (size_t)n / sizeof(struct iovec); i++)
		total += iov_buf[i].iov_len;
	return total;
}

void exit_msg(struct decode_ctx *c)
{
	struct msghdr m;

	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	c->ev->arg = c->a[2];
	if (tmem_read(c->t->tid, c->a[1], &m, sizeof(m)) != sizeof(m)) {
		c->ev->flags |= NST_EV_UNREADABLE;
	} else {
		uint64_t len = c->ret >= 0 ? (uint64_t)c->ret
			     : is_send(c) ? iov_total(c, &m) : 0;
		decode_msghdr(c, &m, len);
	}
	decode_emit(c);
}

void exit_mmsg(struct decode_ctx *c)
{
	uint64_t vlen = c->a[2];
	long n;
	int i, cnt;

	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	c->ev->arg = c->a[3];
	if (c->ret <= 0) {
		decode_emit(c);
		return;
	}
	/* One event per datagram: downstream sees one message per event. */
	cnt = (int)(c->ret < (int64_t)vlen ? c->ret : (int64_t)vlen);
	if (cnt > NST_MAX_MMSG)
		cnt = NST_MAX_MMSG;
	n = tmem_read(c->t->tid, c->a[1], mmsg_buf, (size_t)cnt * sizeof(struct mmsghdr));
	if (n < (long)sizeof(struct mmsghdr)) {
		c->ev->flags |= NST_EV_UNREADABLE;
		decode_emit(c);
		return;
	}
	cnt = (int)((size_t)n / sizeof(struct mmsghdr));
	for (i = 0; i < cnt; i++) {
		struct nst_event saved = *c->ev;
		c->ev->msg_index = (uint32_t)i;
		decode_msghdr(c, &mmsg_buf[i].msg_hdr, mmsg_buf[i].msg_len);
		decode_emit(c);
		*c->ev = saved;
	}
}

void exit_rw(struct decode_ctx *c)
{
	capture_flat(c, c->a[1], moved(c, c->a[2], is_send(c)));
	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	decode_emit(c);
}

void exit_rwv(struct decode_ctx *c)
{
	uint64_t len = c->ret;

	if (c->ret < 0 && is_send(c)) {
		struct msghdr m = { .msg_iov = (void *)(uintptr_t)c->a[1], .msg_iovlen = c->a[2] };
		len = iov_total(c, &m);
	} else if (c->ret < 0) {
		len = 0;
	}
	capture_iov(c, c->a[1], c->a[2], len);
	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	decode_emit(c);
}

void exit_close(struct decode_ctx *c)
{
	attach_sock(c, sock_for_fd(c->t, c->ev->fd));
	decode_emit(c);
	fdtab_close(c->t->p->fds, c->ev->fd);
}

static void note_dup(struct decode_ctx *c, int oldfd, int newfd, bool cloexec)
{
	struct fd_entry *e = fdtab_get(c->t->p->fds, oldfd);
	bool was_sock = e && e->kind == FD_SOCKET;

	fdtab_dup(c->t->p->fds, oldfd, newfd, cloexec);
	if (was_sock) {
		c->ev->fd2 = newfd;
		attach_sock(c, fdtab_get(c->t->p->fds, newfd)->sk);
		decode_emit(c);
	}
}

void exit_dup(struct decode_ctx *c)
{
	const char *n = c->ev->syscall;
	bool cloexec = n[3] == '3' && (c->a[2] & O_CLOEXEC);

	if (c->ret < 0)
		return;
	note_dup(c, (int)c->a[0], (int)c->ret, cloexec);
}

void exit_fcntl(struct decode_ctx *c)
{
	int cmd = (int)c->a[1];
	struct fd_entry *e;

	if (c->ret < 0)
		return;
	c->ev->arg = (uint64_t)cmd;
	if (cmd == F_SETFD) {
		e = fdtab_get(c->t->p->fds, (int)c->a[0]);
		if (e)
			e->cloexec = (c->a[2] & FD_CLOEXEC) != 0;
		return;
	}
	note_dup(c, (int)c->a[0], (int)c->ret, cmd == F_DUPFD_CLOEXEC);
}

void exit_close_range(struct decode_ctx *c)
{
	unsigned lo = (unsigned)c->a[0], hi = (unsigned)c->a[1], fd;
	struct fdtab *fds = c->t->p->fds;

	if (c->ret < 0)
		return;
	if (c->a[2] & CLOSE_RANGE_UNSHARE && fds->refs > 1) {
		struct fdtab *copy = fdtab_copy(fds);
		if (copy) {
			fdtab_unref(fds);
			c->t->p->fds = fds = copy;
		}
	}
	if (!(c->a[2] & CLOSE_RANGE_CLOEXEC)) {
		fdtab_close_range(fds, lo, hi);
		return;
	}
	for (fd = lo; fd <= hi && fd < (unsigned)fds->cap; fd++)
		fds->ent[fd].cloexec = 1;
}

/* --- dispatch ------------------------------------------------------------- */

void decode_exit(struct thread *t, int64_t rval, bool is_error)
{
	static struct nst_event ev; /* reused: no allocation per stop */
	struct timespec ts;
	struct decode_ctx c;
	const struct syscall_desc *sc = t->entry.sc;

	memset(&ev, 0, sizeof(ev));
	clock_gettime(CLOCK_REALTIME, &ts);
	ev.ts_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	ev.pid = t->p->pid;
	ev.tid = t->tid;
	memcpy(ev.comm, t->p->comm, sizeof(ev.comm));
	ev.syscall = sc->name;
	ev.nr = t->entry.nr;
	ev.fd = sc->nargs ? (int32_t)t->entry.args[0] : -1;
	ev.fd2 = -1;
	ev.ret = is_error ? -1 : rval;
	ev.err = is_error ? (int)-rval : 0;
	event_set_ns(&ev.thread_netns, t->entry.netns);
	event_set_ns(&ev.home_netns, t->p->home_netns);

	c.t = t;
	c.a = t->entry.args;
	c.ret = ev.ret;
	c.err = ev.err;
	c.ev = &ev;
	sc->on_exit(&c);
}
