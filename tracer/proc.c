/* proc.c - thread and process tables, see proc.h. */
#define _GNU_SOURCE
#include "tracer/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "tracer/netns.h"
#include "tracer/stack.h"
#include "tracer/symbols.h"

/* Open addressing with linear probing and backward-shift deletion. */
static struct thread **slots;
static size_t nslots, nthreads;

struct proc_node {
	struct proc p;
	struct proc_node *next;
};
static struct proc_node *procs;

static size_t slot_of(pid_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (nslots - 1);
}

struct thread *thread_find(pid_t tid)
{
	size_t i;

	if (!nslots)
		return NULL;
	for (i = slot_of(tid); slots[i]; i = (i + 1) & (nslots - 1))
		if (slots[i]->tid == tid)
			return slots[i];
	return NULL;
}

static void insert_slot(struct thread *t)
{
	size_t i;

	for (i = slot_of(t->tid); slots[i]; i = (i + 1) & (nslots - 1))
		;
	slots[i] = t;
}

static int grow(void)
{
	struct thread **old = slots;
	size_t oldn = nslots, i;

	nslots = nslots ? nslots * 2 : 256;
	slots = calloc(nslots, sizeof(*slots));
	if (!slots) {
		slots = old;
		nslots = oldn;
		return -ENOMEM;
	}
	for (i = 0; i < oldn; i++)
		if (old[i])
			insert_slot(old[i]);
	free(old);
	return 0;
}

static void delete_slot(struct thread *t)
{
	size_t i, j, k;

	for (i = slot_of(t->tid); slots[i] != t; i = (i + 1) & (nslots - 1))
		;
	slots[i] = NULL;
	/* Shift back entries whose probe sequence passed through slot i. */
	for (j = (i + 1) & (nslots - 1); slots[j]; j = (j + 1) & (nslots - 1)) {
		k = slot_of(slots[j]->tid);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			slots[i] = slots[j];
			slots[j] = NULL;
			i = j;
		}
	}
}

struct proc *proc_find(pid_t pid)
{
	struct proc_node *n;

	for (n = procs; n; n = n->next)
		if (n->p.pid == pid)
			return &n->p;
	return NULL;
}

void proc_read_comm(struct proc *p)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", p->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, p->comm, sizeof(p->comm) - 1);
	close(fd);
	if (n <= 0)
		n = 0;
	if (n > 0 && p->comm[n - 1] == '\n')
		n--;
	p->comm[n] = '\0';
}

int proc_pidfd(struct proc *p)
{
	if (p->pidfd < 0) {
		p->pidfd = pidfd_open(p->pid, 0);
		if (p->pidfd < 0)
			return -errno;
	}
	return p->pidfd;
}

static struct proc *proc_new(pid_t pid, struct fdtab *fds)
{
	struct proc_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->p.pid = pid;
	n->p.pidfd = -1;
	n->p.fds = fds;
	proc_read_comm(&n->p);
	n->next = procs;
	procs = n;
	return &n->p;
}

static void proc_free(struct proc *p)
{
	struct proc_node **pp;

	for (pp = &procs; *pp; pp = &(*pp)->next) {
		if (&(*pp)->p == p) {
			struct proc_node *n = *pp;
			*pp = n->next;
			if (p->pidfd >= 0)
				close(p->pidfd);
			sym_proc_free(p->syms);
			fdtab_unref(p->fds);
			free(n);
			return;
		}
	}
}

struct thread *thread_add(pid_t tid, struct proc *p, struct fdtab *fds)
{
	struct thread *t;

	if ((nthreads + 1) * 2 > nslots && grow() < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (!p) {
		p = proc_new(tid, fds);
		if (!p) {
			free(t);
			return NULL;
		}
	}
	t->tid = tid;
	t->p = p;
	if (netns_of_task(tid, &t->netns) < 0)
		t->netns = 0;
	if (!p->home_netns && p->pid == tid)
		p->home_netns = t->netns;
	p->nthreads++;
	insert_slot(t);
	nthreads++;
	return t;
}

void thread_remove(struct thread *t)
{
	struct proc *p = t->p;

	delete_slot(t);
	nthreads--;
	stack_thread_free(&t->unwind);
	free(t);
	if (--p->nthreads == 0)
		proc_free(p);
}

void thread_retid(struct thread *t, pid_t new_tid)
{
	stack_thread_free(&t->unwind); /* it names the old tid */
	delete_slot(t);
	t->tid = new_tid;
	insert_slot(t);
}

struct thread *thread_next(size_t *cursor)
{
	while (*cursor < nslots) {
		struct thread *t = slots[(*cursor)++];
		if (t)
			return t;
	}
	return NULL;
}

size_t thread_count(void)
{
	return nthreads;
}

void proc_cleanup(void)
{
	size_t i;

	for (i = 0; i < nslots; i++) {
		if (slots[i]) {
			struct thread *t = slots[i];
			slots[i] = NULL;
			if (--t->p->nthreads == 0)
				proc_free(t->p);
			stack_thread_free(&t->unwind);
			free(t);
		}
	}
	free(slots);
	slots = NULL;
	nslots = nthreads = 0;
}
