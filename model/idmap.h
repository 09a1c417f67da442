/* idmap.h - a hash from 64-bit keys (tids, pids, inodes) to pointers.
 *
 * Open addressing with linear probing and backward-shift deletion: a lookup
 * never allocates, so the ptrace stop path can use it.  Values are never
 * NULL (NULL marks a free slot).  The map owns only its slot array. */
#ifndef NST_IDMAP_H
#define NST_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
	struct idmap_slot {
		uint64_t key;
		void *val;
	} *slots;
	size_t cap, n; /* cap: 0 or a power of two */
};

/* The value for key, or NULL. */
void *idmap_get(const struct idmap *m, uint64_t key);
/* Set key to val (non-NULL), replacing any value.  0 or -ENOMEM. */
int idmap_put(struct idmap *m, uint64_t key, void *val);
/* Remove key if present. */
void idmap_del(struct idmap *m, uint64_t key);
/* The next value after *cursor (start at 0), or NULL at the end.  Deleting
 * while iterating may move a later entry before the cursor: collect first,
 * then delete. */
void *idmap_next(const struct idmap *m, size_t *cursor);
/* The same, with the value's key in *key. */
void *idmap_next_key(const struct idmap *m, size_t *cursor, uint64_t *key);
size_t idmap_count(const struct idmap *m);
void idmap_free(struct idmap *m);

#endif
