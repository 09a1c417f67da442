/* strace_ns.c - what only a strace log needs on top of the model: threads
 * met without their clone line, namespaces known only by label, and the
 * vote that says which namespace is a process's home.  See strace_int.h. */
#define _GNU_SOURCE
#include "import/strace_int.h"

#include <stdio.h>
#include <stdlib.h>

static void thread_gone(struct mthread *t, void *ctx)
{
	free(ithread_of(t)->pend);
	ithread_of(t)->pend = NULL;
	model_sock_release(ctx, ithread_close_take(ithread_of(t))); /* gone inside its close() */
}

void si_model_cfg(struct model_cfg *cfg, struct model *m)
{
	cfg->thread_priv = sizeof(struct ithread);
	cfg->proc_priv = sizeof(struct iproc);
	cfg->thread_gone = thread_gone;
	cfg->proc_gone = NULL;
	cfg->ctx = m;
}

void si_proc_born(struct mproc *p, nsid_t ns)
{
	iproc_of(p)->start = ns;
}

bool si_announced(const struct strace_import *s, pid_t tid)
{
	for (unsigned i = 0; i < ANNOUNCED && i < s->nannounced; i++)
		if (s->announced[i] == tid)
			return true;
	return false;
}

void si_child(struct strace_import *s, struct mthread *parent, pid_t child)
{
	if (parent->tid == 0 && !s->first_pid && (!s->first_child || child < s->first_child))
		s->first_child = child;
}

struct mthread *si_thread(struct strace_import *s, pid_t tid)
{
	struct mthread *t = model_thread(&s->m, tid);
	struct mproc *p;

	if (t)
		return t;
	if (!s->have_first) {
		/* Where the log's first process runs is not known: a
		 * placeholder, its home until the vote says what it is. */
		nsid_t start = nstab_placeholder(&s->m.ns);
		t = model_task_new(&s->m, tid, tid, NULL, start);
		if (!t)
			return NULL;
		s->have_first = true;
		s->first_pid = tid;
		si_proc_born(t->p, start);
		snprintf(t->p->comm, sizeof(t->p->comm), "?");
		return t;
	}
	p = model_proc(&s->m, s->first_pid);
	if (!p) /* the first process is gone: this one is a process of its own */
		return model_task_new(&s->m, tid, tid, NULL, nstab_placeholder(&s->m.ns));
	struct mthread *leader = model_thread(&s->m, p->pid);
	if (leader && si_announced(s, tid)) {
		/* strace said it attached tid and the log has no clone line
		 * (strace -e): a child, made as a fork makes one. */
		if ((t = model_clone(&s->m, leader, tid, 0, iproc_of(p)->start)))
			si_proc_born(t->p, iproc_of(p)->start);
		return t;
	}
	return model_task_new(&s->m, tid, p->pid, NULL, iproc_of(p)->start);
}

/* The process's home is the best-voted namespace.  Where its threads
 * start is the same namespace (they start at home), so a placeholder start
 * is aliased to it: sockets made there are at home too. */
void si_vote_home(struct strace_import *s, struct mproc *p, nsid_t ns)
{
	struct iproc *ip = iproc_of(p);
	int best = 0;

	for (int i = 0; i < MAX_VOTES; i++) {
		if (ip->votes[i].count && ip->votes[i].ns != ns)
			continue;
		ip->votes[i].ns = ns;
		ip->votes[i].count++;
		break;
	}
	for (int i = 1; i < MAX_VOTES; i++)
		if (ip->votes[i].count > ip->votes[best].count)
			best = i;
	if (!ip->votes[best].count)
		return;
	ns = ip->votes[best].ns;
	if (nstab_get(&s->m.ns, ip->start) && nstab_get(&s->m.ns, ip->start)->placeholder) {
		nstab_alias(&s->m.ns, ip->start, ns);
		model_set_home(p, ip->start);
	} else {
		model_set_home(p, ns);
	}
}

nsid_t si_ns_label(struct strace_import *s, pid_t pid, int fd)
{
	char label[64];

	snprintf(label, sizeof(label), "setns fd %d of pid %d", fd, pid);
	return nstab_label(&s->m.ns, label);
}

nsid_t si_ns_fresh(struct strace_import *s, pid_t tid)
{
	char label[64];

	snprintf(label, sizeof(label), "new netns of tid %d, line %lu", tid, s->lineno);
	return nstab_fresh(&s->m.ns, label);
}
