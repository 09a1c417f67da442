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

#include "model/calls.h"
#include "model/parse.h"
#include "tracer/netns.h"
#include "tracer/stack.h"
#include "tracer/syscalls.h"

int decode_init(struct decoder *d, struct model *m, nst_event_sink sink, void *ctx,
		uint32_t snaplen)
{
	size_t per = snaplen ? snaplen : 1;

	kfacts_ptrace(&d->kf, d);
	d->m = m;
	d->sink = sink;
	d->sink_ctx = ctx;
	d->snaplen = snaplen;
	d->payload = malloc(per);
	d->queue = malloc(DECODE_QUEUE * sizeof(*d->queue));
	d->queue_payload = malloc(DECODE_QUEUE * per);
	d->qlen = 0;
	if (!d->payload || !d->queue || !d->queue_payload) {
		decode_free(d);
		return -ENOMEM;
	}
	return 0;
}

void decode_set_stacks(struct decoder *d, int depth)
{
	d->stack_depth = depth;
	if (depth && !d->stacks)
		d->stacks = stacks_new();
}

/* Paths are looked up here, once the thread runs again: an unknown inode
 * may cost a directory scan. */
static void name_namespaces(struct decoder *d, struct nst_event *ev)
{
	struct nst_ns *ns[] = { &ev->thread_netns, &ev->home_netns, &ev->ns_new,
				&ev->sock.netns };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (ns[i]->ino && !ns[i]->path)
			ns[i]->path = netns_path(&d->scan, &d->m->ns, ns[i]->ino);
}

void decode_flush(struct decoder *d)
{
	for (size_t i = 0; i < d->qlen; i++) {
		name_namespaces(d, &d->queue[i].ev);
		d->sink(&d->queue[i].ev, d->sink_ctx);
	}
	d->qlen = 0;
}

void decode_free(struct decoder *d)
{
	if (d->queue)
		decode_flush(d);
	free(d->payload);
	free(d->queue);
	free(d->queue_payload);
	stacks_free(d->stacks);
	d->payload = NULL;
	d->queue = NULL;
	d->queue_payload = NULL;
	d->stacks = NULL;
}

/* --- fd and socket bookkeeping ------------------------------------------ */

/* Socket object behind fd, classifying an fd never seen before with one
 * readlink, and asking the kernel (SIOCGSKNS) about sockets that predate the
 * trace, unless the model knows the socket already through another fd.
 * NULL when fd is not a socket. */
static struct msock *sock_for_fd(struct decoder *d, struct mthread *t, int fd)
{
	struct mproc *p = t->p;
	struct fd_entry *e = model_fd(p, fd);
	char link[256];
	struct nst_sock q;
	struct msock *sk;
	uint64_t ino;

	if (e && e->kind == FD_SOCKET)
		return e->sk;
	if ((e && e->kind != FD_UNKNOWN) || fd < 0)
		return NULL;
	if (d->kf.fd_link(d->kf.ctx, p, fd, link, sizeof(link)) <= 0)
		return NULL; /* not open (the call will fail with EBADF) */
	if (parse_fd_link(link, &ino) != LINK_SOCKET) {
		model_fd_kind(d->m, p, fd, FD_OTHER);
		return NULL;
	}
	/* cloexec is not known for fds from before the trace: forgotten at exec */
	if ((sk = model_sock_by_ino(d->m, ino))) {
		model_fd_socket(d->m, p, fd, sk, true);
		return sk;
	}
	if (d->kf.sock_query(d->kf.ctx, p, fd, &q) == 0) {
		sk = model_socket(d->m, p, fd, q.family, q.type, q.protocol,
				  nstab_ino(&d->m->ns, q.netns.ino), NST_NS_QUERIED, true);
		if (sk) {
			model_sock_peer(d->m, sk, &q.peer);
			model_sock_local(d->m, sk, &q.local, true);
		}
	} else { /* still a socket; its netns stays unknown rather than guessed */
		sk = model_socket(d->m, p, fd, AF_UNSPEC, 0, 0, 0, NST_NS_UNKNOWN, true);
	}
	if (sk)
		model_sock_set_ino(d->m, sk, ino);
	return sk;
}

static bool is_inet(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* Is the new fd of this call close-on-exec? */
static bool new_fd_cloexec(const struct decode_ctx *c)
{
	int i = c->tt->entry.sc->cloexec_arg;

	return i >= 0 && (c->a[i] & O_CLOEXEC);
}

/* --- event helpers -------------------------------------------------------- */

/* Attach socket sk (the one behind ev->fd) to the event. */
static void attach_sock(struct decode_ctx *c, struct msock *sk)
{
	struct nst_event *ev = c->ev;
	struct mproc *p = c->t->p;

	if (!sk)
		return;
	c->sk = sk;
	/* An implicit local address (UDP connect, first send) is learned once,
	 * when data moves: a program that asks getsockname() itself right after
	 * connect() (dockerd does) tells it for free. */
	if (!sk->local_known && is_inet(sk->family) && sk->peer.family != AF_UNSPEC &&
	    ev->ret >= 0 && (c->tt->entry.sc->flags & SF_IO)) {
		struct nst_addr local = { 0 };
		c->d->kf.sock_local(c->d->kf.ctx, p, ev->fd, &local);
		model_sock_local(c->d->m, sk, &local, true);
	}
	model_event_sock(c->d->m, p, sk, ev);
}

struct msock *decode_sock(struct decoder *d, struct mthread *t, int fd)
{
	return sock_for_fd(d, t, fd);
}

void decode_attach(struct decode_ctx *c, struct msock *sk)
{
	attach_sock(c, sk);
}

/* -k: is this an event the diagnosis wants a stack for?  A namespace
 * switch, a socket made or connected in a foreign netns, a DNS send on one
 * (unless the socket's creation showed its stack: that one stands for the
 * socket, and is what the findings show); and in any netns the dial of a
 * DNS server (a connect to port 53, a sendto naming one): where a resolver
 * forwards from its own netns (Docker 28's host path), that is the code
 * path behind the query.  The BPF programs take a superset of these
 * (tracer/nstrace.bpf.c's stack_wanted). */
static bool wants_stack(const struct decode_ctx *c)
{
	const struct nst_event *ev = c->ev;
	bool stacked = c->sk && c->sk->stacked;
	bool foreign = (ev->flags & NST_EV_SOCK) && ev->sock.foreign;
	bool to53 = (ev->flags & NST_EV_ADDR) && ev->addr.port == 53 &&
		    (ev->addr.family == AF_INET || ev->addr.family == AF_INET6);

	if (ev->flags & NST_EV_NS_CHANGE)
		return ev->ret == 0;
	if (!foreign)
		return to53 && (ev->op == NST_OP_CONNECT || ev->op == NST_OP_SEND);
	switch (ev->op) {
	case NST_OP_SOCKET:
	case NST_OP_ACCEPT:
		return true;
	case NST_OP_CONNECT:
		return !stacked;
	case NST_OP_SEND:
		return !stacked && (ev->sock.peer.port == 53 ||
				    ((ev->flags & NST_EV_ADDR) && ev->addr.port == 53));
	default:
		return false;
	}
}

bool decode_stack_op(enum nst_op op)
{
	switch (op) { /* wants_stack's: namespace changes, and sockets' */
	case NST_OP_SETNS: case NST_OP_UNSHARE: case NST_OP_CLONE:
	case NST_OP_SOCKET: case NST_OP_ACCEPT: case NST_OP_CONNECT: case NST_OP_SEND:
		return true;
	default:
		return false;
	}
}

void decode_emit(struct decode_ctx *c)
{
	struct decoder *d = c->d;
	struct queued *q;

	if (d->stack_depth && !c->ev->stack && wants_stack(c) &&
	    d->kf.stack(d->kf.ctx, c, &d->stack, d->stack_depth) > 0) {
		c->ev->stack = &d->stack;
		if (c->sk && (c->ev->op == NST_OP_SOCKET || c->ev->op == NST_OP_ACCEPT))
			c->sk->stacked = true;
	}
	if (d->qlen == DECODE_QUEUE)
		decode_flush(d);
	/* Copy what points into buffers the next stop reuses. */
	q = &d->queue[d->qlen];
	q->ev = *c->ev;
	if (c->ev->payload_len) {
		memcpy(d->queue_payload + d->qlen * d->snaplen, c->ev->payload, c->ev->payload_len);
		q->ev.payload = d->queue_payload + d->qlen * d->snaplen;
	}
	if (c->ev->stack) {
		q->stack = *c->ev->stack;
		q->ev.stack = &q->stack;
	}
	d->qlen++;
}

/* Two ranges: what both reads copied (the caller reads again when it is
 * short). */
static long kf_read2(struct decode_ctx *c, uint64_t a1, void *d1, size_t l1, uint64_t a2, void *d2,
		     size_t l2)
{
	long n, m;

	if (c->d->kf.read2) /* ptrace: one process_vm_readv */
		return c->d->kf.read2(c->d->kf.ctx, c->t->tid, a1, d1, l1, a2, d2, l2);
	if ((n = kf_read(c, a1, d1, l1)) != (long)l1)
		return n;
	m = kf_read(c, a2, d2, l2);
	return m < 0 ? n : n + m;
}

/* gather_iov's reader (model/parse.h). */
static long iov_reader(void *ctx, uint64_t addr, void *dst, size_t len)
{
	return kf_read(ctx, addr, dst, len);
}

nsid_t decode_thread_ns(struct decoder *d, pid_t tid)
{
	uint64_t ino = d->kf.thread_netns(d->kf.ctx, tid);

	return ino ? nstab_ino(&d->m->ns, ino) : 0;
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
	take_sockaddr(c, buf, kf_read(c, addr, buf, len), out);
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
	n = kf_read2(c, lenp, &len, sizeof(len), addr, buf, sizeof(buf));
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

static void copy_flat(struct decode_ctx *c, uint64_t addr, uint64_t len)
{
	size_t want = len < c->d->snaplen ? (size_t)len : c->d->snaplen;
	long n;

	c->ev->io_len = len;
	if (!want)
		return;
	n = kf_read(c, addr, c->d->payload, want);
	if (n < 0) {
		c->ev->flags |= NST_EV_UNREADABLE;
		return;
	}
	if ((size_t)n < want)
		c->ev->flags |= NST_EV_UNREADABLE;
	c->ev->payload = c->d->payload;
	c->ev->payload_len = (uint32_t)n;
	if (len > (uint64_t)n && !(c->ev->flags & NST_EV_UNREADABLE))
		c->ev->flags |= NST_EV_TRUNCATED;
}

/* Gather len bytes from the first nread of cnt entries of c->d->iov. */
static void gather_payload(struct decode_ctx *c, size_t nread, size_t cnt, uint64_t len)
{
	int unreadable = 0;
	size_t got;

	got = gather_iov(c->d->iov, nread, len, c->d->payload, c->d->snaplen, iov_reader, c,
			 &unreadable);
	if (unreadable || nread < cnt)
		c->ev->flags |= NST_EV_UNREADABLE;
	c->ev->payload = c->d->payload;
	c->ev->payload_len = (uint32_t)got;
	if (len > got && !(c->ev->flags & NST_EV_UNREADABLE))
		c->ev->flags |= NST_EV_TRUNCATED;
}

/* Gather an iovec array (tracee pointer iov, count cnt) for len bytes. */
static void copy_iov(struct decode_ctx *c, uint64_t iov, uint64_t cnt, uint64_t len)
{
	long n;

	c->ev->io_len = len;
	if (!len || !c->d->snaplen)
		return;
	if (cnt > NST_MAX_IOV)
		cnt = NST_MAX_IOV;
	n = kf_read(c, iov, c->d->iov, cnt * sizeof(struct iovec));
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
	return c->ev->dir == NST_DIR_OUT;
}

/* --- entry decoders ------------------------------------------------------- */

bool entry_sockfd(struct decoder *d, struct mthread *t)
{
	return sock_for_fd(d, t, (int)tthread_of(t)->entry.args[0]) != NULL;
}

/* close() frees the fd whatever it returns, before it returns: another
 * thread may be given the same number before this one's exit is seen, so
 * the fd leaves the table now.  A socket is kept (a reference) for the
 * close event at the exit; anything else needs no exit. */
bool entry_close(struct decoder *d, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);

	model_sock_release(d->m, tt->closing); /* an exit never seen (detach) */
	tt->closing = call_close_begin(d->m, t->p, (int)tt->entry.args[0]);
	return tt->closing != NULL;
}

bool entry_dup(struct decoder *d, struct mthread *t)
{
	(void)d;
	(void)t;
	return true; /* the table must follow every dup */
}

bool entry_fcntl(struct decoder *d, struct mthread *t)
{
	int cmd = (int)tthread_of(t)->entry.args[1];

	(void)d;
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD;
}

/* Only SO_ERROR, the outcome of a non-blocking connect, on a socket. */
bool entry_getsockopt(struct decoder *d, struct mthread *t)
{
	const uint64_t *a = tthread_of(t)->entry.args;

	return a[1] == SOL_SOCKET && a[2] == SO_ERROR && entry_sockfd(d, t);
}

/* --- exit decoders -------------------------------------------------------- */

void exit_plain(struct decode_ctx *c)
{
	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
	decode_emit(c);
}

static struct msock *new_socket(struct decode_ctx *c, int fd, int family, int type,
				int proto, nsid_t ns)
{
	return model_socket(c->d->m, c->t->p, fd, family, type, proto, ns, NST_NS_CREATED,
			    new_fd_cloexec(c));
}

void exit_socket(struct decode_ctx *c)
{
	const uint64_t *a = c->a;
	struct msock *sk = NULL;

	c->ev->fd = -1;
	c->ev->arg = a[1];
	if (c->ret >= 0) {
		c->ev->fd = (int)c->ret;
		sk = new_socket(c, (int)c->ret, (int)a[0], (int)a[1], (int)a[2], c->tt->entry.netns);
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
	struct msock *sk = NULL;
	int sv[2];

	c->ev->fd = -1;
	c->ev->arg = a[1];
	if (c->ret == 0 && kf_read(c, a[3], sv, sizeof(sv)) == sizeof(sv)) {
		nsid_t ns = c->tt->entry.netns;
		sk = new_socket(c, sv[0], (int)a[0], (int)a[1], (int)a[2], ns);
		new_socket(c, sv[1], (int)a[0], (int)a[1], (int)a[2], ns);
		c->ev->fd = sv[0];
		c->ev->fd2 = sv[1];
	}
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_connect(struct decode_ctx *c)
{
	struct msock *sk = sock_for_fd(c->d, c->t, c->ev->fd);

	decode_sockaddr(c, c->a[1], c->a[2], &c->ev->addr);
	if (sk && (c->ev->flags & NST_EV_ADDR) && (c->ret == 0 || c->err == EINPROGRESS))
		model_sock_peer(c->d->m, sk, &c->ev->addr);
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_bind(struct decode_ctx *c)
{
	struct msock *sk = sock_for_fd(c->d, c->t, c->ev->fd);

	decode_sockaddr(c, c->a[1], c->a[2], &c->ev->addr);
	/* Port 0 means the kernel picks one: learn it on first use. */
	if (sk && c->ret == 0 && (c->ev->flags & NST_EV_ADDR))
		model_sock_local(c->d->m, sk, &c->ev->addr, !is_inet(sk->family) || c->ev->addr.port != 0);
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_accept(struct decode_ctx *c)
{
	struct msock *lsk = sock_for_fd(c->d, c->t, c->ev->fd);
	struct msock *sk = NULL;

	decode_sockaddr_lenp(c, c->a[1], c->a[2], &c->ev->addr);
	if (c->ret >= 0) {
		sk = model_accept(c->d->m, c->t->p, (int)c->ret, lsk, c->tt->entry.netns,
				  new_fd_cloexec(c));
		if (sk && (c->ev->flags & NST_EV_ADDR))
			model_sock_peer(c->d->m, sk, &c->ev->addr);
		c->ev->fd2 = (int)c->ret;
	}
	attach_sock(c, sk ? sk : lsk);
	decode_emit(c);
}

void exit_sockname(struct decode_ctx *c)
{
	struct msock *sk = sock_for_fd(c->d, c->t, c->ev->fd);

	if (c->ret == 0) {
		decode_sockaddr_lenp(c, c->a[1], c->a[2], &c->ev->addr);
		if (sk && (c->ev->flags & NST_EV_ADDR)) {
			if (c->ev->op == NST_OP_GETPEERNAME)
				model_sock_peer(c->d->m, sk, &c->ev->addr);
			else
				model_sock_local(c->d->m, sk, &c->ev->addr, true);
		}
	}
	attach_sock(c, sk);
	decode_emit(c);
}

void exit_sockerr(struct decode_ctx *c)
{
	int v;

	if (c->ret == 0) {
		if (kf_read(c, c->a[3], &v, sizeof(v)) == sizeof(v))
			c->ev->arg = (uint64_t)(v < 0 ? 0 : v);
		else
			c->ev->flags |= NST_EV_UNREADABLE;
	}
	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
	decode_emit(c);
}

void exit_sendto(struct decode_ctx *c)
{
	copy_flat(c, c->a[1], moved(c, c->a[2], true));
	c->ev->arg = c->a[3];
	decode_sockaddr(c, c->a[4], c->a[5], &c->ev->addr);
	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
	decode_emit(c);
}

void exit_recvfrom(struct decode_ctx *c)
{
	copy_flat(c, c->a[1], moved(c, c->a[2], false));
	c->ev->arg = c->a[3];
	if (c->ret >= 0)
		decode_sockaddr_lenp(c, c->a[4], c->a[5], &c->ev->addr);
	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
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

	if (want_name && len && c->d->snaplen && cnt &&
	    kf_read2(c, name, buf, namelen, iov, c->d->iov, cnt * sizeof(struct iovec)) ==
		    (long)(namelen + cnt * sizeof(struct iovec))) {
		take_sockaddr(c, buf, (long)namelen, &c->ev->addr);
		c->ev->io_len = len;
		gather_payload(c, cnt, cnt, len);
		return;
	}
	if (want_name)
		decode_sockaddr(c, name, namelen, &c->ev->addr);
	copy_iov(c, iov, m->msg_iovlen, len);
}

static uint64_t iov_total(struct decode_ctx *c, const struct msghdr *m)
{
	size_t cnt = m->msg_iovlen < NST_MAX_IOV ? m->msg_iovlen : NST_MAX_IOV;
	uint64_t total = 0;
	long n;
	size_t i;

	n = kf_read(c, (uint64_t)(uintptr_t)m->msg_iov, c->d->iov, cnt * sizeof(struct iovec));
	for (i = 0; n > 0 && i < (size_t)n / sizeof(struct iovec); i++)
		total += c->d->iov[i].iov_len;
	return total;
}

void exit_msg(struct decode_ctx *c)
{
	struct msghdr m;

	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
	c->ev->arg = c->a[2];
	if (kf_read(c, c->a[1], &m, sizeof(m)) != sizeof(m)) {
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
	int i, cnt = 0, done, total;

	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
	c->ev->arg = c->a[3];
	if (c->ret < 0 && is_send(c) && vlen && /* failed on its first message: show it */
	    kf_read(c, c->a[1], c->d->mmsg, sizeof(struct mmsghdr)) == sizeof(struct mmsghdr)) {
		decode_msghdr(c, &c->d->mmsg[0].msg_hdr, iov_total(c, &c->d->mmsg[0].msg_hdr));
		decode_emit(c);
		return;
	}
	if (c->ret <= 0) {
		decode_emit(c);
		return;
	}
	/* One event per datagram: downstream sees one message per event.
	 * Every message the call moved, NST_MAX_MMSG headers at a time; those
	 * that cannot be read (memory, or what a BPF record carries) are
	 * counted on the last event shown, never silently dropped. */
	total = (int)(c->ret < (int64_t)vlen ? c->ret : (int64_t)vlen);
	for (done = 0; done < total; done += cnt) {
		int want = total - done < NST_MAX_MMSG ? total - done : NST_MAX_MMSG;
		n = kf_read(c, c->a[1] + (uint64_t)done * sizeof(struct mmsghdr), c->d->mmsg,
			    (size_t)want * sizeof(struct mmsghdr));
		cnt = n > 0 ? (int)((size_t)n / sizeof(struct mmsghdr)) : 0;
		for (i = 0; i < cnt; i++) {
			struct nst_event saved = *c->ev;
			c->ev->msg_index = (uint32_t)(done + i);
			if (done + i + 1 == total || (i + 1 == cnt && cnt < want))
				c->ev->unseen = (uint32_t)(total - done - i - 1);
			decode_msghdr(c, &c->d->mmsg[i].msg_hdr, c->d->mmsg[i].msg_len);
			decode_emit(c);
			*c->ev = saved;
		}
		if (cnt < want)
			break;
	}
	if (done == 0 && cnt == 0) { /* not one header: the call, unreadable */
		c->ev->flags |= NST_EV_UNREADABLE;
		c->ev->unseen = (uint32_t)total;
		decode_emit(c);
	}
}

void exit_rw(struct decode_ctx *c)
{
	copy_flat(c, c->a[1], moved(c, c->a[2], is_send(c)));
	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
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
	copy_iov(c, c->a[1], c->a[2], len);
	attach_sock(c, sock_for_fd(c->d, c->t, c->ev->fd));
	decode_emit(c);
}

/* What a rule of model/calls.h asks a stop to emit: the event of the call
 * at hand, for fd.  proto: the call's event as it was before the first of
 * several (close_range); NULL for a call that emits one (no copy on the
 * stop path). */
struct dec_out {
	struct decode_ctx *c;
	const struct nst_event *proto;
};

static void dec_closed(void *ctx, struct msock *sk, int fd, bool last)
{
	struct dec_out *o = ctx;
	struct decode_ctx *c = o->c;

	if (o->proto)
		*c->ev = *o->proto;
	c->ev->fd = fd;
	attach_sock(c, sk);
	if (last)
		c->ev->flags |= NST_EV_SOCK_GONE; /* no other fd keeps it */
	decode_emit(c);
}

static void dec_duped(void *ctx, struct msock *sk, int fd, int newfd)
{
	struct dec_out *o = ctx;

	(void)fd;
	o->c->ev->fd2 = newfd;
	attach_sock(o->c, sk);
	decode_emit(o->c);
}

#define DEC_OUT(c, proto) \
	(&(struct call_out){ .closed = dec_closed, .duped = dec_duped, .ctx = &(struct dec_out){ (c), (proto) } })

/* The socket entry_close took, with its fd's reference. */
void exit_close(struct decode_ctx *c)
{
	struct msock *sk = c->tt->closing;

	c->tt->closing = NULL;
	call_close_end(c->d->m, sk, c->ev->fd, DEC_OUT(c, NULL));
}

void exit_dup(struct decode_ctx *c)
{
	if (c->ret < 0)
		return;
	call_dup(c->d->m, c->t->p, (int)c->a[0], (int)c->ret, new_fd_cloexec(c), DEC_OUT(c, NULL));
}

void exit_fcntl(struct decode_ctx *c)
{
	int cmd = (int)c->a[1];

	if (c->ret < 0)
		return;
	c->ev->arg = (uint64_t)cmd;
	if (cmd == F_SETFD) {
		model_set_cloexec(c->t->p, (int)c->a[0], (c->a[2] & FD_CLOEXEC) != 0);
		return;
	}
	call_dup(c->d->m, c->t->p, (int)c->a[0], (int)c->ret, cmd == F_DUPFD_CLOEXEC, DEC_OUT(c, NULL));
}

/* One close event per socket fd closed, as if each were a close(). */
void exit_close_range(struct decode_ctx *c)
{
	struct nst_event proto;

	if (c->ret < 0)
		return;
	proto = *c->ev;
	call_close_range(c->d->m, c->t->p, (long)(unsigned)c->a[0], (long)(unsigned)c->a[1],
			 (unsigned)c->a[2], DEC_OUT(c, &proto));
}

/* --- dispatch ------------------------------------------------------------- */

bool decode_entry(struct decoder *d, struct mthread *t, const struct syscall_desc *sc,
		  const uint64_t *args)
{
	struct tthread *tt = tthread_of(t);

	tt->entry.sc = sc;
	memcpy(tt->entry.args, args, sizeof(tt->entry.args));
	tt->entry.netns = t->ns;
	tt->entry.aux = 0;
	tt->entry.aux_type = 0;
	tt->entry.child_netns = 0;
	if (sc->on_entry)
		return sc->on_entry(d, t);
	if (sc->flags & SF_SOCKFD)
		return entry_sockfd(d, t);
	return true;
}

void decode_exit(struct decoder *d, struct mthread *t, int64_t rval, bool is_error)
{
	struct tthread *tt = tthread_of(t);
	const struct syscall_desc *sc = tt->entry.sc;
	struct nst_event *ev = &d->ev; /* reused: no allocation per stop */
	struct decode_ctx c;

	memset(ev, 0, sizeof(*ev));
	ev->ts_us = d->kf.now_us(d->kf.ctx);
	model_event_begin(d->m, t, tt->entry.netns, ev);
	nst_event_set_sen(ev, (enum nst_sen)sc->sen);
	ev->fd = sc->nargs ? (int32_t)tt->entry.args[0] : -1;
	ev->ret = is_error ? -1 : rval;
	ev->err = is_error ? (int)-rval : 0;

	c.d = d;
	c.t = t;
	c.tt = tt;
	c.a = tt->entry.args;
	c.ret = ev->ret;
	c.err = ev->err;
	c.ev = ev;
	c.sk = NULL;
	sc->on_exit(&c);
}
