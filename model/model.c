/* model.c - processes, threads and the facts about them, see model.h. */
#define _GNU_SOURCE
#include "model/model.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/print.h"

/* The source's private bytes follow the object, suitably aligned. */
#define PRIV_ALIGN 16
#define PRIV_OFF(type) ((sizeof(type) + PRIV_ALIGN - 1) / PRIV_ALIGN * PRIV_ALIGN)

void model_init(struct model *m, const struct model_cfg *cfg)
{
	memset(m, 0, sizeof(*m));
	if (cfg)
		m->cfg = *cfg;
	nstab_init(&m->ns);
}

static void proc_free(struct model *m, struct mproc *p)
{
	if (m->cfg.proc_gone)
		m->cfg.proc_gone(p, m->cfg.ctx);
	idmap_del(&m->procs, (uint64_t)p->pid);
	fdtab_unref(&m->socks, p->fds);
	free(p);
}

void model_destroy(struct model *m)
{
	struct mthread *t;
	size_t cur = 0;

	/* Nothing is deleted from a map while it is iterated. */
	while ((t = idmap_next(&m->threads, &cur))) {
		if (m->cfg.thread_gone)
			m->cfg.thread_gone(t, m->cfg.ctx);
		free(t);
	}
	idmap_free(&m->threads);
	struct mproc *p, *gone[64];
	do {
		size_t n = 0;
		cur = 0;
		while (n < 64 && (p = idmap_next(&m->procs, &cur)))
			gone[n++] = p;
		while (n)
			proc_free(m, gone[--n]);
	} while (idmap_count(&m->procs));
	idmap_free(&m->procs);
	sockpool_free(&m->socks);
	strtab_free(&m->unix_paths);
	nstab_free(&m->ns);
	free(m->ep);
}

struct mthread *model_thread(const struct model *m, pid_t tid)
{
	return idmap_get(&m->threads, (uint64_t)tid);
}

struct mproc *model_proc(const struct model *m, pid_t pid)
{
	return idmap_get(&m->procs, (uint64_t)pid);
}

struct mthread *model_thread_next(const struct model *m, size_t *cursor)
{
	return idmap_next(&m->threads, cursor);
}

size_t model_thread_count(const struct model *m)
{
	return idmap_count(&m->threads);
}

/* --- tasks ---------------------------------------------------------------- */

static struct mproc *proc_new(struct model *m, pid_t pid, struct fdtab *fds, nsid_t home)
{
	struct mproc *p = calloc(1, PRIV_OFF(struct mproc) + m->cfg.proc_priv);

	if (!p)
		return NULL;
	p->pid = pid;
	p->fds = fds;
	p->home = home;
	p->priv = (char *)p + PRIV_OFF(struct mproc);
	if (idmap_put(&m->procs, (uint64_t)pid, p) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static struct mthread *thread_new(struct model *m, struct mproc *p, pid_t tid, nsid_t ns)
{
	struct mthread *t = calloc(1, PRIV_OFF(struct mthread) + m->cfg.thread_priv);

	if (!t)
		return NULL;
	t->tid = tid;
	t->p = p;
	t->ns = ns;
	t->priv = (char *)t + PRIV_OFF(struct mthread);
	if (idmap_put(&m->threads, (uint64_t)tid, t) < 0) {
		free(t);
		return NULL;
	}
	p->nthreads++;
	return t;
}

struct mthread *model_task_new(struct model *m, pid_t tid, pid_t pid, struct fdtab *fds,
			       nsid_t ns)
{
	struct mthread *t = model_thread(m, tid);
	struct mproc *p;

	if (t) {
		fdtab_unref(&m->socks, fds);
		return t;
	}
	p = model_proc(m, pid);
	if (p) {
		fdtab_unref(&m->socks, fds);
	} else {
		if (!fds && !(fds = fdtab_new()))
			return NULL;
		if (!(p = proc_new(m, pid, fds, ns))) {
			fdtab_unref(&m->socks, fds);
			return NULL;
		}
	}
	t = thread_new(m, p, tid, ns);
	if (!t && !p->nthreads)
		proc_free(m, p);
	return t;
}

static void share_files(struct model *m, struct mproc *child, struct mproc *parent)
{
	if (child->fds == parent->fds)
		return;
	fdtab_unref(&m->socks, child->fds);
	child->fds = fdtab_ref(parent->fds);
}

struct mthread *model_clone(struct model *m, struct mthread *parent, pid_t child,
			    uint64_t flags, nsid_t child_ns)
{
	struct mthread *t = model_thread(m, child);
	struct mproc *p;
	struct fdtab *fds;

	if (t) {
		if ((flags & CLONE_FILES) && !(flags & CLONE_THREAD) && t->p != parent->p)
			share_files(m, t->p, parent->p);
		return t;
	}
	if (flags & CLONE_THREAD)
		return thread_new(m, parent->p, child, child_ns);
	fds = flags & CLONE_FILES ? fdtab_ref(parent->p->fds) : fdtab_copy(&m->socks, parent->p->fds);
	if (!fds)
		return NULL;
	p = proc_new(m, child, fds, child_ns);
	if (!p) {
		fdtab_unref(&m->socks, fds);
		return NULL;
	}
	memcpy(p->comm, parent->p->comm, sizeof(p->comm));
	t = thread_new(m, p, child, child_ns);
	if (!t)
		proc_free(m, p);
	return t;
}

int model_renumber(struct model *m, struct mthread *t, pid_t tid)
{
	struct mproc *p = t->p;
	bool leads = p->pid == t->tid;

	if (model_thread(m, tid) || (leads && model_proc(m, tid)))
		return -EEXIST;
	if (idmap_put(&m->threads, (uint64_t)tid, t) < 0 ||
	    (leads && idmap_put(&m->procs, (uint64_t)tid, p) < 0)) {
		idmap_del(&m->threads, (uint64_t)tid);
		return -ENOMEM;
	}
	idmap_del(&m->threads, (uint64_t)t->tid);
	t->tid = tid;
	if (leads) {
		idmap_del(&m->procs, (uint64_t)p->pid);
		p->pid = tid;
	}
	return 0;
}

void model_thread_exit(struct model *m, struct mthread *t)
{
	struct mproc *p = t->p;

	if (m->cfg.thread_gone)
		m->cfg.thread_gone(t, m->cfg.ctx);
	idmap_del(&m->threads, (uint64_t)t->tid);
	free(t);
	if (--p->nthreads == 0)
		proc_free(m, p);
}

void model_unshare_files(struct model *m, struct mproc *p)
{
	struct fdtab *copy;

	if (p->fds->refs <= 1 || !(copy = fdtab_copy(&m->socks, p->fds)))
		return;
	fdtab_unref(&m->socks, p->fds);
	p->fds = copy;
}

void model_exec(struct model *m, struct mthread *t, pid_t leader)
{
	struct mproc *p = t->p;
	struct mthread *u, *gone[64];
	size_t cur, n;

	if (t->tid != leader) { /* a non-leader exec'd: it takes the leader's tid */
		u = model_thread(m, leader);
		if (u && u != t)
			model_thread_exit(m, u);
		idmap_del(&m->threads, (uint64_t)t->tid);
		t->tid = leader;
		if (idmap_put(&m->threads, (uint64_t)leader, t) < 0) {
			/* Out of memory: the thread can no longer be found; let
			 * it go rather than keep a stale entry. */
			model_thread_exit(m, t);
			return;
		}
	}
	do { /* every other thread of the process is gone */
		n = 0;
		cur = 0;
		while (n < 64 && (u = model_thread_next(m, &cur)))
			if (u->p == p && u != t)
				gone[n++] = u;
		while (n)
			model_thread_exit(m, gone[--n]);
	} while (p->nthreads > 1);
	model_unshare_files(m, p);
	fdtab_exec(&m->socks, p->fds);
	p->home = t->ns;
}

/* --- namespaces ----------------------------------------------------------- */

void model_enter_ns(struct mthread *t, nsid_t ns)
{
	t->ns = ns;
}

void model_set_home(struct mproc *p, nsid_t ns)
{
	p->home = ns;
}

/* --- fds ------------------------------------------------------------------ */

struct fd_entry *model_fd(struct mproc *p, int fd)
{
	return fdtab_get(p->fds, fd);
}

struct msock *model_socket(struct model *m, struct mproc *p, int fd, int family, int type,
			   int protocol, nsid_t ns, enum nst_ns_origin origin, bool cloexec)
{
	struct msock *s = sock_new(&m->socks);

	if (!s)
		return NULL;
	s->family = (uint16_t)family;
	s->type = (uint8_t)(type & 0xf);
	s->protocol = (uint16_t)protocol;
	s->ns = ns;
	s->origin = (uint8_t)(ns ? origin : NST_NS_UNKNOWN);
	if (fdtab_set(&m->socks, p->fds, fd, FD_SOCKET, s, cloexec) < 0) {
		sock_discard(&m->socks, s);
		return NULL;
	}
	return s;
}

struct msock *model_accept(struct model *m, struct mproc *p, int fd, const struct msock *l,
			   nsid_t ns, bool cloexec)
{
	struct msock *s;

	if (!l)
		return model_socket(m, p, fd, AF_UNSPEC, 0, 0, ns, NST_NS_CREATED, cloexec);
	s = model_socket(m, p, fd, l->family, l->type, l->protocol, l->ns ? l->ns : ns,
			 NST_NS_CREATED, cloexec);
	if (s) {
		s->local = l->local;
		s->local_known = l->local_known;
	}
	return s;
}

int model_fd_socket(struct model *m, struct mproc *p, int fd, struct msock *sk, bool cloexec)
{
	return fdtab_set(&m->socks, p->fds, fd, FD_SOCKET, sk, cloexec);
}

void model_fd_kind(struct model *m, struct mproc *p, int fd, enum fd_kind kind)
{
	fdtab_set(&m->socks, p->fds, fd, kind, NULL, true);
}

void model_fd_netns(struct model *m, struct mproc *p, int fd, nsid_t ns)
{
	if (fdtab_set(&m->socks, p->fds, fd, FD_NETNS, NULL, true) == 0)
		fdtab_get(p->fds, fd)->ns = ns;
}

void model_dup(struct model *m, struct mproc *p, int oldfd, int newfd, bool cloexec)
{
	fdtab_dup(&m->socks, p->fds, oldfd, newfd, cloexec);
}

bool model_close(struct model *m, struct mproc *p, int fd)
{
	return fdtab_close(&m->socks, p->fds, fd);
}

struct msock *model_close_take(struct model *m, struct mproc *p, int fd)
{
	return fdtab_take(&m->socks, p->fds, fd);
}

bool model_sock_release(struct model *m, struct msock *s)
{
	return s && sock_release(&m->socks, s);
}

void model_set_cloexec(struct mproc *p, int fd, bool on)
{
	struct fd_entry *e = fdtab_get(p->fds, fd);

	if (e)
		e->cloexec = on;
}

/* --- sockets -------------------------------------------------------------- */

struct msock *model_sock_by_ino(const struct model *m, uint64_t ino)
{
	return sock_by_ino(&m->socks, ino);
}

void model_sock_set_ino(struct model *m, struct msock *s, uint64_t ino)
{
	sock_set_ino(&m->socks, s, ino);
}

static bool is_inet(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static void maddr_set(struct model *m, struct maddr *d, const struct nst_addr *a)
{
	memset(d, 0, sizeof(*d));
	d->family = a->family;
	d->port = a->port;
	d->scope_id = a->scope_id;
	if (a->family == AF_INET)
		memcpy(d->u.in4, a->u.in4, 4);
	else if (a->family == AF_INET6)
		memcpy(d->u.in6, a->u.in6, 16);
	else if (a->family == AF_UNIX)
		d->u.unix_path = strtab_intern(&m->unix_paths, a->u.unix_path);
}

void model_sock_addr(const struct maddr *a, struct nst_addr *out)
{
	/* two of these per event: what the family uses is written, no more */
	out->family = a->family;
	out->port = a->port;
	out->scope_id = a->scope_id;
	memset(out->u.in6, 0, sizeof(out->u.in6));
	if (a->family == AF_INET)
		memcpy(out->u.in4, a->u.in4, 4);
	else if (a->family == AF_INET6)
		memcpy(out->u.in6, a->u.in6, 16);
	else if (a->family == AF_UNIX && a->u.unix_path)
		str_copy(out->u.unix_path, sizeof(out->u.unix_path), a->u.unix_path);
}

void model_sock_peer(struct model *m, struct msock *s, const struct nst_addr *a)
{
	maddr_set(m, &s->peer, a); /* AF_UNSPEC: no peer any more */
	if (a->family != AF_UNSPEC && is_inet(s->family) && !(s->local_known && s->local.port))
		s->local_known = false; /* connect picks the source address */
}

void model_sock_local(struct model *m, struct msock *s, const struct nst_addr *a, bool exact)
{
	maddr_set(m, &s->local, a);
	s->local_known = exact;
}

/* --- verdicts and events -------------------------------------------------- */

bool model_away(const struct model *m, const struct mproc *p, nsid_t ns)
{
	return nstab_surely_differ(&m->ns, ns, p->home);
}

bool model_sock_foreign(const struct model *m, const struct mproc *p, const struct msock *s)
{
	return nstab_differ(&m->ns, s->ns, p->home);
}

void model_event_begin(const struct model *m, const struct mthread *t, nsid_t at,
		       struct nst_event *ev)
{
	const struct mproc *p = t->p;

	ev->pid = p->pid;
	ev->tid = t->tid;
	memcpy(ev->comm, p->comm, sizeof(ev->comm));
	ev->fd = -1;
	ev->fd2 = -1;
	nstab_fill(&m->ns, at, &ev->thread_netns);
	nstab_fill(&m->ns, p->home, &ev->home_netns);
	if (model_away(m, p, at))
		ev->flags |= NST_EV_AWAY;
}

void model_event_sock(const struct model *m, const struct mproc *p, const struct msock *s,
		      struct nst_event *ev)
{
	struct nst_sock *o = &ev->sock;

	o->id = s->id;
	o->family = s->family;
	o->type = s->type;
	o->protocol = s->protocol;
	model_sock_addr(&s->local, &o->local);
	model_sock_addr(&s->peer, &o->peer);
	nstab_fill(&m->ns, s->ns, &o->netns);
	o->origin = (enum nst_ns_origin)s->origin;
	o->foreign = model_sock_foreign(m, p, s);
	ev->flags |= NST_EV_SOCK;
}

void model_event_ns_new(const struct model *m, const struct mproc *p, nsid_t ns,
			struct nst_event *ev)
{
	nstab_fill(&m->ns, ns, &ev->ns_new);
	ev->flags |= NST_EV_NS_CHANGE;
	if (model_away(m, p, ns))
		ev->flags |= NST_EV_NEW_AWAY;
}
