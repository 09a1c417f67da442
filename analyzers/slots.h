/* slots.h - a fixed table's slots without a scan: the free ones, lowest
 * first (a binary min-heap of slot numbers: the slot taken is the one a
 * scan from the start would have found, so tables that print and resolve
 * in slot order keep their order), and the used ones filed by key (chains
 * through parallel arrays).  The caller owns the arrays. */
#ifndef NST_SLOTS_H
#define NST_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct slots {
	uint16_t *free; /* heap of free slot numbers */
	size_t n;
};

/* Slot s is free again.  The caller frees each slot once. */
static inline void slots_put(struct slots *h, uint16_t s)
{
	size_t i = h->n++;

	while (i && h->free[(i - 1) / 2] > s) {
		h->free[i] = h->free[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->free[i] = s;
}

/* The lowest free slot, taken; -1 when none is. */
static inline int slots_take(struct slots *h)
{
	uint16_t top, last;
	size_t i = 0;

	if (!h->n)
		return -1;
	top = h->free[0];
	last = h->free[--h->n];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->free[c + 1] < h->free[c])
			c++;
		if (h->free[c] >= last)
			break;
		h->free[i] = h->free[c];
		i = c;
	}
	if (h->n)
		h->free[i] = last;
	return top;
}

/* A slot of a table of max whose slots at and above *hi were never used:
 * the lowest free one, else *hi (raising *hi past the one taken); -1 when
 * all max are in use. */
static inline int slots_get(struct slots *h, size_t *hi, size_t max)
{
	int i = slots_take(h);

	if (i < 0) {
		if (*hi >= max)
			return -1;
		i = (int)*hi;
	}
	if ((size_t)i >= *hi)
		*hi = (size_t)i + 1;
	return i;
}

/* Slots filed in buckets by a key (the caller hashes it): doubly linked
 * through next and prev (slot + 1; 0 ends a chain), so that a slot is
 * found by its key, and taken out, without a scan.  Walk a bucket with
 * for (s = head[b]; s; s = nx) { nx = next[s - 1]; ... }: what the body
 * unlinks does not break the walk. */
struct chains {
	uint16_t *head;        /* per bucket: its first slot + 1, or 0 */
	uint16_t *next, *prev; /* per slot */
};

static inline void chains_add(struct chains *c, size_t b, uint16_t s)
{
	c->prev[s] = 0;
	c->next[s] = c->head[b];
	if (c->head[b])
		c->prev[c->head[b] - 1] = (uint16_t)(s + 1);
	c->head[b] = (uint16_t)(s + 1);
}

/* Take slot s, filed in bucket b, out of its chain (nothing if it is in
 * none). */
static inline void chains_del(struct chains *c, size_t b, uint16_t s)
{
	if (c->prev[s])
		c->next[c->prev[s] - 1] = c->next[s];
	else if (c->head[b] == s + 1)
		c->head[b] = c->next[s];
	else
		return;
	if (c->next[s])
		c->prev[c->next[s] - 1] = c->prev[s];
	c->next[s] = c->prev[s] = 0;
}

#endif
