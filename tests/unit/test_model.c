/* test_model.c - the one model: fd tables and shared sockets, the fact API
 * (dup, fork, exec, clone, reuse), interned namespaces with placeholders,
 * and the syscall-name table. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "model/fdtab.h"
#include "model/idmap.h"
#include "model/model.h"
#include "model/nstab.h"
#include "model/sysent.h"
#include "tests/unit/unit.h"

static struct sockpool pool;

static struct msock *sock(nsid_t ns)
{
	struct msock *sk = sock_new(&pool);
	sk->ns = ns;
	return sk;
}

/* --- fd tables (the former test_fdtab.c) ---------------------------------- */

static void dup_shares_the_socket(void)
{
	struct fdtab *t = fdtab_new();
	struct msock *sk = sock(7);

	fdtab_set(&pool, t, 3, FD_SOCKET, sk, false);
	fdtab_dup(&pool, t, 3, 10, true);
	CHECK(fdtab_get(t, 10)->kind == FD_SOCKET && fdtab_get(t, 10)->sk == sk);
	CHECK(fdtab_get(t, 10)->cloexec == 1);
	CHECK(sk->refs == 2);
	CHECK(!fdtab_close(&pool, t, 3)); /* fd 10 still holds it */
	CHECK(sk->refs == 1 && fdtab_get(t, 10)->sk->ns == 7);
	CHECK(fdtab_close(&pool, t, 10)); /* the last fd: the socket is gone */
	fdtab_unref(&pool, t);
}

static void dup_of_unknown_clears_target(void)
{
	struct fdtab *t = fdtab_new();

	fdtab_set(&pool, t, 5, FD_SOCKET, sock(1), false);
	fdtab_dup(&pool, t, 4, 5, false); /* dup2(unknown, 5): 5 is no longer that socket */
	CHECK(fdtab_get(t, 5)->kind == FD_UNKNOWN && !fdtab_get(t, 5)->sk);
	fdtab_unref(&pool, t);
}

static void fork_copy_is_independent(void)
{
	struct fdtab *t = fdtab_new(), *c;

	fdtab_set(&pool, t, 3, FD_SOCKET, sock(9), false);
	c = fdtab_copy(&pool, t);
	fdtab_close(&pool, c, 3);
	CHECK(fdtab_get(t, 3)->kind == FD_SOCKET);
	CHECK(fdtab_get(c, 3)->kind == FD_UNKNOWN);
	fdtab_unref(&pool, c);
	fdtab_unref(&pool, t);
}

static void exec_drops_cloexec_only(void)
{
	struct fdtab *t = fdtab_new();

	fdtab_set(&pool, t, 3, FD_SOCKET, sock(1), true);
	fdtab_set(&pool, t, 4, FD_SOCKET, sock(2), false);
	fdtab_exec(&pool, t);
	CHECK(fdtab_get(t, 3)->kind == FD_UNKNOWN);
	CHECK(fdtab_get(t, 4)->kind == FD_SOCKET);
	fdtab_unref(&pool, t);
}

static void big_and_bad_fds(void)
{
	struct fdtab *t = fdtab_new();

	CHECK(fdtab_set(&pool, t, -1, FD_OTHER, NULL, false) < 0);
	CHECK(fdtab_set(&pool, t, 1 << 30, FD_OTHER, NULL, false) < 0);
	CHECK(fdtab_set(&pool, t, 5000, FD_OTHER, NULL, false) == 0);
	CHECK(fdtab_get(t, 5000)->kind == FD_OTHER);
	CHECK(fdtab_get(t, 1 << 30) == NULL);
	fdtab_close(&pool, t, 5000);
	CHECK(fdtab_get(t, 5000) == NULL); /* unknown again */
	fdtab_unref(&pool, t);
}

static void freed_sockets_are_recycled(void)
{
	struct fdtab *t = fdtab_new();
	struct msock *a = sock(1), *b;
	uint64_t id = a->id;

	fdtab_set(&pool, t, 3, FD_SOCKET, a, false);
	fdtab_close(&pool, t, 3);
	b = sock_new(&pool); /* steady state: the pool hands back the same object */
	CHECK(a == b);
	CHECK(b->id != id); /* ... with a new identity */
	sock_discard(&pool, b);
	fdtab_unref(&pool, t);
}

static void netns_fds_keep_their_namespace(void)
{
	struct fdtab *t = fdtab_new();

	CHECK(fdtab_set(&pool, t, 7, FD_NETNS, NULL, true) == 0);
	fdtab_get(t, 7)->ns = 42;
	CHECK(fdtab_get(t, 7)->kind == FD_NETNS && fdtab_get(t, 7)->ns == 42);
	fdtab_dup(&pool, t, 7, 9, false);
	CHECK(fdtab_get(t, 9)->kind == FD_NETNS && fdtab_get(t, 9)->ns == 42);
	fdtab_set(&pool, t, 9, FD_OTHER, NULL, false); /* a reused number forgets it */
	CHECK(fdtab_get(t, 9)->ns == 0);
	fdtab_exec(&pool, t); /* close-on-exec unknown for a learned fd: forgotten */
	CHECK(fdtab_get(t, 7)->kind == FD_UNKNOWN && fdtab_get(t, 9)->kind == FD_OTHER);
	fdtab_unref(&pool, t);
}

static void high_fds_are_sparse(void)
{
	struct fdtab *t = fdtab_new(), *c[100];
	struct msock *k = sock_new(&pool);
	size_t n;
	int *l;

	CHECK(fdtab_set(&pool, t, 65535, FD_SOCKET, k, false) == 0);
	CHECK(fdtab_set(&pool, t, 3, FD_OTHER, NULL, true) == 0);
	CHECK(fdtab_set(&pool, t, 4000, FD_OTHER, NULL, true) == 0);
	CHECK(t->cap <= FDTAB_DENSE && idmap_count(&t->high) == 2);
	for (int i = 0; i < 100; i++) { /* forks: each copy is its open fds */
		c[i] = fdtab_copy(&pool, t);
		CHECK(c[i] && c[i]->cap == 4 && idmap_count(&c[i]->high) == 2);
	}
	CHECK(k->refs == 101 && fdtab_get(c[7], 65535)->sk == k);
	l = fdtab_list(t, 0, 1 << 20, &n);
	CHECK(n == 3 && l[0] == 3 && l[1] == 4000 && l[2] == 65535);
	free(l);
	l = fdtab_list(t, 4, 65534, &n);
	CHECK(n == 1 && l[0] == 4000);
	free(l);
	fdtab_dup(&pool, t, 65535, 70000, true);
	CHECK(fdtab_get(t, 70000)->sk == k && k->refs == 102);
	fdtab_exec(&pool, t); /* 3, 4000 and 70000 are close-on-exec */
	CHECK(!fdtab_get(t, 4000) && !fdtab_get(t, 70000) && fdtab_get(t, 65535)->sk == k);
	CHECK(!fdtab_close(&pool, t, 65535) && fdtab_get(t, 65535) == NULL);
	for (int i = 0; i < 100; i++)
		fdtab_unref(&pool, c[i]);
	fdtab_unref(&pool, t); /* the last reference went with the copies */
	CHECK(pool.free == k);
}

/* --- the fact API ---------------------------------------------------------- */

struct world {
	struct model m;
	nsid_t home, ctr;
	struct mthread *t; /* pid 100, at home */
};

static void world_up(struct world *w)
{
	model_init(&w->m, NULL);
	w->home = nstab_ino(&w->m.ns, 4026531833u);
	w->ctr = nstab_ino(&w->m.ns, 4026532281u);
	w->t = model_task_new(&w->m, 100, 100, NULL, w->home);
}

static void facts_dup_shares_the_socket(void)
{
	struct world w;
	struct msock *s;
	struct nst_addr up = { .family = AF_INET, .port = 53, .u.in4 = { 198, 51, 100, 53 } };

	world_up(&w);
	/* socket()=3 in the container's netns; dup(3)=4; connect(4); write(3) */
	s = model_socket(&w.m, w.t->p, 3, AF_INET, SOCK_DGRAM, 0, w.ctr, NST_NS_CREATED, false);
	model_dup(&w.m, w.t->p, 3, 4, false);
	model_sock_peer(&w.m, model_fd(w.t->p, 4)->sk, &up);
	CHECK(model_fd(w.t->p, 3)->sk == s && model_fd(w.t->p, 4)->sk == s);
	CHECK(s->peer.port == 53); /* the write on fd 3 sees the peer */
	CHECK(model_sock_foreign(&w.m, w.t->p, s));
	CHECK(!model_close(&w.m, w.t->p, 3) && model_close(&w.m, w.t->p, 4));
	model_destroy(&w.m);
}

static void facts_fork_copies_the_table(void)
{
	struct world w;
	struct mthread *child, *thr;
	struct msock *s;

	world_up(&w);
	s = model_socket(&w.m, w.t->p, 3, AF_INET, SOCK_DGRAM, 0, w.home, NST_NS_CREATED, false);
	child = model_clone(&w.m, w.t, 101, 0, w.home); /* fork */
	thr = model_clone(&w.m, w.t, 102, CLONE_THREAD | CLONE_FILES, w.home);
	CHECK(child && child->p != w.t->p && child->p->pid == 101 && child->p->fds != w.t->p->fds);
	CHECK(thr && thr->p == w.t->p);
	CHECK(model_fd(child->p, 3)->sk == s && s->refs == 2); /* one socket, two tables */
	model_close(&w.m, child->p, 3);
	CHECK(model_fd(w.t->p, 3)->sk == s); /* the parent's fd is untouched */
	CHECK(model_fd(child->p, 3) && model_fd(child->p, 3)->kind == FD_UNKNOWN);
	/* CLONE_FILES without CLONE_THREAD: one table for two processes */
	struct mthread *sib = model_clone(&w.m, w.t, 103, CLONE_FILES, w.home);
	CHECK(sib && sib->p->fds == w.t->p->fds);
	model_destroy(&w.m);
}

static void facts_exec_drops_cloexec_and_threads(void)
{
	struct world w;
	struct mthread *thr;

	world_up(&w);
	model_socket(&w.m, w.t->p, 3, AF_INET, SOCK_DGRAM, 0, w.home, NST_NS_CREATED, true);
	model_socket(&w.m, w.t->p, 4, AF_INET, SOCK_DGRAM, 0, w.home, NST_NS_CREATED, false);
	thr = model_clone(&w.m, w.t, 102, CLONE_THREAD | CLONE_FILES, w.ctr);
	model_exec(&w.m, thr, 100); /* a non-leader execs: it becomes the leader */
	CHECK(model_thread(&w.m, 102) == NULL && model_thread(&w.m, 100) == thr);
	CHECK(thr->tid == 100 && thr->p->nthreads == 1);
	CHECK(model_fd(thr->p, 3)->kind == FD_UNKNOWN && model_fd(thr->p, 4)->kind == FD_SOCKET);
	CHECK(thr->p->home == w.ctr); /* at home where the new program starts */
	model_destroy(&w.m);
}

static void facts_reused_fd_is_a_new_object(void)
{
	struct world w;
	struct msock *a, *b;
	uint64_t id;

	world_up(&w);
	a = model_socket(&w.m, w.t->p, 5, AF_INET, SOCK_DGRAM, 0, w.home, NST_NS_CREATED, false);
	id = a->id;
	CHECK(model_close(&w.m, w.t->p, 5));
	b = model_socket(&w.m, w.t->p, 5, AF_INET, SOCK_DGRAM, 0, w.ctr, NST_NS_CREATED, false);
	CHECK(b->id != id && b->ns == w.ctr);
	CHECK(model_sock_foreign(&w.m, w.t->p, b));
	/* socket() over a live fd replaces it too */
	struct msock *c = model_socket(&w.m, w.t->p, 5, AF_INET, SOCK_DGRAM, 0, w.home, NST_NS_CREATED, false);
	CHECK(c->id != b->id && !model_sock_foreign(&w.m, w.t->p, c));
	model_destroy(&w.m);
}

static void facts_sockets_by_inode_are_one(void)
{
	struct world w;
	struct msock *a;

	world_up(&w);
	/* fds 3 and 9 reach one kernel socket from before the trace */
	a = model_socket(&w.m, w.t->p, 3, AF_INET, SOCK_DGRAM, 0, w.ctr, NST_NS_QUERIED, true);
	model_sock_set_ino(&w.m, a, 11053);
	CHECK(model_sock_by_ino(&w.m, 11053) == a);
	CHECK(model_fd_socket(&w.m, w.t->p, 9, a, true) == 0 && a->refs == 2);
	model_close(&w.m, w.t->p, 3);
	model_close(&w.m, w.t->p, 9);
	CHECK(model_sock_by_ino(&w.m, 11053) == NULL); /* gone with its last fd */
	model_destroy(&w.m);
}

static void facts_accepted_socket_is_the_listeners(void)
{
	struct world w;
	struct msock *l, *a;
	struct nst_addr addr = { .family = AF_INET, .port = 8053, .u.in4 = { 198, 51, 100, 2 } };

	world_up(&w);
	l = model_socket(&w.m, w.t->p, 3, AF_INET, SOCK_STREAM, 6, w.ctr, NST_NS_CREATED, false);
	model_sock_local(&w.m, l, &addr, true);
	/* accepted by a thread that went home meanwhile */
	a = model_accept(&w.m, w.t->p, 4, l, w.home, true);
	CHECK(a && a->ns == w.ctr && a->type == SOCK_STREAM && a->protocol == 6);
	CHECK(a->local.port == 8053 && a->local_known && model_fd(w.t->p, 4)->cloexec);
	CHECK(a->id != l->id && model_sock_foreign(&w.m, w.t->p, a));
	a = model_accept(&w.m, w.t->p, 5, NULL, w.home, false); /* listener unknown */
	CHECK(a && a->ns == w.home && a->family == AF_UNSPEC);
	model_destroy(&w.m);
}

static void facts_events_read_off_the_model(void)
{
	struct world w;
	struct nst_event ev;
	struct msock *s;

	world_up(&w);
	model_enter_ns(w.t, w.ctr); /* setns(ctr) */
	s = model_socket(&w.m, w.t->p, 3, AF_INET, SOCK_DGRAM, 0, w.t->ns, NST_NS_CREATED, false);
	memset(&ev, 0, sizeof(ev));
	model_event_begin(&w.m, w.t, w.t->ns, &ev);
	CHECK(ev.pid == 100 && ev.tid == 100 && ev.fd == -1 && (ev.flags & NST_EV_AWAY));
	CHECK(ev.thread_netns.ino == 4026532281u && ev.home_netns.ino == 4026531833u);
	model_event_sock(&w.m, w.t->p, s, &ev);
	CHECK((ev.flags & NST_EV_SOCK) && ev.sock.id == s->id && ev.sock.foreign);
	CHECK(ev.sock.netns.ino == 4026532281u && ev.sock.origin == NST_NS_CREATED);
	model_enter_ns(w.t, w.home); /* setns(home): the socket stays where it was made */
	memset(&ev, 0, sizeof(ev));
	model_event_begin(&w.m, w.t, w.t->ns, &ev);
	model_event_sock(&w.m, w.t->p, s, &ev);
	CHECK(!(ev.flags & NST_EV_AWAY) && ev.sock.foreign);
	model_destroy(&w.m);
}

/* --- namespaces ------------------------------------------------------------ */

static void nstab_interns_each_identity_once(void)
{
	struct nstab t;
	nsid_t a, b, p, l;

	nstab_init(&t);
	a = nstab_ino(&t, 4026531833u);
	CHECK(a && nstab_ino(&t, 4026531833u) == a && nstab_ino(&t, 0) == 0);
	p = nstab_path(&t, "/run/docker/netns/x");
	CHECK(p && p != a && nstab_path(&t, "/run/docker/netns/x") == p);
	l = nstab_label(&t, "setns fd 14 of pid 7041");
	CHECK(l && l != p && nstab_label(&t, "setns fd 14 of pid 7041") == l);
	CHECK(nstab_label(&t, "/run/docker/netns/x") != p); /* a label is not a path */
	b = nstab_ino(&t, 4026532281u);
	nstab_learn_path(&t, b, "/run/netns/ctr");
	nstab_learn_path(&t, b, "/run/netns/other"); /* the first one wins */
	struct nst_ns ns;
	nstab_fill(&t, b, &ns);
	CHECK(ns.ino == 4026532281u && ns.path && !strcmp(ns.path, "/run/netns/ctr") && !ns.label);
	nstab_fill(&t, l, &ns);
	CHECK(!ns.ino && !ns.path && ns.label && !strcmp(ns.label, "setns fd 14 of pid 7041"));
	nstab_free(&t);
}

static void placeholders_resolve_to_what_is_learned(void)
{
	struct nstab t;
	nsid_t start, home, other;
	struct nst_ns ns;

	nstab_init(&t);
	start = nstab_placeholder(&t);
	home = nstab_label(&t, "setns fd 14 of pid 1");
	other = nstab_label(&t, "setns fd 38 of pid 1");
	CHECK(nstab_differ(&t, start, home));
	nstab_fill(&t, start, &ns);
	CHECK(!ns.ino && !ns.path && !ns.label); /* nothing known: unknown */
	nstab_alias(&t, start, home);
	CHECK(!nstab_differ(&t, start, home) && nstab_differ(&t, start, other));
	nstab_fill(&t, start, &ns);
	CHECK(ns.label && !strcmp(ns.label, "setns fd 14 of pid 1"));
	nstab_alias(&t, start, other); /* a better vote re-points it */
	CHECK(!nstab_differ(&t, start, other));
	nstab_alias(&t, home, other); /* only placeholders alias */
	CHECK(nstab_differ(&t, home, other));
	CHECK(!nstab_differ(&t, 0, home)); /* unknown is never "different" */
	nstab_free(&t);
}

static void only_known_differences_are_sure(void)
{
	struct nstab t;
	nsid_t start, label, fresh;

	nstab_init(&t);
	start = nstab_placeholder(&t);
	label = nstab_label(&t, "setns fd 14 of pid 1");
	fresh = nstab_fresh(&t, "new netns of tid 9, line 3");
	/* a log that starts mid-pattern: the first setns may be the way home */
	CHECK(nstab_differ(&t, start, label) && !nstab_surely_differ(&t, start, label));
	CHECK(nstab_surely_differ(&t, start, fresh)); /* new is new */
	CHECK(nstab_surely_differ(&t, label, fresh));
	nstab_alias(&t, start, label); /* the home vote: now it is known */
	CHECK(!nstab_surely_differ(&t, start, label) && nstab_surely_differ(&t, start, fresh));
	nstab_free(&t);
}

/* --- tables ---------------------------------------------------------------- */

static void sysent_is_sorted_and_found(void)
{
	for (int i = 2; i < SEN_COUNT; i++)
		CHECK(strcmp(sysent[i - 1].name, sysent[i].name) < 0);
	for (int i = 1; i < SEN_COUNT; i++)
		CHECK(sysent_find(sysent[i].name, strlen(sysent[i].name)) == (enum nst_sen)i);
	CHECK(sysent_find("sendto", 6) == SEN_sendto && sysent[SEN_sendto].op == NST_OP_SEND &&
	      sysent[SEN_sendto].dir == NST_DIR_OUT);
	CHECK(sysent_find("setns", 5) == SEN_setns && sysent[SEN_setns].op == NST_OP_SETNS &&
	      sysent[SEN_setns].dir == NST_DIR_NONE); /* not a send, whatever its letters */
	CHECK(sysent_find("send", 4) == SEN_send && sysent_find("sen", 3) == SEN_UNKNOWN);
	CHECK(sysent_find("futex", 5) == SEN_UNKNOWN && sysent[SEN_UNKNOWN].op == NST_OP_OTHER);
	CHECK(sysent_find("readv", 4) == SEN_read); /* n bytes of the name */
}

static void idmap_survives_churn(void)
{
	struct idmap m = { 0 };
	static int v[5000];

	for (int i = 0; i < 5000; i++)
		CHECK(idmap_put(&m, (uint64_t)i * 7919, &v[i]) == 0);
	for (int i = 0; i < 5000; i += 2)
		idmap_del(&m, (uint64_t)i * 7919);
	CHECK(idmap_count(&m) == 2500);
	for (int i = 0; i < 5000; i++)
		CHECK(idmap_get(&m, (uint64_t)i * 7919) == (i % 2 ? &v[i] : NULL));
	idmap_del(&m, 12345); /* absent: nothing happens */
	size_t cur = 0, n = 0;
	while (idmap_next(&m, &cur))
		n++;
	CHECK(n == 2500);
	idmap_free(&m);
}

int main(void)
{
	RUN(dup_shares_the_socket, "dup'd fds share one socket object and its netns; the last close says so");
	RUN(dup_of_unknown_clears_target, "dup2 from an unknown fd forgets what the target was");
	RUN(fork_copy_is_independent, "a fork's fd table is a copy, not an alias");
	RUN(exec_drops_cloexec_only, "exec drops close-on-exec fds and keeps the rest");
	RUN(big_and_bad_fds, "negative and absurd fds are refused; the table grows on demand");
	RUN(freed_sockets_are_recycled, "socket objects come back from the free list, with a new id");
	RUN(high_fds_are_sparse, "fds past the dense array cost one entry each: a fork copies open fds, not the highest one");
	RUN(netns_fds_keep_their_namespace, "a learned netns fd keeps its namespace through dup, not past reuse or exec");
	RUN(facts_dup_shares_the_socket, "facts: socket=3, dup(3)=4, connect(4): fd 3 has the peer too");
	RUN(facts_fork_copies_the_table, "facts: fork copies the table (sockets shared), threads and CLONE_FILES share it");
	RUN(facts_exec_drops_cloexec_and_threads, "facts: exec drops CLOEXEC fds and the other threads, retids, resets home");
	RUN(facts_reused_fd_is_a_new_object, "facts: a reused fd number is a new socket with a new id and netns");
	RUN(facts_sockets_by_inode_are_one, "facts: fds that reach one kernel socket share one object");
	RUN(facts_accepted_socket_is_the_listeners, "facts: an accepted socket has its listener's netns and address, not the caller's");
	RUN(facts_events_read_off_the_model, "facts: events carry the thread's and the socket's netns and verdicts");
	RUN(nstab_interns_each_identity_once, "namespaces: inode, path and label each intern once; paths learned late");
	RUN(placeholders_resolve_to_what_is_learned, "namespaces: a placeholder stands for what it is learned to be");
	RUN(only_known_differences_are_sure, "namespaces: a placeholder is surely different only from a new namespace");
	RUN(sysent_is_sorted_and_found, "syscall names: sorted, every one found, op and direction from the table");
	RUN(idmap_survives_churn, "idmap: 5000 keys in, half out, the rest still found");
	sockpool_free(&pool);
	return UNIT_DONE();
}
