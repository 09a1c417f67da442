/* fdtab.c - see fdtab.h. */
#include "model/fdtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FD_MAX (1 << 20) /* the usual fs.nr_open ceiling */

void sockpool_free(struct sockpool *sp)
{
	while (sp->free) {
		struct msock *n = sp->free->next_free;
		free(sp->free);
		sp->free = n;
	}
	idmap_free(&sp->by_ino);
}

struct msock *sock_new(struct sockpool *sp)
{
	struct msock *sk = sp->free;

	if (sk)
		sp->free = sk->next_free;
	else if (!(sk = malloc(sizeof(*sk))))
		return NULL;
	memset(sk, 0, sizeof(*sk));
	sk->id = ++sp->next_id;
	return sk;
}

void sock_discard(struct sockpool *sp, struct msock *sk)
{
	sk->next_free = sp->free;
	sp->free = sk;
}

struct msock *sock_by_ino(const struct sockpool *sp, uint64_t ino)
{
	return ino ? idmap_get(&sp->by_ino, ino) : NULL;
}

void sock_set_ino(struct sockpool *sp, struct msock *sk, uint64_t ino)
{
	if (!ino || sk->ino)
		return;
	if (idmap_put(&sp->by_ino, ino, sk) == 0)
		sk->ino = ino;
}

/* Drop one reference; true when it was the last (the socket is recycled). */
static bool sock_unref(struct sockpool *sp, struct msock *sk)
{
	if (!sk || --sk->refs > 0)
		return false;
	if (sk->ino)
		idmap_del(&sp->by_ino, sk->ino);
	sock_discard(sp, sk);
	return true;
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

	if (!t || !src->cap)
		return t;
	t->ent = malloc((size_t)src->cap * sizeof(*t->ent));
	if (!t->ent) {
		free(t);
		return NULL;
	}
	memcpy(t->ent, src->ent, (size_t)src->cap * sizeof(*t->ent));
	t->cap = src->cap;
	for (int i = 0; i < t->cap; i++)
		if (t->ent[i].sk)
			t->ent[i].sk->refs++;
	return t;
}

struct fdtab *fdtab_ref(struct fdtab *t)
{
	t->refs++;
	return t;
}

void fdtab_unref(struct sockpool *sp, struct fdtab *t)
{
	if (!t || --t->refs > 0)
		return;
	for (int i = 0; i < t->cap; i++)
		sock_unref(sp, t->ent[i].sk);
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
	n = realloc(t->ent, (size_t)ncap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + t->cap, 0, (size_t)(ncap - t->cap) * sizeof(*n));
	t->ent = n;
	t->cap = ncap;
	return 0;
}

int fdtab_set(struct sockpool *sp, struct fdtab *t, int fd, enum fd_kind kind,
	      struct msock *sk, bool cloexec)
{
	struct fd_entry *e;

	if (fd < 0 || fd >= FD_MAX)
		return -EINVAL;
	if (fd >= t->cap && grow(t, fd) < 0)
		return -ENOMEM;
	e = &t->ent[fd];
	if (sk)
		sk->refs++; /* first: sk may be the object e holds */
	sock_unref(sp, e->sk);
	e->kind = (uint8_t)kind;
	e->cloexec = cloexec;
	e->sk = sk;
	e->ns = 0;
	return 0;
}

bool fdtab_close(struct sockpool *sp, struct fdtab *t, int fd)
{
	struct fd_entry *e = fdtab_get(t, fd);
	bool last;

	if (!e)
		return false;
	last = sock_unref(sp, e->sk);
	memset(e, 0, sizeof(*e));
	return last;
}

void fdtab_dup(struct sockpool *sp, struct fdtab *t, int oldfd, int newfd, bool cloexec)
{
	struct fd_entry *o = fdtab_get(t, oldfd);

	if (oldfd == newfd)
		return;
	if (!o || o->kind == FD_UNKNOWN) {
		fdtab_close(sp, t, newfd);
		return;
	}
	/* o may move when the table grows: copy it first. */
	struct fd_entry copy = *o;
	if (fdtab_set(sp, t, newfd, (enum fd_kind)copy.kind, copy.sk, cloexec) < 0)
		fdtab_close(sp, t, newfd);
	else
		t->ent[newfd].ns = copy.ns;
}

void fdtab_exec(struct sockpool *sp, struct fdtab *t)
{
	for (int i = 0; i < t->cap; i++)
		if (t->ent[i].cloexec)
			fdtab_close(sp, t, i);
}
