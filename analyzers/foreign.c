/* foreign.c - see foreign.h. */
#include "analyzers/foreign.h"

#include <stdlib.h>
#include <string.h>

#include "model/print.h"

#define MAX_FOREIGN 256

struct foreign_socks {
	struct foreign_row foreign[MAX_FOREIGN];
	size_t nforeign;
};

struct foreign_socks *foreign_new(void)
{
	return calloc(1, sizeof(struct foreign_socks));
}

void foreign_free(struct foreign_socks *a)
{
	free(a);
}

const struct foreign_row *foreign_rows(const struct foreign_socks *a, size_t *n)
{
	*n = a->nforeign;
	return a->foreign;
}

void foreign_note(struct foreign_socks *a, const struct nst_event *ev)
{
	const char *proto = proto_short(&ev->sock);
	size_t i;

	for (i = 0; i < a->nforeign; i++) {
		struct foreign_row *r = &a->foreign[i];
		if (r->pid == ev->pid && r->netns == ev->sock.netns.ino &&
		    addr_same(&r->peer_addr, &ev->sock.peer) && !strcmp(r->proto, proto)) {
			r->count++;
			return;
		}
	}
	if (a->nforeign == MAX_FOREIGN)
		return;
	struct foreign_row *r = &a->foreign[a->nforeign++];
	r->pid = ev->pid;
	memcpy(r->comm, ev->comm, sizeof(r->comm));
	r->netns = ev->sock.netns.ino;
	str_copy(r->path, sizeof(r->path), ev->sock.netns.path ? ev->sock.netns.path : ev->sock.netns.label);
	str_copy(r->proto, sizeof(r->proto), proto);
	r->peer_addr = ev->sock.peer;
	if (ev->sock.peer.family)
		print_addr(r->peer, sizeof(r->peer), &ev->sock.peer);
	else
		str_copy(r->peer, sizeof(r->peer), "(unconnected)");
	r->count = 1;
}
