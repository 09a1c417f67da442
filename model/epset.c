/* epset.c - see epset.h. */
#include "model/epset.h"

#include <stdlib.h>

struct epset *epset_new(void)
{
	return calloc(1, sizeof(struct epset));
}

static size_t slot(const void *tab, int epfd, uint64_t data)
{
	uint64_t h = (uint64_t)(uintptr_t)tab ^ ((uint64_t)(uint32_t)epfd << 40) ^ data;

	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 40) & (EPSET_SLOTS - 1);
}

static bool same(const struct epset_ent *e, const void *tab, int epfd, uint64_t data)
{
	return e->tab == tab && e->epfd == epfd && e->data == data;
}

void epset_put(struct epset *s, const void *tab, int epfd, uint64_t data, int fd, uint64_t sock_id)
{
	size_t h = slot(tab, epfd, data), at = EPSET_SLOTS;

	/* the entry itself, else the first free slot, else the home slot */
	for (size_t i = 0; i < EPSET_PROBE; i++) {
		size_t k = (h + i) & (EPSET_SLOTS - 1);
		if (same(&s->e[k], tab, epfd, data)) {
			at = k;
			break;
		}
		if (!s->e[k].tab && at == EPSET_SLOTS)
			at = k;
	}
	if (at == EPSET_SLOTS)
		at = h;
	s->e[at] = (struct epset_ent){ tab, epfd, fd, data, sock_id };
}

bool epset_get(const struct epset *s, const void *tab, int epfd, uint64_t data, int *fd,
	       uint64_t *sock_id)
{
	size_t h = slot(tab, epfd, data);

	for (size_t i = 0; i < EPSET_PROBE; i++) {
		const struct epset_ent *e = &s->e[(h + i) & (EPSET_SLOTS - 1)];
		if (same(e, tab, epfd, data)) {
			*fd = e->fd;
			*sock_id = e->sock_id;
			return true;
		}
	}
	return false;
}
