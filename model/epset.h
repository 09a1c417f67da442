/* epset.h - which socket an epoll event names.  epoll_wait reports the
 * data a registration carried (libuv's fd, Go's pointer), not the fd, so
 * the inet sockets registered with epoll_ctl are kept by (fd table, epoll
 * fd, data).
 *
 * A cache of fixed size: a registration it lost (a collision overwrote
 * it), or one made before the trace, is not known; none ever names another
 * socket, since each carries its socket's id, checked on every lookup.
 * EPOLL_CTL_DEL needs nothing: a closed socket's entry fails that check.
 * Pure bookkeeping, no allocation after epset_new. */
#ifndef NST_EPSET_H
#define NST_EPSET_H

#include <stdbool.h>
#include <stdint.h>

#define EPSET_SLOTS 4096 /* power of two */
#define EPSET_PROBE 8

struct epset_ent {
	const void *tab; /* the fd table the epoll fd is in; NULL: free */
	int32_t epfd, fd;
	uint64_t data, sock_id;
};

struct epset {
	struct epset_ent e[EPSET_SLOTS];
};

/* NULL on ENOMEM; free with free(). */
struct epset *epset_new(void);
/* epoll_ctl(epfd, ADD or MOD, fd, {data}) on socket sock_id in table tab. */
void epset_put(struct epset *s, const void *tab, int epfd, uint64_t data, int fd, uint64_t sock_id);
/* The registration of data on (tab, epfd): true with *fd and *sock_id. */
bool epset_get(const struct epset *s, const void *tab, int epfd, uint64_t data, int *fd,
	       uint64_t *sock_id);

#endif
