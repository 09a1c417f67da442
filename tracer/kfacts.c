/* kfacts.c - the decoders' kernel facts from the live, ptrace-stopped
 * process (decode.h): process_vm_readv, /proc, pidfd_getfd + SIOCGSKNS,
 * libunwind. */
#define _GNU_SOURCE
#include "tracer/decode.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tracer/netns.h"
#include "tracer/stack.h"
#include "tracer/tmem.h"

static long pt_read(void *ctx, pid_t tid, uint64_t addr, void *dst, size_t len)
{
	(void)ctx;
	return tmem_read(tid, addr, dst, len);
}

static long pt_read2(void *ctx, pid_t tid, uint64_t a1, void *d1, size_t l1, uint64_t a2, void *d2,
		     size_t l2)
{
	(void)ctx;
	return tmem_read2(tid, a1, d1, l1, a2, d2, l2);
}

static long pt_fd_link(void *ctx, struct mproc *p, int fd, char *buf, size_t n)
{
	char path[64];
	ssize_t r;

	(void)ctx;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", p->pid, fd);
	r = readlink(path, buf, n - 1);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	return r;
}

static int pt_sock_query(void *ctx, struct mproc *p, int fd, struct nst_sock *q)
{
	int pidfd = tproc_pidfd(p);

	(void)ctx;
	return pidfd < 0 ? pidfd : netns_query_socket(pidfd, fd, q);
}

static int pt_sock_local(void *ctx, struct mproc *p, int fd, struct nst_addr *local)
{
	int pidfd = tproc_pidfd(p);

	(void)ctx;
	return pidfd < 0 ? pidfd : netns_query_local(pidfd, fd, local);
}

static uint64_t pt_thread_netns(void *ctx, pid_t tid)
{
	uint64_t ino = 0;

	(void)ctx;
	return netns_of_task(tid, &ino) == 0 ? ino : 0;
}

static int pt_stack(void *ctx, struct decode_ctx *c, struct nst_stack *out, int depth)
{
	struct decoder *d = ctx;

	return stack_unwind(d->stacks, c->t->p->pid, c->t->tid, &tproc_of(c->t->p)->syms, out, depth,
			     &c->tt->unwind);
}

static uint64_t pt_now_us(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void kfacts_ptrace(struct kfacts *kf, struct decoder *d)
{
	*kf = (struct kfacts){ .read = pt_read, .read2 = pt_read2, .fd_link = pt_fd_link, .sock_query = pt_sock_query,
			       .sock_local = pt_sock_local, .thread_netns = pt_thread_netns,
			       .stack = pt_stack, .now_us = pt_now_us, .ctx = d };
}
