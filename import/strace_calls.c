/* strace_calls.c - a parsed strace call into facts for the model, and the
 * events read off it, the way the live tracer makes them; see
 * strace_int.h. */
#define _GNU_SOURCE
#include "import/strace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define IMP_OUT(c) (&(struct call_out){ imp_closed, imp_duped, (c) })

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
};

void si_call(struct call *c)
{
	if ((unsigned)c->op < NST_OP_COUNT && by_op[c->op])
		by_op[c->op](c);
}
