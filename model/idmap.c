/* idmap.c - see idmap.h. */
#include "model/idmap.h"

#include <errno.h>
#include <stdlib.h>

static size_t slot_of(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

void *idmap_get(const struct idmap *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = slot_of(key, m->cap); m->slots[i].val; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key)
			return m->slots[i].val;
	return NULL;
}

static void insert(struct idmap_slot *slots, size_t cap, uint64_t key, void *val)
{
	size_t i;

	for (i = slot_of(key, cap); slots[i].val; i = (i + 1) & (cap - 1))
		;
	slots[i].key = key;
	slots[i].val = val;
}

static int grow(struct idmap *m)
{
	size_t ncap = m->cap ? 2 * m->cap : 64, i;
	struct idmap_slot *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].val)
			insert(n, ncap, m->slots[i].key, m->slots[i].val);
	free(m->slots);
	m->slots = n;
	m->cap = ncap;
	return 0;
}

int idmap_put(struct idmap *m, uint64_t key, void *val)
{
	size_t i;

	if (m->cap)
		for (i = slot_of(key, m->cap); m->slots[i].val; i = (i + 1) & (m->cap - 1))
			if (m->slots[i].key == key) {
				m->slots[i].val = val;
				return 0;
			}
	if (2 * (m->n + 1) > m->cap && grow(m) < 0)
		return -ENOMEM;
	insert(m->slots, m->cap, key, val);
	m->n++;
	return 0;
}

void idmap_del(struct idmap *m, uint64_t key)
{
	size_t i, j, k, mask = m->cap - 1;

	if (!m->cap)
		return;
	for (i = slot_of(key, m->cap); m->slots[i].val && m->slots[i].key != key; i = (i + 1) & mask)
		;
	if (!m->slots[i].val)
		return;
	m->slots[i].val = NULL;
	m->n--;
	/* Shift back entries whose probe sequence passed through slot i. */
	for (j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		k = slot_of(m->slots[j].key, m->cap);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			m->slots[i] = m->slots[j];
			m->slots[j].val = NULL;
			i = j;
		}
	}
}

void *idmap_next_key(const struct idmap *m, size_t *cursor, uint64_t *key)
{
	while (*cursor < m->cap) {
		const struct idmap_slot *sl = &m->slots[(*cursor)++];
		if (sl->val) {
			if (key)
				*key = sl->key;
			return sl->val;
		}
	}
	return NULL;
}

void *idmap_next(const struct idmap *m, size_t *cursor)
{
	return idmap_next_key(m, cursor, NULL);
}

size_t idmap_count(const struct idmap *m)
{
	return m->n;
}

void idmap_free(struct idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
