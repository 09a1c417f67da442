/* strtab.c - see strtab.h. */
#define _GNU_SOURCE
#include "model/strtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *strtab_intern(struct strtab *t, const char *s)
{
	uint64_t h = 1469598103934665603ull;
	char *copy;

	if (!s || !s[0])
		return NULL;
	for (const char *p = s; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	for (;; h += 0x9e3779b97f4a7c15ull) { /* probe past collisions */
		const char *have = idmap_get(&t->by_hash, h);
		if (!have)
			break;
		if (!strcmp(have, s))
			return have;
	}
	if (idmap_count(&t->by_hash) >= STRTAB_MAX || !(copy = strdup(s)))
		return NULL;
	if (idmap_put(&t->by_hash, h, copy) < 0) {
		free(copy);
		return NULL;
	}
	return copy;
}

void strtab_free(struct strtab *t)
{
	size_t cur = 0;
	char *s;

	while ((s = idmap_next(&t->by_hash, &cur)))
		free(s);
	idmap_free(&t->by_hash);
}
