/* slots.h - the free slots of a fixed table, lowest first: a binary
 * min-heap of slot numbers, so that taking and freeing a slot costs no
 * scan of the table, and the slot taken is the one a scan from the start
 * would have found (tables print and resolve in slot order: the order
 * stays what it was).  The caller owns the array (one entry per slot). */
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

#endif
