/* sockstacks.h - -k: where the sockets behind the findings were made.
 *
 * The stack of each socket's creation (socket, accept), or of its first
 * dial (connect, a send with an address) when its creation's was not seen,
 * kept until the socket's last reference goes.  At most 128: the oldest
 * gives way.  An attempt keeps the index and generation of its socket's
 * stack, so a slot reused meanwhile is never shown for it. */
#ifndef NST_SOCKSTACKS_H
#define NST_SOCKSTACKS_H

#include <stdint.h>

#include "analyzers/dnsstream.h"
#include "analyzers/finding.h"
#include "model/event.h"

struct sock_stacks;

/* NULL on ENOMEM. */
struct sock_stacks *sockstacks_new(void);
void sockstacks_free(struct sock_stacks *st);

/* Keep ev's stack when it is sock's creation or first dial (ev->stack set);
 * a close that took the socket's last reference forgets it. */
void sockstacks_feed(struct sock_stacks *st, const struct nst_event *ev, uint64_t sock);
/* The index of sock's stack, its generation in *gen; -1 when none kept. */
int sockstacks_find(const struct sock_stacks *st, uint64_t sock, unsigned *gen);
/* The stack at idx if it still has generation gen, else NULL (idx -1:
 * NULL).  Valid until the next feed. */
const struct saved_stack *sockstacks_get(const struct sock_stacks *st, int idx, unsigned gen);

#endif
