/* nsthreads.c - see nsthreads.h. */
#include "analyzers/nsthreads.h"

#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 1024

struct tstate { /* a thread that entered a foreign netns */
	bool used;
	int tid, pid;
	char comm[NST_COMM_LEN];
	struct ns_ref ns, home;
	unsigned long calls;
	uint64_t since;
	bool sibling_home; /* another thread of its process was seen at home since */
};

struct ns_threads {
	struct tstate th[MAX_THREADS];
	size_t thi; /* slots at and above this are free: scans stop there */
	size_t n;   /* slots used: most events need no scan at all */
};

struct ns_threads *nsthreads_new(void)
{
	return calloc(1, sizeof(struct ns_threads));
}

void nsthreads_free(struct ns_threads *t)
{
	free(t);
}

static struct tstate *tstate_for(struct ns_threads *a, int tid, bool create)
{
	struct tstate *free_slot = NULL;

	for (size_t i = 0; i < a->thi; i++) {
		if (a->th[i].used && a->th[i].tid == tid)
			return &a->th[i];
		if (!a->th[i].used && !free_slot)
			free_slot = &a->th[i];
	}
	if (!create)
		return NULL;
	if (!free_slot && a->thi < MAX_THREADS)
		free_slot = &a->th[a->thi++];
	return free_slot;
}

/* Setting up sockets in a namespace is why a thread goes there. */
static bool is_setup_call(enum nst_op op)
{
	switch (op) {
	case NST_OP_SOCKET: case NST_OP_CONNECT: case NST_OP_BIND: case NST_OP_GETSOCKNAME:
	case NST_OP_GETPEERNAME: case NST_OP_LISTEN: case NST_OP_SETNS: case NST_OP_CLOSE:
		return true;
	default:
		return false;
	}
}

/* t (NULL: none) is no longer followed; scans stop below the free top. */
static void release(struct ns_threads *a, struct tstate *t)
{
	if (t && t->used) {
		t->used = false;
		a->n--;
	}
	while (a->thi && !a->th[a->thi - 1].used)
		a->thi--;
}

/* ev's thread is at its process's home: each sibling away has stayed away
 * while another thread of the process did not (the LockOSThread pattern). */
static void siblings_seen(struct ns_threads *a, const struct nst_event *ev)
{
	for (size_t i = 0; i < a->thi; i++) {
		struct tstate *u = &a->th[i];
		if (u->used && u->pid == ev->pid && u->tid != ev->tid && ns_ref_known(&u->home) &&
		    ns_ref_is(&u->home, &ev->thread_netns))
			u->sibling_home = true;
	}
}

void nsthreads_feed(struct ns_threads *a, const struct nst_event *ev)
{
	struct tstate *t;

	if ((ev->flags & NST_EV_NS_CHANGE) && ev->ret == 0 &&
	    (ev->op == NST_OP_SETNS || ev->op == NST_OP_UNSHARE)) {
		bool away = ev->flags & NST_EV_NEW_AWAY;
		t = tstate_for(a, ev->tid, away);
		if (!away) {
			release(a, t);
			return;
		}
		if (!t)
			return;
		if (!t->used)
			a->n++;
		memset(t, 0, sizeof(*t));
		t->used = true;
		t->tid = ev->tid;
		t->pid = ev->pid;
		memcpy(t->comm, ev->comm, sizeof(t->comm));
		ns_ref_from(&t->ns, &ev->ns_new);
		ns_ref_from(&t->home, &ev->home_netns);
		t->since = ev->ts_us;
		return;
	}
	if (!a->n)
		return;
	siblings_seen(a, ev);
	t = tstate_for(a, ev->tid, false);
	if (!t)
		return;
	/* Its process's home is that netns now: it exec'd there (ip netns
	 * exec, nsenter, runc init), so it moved, and nothing is stuck. */
	if (ns_ref_known(&t->ns) && ns_ref_is(&t->ns, &ev->home_netns)) {
		release(a, t);
		return;
	}
	if (!ns_ref_is(&t->ns, &ev->thread_netns))
		return;
	/* Setting up sockets in that namespace is why it went there;
	 * anything else means it forgot to come back. */
	if (is_setup_call(ev->op) && (!(ev->flags & NST_EV_SOCK) || ns_ref_is(&t->ns, &ev->sock.netns)))
		return;
	t->calls++;
}

void nsthreads_finish(const struct ns_threads *a, struct findings *fs, uint64_t end_ts)
{
	for (size_t i = 0; i < a->thi; i++) {
		const struct tstate *t = &a->th[i];
		struct finding f;
		if (!t->used || !t->sibling_home)
			continue; /* a process wholly elsewhere chose to be there */
		memset(&f, 0, sizeof(f));
		f.pid = t->pid;
		f.tid = t->tid;
		memcpy(f.comm, t->comm, sizeof(f.comm));
		f.netns = t->ns;
		f.home = t->home;
		f.rcode = -1;
		f.first_ts = t->since;
		f.last_ts = end_ts;
		f.extra = t->calls;
		findings_offer(fs, SUBJECT_THREAD, &f);
	}
}
