/* test_fdtab.c - fd table bookkeeping: dup, close, fork copies, exec. */
#include <stdbool.h>

#include "tracer/fdtab.h"
#include "tests/unit/unit.h"

static struct sock_obj *sock(uint64_t ns)
{
	struct sock_obj *sk = sock_new();
	sk->s.netns.ino = ns;
	return sk;
}

static void dup_shares_the_socket(void)
{
	struct fdtab *t = fdtab_new();
	struct sock_obj *sk = sock(7);

	fdtab_set(t, 3, FD_SOCKET, sk, false);
	fdtab_dup(t, 3, 10, true);
	CHECK(fdtab_get(t, 10)->kind == FD_SOCKET && fdtab_get(t, 10)->sk == sk);
	CHECK(fdtab_get(t, 10)->cloexec == 1);
	CHECK(sk->refs == 2);
	fdtab_close(t, 3);
	CHECK(sk->refs == 1 && fdtab_get(t, 10)->sk->s.netns.ino == 7);
	fdtab_unref(t);
}

static void dup_of_unknown_clears_target(void)
{
	struct fdtab *t = fdtab_new();

	fdtab_set(t, 5, FD_SOCKET, sock(1), false);
	fdtab_dup(t, 4, 5, false); /* dup2(unknown, 5): 5 is no longer that socket */
	CHECK(fdtab_get(t, 5)->kind == FD_UNKNOWN && !fdtab_get(t, 5)->sk);
	fdtab_unref(t);
}

static void fork_copy_is_independent(void)
{
	struct fdtab *t = fdtab_new(), *c;

	fdtab_set(t, 3, FD_SOCKET, sock(9), false);
	c = fdtab_copy(t);
	fdtab_close(c, 3);
	CHECK(fdtab_get(t, 3)->kind == FD_SOCKET);
	CHECK(fdtab_get(c, 3)->kind == FD_UNKNOWN);
	fdtab_unref(c);
	fdtab_unref(t);
}

static void exec_drops_cloexec_only(void)
{
	struct fdtab *t = fdtab_new();

	fdtab_set(t, 3, FD_SOCKET, sock(1), true);
	fdtab_set(t, 4, FD_SOCKET, sock(2), false);
	fdtab_exec(t);
	CHECK(fdtab_get(t, 3)->kind == FD_UNKNOWN);
	CHECK(fdtab_get(t, 4)->kind == FD_SOCKET);
	fdtab_unref(t);
}

static void big_and_bad_fds(void)
{
	struct fdtab *t = fdtab_new();

	CHECK(fdtab_set(t, -1, FD_OTHER, NULL, false) < 0);
	CHECK(fdtab_set(t, 1 << 30, FD_OTHER, NULL, false) < 0);
	CHECK(fdtab_set(t, 5000, FD_OTHER, NULL, false) == 0);
	CHECK(fdtab_get(t, 5000)->kind == FD_OTHER);
	CHECK(fdtab_get(t, 1 << 30) == NULL);
	fdtab_close_range(t, 0, ~0u);
	CHECK(fdtab_get(t, 5000)->kind == FD_UNKNOWN);
	fdtab_unref(t);
}

static void freed_sockets_are_recycled(void)
{
	struct fdtab *t = fdtab_new();
	struct sock_obj *a = sock(1), *b;

	fdtab_set(t, 3, FD_SOCKET, a, false);
	fdtab_close(t, 3);
	b = sock_new(); /* steady state: the pool hands back the same object */
	CHECK(a == b);
	b->refs = 1;
	sock_unref(b);
	fdtab_unref(t);
	sock_pool_cleanup();
}

static void netns_fds_keep_their_inode(void)
{
	struct fdtab *t = fdtab_new();

	CHECK(fdtab_set_netns(t, 7, 4026532177u) == 0);
	CHECK(fdtab_get(t, 7)->kind == FD_NETNS && fdtab_get(t, 7)->netns == 4026532177u);
	fdtab_dup(t, 7, 9, false);
	CHECK(fdtab_get(t, 9)->kind == FD_NETNS && fdtab_get(t, 9)->netns == 4026532177u);
	fdtab_set(t, 9, FD_OTHER, NULL, false); /* a reused number forgets the inode */
	CHECK(fdtab_get(t, 9)->netns == 0);
	fdtab_exec(t); /* close-on-exec unknown for a learned fd: forgotten */
	CHECK(fdtab_get(t, 7)->kind == FD_UNKNOWN && fdtab_get(t, 9)->kind == FD_OTHER);
	fdtab_unref(t);
}

int main(void)
{
	RUN(dup_shares_the_socket, "dup'd fds share one socket object and its netns");
	RUN(dup_of_unknown_clears_target, "dup2 from an unknown fd forgets what the target was");
	RUN(fork_copy_is_independent, "a fork's fd table is a copy, not an alias");
	RUN(exec_drops_cloexec_only, "exec drops close-on-exec fds and keeps the rest");
	RUN(big_and_bad_fds, "negative and absurd fds are refused; the table grows on demand");
	RUN(freed_sockets_are_recycled, "socket objects come back from the free list");
	RUN(netns_fds_keep_their_inode, "a learned netns fd keeps its inode through dup, not past reuse or exec");
	sock_pool_cleanup();
	return UNIT_DONE();
}
