/* strace_model.c - namespaces, processes, threads and sockets of a strace
 * log, see strace_model.h. */
#define _GNU_SOURCE
#include "import/strace_model.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/parse.h"

/* --- namespaces ----------------------------------------------------------- */

int si_ns_intern(struct strace_import *s, uint64_t ino, const char *path, const char *label)
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

void si_fill_ns(struct strace_import *s, struct iproc *p, int ns, struct nst_ns *out)
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

bool si_at_home(const struct iproc *p, int ns)
{
	return ns == NS_HOME || (p->home >= 0 && ns == p->home);
}

/* A thread made sockets in one namespace and then switched to another:
 * that other one is home (dockerd's setns-back). */
void si_vote_home(struct iproc *p, int ns)
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

struct iproc *si_proc_new(struct strace_import *s, int pid)
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

void si_proc_free_fds(struct iproc *p)
{
	for (int i = 0; i < p->cap; i++)
		free(p->fds[i]);
	free(p->fds);
	p->fds = NULL;
	p->cap = 0;
}

struct ithread *si_thread_get(struct strace_import *s, int tid, bool create)
{
	struct ithread *t;
	unsigned b = (unsigned)tid % NBUCKETS;

	for (t = s->buckets[b]; t; t = t->next)
		if (t->tid == tid)
			return t;
	if (!create)
		return NULL;
	if (!s->deflt && !(s->deflt = si_proc_new(s, tid)))
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

void si_thread_exit(struct strace_import *s, int tid)
{
	unsigned b = (unsigned)tid % NBUCKETS;

	for (struct ithread **pp = &s->buckets[b]; *pp; pp = &(*pp)->next) {
		struct ithread *t = *pp;
		if (t->tid != tid)
			continue;
		*pp = t->next;
		if (--t->p->nthreads == 0)
			si_proc_free_fds(t->p); /* the process is gone: so are its sockets */
		free(t->pend);
		free(t);
		return;
	}
}

struct isock *si_sock_at(struct iproc *p, int fd)
{
	return fd >= 0 && fd < p->cap ? p->fds[fd] : NULL;
}

struct isock *si_sock_put(struct iproc *p, int fd)
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

void si_sock_drop(struct iproc *p, int fd)
{
	if (fd >= 0 && fd < p->cap) {
		free(p->fds[fd]);
		p->fds[fd] = NULL;
	}
}

/* The socket behind an fd argument, learning from its -y/-yy note.
 * must: the syscall only works on sockets, so create state if unknown. */
struct isock *si_sock_for(struct iproc *p, struct span arg, int *fd, bool must)
{
	struct fd_note note;
	struct isock *k;

	*fd = strace_fd(arg, &note);
	if (*fd < 0)
		return NULL;
	k = si_sock_at(p, *fd);
	if (!k && (must || note.kind == NOTE_SOCKET))
		k = si_sock_put(p, *fd);
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
