/* foreign.h - sockets used outside their process's home netns: the table
 * of them, one row per (pid, netns, proto, peer), with the events seen on
 * each.  At most 256 rows; events of more are not counted. */
#ifndef NST_FOREIGN_H
#define NST_FOREIGN_H

#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

struct foreign_row {
	int pid;
	char comm[NST_COMM_LEN];
	uint64_t netns;
	char path[128], proto[8], peer[64];
	struct nst_addr peer_addr; /* what peer says, to match events without printing */
	unsigned long count;
};

struct foreign_socks;

/* NULL on ENOMEM. */
struct foreign_socks *foreign_new(void);
void foreign_free(struct foreign_socks *a);

/* Count ev, an event on a socket outside its process's home netns
 * (ev->sock.foreign). */
void foreign_note(struct foreign_socks *a, const struct nst_event *ev);
const struct foreign_row *foreign_rows(const struct foreign_socks *a, size_t *n);

#endif
