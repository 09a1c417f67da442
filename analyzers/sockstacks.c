/* sockstacks.c - see sockstacks.h. */
#include "analyzers/sockstacks.h"

#include <stddef.h>
#include <stdlib.h>

#define MAX_SOCK_STACKS 128

struct sock_stacks {
	struct sock_stack {
		bool used;
		uint64_t sock;
		unsigned gen;
		struct saved_stack st;
	} s[MAX_SOCK_STACKS];
	unsigned gen;
	unsigned n; /* used: none without -k, and then no scan */
};

struct sock_stacks *sockstacks_new(void)
{
	return calloc(1, sizeof(struct sock_stacks));
}

void sockstacks_free(struct sock_stacks *st)
{
	free(st);
}

static void forget(struct sock_stacks *st, uint64_t sock)
{
	for (size_t i = 0; st->n && i < MAX_SOCK_STACKS; i++)
		if (st->s[i].used && st->s[i].sock == sock) {
			st->s[i].used = false;
			st->n--;
		}
}

void sockstacks_feed(struct sock_stacks *st, const struct nst_event *ev, uint64_t sock)
{
	struct sock_stack *slot = NULL, *oldest = NULL;

	if (ev->op == NST_OP_CLOSE) {
		if (sock_gone(ev))
			forget(st, sock);
		return;
	}
	if (!ev->stack || (ev->ret < 0 && ev->op != NST_OP_CONNECT && ev->op != NST_OP_SEND))
		return;
	if (ev->op == NST_OP_CONNECT || ev->op == NST_OP_SEND) {
		/* the dial of a server: the socket's stack unless its creation's is kept */
		for (size_t i = 0; i < MAX_SOCK_STACKS; i++)
			if (st->s[i].used && st->s[i].sock == sock)
				return;
	} else if (ev->op != NST_OP_SOCKET && ev->op != NST_OP_ACCEPT) {
		return;
	}
	for (size_t i = 0; i < MAX_SOCK_STACKS && !slot; i++) {
		if (!st->s[i].used || st->s[i].sock == sock)
			slot = &st->s[i];
		else if (!oldest || st->s[i].gen < oldest->gen)
			oldest = &st->s[i];
	}
	if (!slot)
		slot = oldest;
	if (!slot->used)
		st->n++;
	slot->used = true;
	slot->sock = sock;
	slot->gen = ++st->gen;
	stack_save(&slot->st, ev->stack);
}

int sockstacks_find(const struct sock_stacks *st, uint64_t sock, unsigned *gen)
{
	for (size_t i = 0; st->n && i < MAX_SOCK_STACKS; i++)
		if (st->s[i].used && st->s[i].sock == sock) {
			*gen = st->s[i].gen;
			return (int)i;
		}
	return -1;
}

const struct saved_stack *sockstacks_get(const struct sock_stacks *st, int idx, unsigned gen)
{
	if (idx < 0 || !st->s[idx].used || st->s[idx].gen != gen)
		return NULL;
	return &st->s[idx].st;
}
