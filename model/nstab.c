/* nstab.c - see nstab.h. */
#define _GNU_SOURCE
#include "model/nstab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AS_VAL(id) ((void *)(uintptr_t)(id))
#define AS_ID(v) ((nsid_t)(uintptr_t)(v))

void nstab_init(struct nstab *t)
{
	memset(t, 0, sizeof(*t));
}

void nstab_free(struct nstab *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].label);
	}
	free(t->v);
	idmap_free(&t->by_ino);
	idmap_free(&t->by_name);
	memset(t, 0, sizeof(*t));
}

/* A new entry, zeroed; 0 when full or out of memory. */
static nsid_t add(struct nstab *t)
{
	if (!t->n)
		t->n = 1; /* id 0 is "unknown" */
	if (t->n >= NSTAB_MAX)
		return 0;
	if (t->n >= t->cap) {
		uint32_t ncap = t->cap ? 2 * t->cap : 64;
		struct nsent *v = realloc(t->v, ncap * sizeof(*v));
		if (!v)
			return 0;
		memset(v + t->cap, 0, (ncap - t->cap) * sizeof(*v));
		t->v = v;
		t->cap = ncap;
	}
	return t->n++;
}

nsid_t nstab_ino(struct nstab *t, uint64_t ino)
{
	nsid_t id;

	if (!ino)
		return 0;
	id = AS_ID(idmap_get(&t->by_ino, ino));
	if (id)
		return id;
	id = add(t);
	if (!id)
		return 0;
	if (idmap_put(&t->by_ino, ino, AS_VAL(id)) < 0) {
		t->n--;
		return 0;
	}
	t->v[id].ino = ino;
	return id;
}

static uint64_t name_hash(char kind, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (uint8_t)kind;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

/* Paths and labels share one map; kind 'p' or 'l' keeps them apart. */
static nsid_t by_name(struct nstab *t, char kind, const char *s)
{
	uint64_t h;
	nsid_t id;

	if (!s || !s[0])
		return 0;
	h = name_hash(kind, s);
	/* Probe past hash collisions of different strings. */
	for (uint64_t k = h;; k += 0x9e3779b97f4a7c15ull) {
		id = AS_ID(idmap_get(&t->by_name, k));
		if (!id) {
			h = k;
			break;
		}
		const char *have = kind == 'p' ? t->v[id].path : t->v[id].label;
		if (have && !strcmp(have, s))
			return id;
	}
	id = add(t);
	if (!id)
		return 0;
	char *copy = strdup(s);
	if (!copy || idmap_put(&t->by_name, h, AS_VAL(id)) < 0) {
		free(copy);
		t->n--;
		return 0;
	}
	if (kind == 'p')
		t->v[id].path = copy;
	else
		t->v[id].label = copy;
	return id;
}

nsid_t nstab_path(struct nstab *t, const char *path)
{
	return by_name(t, 'p', path);
}

nsid_t nstab_label(struct nstab *t, const char *label)
{
	return by_name(t, 'l', label);
}

nsid_t nstab_placeholder(struct nstab *t)
{
	nsid_t id = add(t);

	if (id)
		t->v[id].placeholder = true;
	return id;
}

nsid_t nstab_fresh(struct nstab *t, const char *label)
{
	nsid_t id = nstab_label(t, label);

	if (id)
		t->v[id].fresh = true;
	return id;
}

struct nsent *nstab_get(const struct nstab *t, nsid_t id)
{
	return id && id < t->n ? &t->v[id] : NULL;
}

void nstab_alias(struct nstab *t, nsid_t placeholder, nsid_t target)
{
	struct nsent *e = nstab_get(t, placeholder);

	target = nstab_resolve(t, target);
	if (e && e->placeholder && target != placeholder)
		e->alias = target;
}

nsid_t nstab_resolve(const struct nstab *t, nsid_t id)
{
	/* Targets are never aliased placeholders themselves (nstab_alias
	 * resolves them first), so one step is enough. */
	struct nsent *e = nstab_get(t, id);

	return e && e->alias ? e->alias : id;
}

bool nstab_differ(const struct nstab *t, nsid_t a, nsid_t b)
{
	return a && b && nstab_resolve(t, a) != nstab_resolve(t, b);
}

bool nstab_surely_differ(const struct nstab *t, nsid_t a, nsid_t b)
{
	const struct nsent *ea, *eb;

	if (!nstab_differ(t, a, b))
		return false;
	ea = nstab_get(t, nstab_resolve(t, a));
	eb = nstab_get(t, nstab_resolve(t, b));
	if (ea->placeholder || eb->placeholder)
		return ea->fresh || eb->fresh;
	return true;
}

void nstab_learn_path(struct nstab *t, nsid_t id, const char *path)
{
	struct nsent *e = nstab_get(t, id);

	if (e && !e->path && path && path[0])
		e->path = strdup(path); /* NULL on ENOMEM: a path is a courtesy */
}

void nstab_fill(const struct nstab *t, nsid_t id, struct nst_ns *out)
{
	struct nsent *e = nstab_get(t, nstab_resolve(t, id));

	out->ino = e ? e->ino : 0;
	out->path = e ? e->path : NULL;
	out->label = e ? e->label : NULL;
}
