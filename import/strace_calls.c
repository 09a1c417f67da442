/* strace_calls.c - a parsed strace call into facts for the model, and the
 * events read off it, the way the live tracer makes them; see
 * strace_int.h. */
#define _GNU_SOURCE
#include "import/strace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "model/calls.h"
#include "model/parse.h"

/* --- argument values ------------------------------------------------------- */

/* The value of argument i (empty when the call has fewer). */
static struct span A(const struct call *c, int i)
{
	return i < c->nargs ? stok_val(c->tk, c->args[i]) : (struct span){ "", 0 };
}

/* "SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK" -> type and flag bits */
static int socktype_of(struct span s, uint64_t *bits)
{
	static const struct { const char *n; int v; } t[] = {
		{ "SOCK_STREAM", SOCK_STREAM }, { "SOCK_DGRAM", SOCK_DGRAM }, { "SOCK_RAW", SOCK_RAW },
		{ "SOCK_SEQPACKET", SOCK_SEQPACKET }, { "SOCK_CLOEXEC", SOCK_CLOEXEC },
		{ "SOCK_NONBLOCK", SOCK_NONBLOCK },
	};
	int type = 0;
	*bits = 0;
	while (s.n) {
		const char *bar = memchr(s.p, '|', s.n);
		struct span tok = { s.p, bar ? (size_t)(bar - s.p) : s.n };
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			if (span_eq(tok, t[i].n)) {
				*bits |= (uint64_t)t[i].v;
				if (t[i].v < 16)
					type = t[i].v;
			}
		if (!bar)
			break;
		s.n -= tok.n + 1;
		s.p = bar + 1;
	}
	return type;
}

static bool has_flag(struct span s, const char *flag)
{
	return s.n && memmem(s.p, s.n, flag, strlen(flag)) != NULL;
}

/* All arguments as one span (clone's flags may sit in any of them). */
static struct span all_args(const struct call *c)
{
	struct span first = A(c, 0), last = A(c, c->nargs - 1);

	return c->nargs ? (struct span){ first.p, (size_t)(last.p + last.n - first.p) }
			: (struct span){ "", 0 };
}

/* --- events ---------------------------------------------------------------- */

static void ev_init(struct call *c)
{
	struct nst_event *ev = &c->ev;

	memset(ev, 0, sizeof(*ev));
	ev->ts_us = c->s->ts;
	model_event_begin(&c->s->m, c->t, c->t->ns, ev);
	nst_event_set_sen(ev, c->sen);
	ev->ret = c->err ? -1 : c->ret;
	ev->err = c->err;
	if (!c->s->timed)
		ev->flags |= NST_EV_NO_TIME;
}

static void ev_sock(struct call *c, struct msock *k, int fd)
{
	c->ev.fd = fd;
	if (k)
		model_event_sock(&c->s->m, c->t->p, k, &c->ev);
}

static void emit(struct call *c)
{
	c->s->st.events++;
	c->s->sink(&c->ev, c->s->ctx);
}

static void ev_string(struct call *c, struct span arg, uint64_t io_len)
{
	bool cut;
	long n = strace_unquote(arg, c->s->payload, sizeof(c->s->payload), &cut);

	c->ev.io_len = io_len;
	if (n < 0)
		return;
	if ((uint64_t)n > io_len)
		n = (long)io_len;
	c->ev.payload = c->s->payload;
	c->ev.payload_len = (uint32_t)n;
	if (cut || (uint64_t)n < io_len)
		c->ev.flags |= NST_EV_TRUNCATED;
}

/* [{iov_base="..", iov_len=2}, ...] (4.x: [{"..", 2}]) gathered, for at
 * most len bytes. */
#define IOV_SAYS UINT64_MAX /* io_len: a failed send's, what its iov_len fields say */

static void ev_iov(struct call *c, int arr, uint64_t io_len)
{
	const struct stoks *tk = c->tk;
	struct span v = stok_val(tk, arr);
	size_t got = 0;
	bool cut_any = false, ok;

	if (v.n < 2 || v.p[0] != '[')
		return;
	if (io_len == IOV_SAYS) {
		long l;
		io_len = 0;
		for (int e = tk->t[arr].kid; e >= 0; e = tk->t[e].next)
			if ((l = span_long(stok_val(tk, stok_field(tk, e, "iov_len", 1)), &ok)) > 0 && ok)
				io_len += (uint64_t)l;
	}
	c->ev.io_len = io_len;
	for (int e = tk->t[arr].kid; e >= 0 && got < io_len; e = tk->t[e].next) {
		int base = stok_field(tk, e, "iov_base", 0);
		bool cut;
		long k;
		if (base < 0)
			continue;
		k = strace_unquote(tk->t[base].val, c->s->payload + got, sizeof(c->s->payload) - got, &cut);
		if (k < 0)
			break;
		got += (size_t)k;
		cut_any |= cut;
	}
	if (got > io_len)
		got = (size_t)io_len;
	c->ev.payload = c->s->payload;
	c->ev.payload_len = (uint32_t)got;
	if (cut_any || got < io_len)
		c->ev.flags |= NST_EV_TRUNCATED;
}

/* An address argument (a sockaddr node): into the event, and, for an inet
 * socket the log did not see made, the fact of its family. */
static void ev_addr(struct call *c, int node, struct msock *k)
{
	if (node < 0 || strace_sockaddr(c->tk, node, &c->ev.addr) < 0)
		return;
	c->ev.flags |= NST_EV_ADDR;
	if (k && !k->family && (c->ev.addr.family == AF_INET || c->ev.addr.family == AF_INET6))
		k->family = c->ev.addr.family;
}

static uint64_t moved(const struct call *c, struct span asked, bool sending)
{
	bool ok;
	long v;

	if (!c->err)
		return (uint64_t)c->ret;
	v = span_long(asked, &ok);
	return sending && ok && v > 0 ? (uint64_t)v : 0;
}

/* --- fds ------------------------------------------------------------------- */

/* The socket behind an fd argument, learning from its -y/-yy note (the
 * socket's inode names it across fds and processes).  must: the syscall
 * only works on sockets, so an fd not seen before is one.  *fd is the
 * number, -1 when arg is not an fd. */
static struct msock *sock_for(struct call *c, struct span arg, int *fd, bool must)
{
	struct model *m = &c->s->m;
	struct mproc *p = c->t->p;
	struct fd_note note;
	struct fd_entry *e;
	struct msock *k = NULL;

	*fd = strace_fd(arg, &note);
	if (*fd < 0)
		return NULL;
	e = model_fd(p, *fd);
	if (e && e->kind == FD_SOCKET)
		k = e->sk;
	if (note.kind == NOTE_SOCKET && note.ino && k && k->ino && k->ino != note.ino)
		k = NULL; /* the log missed a close: the fd is another socket now */
	if (!k && note.kind == NOTE_SOCKET && (k = model_sock_by_ino(m, note.ino)))
		model_fd_socket(m, p, *fd, k, false);
	if (!k && (must || note.kind == NOTE_SOCKET))
		k = model_socket(m, p, *fd, AF_UNSPEC, 0, 0, 0, NST_NS_UNKNOWN, false);
	if (k && note.kind == NOTE_SOCKET) {
		if (!k->family)
			k->family = note.family;
		if (!k->type)
			k->type = note.proto;
		if (note.local.family && !k->local.family)
			model_sock_local(m, k, &note.local, false);
		if (note.peer.family && !k->peer.family)
			model_sock_peer(m, k, &note.peer);
		model_sock_set_ino(m, k, note.ino);
	}
	return k;
}

static struct msock *new_socket(struct call *c, int fd, struct span family, int type,
				bool cloexec)
{
	return model_socket(&c->s->m, c->t->p, fd, strace_family(family), type, 0, c->t->ns,
			    NST_NS_CREATED, cloexec);
}

/* --- calls ----------------------------------------------------------------- */

static void do_socket(struct call *c)
{
	uint64_t bits = 0;
	int type = c->nargs > 1 ? socktype_of(A(c, 1), &bits) : 0;
	bool cx = bits & SOCK_CLOEXEC;
	struct msock *k = NULL;

	ev_init(c);
	c->ev.arg = bits;
	if (!c->err && c->ret >= 0) {
		if (c->sen == SEN_socketpair) {
			int pair = c->args[c->nargs > 3 ? 3 : 0], f0 = c->tk->t[pair].kid;
			bool ok0, ok1;
			int fds[2] = { (int)span_long(stok_val(c->tk, f0), &ok0),
				       (int)span_long(stok_val(c->tk, stok_nth(c->tk, f0, 1)), &ok1) };
			if (ok0 && ok1) {
				new_socket(c, fds[1], A(c, 0), type, cx);
				k = new_socket(c, fds[0], A(c, 0), type, cx);
				c->ev.fd2 = fds[1];
				ev_sock(c, k, fds[0]);
			}
		} else if ((k = new_socket(c, (int)c->ret, A(c, 0), type, cx))) {
			ev_sock(c, k, (int)c->ret);
		}
		ithread_of(c->t)->made_socket = true;
	} else {
		c->ev.sock.family = strace_family(A(c, 0));
		c->ev.sock.type = type;
	}
	emit(c);
}

static void do_addr_call(struct call *c) /* connect, bind */
{
	int fd;
	struct msock *k = sock_for(c, A(c, 0), &fd, true);

	ev_init(c);
	if (c->nargs > 1)
		ev_addr(c, c->args[1], k);
	if (k && (c->ev.flags & NST_EV_ADDR) && (!c->err || c->err == EINPROGRESS)) {
		if (c->op == NST_OP_CONNECT)
			model_sock_peer(&c->s->m, k, &c->ev.addr);
		else
			model_sock_local(&c->s->m, k, &c->ev.addr, c->ev.addr.port != 0);
	}
	ev_sock(c, k, fd);
	emit(c);
}

static void do_sockname(struct call *c) /* getsockname, getpeername */
{
	int fd;
	struct msock *k = sock_for(c, A(c, 0), &fd, true);

	ev_init(c);
	if (!c->err && c->nargs > 1) {
		ev_addr(c, c->args[1], k);
		if (k && (c->ev.flags & NST_EV_ADDR)) {
			if (c->op == NST_OP_GETPEERNAME)
				model_sock_peer(&c->s->m, k, &c->ev.addr);
			else
				model_sock_local(&c->s->m, k, &c->ev.addr, true);
		}
	}
	ev_sock(c, k, fd);
	emit(c);
}

static void do_accept(struct call *c)
{
	int fd;
	struct msock *l = sock_for(c, A(c, 0), &fd, true), *k;
	uint64_t bits = 0;

	ev_init(c);
	if (c->nargs > 1)
		ev_addr(c, c->args[1], NULL);
	if (c->nargs > 3)
		socktype_of(A(c, 3), &bits);
	if (!c->err && c->ret >= 0 &&
	    (k = model_accept(&c->s->m, c->t->p, (int)c->ret, l, c->t->ns, bits & SOCK_CLOEXEC))) {
		if (c->ev.flags & NST_EV_ADDR)
			model_sock_peer(&c->s->m, k, &c->ev.addr);
		c->ev.fd2 = (int)c->ret;
		ev_sock(c, k, fd);
		emit(c);
		return;
	}
	ev_sock(c, l, fd);
	emit(c);
}

static void do_plain(struct call *c) /* listen */
{
	int fd;
	struct msock *k = sock_for(c, A(c, 0), &fd, true);

	ev_init(c);
	ev_sock(c, k, fd);
	emit(c);
}

/* getsockopt(fd, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0: the other
 * options are not network events. */
static void do_sockerr(struct call *c)
{
	struct span v;
	int fd;
	struct msock *k;

	if (c->nargs < 4 || !span_eq(span_trim(A(c, 1)), "SOL_SOCKET") ||
	    !span_eq(span_trim(A(c, 2)), "SO_ERROR"))
		return;
	k = sock_for(c, A(c, 0), &fd, true);
	ev_init(c);
	v = span_trim(A(c, 3));
	if (!c->err && v.n > 2 && v.p[0] == '[') {
		bool ok;
		long n;
		v = (struct span){ v.p + 1, v.n - 2 };
		n = span_long(v, &ok);
		c->ev.arg = ok && n >= 0 ? (uint64_t)n : (uint64_t)errno_from_name(v.p, v.n);
	}
	ev_sock(c, k, fd);
	emit(c);
}

/* read, write, recv, send, recvfrom, sendto.  read and write are network
 * events only on a socket the log has shown to be one. */
static void do_rw(struct call *c)
{
	bool net = c->sen != SEN_read && c->sen != SEN_write;
	int fd;
	struct msock *k = sock_for(c, A(c, 0), &fd, net);

	if (!k || c->nargs < 3)
		return;
	ev_init(c);
	ev_string(c, A(c, 1), moved(c, A(c, 2), c->ev.dir == NST_DIR_OUT));
	if (c->nargs > 4)
		ev_addr(c, c->args[4], k);
	ev_sock(c, k, fd);
	emit(c);
}

static void do_rwv(struct call *c) /* readv, writev */
{
	int fd;
	struct msock *k = sock_for(c, A(c, 0), &fd, false);

	if (!k || c->nargs < 2)
		return;
	ev_init(c);
	ev_iov(c, c->args[1], c->err ? 0 : (uint64_t)c->ret);
	ev_sock(c, k, fd);
	emit(c);
}

/* A msghdr node: {msg_name=.., msg_iov=[..], ..} (4.x: msg_name(16)=..).
 * Its IP_PKTINFO cmsg is a fact about a socket whose local address the
 * log never showed: a listener made before the trace, in a netns where
 * -yy cannot see (dockerd's 127.0.0.11); the port stays unknown. */
static void msg_event(struct call *c, int hdr, uint64_t len, struct msock *k)
{
	struct nst_addr local;

	ev_addr(c, stok_field(c->tk, hdr, "msg_name", -1), k);
	ev_iov(c, stok_field(c->tk, hdr, "msg_iov", -1), len);
	if (k && !k->local.family && (!k->family || k->family == AF_INET) &&
	    strace_pktinfo(c->tk, stok_field(c->tk, hdr, "msg_control", -1),
			   c->ev.dir == NST_DIR_IN, &local) == 0) {
		k->family = AF_INET;
		model_sock_local(&c->s->m, k, &local, false);
	}
}

static void do_msg(struct call *c) /* sendmsg, recvmsg */
{
	int fd;
	struct msock *k = sock_for(c, A(c, 0), &fd, true);

	ev_init(c);
	if (c->nargs > 1) /* a failed send still shows what it tried to send */
		msg_event(c, c->args[1], !c->err ? (uint64_t)c->ret
				       : c->sen == SEN_sendmsg ? IOV_SAYS : 0, k);
	ev_sock(c, k, fd);
	emit(c);
}

/* sendmmsg, recvmmsg: [{msg_hdr={..}, msg_len=26}, ..]; 4.x prints
 * {{{..}, 26}, ..}, the header and length by position. */
static void do_mmsg(struct call *c)
{
	int fd, arr = c->nargs > 1 ? c->args[1] : -1;
	struct msock *k = sock_for(c, A(c, 0), &fd, true);
	struct span v = stok_val(c->tk, arr);
	int el = v.n >= 2 && (v.p[0] == '[' || v.p[0] == '{') ? c->tk->t[arr].kid : -1;
	bool ok;

	if (c->err || c->ret <= 0) {
		/* a send that failed on its first message still shows it */
		ev_init(c);
		if (c->err && c->sen == SEN_sendmmsg && el >= 0)
			msg_event(c, stok_field(c->tk, el, "msg_hdr", 0), IOV_SAYS, k);
		ev_sock(c, k, fd);
		emit(c);
		return;
	}
	int i = 0;
	for (; el >= 0 && i < c->ret; i++, el = c->tk->t[el].next) {
		struct span e = stok_val(c->tk, el);
		if (e.n == 3 && !memcmp(e.p, "...", 3))
			break; /* strace abbreviated the array: the rest is not in the log */
		int hdr = stok_field(c->tk, el, "msg_hdr", 0);
		long len = span_long(stok_val(c->tk, stok_field(c->tk, el, "msg_len", 1)), &ok);
		ev_init(c);
		c->ev.msg_index = (uint32_t)i;
		if (hdr >= 0 && ok && len >= 0)
			msg_event(c, hdr, (uint64_t)len, k);
		ev_sock(c, k, fd);
		emit(c);
	}
	if (i < c->ret) { /* messages the call moved that the log does not show */
		ev_init(c);
		c->ev.msg_index = (uint32_t)i;
		c->ev.unseen = (uint32_t)(c->ret - i);
		ev_sock(c, k, fd);
		emit(c);
	}
}

/* The shape of a send's or receive's buffers, by syscall; NULL: one flat
 * buffer (read, write, send, recv, sendto, recvfrom). */
static void (*const io_by_sen[SEN_COUNT])(struct call *c) = {
	[SEN_readv] = do_rwv, [SEN_writev] = do_rwv,
	[SEN_recvmsg] = do_msg, [SEN_sendmsg] = do_msg,
	[SEN_recvmmsg] = do_mmsg, [SEN_sendmmsg] = do_mmsg,
};

static void do_io(struct call *c)
{
	void (*f)(struct call *c) = (unsigned)c->sen < SEN_COUNT ? io_by_sen[c->sen] : NULL;

	(f ? f : do_rw)(c);
}

/* What the fd rules of model/calls.h ask a log line to emit. */
static void imp_closed(void *ctx, struct msock *sk, int fd, bool last)
{
	struct call *c = ctx;

	ev_init(c);
	ev_sock(c, sk, fd);
	if (last)
		c->ev.flags |= NST_EV_SOCK_GONE; /* its last fd: no answer can follow */
	emit(c);
}

static void imp_duped(void *ctx, struct msock *sk, int fd, int newfd)
{
	struct call *c = ctx;

	ev_init(c);
	c->ev.fd2 = newfd;
	ev_sock(c, sk, fd);
	emit(c);
}

#define IMP_OUT(c) (&(struct call_out){ .closed = imp_closed, .duped = imp_duped, .ctx = (c) })

static void do_close(struct call *c)
{
	struct ithread *it = ithread_of(c->t);
	int fd;

	if (c->sen == SEN_close && it->close_begun) {
		bool same = strace_fd(A(c, 0), &(struct fd_note){ 0 }) == it->close_fd;
		struct msock *sk = ithread_close_take(it);
		if (same) { /* its fd left the table as the call began */
			call_close_end(&c->s->m, sk, it->close_fd, IMP_OUT(c));
			return;
		}
		model_sock_release(&c->s->m, sk); /* a start whose end was lost */
	}
	if (c->sen == SEN_close) {
		sock_for(c, A(c, 0), &fd, false); /* a -y note makes it a socket */
		call_close(&c->s->m, c->t->p, fd, IMP_OUT(c));
		return;
	}
	/* close_range(lo, hi, flags): one close event per socket fd */
	bool ok1, ok2;
	long lo = span_long(A(c, 0), &ok1), hi = c->nargs > 1 ? span_long(A(c, 1), &ok2) : -1;
	unsigned flags = 0;

	if (c->err || !ok1 || c->nargs < 2 || !ok2 || lo < 0)
		return;
	if (c->nargs > 2 && has_flag(A(c, 2), "CLOSE_RANGE_UNSHARE"))
		flags |= CLOSE_RANGE_UNSHARE;
	if (c->nargs > 2 && has_flag(A(c, 2), "CLOSE_RANGE_CLOEXEC"))
		flags |= CLOSE_RANGE_CLOEXEC;
	call_close_range(&c->s->m, c->t->p, lo, hi, flags, IMP_OUT(c));
}

static void do_dup(struct call *c) /* dup, dup2, dup3, fcntl(F_DUPFD*) */
{
	struct fd_note note;
	int fd = strace_fd(A(c, 0), &note), newfd = (int)c->ret;
	struct mproc *p = c->t->p;
	bool cx;

	if (c->err || c->ret < 0)
		return;
	if (c->op == NST_OP_FCNTL) {
		if (c->nargs < 2)
			return;
		if (span_eq(A(c, 1), "F_SETFD")) {
			model_set_cloexec(p, fd, c->nargs > 2 && has_flag(A(c, 2), "FD_CLOEXEC"));
			return;
		}
		if (!span_eq(A(c, 1), "F_DUPFD") && !span_eq(A(c, 1), "F_DUPFD_CLOEXEC"))
			return;
		cx = span_eq(A(c, 1), "F_DUPFD_CLOEXEC");
	} else {
		cx = c->sen == SEN_dup3 && c->nargs > 2 && has_flag(A(c, 2), "O_CLOEXEC");
	}
	if (note.kind == NOTE_SOCKET) {
		int dummy;
		sock_for(c, A(c, 0), &dummy, false);
	}
	call_dup(&c->s->m, p, fd, newfd, cx, IMP_OUT(c));
}

/* "/var/run/x" is "/run/x": -y prints the resolved path, open() the given one. */
static const char *norm_run(const char *p)
{
	return !strncmp(p, "/var/run/", 9) ? p + 4 : p;
}

static bool is_netns_path(const char *p)
{
	size_t n = strlen(p);
	return strstr(p, "/netns/") || (n >= 7 && !strcmp(p + n - 7, "/ns/net"));
}

/* openat(AT_FDCWD, "/run/docker/netns/x", ...) = 42: fd 42 is that netns,
 * so that a setns(42) without -y still names it. */
static void do_open(struct call *c)
{
	uint8_t path[128];
	struct span a = A(c, c->sen == SEN_openat && c->nargs > 1 ? 1 : 0);
	bool cut;
	long n;

	if (c->err || c->ret < 0)
		return;
	n = strace_unquote(a, path, sizeof(path) - 1, &cut);
	if (n <= 0 || cut)
		return;
	path[n] = '\0';
	if (is_netns_path((char *)path))
		model_fd_netns(&c->s->m, c->t->p, (int)c->ret,
			       nstab_path(&c->s->m.ns, norm_run((char *)path)));
	else
		model_fd_kind(&c->s->m, c->t->p, (int)c->ret, FD_OTHER);
}

static void do_setns(struct call *c)
{
	struct fd_note note;
	int fd = strace_fd(A(c, 0), &note);
	struct mproc *p = c->t->p;
	struct ithread *it = ithread_of(c->t);
	struct fd_entry *e = model_fd(p, fd);
	bool net = c->nargs < 2 || span_eq(A(c, 1), "CLONE_NEWNET") || span_eq(A(c, 1), "0");
	nsid_t ns;

	if (note.kind == NOTE_NETNS)
		ns = nstab_ino(&c->s->m.ns, note.ino);
	else if (note.kind == NOTE_PATH && net)
		ns = nstab_path(&c->s->m.ns, norm_run(note.path));
	else if (note.kind == NOTE_NONE && net && e && e->kind == FD_NETNS)
		ns = e->ns;
	else if (note.kind == NOTE_NONE && net)
		ns = si_ns_label(c->s, p->pid, fd);
	else
		return; /* a pidfd, or another namespace type */
	ev_init(c);
	c->ev.fd = fd;
	c->ev.arg = CLONE_NEWNET;
	if (!c->err) {
		if (it->made_socket && ns != c->t->ns)
			si_vote_home(c->s, p, ns);
		model_enter_ns(c->t, ns);
		it->made_socket = false;
		nstab_fill(&c->s->m.ns, p->home, &c->ev.home_netns);
	}
	model_event_ns_new(&c->s->m, p, ns, &c->ev);
	emit(c);
}

static void do_unshare(struct call *c)
{
	if (!c->err && has_flag(A(c, 0), "CLONE_FILES"))
		model_unshare_files(&c->s->m, c->t->p);
	if (!has_flag(A(c, 0), "CLONE_NEWNET"))
		return;
	ev_init(c);
	c->ev.arg = CLONE_NEWNET;
	if (!c->err) {
		model_enter_ns(c->t, si_ns_fresh(c->s, c->t->tid));
		ithread_of(c->t)->made_socket = false;
		model_event_ns_new(&c->s->m, c->t->p, c->t->ns, &c->ev);
	}
	emit(c);
}

static void do_clone(struct call *c) /* clone, clone3, fork, vfork */
{
	struct span all = all_args(c);
	uint64_t flags = 0;
	struct mthread *child;
	nsid_t ns;

	if (c->err || c->ret <= 0 || (pid_t)c->ret == c->t->tid)
		return; /* a thread cannot be its own child: a corrupt line */
	if (has_flag(all, "CLONE_THREAD"))
		flags |= CLONE_THREAD;
	if (has_flag(all, "CLONE_FILES"))
		flags |= CLONE_FILES;
	ns = has_flag(all, "CLONE_NEWNET") ? si_ns_fresh(c->s, (pid_t)c->ret) : c->t->ns;
	child = model_thread(&c->s->m, (pid_t)c->ret);
	if (child && (flags & CLONE_THREAD ? child->p != c->t->p : child->p->pid != child->tid)) {
		/* Met before its clone line (a -ff merge: the child's first
		 * line can come first) and so put in the log's first process:
		 * it is born again where it belongs, keeping its pending call. */
		struct ithread keep = *ithread_of(child);
		ithread_of(child)->pend = NULL;
		ithread_of(child)->pending = false;
		model_thread_exit(&c->s->m, child);
		child = model_clone(&c->s->m, c->t, (pid_t)c->ret, flags, ns);
		if (child)
			*ithread_of(child) = keep;
		else
			free(keep.pend);
	} else {
		child = model_clone(&c->s->m, c->t, (pid_t)c->ret, flags, ns);
	}
	if (!child)
		return;
	if (!(flags & CLONE_THREAD))
		si_proc_born(child->p, ns);
	si_child(c->s, c->t, (pid_t)c->ret);
	if (has_flag(all, "CLONE_NEWNET")) {
		ev_init(c);
		c->ev.arg = CLONE_NEWNET;
		model_event_ns_new(&c->s->m, child->p, ns, &c->ev);
		emit(c);
	}
}

static void do_execve(struct call *c)
{
	uint8_t path[256];
	bool cut;
	long n;
	struct mproc *p = c->t->p;

	if (c->err)
		return;
	n = strace_unquote(A(c, c->sen == SEN_execveat && c->nargs > 1 ? 1 : 0), path,
			   sizeof(path) - 1, &cut);
	model_exec(&c->s->m, c->t, p->pid);
	if (n > 0) {
		path[n] = '\0';
		const char *b = strrchr((char *)path, '/');
		snprintf(p->comm, sizeof(p->comm), "%.15s", b ? b + 1 : (char *)path);
	}
}

/* --- readiness calls ------------------------------------------------------- */

/* "POLLIN|POLLERR", "EPOLLIN|EPOLLET", "0x8": as POLL* bits (epoll's are
 * the same values). */
static unsigned poll_bits(struct span s)
{
	static const struct { const char *n; unsigned v; } t[] = {
		{ "POLLIN", POLLIN }, { "POLLPRI", POLLPRI }, { "POLLOUT", POLLOUT },
		{ "POLLERR", POLLERR }, { "POLLHUP", POLLHUP }, { "POLLNVAL", POLLNVAL },
		{ "POLLRDNORM", POLLRDNORM }, { "POLLRDBAND", POLLRDBAND },
		{ "POLLWRNORM", POLLWRNORM }, { "POLLWRBAND", POLLWRBAND }, { "POLLRDHUP", 0x2000 },
	};
	unsigned bits = 0;

	s = span_trim(s);
	while (s.n) {
		const char *bar = memchr(s.p, '|', s.n);
		struct span tok = span_trim((struct span){ s.p, bar ? (size_t)(bar - s.p) : s.n });
		bool ok;
		long v;
		if (tok.n && tok.p[0] == 'E') /* EPOLLIN */
			tok = (struct span){ tok.p + 1, tok.n - 1 };
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			if (span_eq(tok, t[i].n))
				bits |= t[i].v;
		if (tok.n && tok.p[0] >= '0' && tok.p[0] <= '9' && (v = span_long(tok, &ok), ok))
			bits |= (unsigned)v & 0xffff;
		if (!bar)
			break;
		s.n -= (size_t)(bar - s.p) + 1;
		s.p = bar + 1;
	}
	return bits;
}

/* The inside of the group after the return value, "1 ([{fd=3, revents=
 * POLLERR}])": "[{fd=3, revents=POLLERR}]"; empty when there is none. */
static struct span ret_group(const struct call *c)
{
	const char *p = memchr(c->rest.p, '(', c->rest.n), *end = c->rest.p + c->rest.n;
	int depth = 0;

	for (const char *q = p; q && q < end; q++) {
		if (*q == '(' || *q == '[' || *q == '{')
			depth++;
		else if ((*q == ')' || *q == ']' || *q == '}') && --depth == 0)
			return (struct span){ p + 1, (size_t)(q - p - 1) };
	}
	return (struct span){ "", 0 };
}

/* strace -T's " <5.005197>" at the line's end, in µs; -1 when none. */
static int64_t ret_duration(const struct call *c)
{
	struct span r = span_trim(c->rest);
	const char *lt;
	double v;
	char buf[32], *e;

	if (r.n < 3 || r.p[r.n - 1] != '>' || !(lt = memrchr(r.p, '<', r.n)) ||
	    (size_t)(r.p + r.n - lt) >= sizeof(buf))
		return -1;
	memcpy(buf, lt + 1, (size_t)(r.p + r.n - lt - 2));
	buf[r.p + r.n - lt - 2] = '\0';
	v = strtod(buf, &e);
	return e != buf && *e == '\0' && v >= 0 && v < 1e9 ? (int64_t)(v * 1e6 + 0.5) : -1;
}

/* A timeout argument: milliseconds (poll, epoll_wait), else a timespec or
 * timeval ({tv_sec=5, tv_nsec=0}; 4.x: {5, 0}); NULL waits forever. */
static int64_t timeout_arg(const struct call *c, int i, bool ms, bool usec)
{
	struct span v = span_trim(A(c, i));
	bool ok1, ok2;
	long a, b;

	if (!v.n)
		return NST_WAIT_UNKNOWN;
	if (ms) {
		a = span_long(v, &ok1);
		return !ok1 ? NST_WAIT_UNKNOWN : a < 0 ? NST_WAIT_FOREVER : (int64_t)a * 1000;
	}
	if (span_eq(v, "NULL"))
		return NST_WAIT_FOREVER;
	int n = c->args[i];
	a = span_long(stok_val(c->tk, stok_field(c->tk, n, "tv_sec", 0)), &ok1);
	b = span_long(stok_val(c->tk, stok_field(c->tk, n, usec ? "tv_usec" : "tv_nsec", 1)), &ok2);
	if (!ok1 || !ok2 || a < 0 || b < 0 || a > 1000000000)
		return NST_WAIT_UNKNOWN;
	return (int64_t)a * 1000000 + (usec ? b : b / 1000);
}

static void imp_ready(void *ctx, struct msock *sk, int fd, const struct wait_says *w)
{
	struct call *c = ctx;
	struct nst_event proto = c->ev; /* the call's wait_us and nfds */

	ev_init(c);
	c->ev.wait_us = proto.wait_us;
	c->ev.wait_nfds = proto.wait_nfds;
	c->ev.arg = w->revents;
	if (w->socks_only)
		c->ev.flags |= NST_EV_WAIT_SOCKS;
	ev_sock(c, sk, fd);
	emit(c);
}

/* fds (n of nwatch) through the rule (model/calls.h), as events. */
static void wait_emit(struct call *c, const struct wait_fd *fds, size_t n, size_t nwatch,
		      int64_t wait_us)
{
	if (wait_us == NST_WAIT_UNKNOWN && !c->ret)
		wait_us = ret_duration(c) >= 0 ? ret_duration(c) : NST_WAIT_UNKNOWN;
	c->ev.wait_us = wait_us;
	c->ev.wait_nfds = (uint32_t)nwatch;
	call_wait(&c->s->m, c->t->p, fds, n, nwatch, c->err ? -1 : (long)c->ret,
		  &(struct call_out){ .ready = imp_ready, .ctx = c });
}

/* poll([{fd=3, events=POLLIN}], 1, 5000) = 1 ([{fd=3, revents=POLLERR}]);
 * ppoll's timeout is a timespec, and its result may add ", left {..}". */
static void wait_poll(struct call *c)
{
	struct wait_fd fds[NST_WAIT_MAX];
	size_t n = 0;
	bool ok;
	long nwatch = span_long(A(c, 1), &ok);

	if (c->err || c->nargs < 3 || !ok || nwatch <= 0)
		return;
	for (int e = c->tk->t[c->args[0]].kid; e >= 0 && n < NST_WAIT_MAX; e = c->tk->t[e].next) {
		struct span f = stok_val(c->tk, stok_field(c->tk, e, "fd", 0));
		int fd;
		struct msock *k = f.n ? sock_for(c, f, &fd, false) : NULL;
		if (f.n && fd >= 0)
			fds[n++] = (struct wait_fd){ fd, 0, k };
	}
	if (c->ret > 0) { /* the fds it reported, by number */
		struct stok nodes[2 * NST_WAIT_MAX + 8];
		struct stoks tk = { .cap = (int)(sizeof(nodes) / sizeof(nodes[0])), .t = nodes };
		int arr = strace_tokenize(ret_group(c), &tk);
		for (int e = arr >= 0 ? tk.t[arr].kid : -1; e >= 0; e = tk.t[e].next) {
			int fd = strace_fd(stok_val(&tk, stok_field(&tk, e, "fd", 0)), &(struct fd_note){ 0 });
			unsigned rev = poll_bits(stok_val(&tk, stok_field(&tk, e, "revents", 1)));
			for (size_t i = 0; i < n; i++)
				if (fds[i].fd == fd)
					fds[i].revents |= rev;
		}
	}
	wait_emit(c, fds, n, (size_t)nwatch, timeout_arg(c, 2, c->sen == SEN_poll, false));
}

/* The fds of a select set argument ("[3 4]", strace 4.x and 6.x alike, or
 * "NULL") into fds, with events ev. */
static void select_set(struct call *c, const struct stoks *tk, int node, unsigned ev,
		       struct wait_fd *fds, size_t *n, size_t *nwatch, bool add)
{
	struct span v = stok_val(tk, node);

	if (node < 0 || !v.n || v.p[0] != '[')
		return;
	/* strace prints a set as "[3 4]": one element, fds apart by spaces */
	for (int e = tk->t[node].kid; e >= 0; e = tk->t[e].next) {
		struct span s = stok_val(tk, e);
		while (s.n) {
			size_t k = 0, depth = 0;
			while (k < s.n && (depth || s.p[k] != ' ')) {
				depth += s.p[k] == '<' ? 1 : s.p[k] == '>' && depth ? (size_t)-1 : 0;
				k++;
			}
			struct span one = { s.p, k };
			int fd = -1;
			struct msock *sk = NULL;
			if (one.n)
				sk = add ? sock_for(c, one, &fd, false)
					 : (fd = strace_fd(one, &(struct fd_note){ 0 }), NULL);
			size_t i = 0;
			while (fd >= 0 && i < *n && fds[i].fd != fd)
				i++;
			if (fd >= 0 && i < *n)
				fds[i].revents |= add ? 0 : ev;
			else if (fd >= 0 && add && (++*nwatch, *n < NST_WAIT_MAX))
				fds[(*n)++] = (struct wait_fd){ fd, 0, sk };
			s = span_trim((struct span){ s.p + k, s.n - k });
		}
	}
}

/* select(4, [3], NULL, NULL, {tv_sec=5, tv_usec=0}) = 1 (in [3], left
 * {..}); pselect6's timeout is a timespec. */
static void wait_select(struct call *c)
{
	struct wait_fd fds[NST_WAIT_MAX];
	size_t n = 0, nwatch = 0;

	if (c->err || c->nargs < 5)
		return;
	select_set(c, c->tk, c->args[1], POLLIN, fds, &n, &nwatch, true);
	select_set(c, c->tk, c->args[2], POLLOUT, fds, &n, &nwatch, true);
	if (c->ret > 0) {
		struct stok nodes[2 * NST_WAIT_MAX + 8];
		struct stoks tk = { .cap = (int)(sizeof(nodes) / sizeof(nodes[0])), .t = nodes };
		for (int e = strace_tokenize(ret_group(c), &tk); e >= 0; e = tk.t[e].next) {
			struct span v = stok_val(&tk, e);
			unsigned ev = v.n > 3 && !memcmp(v.p, "in ", 3) ? POLLIN
				      : v.n > 4 && !memcmp(v.p, "out ", 4) ? POLLOUT : 0;
			if (ev) /* "in [3]": its one kid is the set */
				select_set(c, &tk, e, ev, fds, &n, &nwatch, false);
		}
	}
	wait_emit(c, fds, n, nwatch, timeout_arg(c, 4, false, c->sen != SEN_pselect6 &&
						  c->sen != SEN_pselect6_time64));
}

/* An epoll event's data: "data={u32=7, u64=7}" (4.x: "{u32=7, u64=7}" by
 * position), or a plain number. */
static bool epoll_data(const struct stoks *tk, int ev, uint64_t *data)
{
	int d = stok_field(tk, ev, "data", 1);
	int u = d >= 0 && tk->t[d].kid >= 0 ? stok_field(tk, d, "u64", 1) : d;
	bool ok;
	long v = span_long(stok_val(tk, u), &ok);

	*data = (uint64_t)v;
	return u >= 0 && ok;
}

/* epoll_ctl(5, EPOLL_CTL_ADD, 7, {events=EPOLLIN, data={u32=7, u64=7}}) = 0 */
static void do_epoll_ctl(struct call *c)
{
	struct span op = span_trim(A(c, 1));
	int epfd, fd, o = span_eq(op, "EPOLL_CTL_ADD") ? EPOLL_CTL_ADD
			: span_eq(op, "EPOLL_CTL_MOD") ? EPOLL_CTL_MOD
			: span_eq(op, "EPOLL_CTL_DEL") ? EPOLL_CTL_DEL : -1;
	uint64_t data = 0;

	if (c->err || c->nargs < 3 || o < 0)
		return;
	epfd = strace_fd(A(c, 0), &(struct fd_note){ 0 });
	sock_for(c, A(c, 2), &fd, false); /* a -yy note makes it a socket */
	if (o != EPOLL_CTL_DEL && (c->nargs < 4 || !epoll_data(c->tk, c->args[3], &data)))
		return;
	call_epoll_ctl(&c->s->m, c->t->p, epfd, o, fd, data);
}

/* epoll_wait(5, [{events=EPOLLERR, data={u32=7, u64=7}}], 128, 5000) = 1;
 * epoll_pwait2's timeout is a timespec. */
static void wait_epoll(struct call *c)
{
	struct wait_fd fds[NST_WAIT_MAX];
	size_t n = 0;
	int epfd = strace_fd(A(c, 0), &(struct fd_note){ 0 });

	if (c->err || c->nargs < 4 || c->ret <= 0)
		return; /* a timeout: which sockets it watched is the kernel's */
	for (int e = c->tk->t[c->args[1]].kid; e >= 0 && n < NST_WAIT_MAX; e = c->tk->t[e].next) {
		uint64_t data;
		int fd;
		struct msock *sk;
		if (epoll_data(c->tk, e, &data) &&
		    call_epoll_fd(&c->s->m, c->t->p, epfd, data, &fd, &sk))
			fds[n++] = (struct wait_fd){ fd, poll_bits(stok_val(c->tk, stok_field(c->tk, e, "events", 0))), sk };
	}
	wait_emit(c, fds, n, 0, timeout_arg(c, 3, c->sen != SEN_epoll_pwait2, false));
}

/* The shape of a readiness call's fds and timeout, by syscall. */
static void (*const wait_by_sen[SEN_COUNT])(struct call *c) = {
	[SEN_poll] = wait_poll, [SEN_ppoll] = wait_poll, [SEN_ppoll_time64] = wait_poll,
	[SEN_select] = wait_select, [SEN__newselect] = wait_select,
	[SEN_pselect6] = wait_select, [SEN_pselect6_time64] = wait_select,
	[SEN_epoll_wait] = wait_epoll, [SEN_epoll_pwait] = wait_epoll,
	[SEN_epoll_pwait2] = wait_epoll,
};

static void do_wait(struct call *c)
{
	if ((unsigned)c->sen < SEN_COUNT && wait_by_sen[c->sen] && c->nargs > 1)
		wait_by_sen[c->sen](c);
}

/* What each operation's call means for the model, by operation (the log's
 * syscall name gave it, model/sysent.h); NULL: nothing to learn. */
static void (*const by_op[NST_OP_COUNT])(struct call *c) = {
	[NST_OP_SOCKET] = do_socket,
	[NST_OP_CONNECT] = do_addr_call,
	[NST_OP_BIND] = do_addr_call,
	[NST_OP_GETSOCKNAME] = do_sockname,
	[NST_OP_GETPEERNAME] = do_sockname,
	[NST_OP_ACCEPT] = do_accept,
	[NST_OP_LISTEN] = do_plain,
	[NST_OP_SOCKERR] = do_sockerr,
	[NST_OP_SEND] = do_io,
	[NST_OP_RECV] = do_io,
	[NST_OP_CLOSE] = do_close,
	[NST_OP_DUP] = do_dup,
	[NST_OP_FCNTL] = do_dup,
	[NST_OP_OPEN] = do_open,
	[NST_OP_SETNS] = do_setns,
	[NST_OP_UNSHARE] = do_unshare,
	[NST_OP_CLONE] = do_clone,
	[NST_OP_EXEC] = do_execve,
	[NST_OP_WAIT] = do_wait,
	[NST_OP_EPOLL_CTL] = do_epoll_ctl,
};

void si_call(struct call *c)
{
	if ((unsigned)c->op < NST_OP_COUNT && by_op[c->op])
		by_op[c->op](c);
}
