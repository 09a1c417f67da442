/* strace_import.c - strace logs into events, see strace_import.h. */
#define _GNU_SOURCE
#include "strace_import.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "strace_text.h"

#define MAX_NS 1024
#define MAX_FD 65536
#define NS_HOME (-1)    /* where threads start: the process's home */
#define NS_UNKNOWN (-2) /* a socket from before the log */
#define MAX_VOTES 8
#define BAD_REPORTED 20
#define PEND_MAX (1 << 20)
#define NBUCKETS 1024

struct nsid {
	uint64_t ino;
	char path[128];
	char label[64];
};

struct isock {
	int family, type, ns;
	bool created, cloexec;
	struct nst_addr local, peer;
};

struct iproc {
	int pid, nthreads;
	char comm[NST_COMM_LEN];
	struct isock **fds; /* indexed by fd, NULL = not a known socket */
	int cap;
	int home; /* NS_HOME until a return vote says otherwise */
	struct { int fd; char path[128]; } nsfiles[16]; /* open()ed netns paths */
	struct { int ns; unsigned count; } votes[MAX_VOTES];
	struct iproc *next;
};

struct ithread {
	int tid;
	struct iproc *p;
	int ns;
	bool made_socket; /* created a socket since entering ns */
	char *pend;       /* an <unfinished ...> call */
	size_t pend_len;
	unsigned long long pend_ts;
	struct ithread *next;
};

struct strace_import {
	nst_event_sink sink;
	void *ctx;
	const char *file;
	struct strace_stats st;
	struct nsid ns[MAX_NS];
	int nns;
	struct iproc *procs, *deflt;
	struct ithread *buckets[NBUCKETS];
	unsigned long long ts, day_base;
	uint8_t payload[NST_MAX_SNAPLEN];
	unsigned long lineno;
};

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

/* --- namespaces ----------------------------------------------------------- */

static int ns_intern(struct strace_import *s, uint64_t ino, const char *path, const char *label)
{
	for (int i = 0; i < s->nns; i++) {
		struct nsid *n = &s->ns[i];
		if (ino ? n->ino == ino : path ? !strcmp(n->path, path) : !strcmp(n->label, label))
			return i;
	}
	if (s->nns == MAX_NS)
		return NS_UNKNOWN;
	struct nsid *n = &s->ns[s->nns];
	memset(n, 0, sizeof(*n));
	n->ino = ino;
	if (!ino && path)
		snprintf(n->path, sizeof(n->path), "%s", path);
	if (!ino && !path && label)
		snprintf(n->label, sizeof(n->label), "%s", label);
	return s->nns++;
}

static void fill_ns(struct strace_import *s, struct iproc *p, int ns, struct nst_ns *out)
{
	memset(out, 0, sizeof(*out));
	if (ns == NS_HOME)
		ns = p->home;
	if (ns < 0)
		return;
	out->ino = s->ns[ns].ino;
	out->path = s->ns[ns].path[0] ? s->ns[ns].path : NULL;
	out->label = s->ns[ns].label[0] ? s->ns[ns].label : NULL;
}

static bool at_home(const struct iproc *p, int ns)
{
	return ns == NS_HOME || (p->home >= 0 && ns == p->home);
}

/* A thread made sockets in one namespace and then switched to another:
 * that other one is home (dockerd's setns-back). */
static void vote_home(struct iproc *p, int ns)
{
	int best = 0;

	for (int i = 0; i < MAX_VOTES; i++) {
		if (p->votes[i].count && p->votes[i].ns != ns)
			continue;
		p->votes[i].ns = ns;
		p->votes[i].count++;
		break;
	}
	for (int i = 1; i < MAX_VOTES; i++)
		if (p->votes[i].count > p->votes[best].count)
			best = i;
	if (p->votes[best].count)
		p->home = p->votes[best].ns;
}

/* --- processes, threads, sockets ----------------------------------------- */

static struct iproc *proc_new(struct strace_import *s, int pid)
{
	struct iproc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->home = NS_HOME;
	snprintf(p->comm, sizeof(p->comm), "?");
	p->next = s->procs;
	s->procs = p;
	return p;
}

static void proc_free_fds(struct iproc *p)
{
	for (int i = 0; i < p->cap; i++)
		free(p->fds[i]);
	free(p->fds);
	p->fds = NULL;
	p->cap = 0;
}

static struct ithread *thread_get(struct strace_import *s, int tid, bool create)
{
	struct ithread *t;
	unsigned b = (unsigned)tid % NBUCKETS;

	for (t = s->buckets[b]; t; t = t->next)
		if (t->tid == tid)
			return t;
	if (!create)
		return NULL;
	if (!s->deflt && !(s->deflt = proc_new(s, tid)))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->p = s->deflt; /* no clone line seen: the log's first process */
	t->p->nthreads++;
	t->ns = NS_HOME;
	t->next = s->buckets[b];
	s->buckets[b] = t;
	return t;
}

static void thread_exit(struct strace_import *s, int tid)
{
	unsigned b = (unsigned)tid % NBUCKETS;

	for (struct ithread **pp = &s->buckets[b]; *pp; pp = &(*pp)->next) {
		struct ithread *t = *pp;
		if (t->tid != tid)
			continue;
		*pp = t->next;
		if (--t->p->nthreads == 0)
			proc_free_fds(t->p); /* the process is gone: so are its sockets */
		free(t->pend);
		free(t);
		return;
	}
}

static struct isock *sock_at(struct iproc *p, int fd)
{
	return fd >= 0 && fd < p->cap ? p->fds[fd] : NULL;
}

static struct isock *sock_put(struct iproc *p, int fd)
{
	if (fd < 0 || fd >= MAX_FD)
		return NULL;
	if (fd >= p->cap) {
		int ncap = p->cap ? p->cap : 64;
		while (ncap <= fd)
			ncap *= 2;
		struct isock **n = realloc(p->fds, (size_t)ncap * sizeof(*n));
		if (!n)
			return NULL;
		memset(n + p->cap, 0, (size_t)(ncap - p->cap) * sizeof(*n));
		p->fds = n;
		p->cap = ncap;
	}
	if (!p->fds[fd] && !(p->fds[fd] = calloc(1, sizeof(struct isock))))
		return NULL;
	memset(p->fds[fd], 0, sizeof(struct isock));
	p->fds[fd]->ns = NS_UNKNOWN;
	return p->fds[fd];
}

static void sock_drop(struct iproc *p, int fd)
{
	if (fd >= 0 && fd < p->cap) {
		free(p->fds[fd]);
		p->fds[fd] = NULL;
	}
}

/* The socket behind an fd argument, learning from its -y/-yy note.
 * must: the syscall only works on sockets, so create state if unknown. */
static struct isock *sock_for(struct iproc *p, struct span arg, int *fd, bool must)
{
	struct fd_note note;
	struct isock *k;

	*fd = strace_fd(arg, &note);
	if (*fd < 0)
		return NULL;
	k = sock_at(p, *fd);
	if (!k && (must || note.kind == NOTE_SOCKET))
		k = sock_put(p, *fd);
	if (k && note.kind == NOTE_SOCKET) {
		if (!k->family)
			k->family = note.family;
		if (!k->type)
			k->type = note.proto;
		if (note.local.family && !k->local.family)
			k->local = note.local;
		if (note.peer.family && !k->peer.family)
			k->peer = note.peer;
	}
	return k;
}

/* --- events --------------------------------------------------------------- */

struct call {
	struct strace_import *s;
	struct ithread *t;
	const char *name;
	struct span args[STRACE_MAX_ARGS];
	int nargs;
	long long ret;
	int err;
	struct span ret_text;
	struct nst_event ev;
};

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
	fill_ns(c->s, p, c->t->ns, &ev->thread_netns);
	fill_ns(c->s, p, NS_HOME, &ev->home_netns);
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
		fill_ns(c->s, p, k->ns, &ev->sock.netns);
	ev->sock.origin = k->created ? NST_NS_CREATED : NST_NS_UNKNOWN;
	ev->sock.foreign = k->ns != NS_UNKNOWN && !at_home(p, k->ns);
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
					if (!(k = sock_put(p, fds[i])))
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
		} else if ((k = sock_put(p, (int)c->ret))) {
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
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, true);

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
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, true);

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
	struct isock *l = sock_for(c->t->p, c->args[0], &fd, true), *k;

	ev_init(c);
	if (c->nargs > 1)
		ev_addr(c, c->args[1]);
	if (!c->err && c->ret >= 0 && (k = sock_put(c->t->p, (int)c->ret))) {
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
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, true);

	ev_init(c);
	ev_sock(c, k, fd);
	emit(c);
}

static void do_rw(struct call *c) /* read, write, sendto, recvfrom */
{
	bool sending = c->name[0] == 'w' || c->name[0] == 's';
	bool net = c->name[0] == 's' || c->name[0] == 'r' ? c->name[1] == 'e' && c->name[2] != 'a' : false;
	int fd;
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, net);

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
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, false);

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
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, true);

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
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, true);
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
	struct isock *k = sock_for(c->t->p, c->args[0], &fd, false);

	if (k) {
		ev_init(c);
		ev_sock(c, k, fd);
		emit(c);
	}
	sock_drop(c->t->p, fd); /* close frees the fd whatever it returns */
	nsfile_close(c->t->p, fd);
}

static void do_dup(struct call *c) /* dup, dup2, dup3, fcntl(F_DUPFD*) */
{
	struct fd_note note;
	int fd = strace_fd(c->args[0], &note);
	struct iproc *p = c->t->p;
	struct isock *k = sock_at(p, fd), *n;

	if (!strcmp(c->name, "fcntl") &&
	    (c->nargs < 2 || (!span_eq(c->args[1], "F_DUPFD") && !span_eq(c->args[1], "F_DUPFD_CLOEXEC"))))
		return;
	if (c->err || c->ret < 0)
		return;
	if (!k) {
		sock_drop(p, (int)c->ret);
		return;
	}
	struct isock copy = *k;
	if ((n = sock_put(p, (int)c->ret))) {
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
		ns = ns_intern(c->s, note.ino, NULL, NULL);
	else if (note.kind == NOTE_PATH && net)
		ns = ns_intern(c->s, 0, norm_run(note.path), NULL);
	else if (note.kind == NOTE_NONE && net && nsfile_of(p, fd))
		ns = ns_intern(c->s, 0, nsfile_of(p, fd), NULL);
	else if (note.kind == NOTE_NONE && net) {
		snprintf(label, sizeof(label), "setns fd %d of pid %d", fd, p->pid);
		ns = ns_intern(c->s, 0, NULL, label);
	} else {
		return; /* a pidfd, or another namespace type */
	}
	ev_init(c);
	c->ev.fd = fd;
	c->ev.arg = CLONE_NEWNET;
	if (!c->err) {
		if (c->t->made_socket && ns != c->t->ns)
			vote_home(p, ns);
		c->t->ns = ns;
		c->t->made_socket = false;
		fill_ns(c->s, p, NS_HOME, &c->ev.home_netns);
	}
	fill_ns(c->s, p, ns, &c->ev.ns_new);
	c->ev.flags |= NST_EV_NS_CHANGE;
	emit(c);
}

static int fresh_ns(struct call *c, int tid)
{
	char label[64];

	snprintf(label, sizeof(label), "new netns of tid %d, line %lu", tid, c->s->lineno);
	return ns_intern(c->s, 0, NULL, label);
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
		fill_ns(c->s, c->t->p, c->t->ns, &c->ev.ns_new);
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
	child = thread_get(c->s, (int)c->ret, true);
	if (!child)
		return;
	if (all.n && memmem(all.p, all.n, "CLONE_THREAD", 12)) {
		child->p->nthreads--;
		child->p = c->t->p;
		child->p->nthreads++;
	} else {
		struct iproc *np = proc_new(c->s, (int)c->ret), *pp = c->t->p;
		if (!np)
			return;
		memcpy(np->comm, pp->comm, sizeof(np->comm));
		for (int fd = 0; fd < pp->cap; fd++) /* fork copies the fd table */
			if (pp->fds[fd] && sock_put(np, fd))
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
		fill_ns(c->s, child->p, child->ns, &c->ev.ns_new);
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
			sock_drop(p, fd);
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

/* --- lines ---------------------------------------------------------------- */

struct strace_import *strace_import_new(nst_event_sink sink, void *ctx, const char *file)
{
	struct strace_import *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->sink = sink;
	s->ctx = ctx;
	s->file = file;
	return s;
}

void strace_import_free(struct strace_import *s)
{
	if (!s)
		return;
	for (int b = 0; b < NBUCKETS; b++)
		while (s->buckets[b]) {
			struct ithread *t = s->buckets[b];
			s->buckets[b] = t->next;
			free(t->pend);
			free(t);
		}
	while (s->procs) {
		struct iproc *p = s->procs;
		s->procs = p->next;
		proc_free_fds(p);
		free(p);
	}
	free(s);
}

unsigned long long strace_import_last_ts(const struct strace_import *s) { return s->ts; }
const struct strace_stats *strace_import_stats(const struct strace_import *s) { return &s->st; }

static void bad(struct strace_import *s, const char *why)
{
	if (s->st.bad++ < BAD_REPORTED)
		fprintf(stderr, "%s:%lu: %s\n", s->file, s->lineno, why);
	else if (s->st.bad == BAD_REPORTED + 1)
		fprintf(stderr, "%s: more bad lines follow; only their count is reported\n", s->file);
}

static bool isdig(char c) { return c >= '0' && c <= '9'; }

/* "7055 ", "[pid  7055] ": returns the tid or 0, and advances. */
static int take_pid(struct span *l)
{
	size_t i = 0;
	int tid = 0;

	if (l->n > 5 && !memcmp(l->p, "[pid ", 5)) {
		i = 5;
		while (i < l->n && l->p[i] == ' ')
			i++;
		while (i < l->n && isdig(l->p[i]))
			tid = tid * 10 + (l->p[i++] - '0');
		if (i < l->n && l->p[i] == ']') {
			l->p += i + 1, l->n -= i + 1;
			*l = span_trim(*l);
			return tid;
		}
		return 0;
	}
	while (i < l->n && isdig(l->p[i]) && i < 10)
		tid = tid * 10 + (l->p[i++] - '0');
	if (i && i < l->n && l->p[i] == ' ') { /* digits then a space: a pid, not a time */
		l->p += i, l->n -= i;
		*l = span_trim(*l);
		return tid;
	}
	return 0;
}

/* -t "12:34:56", -tt "12:34:56.123456", -ttt/-r "1795637926.919946". */
static void take_time(unsigned long long *ts, struct span *l)
{
	size_t i = 0;
	unsigned long long sec = 0, us = 0;
	int digits = 0;

	if (l->n > 8 && isdig(l->p[0]) && isdig(l->p[1]) && l->p[2] == ':' && l->p[5] == ':') {
		sec = (unsigned long long)((l->p[0] - '0') * 10 + l->p[1] - '0') * 3600 +
		      (unsigned long long)((l->p[3] - '0') * 10 + l->p[4] - '0') * 60 +
		      (unsigned long long)((l->p[6] - '0') * 10 + l->p[7] - '0');
		i = 8;
	} else {
		while (i < l->n && isdig(l->p[i]))
			sec = sec * 10 + (unsigned long long)(l->p[i++] - '0');
		if (!i || i >= l->n || l->p[i] != '.')
			return;
	}
	if (i < l->n && l->p[i] == '.')
		for (i++; i < l->n && isdig(l->p[i]); i++, digits++)
			if (digits < 6)
				us = us * 10 + (unsigned long long)(l->p[i] - '0');
	for (; digits < 6; digits++)
		us *= 10;
	if (i >= l->n || l->p[i] != ' ')
		return;
	*ts = sec * 1000000ull + us;
	l->p += i, l->n -= i;
	*l = span_trim(*l);
}

/* "= 45", "= -1 ECONNREFUSED (Connection refused)", "= 39<UDP:[..]>" */
static bool parse_ret(struct span r, struct call *c)
{
	bool ok;
	size_t i = 0;

	r = span_trim(r);
	c->ret_text = r;
	if (r.n && r.p[0] == '?') {
		c->ret = 0;
		c->err = 0;
		return false; /* unknown: the thread died in the call */
	}
	while (i < r.n && r.p[i] != ' ' && r.p[i] != '<')
		i++;
	c->ret = span_long((struct span){ r.p, i }, &ok);
	if (!ok)
		return false;
	c->err = 0;
	if (c->ret < 0 && i < r.n) {
		size_t j = i + 1, k = j;
		while (k < r.n && r.p[k] != ' ')
			k++;
		c->err = errno_from_name(r.p + j, k - j);
		if (!c->err)
			c->err = EIO; /* an errno name this libc does not know */
	}
	return true;
}

/* A complete "name(args) = ret" text. */
static void handle_call(struct strace_import *s, struct ithread *t, struct span text)
{
	const char *lp = memchr(text.p, '(', text.n);
	struct span name, args;
	struct call c;
	const struct handler *h;
	const char *eq = NULL, *ret_at = NULL;

	if (!lp) {
		bad(s, "no '(' in a syscall line");
		return;
	}
	name = (struct span){ text.p, (size_t)(lp - text.p) };
	/* The return value follows the last ")<spaces>= " (strace pads short
	 * calls to a column); nothing after the arguments is a quoted string. */
	for (const char *p = text.p + text.n - 3; p > lp; p--) {
		if (p[0] != ' ' || p[1] != '=' || p[2] != ' ')
			continue;
		const char *q = p;
		while (q > lp && q[-1] == ' ')
			q--;
		if (q > lp && q[-1] == ')') {
			eq = q - 1;
			ret_at = p + 3;
			break;
		}
	}
	if (!eq) {
		bad(s, "syscall line without a return value");
		return;
	}
	s->st.syscalls++;
	h = bsearch(&name, handlers, sizeof(handlers) / sizeof(handlers[0]), sizeof(handlers[0]),
		    cmp_handler);
	if (!h)
		return;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.t = t;
	c.name = h->name;
	args = (struct span){ lp + 1, (size_t)(eq - lp - 1) };
	c.nargs = strace_split_args(args, c.args, STRACE_MAX_ARGS);
	if (!parse_ret((struct span){ ret_at, (size_t)(text.p + text.n - ret_at) }, &c))
		return;
	if (c.nargs < 1 && strcmp(h->name, "fork") && strcmp(h->name, "vfork")) {
		bad(s, "syscall without arguments");
		return;
	}
	h->fn(&c);
}

static void pend_save(struct strace_import *s, struct ithread *t, struct span l)
{
	char *n;

	if (l.n > PEND_MAX) {
		bad(s, "unfinished call too long");
		return;
	}
	n = realloc(t->pend, l.n ? l.n : 1);
	if (!n)
		return;
	memcpy(n, l.p, l.n);
	t->pend = n;
	t->pend_len = l.n;
	t->pend_ts = s->ts;
}

/* "<... name resumed>rest": join with the saved start. */
static void resume(struct strace_import *s, struct ithread *t, struct span l)
{
	const char *gt = memmem(l.p, l.n, " resumed>", 9);
	struct span rest;
	char *joined;

	if (!gt) {
		bad(s, "malformed '<... resumed>'");
		return;
	}
	rest = (struct span){ gt + 9, l.n - (size_t)(gt + 9 - l.p) };
	if (!t->pend) {
		bad(s, "'<... resumed>' without its '<unfinished ...>' start");
		return;
	}
	joined = malloc(t->pend_len + rest.n + 1);
	if (!joined)
		return;
	memcpy(joined, t->pend, t->pend_len);
	memcpy(joined + t->pend_len, rest.p, rest.n);
	free(t->pend);
	t->pend = NULL;
	handle_call(s, t, (struct span){ joined, t->pend_len + rest.n });
	free(joined);
}

void strace_import_line(struct strace_import *s, const char *line, size_t len,
			unsigned long lineno, int default_tid)
{
	struct span l = span_trim((struct span){ line, len });
	struct ithread *t;
	int tid;

	s->st.lines++;
	s->lineno = lineno;
	if (!l.n)
		return;
	tid = take_pid(&l);
	if (!tid)
		tid = default_tid ? default_tid : (s->deflt ? s->deflt->pid : 0);
	take_time(&s->ts, &l);
	if (l.n >= 3 && (!memcmp(l.p, "---", 3) || !memcmp(l.p, "+++", 3))) {
		if (!memcmp(l.p, "+++", 3))
			thread_exit(s, tid); /* exited / killed by */
		return;
	}
	if (l.n > 5 && !memcmp(l.p, "<... ", 5)) {
		if ((t = thread_get(s, tid, true)))
			resume(s, t, l);
		return;
	}
	/* a syscall name, then '(' */
	size_t i = 0;
	while (i < l.n && (l.p[i] == '_' || (l.p[i] >= 'a' && l.p[i] <= 'z') || isdig(l.p[i])))
		i++;
	if (!i || i >= l.n || l.p[i] != '(') {
		s->st.skipped++; /* "(...unrelated content omitted)", banners */
		return;
	}
	if (!(t = thread_get(s, tid, true)))
		return;
	if (l.n >= 14 && !memcmp(l.p + l.n - 14, "<detached ...>", 14)) {
		s->st.skipped++; /* strace let go of the thread mid-call */
		return;
	}
	if (l.n >= 16 && !memcmp(l.p + l.n - 16, "<unfinished ...>", 16)) {
		pend_save(s, t, span_trim((struct span){ l.p, l.n - 16 }));
		return;
	}
	handle_call(s, t, l);
}

int strace_looks_like(const char *line, size_t len)
{
	struct span l = span_trim((struct span){ line, len });
	unsigned long long ts = 0;
	size_t i = 0;

	take_pid(&l);
	take_time(&ts, &l);
	while (i < l.n && (l.p[i] == '_' || (l.p[i] >= 'a' && l.p[i] <= 'z') || isdig(l.p[i])))
		i++;
	return i && i < l.n && (l.p[i] == '(' || (l.n > 5 && !memcmp(l.p, "<... ", 5)));
}

int strace_line_ts(const char *line, size_t len, unsigned long long *ts)
{
	struct span l = span_trim((struct span){ line, len });

	*ts = 0;
	take_pid(&l);
	take_time(ts, &l);
	return *ts ? 0 : -1;
}

void strace_import_set_file(struct strace_import *s, const char *file)
{
	s->file = file;
}
