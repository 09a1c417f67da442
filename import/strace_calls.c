/* strace_calls.c - one handler per syscall name: a parsed strace call into
 * events, see strace_model.h. */
#define _GNU_SOURCE
#include "import/strace_model.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/parse.h"

/* --- tables --------------------------------------------------------------- */

static int family_of(struct span s)
{
	static const struct { const char *n; int v; } f[] = {
		{ "AF_INET", AF_INET }, { "AF_INET6", AF_INET6 }, { "AF_UNIX", AF_UNIX },
		{ "AF_LOCAL", AF_UNIX }, { "AF_NETLINK", AF_NETLINK }, { "AF_PACKET", AF_PACKET },
	};
	bool ok;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (span_eq(s, f[i].n))
			return f[i].v;
	long v = span_long(s, &ok);
	return ok ? (int)v : AF_UNSPEC;
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

/* --- events --------------------------------------------------------------- */


static void ev_init(struct call *c)
{
	struct nst_event *ev = &c->ev;
	struct iproc *p = c->t->p;

	memset(ev, 0, sizeof(*ev));
	ev->ts_us = c->s->ts;
	ev->pid = p->pid;
	ev->tid = c->t->tid;
	memcpy(ev->comm, p->comm, sizeof(ev->comm));
	ev->syscall = c->name;
	ev->fd = -1;
	ev->fd2 = -1;
	ev->ret = c->err ? -1 : c->ret;
	ev->err = c->err;
	si_fill_ns(c->s, p, c->t->ns, &ev->thread_netns);
	si_fill_ns(c->s, p, NS_HOME, &ev->home_netns);
}

static void ev_sock(struct call *c, struct isock *k, int fd)
{
	struct nst_event *ev = &c->ev;
	struct iproc *p = c->t->p;

	ev->fd = fd;
	if (!k)
		return;
	ev->flags |= NST_EV_SOCK;
	ev->sock.family = k->family;
	ev->sock.type = k->type;
	ev->sock.local = k->local;
	ev->sock.peer = k->peer;
	if (k->ns != NS_UNKNOWN)
		si_fill_ns(c->s, p, k->ns, &ev->sock.netns);
	ev->sock.origin = k->created ? NST_NS_CREATED : NST_NS_UNKNOWN;
	ev->sock.foreign = k->ns != NS_UNKNOWN && !si_at_home(p, k->ns);
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

/* [{iov_base="..", iov_len=2}, ...] gathered, for at most len bytes. */
static void ev_iov(struct call *c, struct span arr, uint64_t io_len)
{
	struct span el[64];
	size_t got = 0;
	bool cut_any = false;
	int n;

	c->ev.io_len = io_len;
	arr = span_trim(arr);
	if (arr.n < 2 || arr.p[0] != '[')
		return;
	n = strace_split_args((struct span){ arr.p + 1, arr.n - 2 }, el, 64);
	for (int i = 0; i < n && got < io_len; i++) {
		struct span base;
		bool cut;
		long k;
		if (!strace_field(el[i], "iov_base", &base))
			continue;
		k = strace_unquote(base, c->s->payload + got, sizeof(c->s->payload) - got, &cut);
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

static void ev_addr(struct call *c, struct span arg)
{
	arg = span_trim(arg);
	if (arg.n && arg.p[0] == '{' && strace_sockaddr(arg, &c->ev.addr) == 0)
		c->ev.flags |= NST_EV_ADDR;
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

/* --- syscall handlers ------------------------------------------------------ */

static void do_socket(struct call *c)
{
	uint64_t bits = 0;
	int type = c->nargs > 1 ? socktype_of(c->args[1], &bits) : 0;
	struct isock *k = NULL;

	ev_init(c);
	c->ev.arg = bits;
	if (!c->err && c->ret >= 0) {
		struct iproc *p = c->t->p;
		if (!strcmp(c->name, "socketpair")) {
			struct span pair[2];
			bool ok;
			struct span a = span_trim(c->args[3]);
			if (a.n > 2 && strace_split_args((struct span){ a.p + 1, a.n - 2 }, pair, 2) == 2) {
				int fds[2] = { (int)span_long(pair[0], &ok), (int)span_long(pair[1], &ok) };
				for (int i = 1; i >= 0; i--) {
					if (!(k = si_sock_put(p, fds[i])))
						continue;
					k->family = family_of(c->args[0]);
					k->type = type;
					k->ns = c->t->ns;
					k->created = true;
					k->cloexec = bits & SOCK_CLOEXEC;
				}
				c->ev.fd2 = fds[1];
				ev_sock(c, k, fds[0]);
			}
		} else if ((k = si_sock_put(p, (int)c->ret))) {
			k->family = family_of(c->args[0]);
			k->type = type;
			k->ns = c->t->ns;
			k->created = true;
			k->cloexec = bits & SOCK_CLOEXEC;
			ev_sock(c, k, (int)c->ret);
		}
		c->t->made_socket = true;
	} else {
		c->ev.sock.family = family_of(c->args[0]);
		c->ev.sock.type = type;
	}
	emit(c);
}

static void do_addr_call(struct call *c) /* connect, bind */
{
	int fd;
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, true);

	ev_init(c);
	if (c->nargs > 1)
		ev_addr(c, c->args[1]);
	if (k && (c->ev.flags & NST_EV_ADDR) && (!c->err || c->err == EINPROGRESS)) {
		if (c->name[0] == 'c')
			k->peer = c->ev.addr;
		else
			k->local = c->ev.addr;
	}
	ev_sock(c, k, fd);
	emit(c);
}

static void do_sockname(struct call *c)
{
	int fd;
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, true);

	ev_init(c);
	if (!c->err && c->nargs > 1) {
		ev_addr(c, c->args[1]);
		if (k && (c->ev.flags & NST_EV_ADDR)) {
			if (c->name[3] == 'p')
				k->peer = c->ev.addr;
			else
				k->local = c->ev.addr;
		}
	}
	ev_sock(c, k, fd);
	emit(c);
}

static void do_accept(struct call *c)
{
	int fd;
	struct isock *l = si_sock_for(c->t->p, c->args[0], &fd, true), *k;

	ev_init(c);
	if (c->nargs > 1)
		ev_addr(c, c->args[1]);
	if (!c->err && c->ret >= 0 && (k = si_sock_put(c->t->p, (int)c->ret))) {
		if (l) {
			k->family = l->family;
			k->type = l->type;
			k->local = l->local;
			k->ns = l->ns; /* an accepted socket lives in its listener's netns */
		} else {
			k->ns = c->t->ns;
		}
		k->created = true;
		if (c->ev.flags & NST_EV_ADDR)
			k->peer = c->ev.addr;
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
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, true);

	ev_init(c);
	ev_sock(c, k, fd);
	emit(c);
}

static void do_rw(struct call *c) /* read, write, sendto, recvfrom */
{
	bool sending = c->name[0] == 'w' || c->name[0] == 's';
	bool net = c->name[0] == 's' || c->name[0] == 'r' ? c->name[1] == 'e' && c->name[2] != 'a' : false;
	int fd;
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, net);

	if (!k || c->nargs < 3)
		return; /* read/write on something that is not a known socket */
	ev_init(c);
	ev_string(c, c->args[1], moved(c, c->args[2], sending));
	if (net && c->nargs > 4)
		ev_addr(c, c->args[4]);
	ev_sock(c, k, fd);
	emit(c);
}

static void do_rwv(struct call *c) /* readv, writev */
{
	int fd;
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, false);

	if (!k || c->nargs < 2)
		return;
	ev_init(c);
	ev_iov(c, c->args[1], c->err ? 0 : (uint64_t)c->ret);
	ev_sock(c, k, fd);
	emit(c);
}

static void msg_event(struct call *c, struct span hdr, uint64_t len)
{
	struct span v;

	if (strace_field(hdr, "msg_name", &v))
		ev_addr(c, v);
	if (strace_field(hdr, "msg_iov", &v))
		ev_iov(c, v, len);
}

static void do_msg(struct call *c) /* sendmsg, recvmsg */
{
	int fd;
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, true);

	ev_init(c);
	if (c->nargs > 1)
		msg_event(c, c->args[1], c->err ? 0 : (uint64_t)c->ret);
	ev_sock(c, k, fd);
	emit(c);
}

static void do_mmsg(struct call *c) /* sendmmsg, recvmmsg */
{
	struct span el[64], arr, hdr, len;
	int fd, n;
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, true);
	bool ok;

	if (c->err || c->ret <= 0 || c->nargs < 2) {
		ev_init(c);
		ev_sock(c, k, fd);
		emit(c);
		return;
	}
	arr = span_trim(c->args[1]);
	if (arr.n < 2 || arr.p[0] != '[')
		return;
	n = strace_split_args((struct span){ arr.p + 1, arr.n - 2 }, el, 64);
	for (int i = 0; i < n && i < c->ret; i++) {
		ev_init(c);
		c->ev.msg_index = (uint32_t)i;
		if (strace_field(el[i], "msg_hdr", &hdr) && strace_field(el[i], "msg_len", &len))
			msg_event(c, hdr, (uint64_t)span_long(len, &ok));
		ev_sock(c, k, fd);
		emit(c);
	}
}

static void nsfile_close(struct iproc *p, int fd);

static void do_close(struct call *c)
{
	int fd;
	struct isock *k = si_sock_for(c->t->p, c->args[0], &fd, false);

	if (k) {
		ev_init(c);
		ev_sock(c, k, fd);
		emit(c);
	}
	si_sock_drop(c->t->p, fd); /* close frees the fd whatever it returns */
	nsfile_close(c->t->p, fd);
}

static void do_dup(struct call *c) /* dup, dup2, dup3, fcntl(F_DUPFD*) */
{
	struct fd_note note;
	int fd = strace_fd(c->args[0], &note);
	struct iproc *p = c->t->p;
	struct isock *k = si_sock_at(p, fd), *n;

	if (!strcmp(c->name, "fcntl") &&
	    (c->nargs < 2 || (!span_eq(c->args[1], "F_DUPFD") && !span_eq(c->args[1], "F_DUPFD_CLOEXEC"))))
		return;
	if (c->err || c->ret < 0)
		return;
	if (!k) {
		si_sock_drop(p, (int)c->ret);
		return;
	}
	struct isock copy = *k;
	if ((n = si_sock_put(p, (int)c->ret))) {
		*n = copy;
		ev_init(c);
		c->ev.fd2 = (int)c->ret;
		ev_sock(c, n, fd);
		emit(c);
	}
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

/* openat(AT_FDCWD, "/run/docker/netns/x", ...) = 42: remember what fd 42
 * is, so that a setns(42) without -y still names its namespace. */
static void do_open(struct call *c)
{
	uint8_t path[128];
	struct span a = c->args[!strcmp(c->name, "openat") && c->nargs > 1 ? 1 : 0];
	struct iproc *p = c->t->p;
	bool cut;
	long n;
	int slot = 0;

	if (c->err || c->ret < 0)
		return;
	n = strace_unquote(a, path, sizeof(path) - 1, &cut);
	if (n <= 0 || cut)
		return;
	path[n] = '\0';
	if (!is_netns_path((char *)path))
		return;
	for (int i = 0; i < 16; i++) /* reuse this fd's slot, else the lowest fd */
		if (p->nsfiles[i].fd == (int)c->ret || !p->nsfiles[i].path[0]) {
			slot = i;
			break;
		}
	p->nsfiles[slot].fd = (int)c->ret;
	snprintf(p->nsfiles[slot].path, sizeof(p->nsfiles[slot].path), "%s", norm_run((char *)path));
}

static const char *nsfile_of(struct iproc *p, int fd)
{
	for (int i = 0; i < 16; i++)
		if (p->nsfiles[i].path[0] && p->nsfiles[i].fd == fd)
			return p->nsfiles[i].path;
	return NULL;
}

static void nsfile_close(struct iproc *p, int fd)
{
	for (int i = 0; i < 16; i++)
		if (p->nsfiles[i].fd == fd)
			p->nsfiles[i].path[0] = '\0';
}

static void do_setns(struct call *c)
{
	struct fd_note note;
	int fd = strace_fd(c->args[0], &note), ns;
	struct iproc *p = c->t->p;
	char label[64];
	bool net = c->nargs < 2 || span_eq(c->args[1], "CLONE_NEWNET") || span_eq(c->args[1], "0");

	if (note.kind == NOTE_NETNS)
		ns = si_ns_intern(c->s, note.ino, NULL, NULL);
	else if (note.kind == NOTE_PATH && net)
		ns = si_ns_intern(c->s, 0, norm_run(note.path), NULL);
	else if (note.kind == NOTE_NONE && net && nsfile_of(p, fd))
		ns = si_ns_intern(c->s, 0, nsfile_of(p, fd), NULL);
	else if (note.kind == NOTE_NONE && net) {
		snprintf(label, sizeof(label), "setns fd %d of pid %d", fd, p->pid);
		ns = si_ns_intern(c->s, 0, NULL, label);
	} else {
		return; /* a pidfd, or another namespace type */
	}
	ev_init(c);
	c->ev.fd = fd;
	c->ev.arg = CLONE_NEWNET;
	if (!c->err) {
		if (c->t->made_socket && ns != c->t->ns)
			si_vote_home(p, ns);
		c->t->ns = ns;
		c->t->made_socket = false;
		si_fill_ns(c->s, p, NS_HOME, &c->ev.home_netns);
	}
	si_fill_ns(c->s, p, ns, &c->ev.ns_new);
	c->ev.flags |= NST_EV_NS_CHANGE;
	emit(c);
}

static int fresh_ns(struct call *c, int tid)
{
	char label[64];

	snprintf(label, sizeof(label), "new netns of tid %d, line %lu", tid, c->s->lineno);
	return si_ns_intern(c->s, 0, NULL, label);
}

static void do_unshare(struct call *c)
{
	if (!memmem(c->args[0].p, c->args[0].n, "CLONE_NEWNET", 12))
		return;
	ev_init(c);
	c->ev.arg = CLONE_NEWNET;
	if (!c->err) {
		c->t->ns = fresh_ns(c, c->t->tid);
		c->t->made_socket = false;
		si_fill_ns(c->s, c->t->p, c->t->ns, &c->ev.ns_new);
		c->ev.flags |= NST_EV_NS_CHANGE;
	}
	emit(c);
}

static void do_clone(struct call *c) /* clone, clone3, fork, vfork */
{
	struct span all = { c->args[0].p, 0 };
	struct ithread *child;
	int newnet;

	if (c->err || c->ret <= 0)
		return;
	if (c->nargs)
		all.n = (size_t)(c->args[c->nargs - 1].p + c->args[c->nargs - 1].n - all.p);
	newnet = all.n && memmem(all.p, all.n, "CLONE_NEWNET", 12) != NULL;
	child = si_thread_get(c->s, (int)c->ret, true);
	if (!child)
		return;
	if (all.n && memmem(all.p, all.n, "CLONE_THREAD", 12)) {
		child->p->nthreads--;
		child->p = c->t->p;
		child->p->nthreads++;
	} else {
		struct iproc *np = si_proc_new(c->s, (int)c->ret), *pp = c->t->p;
		if (!np)
			return;
		memcpy(np->comm, pp->comm, sizeof(np->comm));
		for (int fd = 0; fd < pp->cap; fd++) /* fork copies the fd table */
			if (pp->fds[fd] && si_sock_put(np, fd))
				*np->fds[fd] = *pp->fds[fd];
		child->p->nthreads--;
		child->p = np;
		np->nthreads++;
	}
	child->ns = newnet ? fresh_ns(c, child->tid) : c->t->ns;
	if (child->p != c->t->p && child->ns != NS_HOME) {
		child->p->home = child->ns; /* a child is at home where it is born */
	}
	if (newnet) {
		ev_init(c);
		c->ev.arg = CLONE_NEWNET;
		si_fill_ns(c->s, child->p, child->ns, &c->ev.ns_new);
		c->ev.flags |= NST_EV_NS_CHANGE;
		emit(c);
	}
}

static void do_execve(struct call *c)
{
	uint8_t path[256];
	bool cut;
	long n;
	struct iproc *p = c->t->p;

	if (c->err)
		return;
	n = strace_unquote(c->args[0], path, sizeof(path) - 1, &cut);
	if (n > 0) {
		path[n] = '\0';
		const char *b = strrchr((char *)path, '/');
		snprintf(p->comm, sizeof(p->comm), "%.15s", b ? b + 1 : (char *)path);
	}
	for (int fd = 0; fd < p->cap; fd++)
		if (p->fds[fd] && p->fds[fd]->cloexec)
			si_sock_drop(p, fd);
	if (c->t->ns != NS_HOME)
		p->home = c->t->ns; /* a fresh program is at home where it starts */
}

static const struct handler {
	const char *name;
	void (*fn)(struct call *c);
} handlers[] = {
	{ "accept", do_accept }, { "accept4", do_accept }, { "bind", do_addr_call },
	{ "clone", do_clone }, { "clone3", do_clone }, { "close", do_close },
	{ "connect", do_addr_call }, { "dup", do_dup }, { "dup2", do_dup }, { "dup3", do_dup },
	{ "execve", do_execve }, { "fcntl", do_dup }, { "fork", do_clone },
	{ "getpeername", do_sockname }, { "getsockname", do_sockname }, { "listen", do_plain },
	{ "open", do_open }, { "openat", do_open }, { "read", do_rw }, { "readv", do_rwv }, { "recvfrom", do_rw }, { "recvmmsg", do_mmsg },
	{ "recvmsg", do_msg }, { "sendmmsg", do_mmsg }, { "sendmsg", do_msg }, { "sendto", do_rw },
	{ "setns", do_setns }, { "socket", do_socket }, { "socketpair", do_socket },
	{ "unshare", do_unshare }, { "vfork", do_clone }, { "write", do_rw }, { "writev", do_rwv },
};

static int cmp_handler(const void *k, const void *h)
{
	const struct span *s = k;
	const char *n = ((const struct handler *)h)->name;
	size_t l = strlen(n);
	int r = strncmp(s->p, n, s->n < l ? s->n : l);
	return r ? r : (s->n > l) - (s->n < l);
}

si_handler_fn si_find_handler(struct span name, const char **canon)
{
	const struct handler *h = bsearch(&name, handlers, sizeof(handlers) / sizeof(handlers[0]),
					  sizeof(handlers[0]), cmp_handler);

	if (!h)
		return NULL;
	*canon = h->name;
	return h->fn;
}
