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
	while (sp->free_ent) {
		struct fd_entry *n = sp->free_ent->next_free;
		free(sp->free_ent);
		sp->free_ent = n;
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

/* --- sparse entries (fd >= FDTAB_DENSE) ------------------------------------ */

static struct fd_entry *ent_new(struct sockpool *sp)
{
	struct fd_entry *e = sp->free_ent;

	if (e)
		sp->free_ent = e->next_free;
	else if (!(e = malloc(sizeof(*e))))
		return NULL;
	memset(e, 0, sizeof(*e));
	return e;
}

static void ent_discard(struct sockpool *sp, struct fd_entry *e)
{
	e->next_free = sp->free_ent;
	sp->free_ent = e;
}

/* The sparse entry for fd, made (FD_UNKNOWN) when absent.  NULL on ENOMEM. */
static struct fd_entry *high_slot(struct sockpool *sp, struct fdtab *t, int fd)
{
	struct fd_entry *e = idmap_get(&t->high, (uint64_t)fd);

	if (e)
		return e;
	if (!(e = ent_new(sp)))
		return NULL;
	if (idmap_put(&t->high, (uint64_t)fd, e) < 0) {
		ent_discard(sp, e);
		return NULL;
	}
	return e;
}

static void high_drop(struct sockpool *sp, struct fdtab *t, int fd)
{
	struct fd_entry *e = idmap_get(&t->high, (uint64_t)fd);

	if (!e)
		return;
	idmap_del(&t->high, (uint64_t)fd);
	ent_discard(sp, e);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The sparse fds in [lo, hi], ascending, in a malloc'd array (NULL when
 * none). */
static int *high_fds(const struct fdtab *t, long lo, long hi, size_t *n)
{
	size_t k = 0, cur = 0, cnt = idmap_count(&t->high);
	uint64_t fd;
	int *v;

	*n = 0;
	if (!cnt || !(v = malloc(cnt * sizeof(*v))))
		return NULL;
	while (idmap_next_key(&t->high, &cur, &fd))
		if ((long)fd >= lo && (long)fd <= hi)
			v[k++] = (int)fd;
	qsort(v, k, sizeof(*v), cmp_int);
	*n = k;
	return v;
}

/* --- tables ---------------------------------------------------------------- */

struct fdtab *fdtab_copy(struct sockpool *sp, const struct fdtab *src)
{
	struct fdtab *t = fdtab_new();
	int used = src->cap;

	if (!t)
		return NULL;
	t->ep_dns = src->ep_dns; /* the epoll fds came along */
	while (used > 0 && src->ent[used - 1].kind == FD_UNKNOWN)
		used--; /* copy what is open, not the room grown for it */
	if (used && !(t->ent = malloc((size_t)used * sizeof(*t->ent))))
		goto fail;
	if (used)
		memcpy(t->ent, src->ent, (size_t)used * sizeof(*t->ent));
	t->cap = used;
	for (int i = 0; i < t->cap; i++)
		if (t->ent[i].sk)
			t->ent[i].sk->refs++;
	size_t cur = 0;
	uint64_t fd;
	const struct fd_entry *se;
	while ((se = idmap_next_key(&src->high, &cur, &fd))) {
		struct fd_entry *e = high_slot(sp, t, (int)fd);
		if (!e)
			goto fail;
		*e = *se;
		if (e->sk)
			e->sk->refs++;
	}
	return t;
fail:
	fdtab_unref(sp, t);
	return NULL;
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
	size_t cur = 0;
	struct fd_entry *e;
	while ((e = idmap_next(&t->high, &cur))) { /* the map goes whole: no deletes */
		sock_unref(sp, e->sk);
		ent_discard(sp, e);
	}
	idmap_free(&t->high);
	free(t->ent);
	free(t);
}

struct fd_entry *fdtab_get(struct fdtab *t, int fd)
{
	if (fd < 0)
		return NULL;
	if (fd < FDTAB_DENSE)
		return fd < t->cap ? &t->ent[fd] : NULL;
	return idmap_get(&t->high, (uint64_t)fd);
}

int *fdtab_list(const struct fdtab *t, long lo, long hi, size_t *n)
{
	size_t nh = 0, k = 0;
	int *high = high_fds(t, lo < FDTAB_DENSE ? FDTAB_DENSE : lo, hi, &nh), *v;
	size_t room = nh;

	*n = 0;
	for (long i = lo < 0 ? 0 : lo; i <= hi && i < t->cap; i++)
		room += t->ent[i].kind != FD_UNKNOWN;
	if (!room || !(v = malloc(room * sizeof(*v)))) {
		free(high);
		return NULL;
	}
	for (long i = lo < 0 ? 0 : lo; i <= hi && i < t->cap; i++)
		if (t->ent[i].kind != FD_UNKNOWN)
			v[k++] = (int)i;
	for (size_t i = 0; i < nh; i++)
		v[k++] = high[i];
	free(high);
	*n = k;
	return v;
}

static int grow(struct fdtab *t, int fd)
{
	int ncap = t->cap ? t->cap : 64;
	struct fd_entry *n;

	while (ncap <= fd)
		ncap *= 2;
	if (ncap > FDTAB_DENSE)
		ncap = FDTAB_DENSE;
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
	if (fd < FDTAB_DENSE) {
		if (fd >= t->cap && grow(t, fd) < 0)
			return -ENOMEM;
		e = &t->ent[fd];
	} else if (!(e = high_slot(sp, t, fd))) {
		return -ENOMEM;
	}
	if (sk)
		sk->refs++; /* first: sk may be the object e holds */
	sock_unref(sp, e->sk);
	e->kind = (uint8_t)kind;
	e->cloexec = cloexec;
	e->sk = sk;
	e->ns = 0;
	return 0;
}

struct msock *fdtab_take(struct sockpool *sp, struct fdtab *t, int fd)
{
	struct fd_entry *e = fdtab_get(t, fd);
	struct msock *sk;

	if (!e || e->kind != FD_SOCKET || !e->sk) {
		fdtab_close(sp, t, fd);
		return NULL;
	}
	sk = e->sk;
	e->sk = NULL; /* its reference is the caller's now */
	fdtab_close(sp, t, fd);
	return sk;
}

bool sock_release(struct sockpool *sp, struct msock *sk)
{
	return sock_unref(sp, sk);
}

bool fdtab_close(struct sockpool *sp, struct fdtab *t, int fd)
{
	struct fd_entry *e = fdtab_get(t, fd);
	bool last;

	if (!e)
		return false;
	last = sock_unref(sp, e->sk);
	if (fd >= FDTAB_DENSE)
		high_drop(sp, t, fd);
	else
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
		fdtab_get(t, newfd)->ns = copy.ns;
}

void fdtab_exec(struct sockpool *sp, struct fdtab *t)
{
	size_t n;
	int *high;

	for (int i = 0; i < t->cap; i++)
		if (t->ent[i].cloexec)
			fdtab_close(sp, t, i);
	high = high_fds(t, FDTAB_DENSE, FD_MAX, &n);
	for (size_t i = 0; i < n; i++)
		if (fdtab_get(t, high[i])->cloexec)
			fdtab_close(sp, t, high[i]);
	free(high);
}
