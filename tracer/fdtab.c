/* fdtab.c - see fdtab.h. */
#include "tracer/fdtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FD_MAX (1 << 20) /* matches the usual fs.nr_open ceiling */

static struct sock_obj *free_socks;

struct sock_obj *sock_new(void)
{
	struct sock_obj *sk = free_socks;

	if (sk)
		free_socks = sk->next_free;
	else if (!(sk = malloc(sizeof(*sk))))
		return NULL;
	memset(sk, 0, sizeof(*sk));
	return sk;
}

void sock_unref(struct sock_obj *sk)
{
	if (!sk || --sk->refs > 0)
		return;
	sk->next_free = free_socks;
	free_socks = sk;
}

void sock_pool_cleanup(void)
{
	while (free_socks) {
		struct sock_obj *n = free_socks->next_free;
		free(free_socks);
		free_socks = n;
	}
}

struct fdtab *fdtab_new(void)
{
	struct fdtab *t = calloc(1, sizeof(*t));

	if (t)
		t->refs = 1;
	return t;
}

struct fdtab *fdtab_copy(const struct fdtab *src)
{
	struct fdtab *t = fdtab_new();
	int i;

	if (!t || !src->cap)
		return t;
	t->ent = malloc(src->cap * sizeof(*t->ent));
	if (!t->ent) {
		free(t);
		return NULL;
	}
	memcpy(t->ent, src->ent, src->cap * sizeof(*t->ent));
	t->cap = src->cap;
	for (i = 0; i < t->cap; i++)
		if (t->ent[i].sk)
			t->ent[i].sk->refs++;
	return t;
}

struct fdtab *fdtab_ref(struct fdtab *t)
{
	t->refs++;
	return t;
}

void fdtab_unref(struct fdtab *t)
{
	int i;

	if (!t || --t->refs > 0)
		return;
	for (i = 0; i < t->cap; i++)
		sock_unref(t->ent[i].sk);
	free(t->ent);
	free(t);
}

struct fd_entry *fdtab_get(struct fdtab *t, int fd)
{
	return fd >= 0 && fd < t->cap ? &t->ent[fd] : NULL;
}

static int grow(struct fdtab *t, int fd)
{
	int ncap = t->cap ? t->cap : 64;
	struct fd_entry *n;

	while (ncap <= fd)
		ncap *= 2;
	n = realloc(t->ent, ncap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + t->cap, 0, (ncap - t->cap) * sizeof(*n));
	t->ent = n;
	t->cap = ncap;
	return 0;
}

int fdtab_set(struct fdtab *t, int fd, enum fd_kind kind, struct sock_obj *sk,
	      bool cloexec)
{
	struct fd_entry *e;

	if (fd < 0 || fd >= FD_MAX)
		return -EINVAL;
	if (fd >= t->cap && grow(t, fd) < 0)
		return -ENOMEM;
	e = &t->ent[fd];
	if (sk)
		sk->refs++;
	sock_unref(e->sk);
	e->kind = (uint8_t)kind;
	e->cloexec = cloexec;
	e->sk = sk;
	e->netns = 0;
	return 0;
}

int fdtab_set_netns(struct fdtab *t, int fd, uint64_t ino)
{
	int r = fdtab_set(t, fd, FD_NETNS, NULL, true);

	if (r == 0)
		t->ent[fd].netns = ino;
	return r;
}

void fdtab_close(struct fdtab *t, int fd)
{
	struct fd_entry *e = fdtab_get(t, fd);

	if (!e)
		return;
	sock_unref(e->sk);
	memset(e, 0, sizeof(*e));
}

void fdtab_close_range(struct fdtab *t, unsigned lo, unsigned hi)
{
	unsigned fd;

	for (fd = lo; fd <= hi && fd < (unsigned)t->cap; fd++)
		fdtab_close(t, (int)fd);
}

void fdtab_dup(struct fdtab *t, int oldfd, int newfd, bool cloexec)
{
	struct fd_entry *o = fdtab_get(t, oldfd);

	if (oldfd == newfd)
		return;
	if (!o || o->kind == FD_UNKNOWN) {
		fdtab_close(t, newfd);
		return;
	}
	/* o may move when the table grows: copy it first. */
	struct fd_entry copy = *o;
	if (fdtab_set(t, newfd, (enum fd_kind)copy.kind, copy.sk, cloexec) < 0)
		fdtab_close(t, newfd);
	else
		t->ent[newfd].netns = copy.netns;
}

void fdtab_exec(struct fdtab *t)
{
	int i;

	for (i = 0; i < t->cap; i++)
		if (t->ent[i].cloexec)
			fdtab_close(t, i);
}
