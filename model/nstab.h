/* nstab.h - network namespace identities, interned.
 *
 * A namespace is known by what a source can see of it: its nsfs inode (live
 * tracing, strace -y), else a path (a bind mount such as /run/docker/netns/x,
 * or the file a program opened before setns), else a label the strace
 * import makes up ("setns fd 38 of pid 7041").  Each distinct identity gets
 * one small id; the same inode, path or label always gets the same id.
 *
 * A placeholder is an identity with nothing known about it yet (where a
 * strace log's threads start).  Once a source learns what it is (the home
 * the threads return to), it aliases the placeholder to that identity, and
 * every comparison resolves the alias.
 *
 * Strings are owned by the table and live until nstab_free.  Bounded:
 * at most NSTAB_MAX identities, later ones are id 0 (unknown). */
#ifndef NST_NSTAB_H
#define NST_NSTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/idmap.h"

#define NSTAB_MAX 65536

typedef uint32_t nsid_t; /* 0: unknown */

struct nsent {
	uint64_t ino;    /* 0 when not known */
	char *path;      /* NULL when none known */
	char *label;     /* only for identities with neither inode nor path */
	nsid_t alias;    /* a placeholder's learned identity, else 0 */
	bool placeholder;
	bool fresh;      /* made new under trace (unshare, clone(CLONE_NEWNET)) */
	bool path_tried; /* a source spent its one path lookup on it */
};

struct nstab {
	struct nsent *v; /* v[0] is the unknown identity */
	uint32_t n, cap;
	struct idmap by_ino;  /* inode -> id */
	struct idmap by_name; /* hash of a path or label -> id (probed) */
};

void nstab_init(struct nstab *t);
void nstab_free(struct nstab *t);

/* The id of an identity, made on first sight; 0 on ENOMEM or when full. */
nsid_t nstab_ino(struct nstab *t, uint64_t ino);
nsid_t nstab_path(struct nstab *t, const char *path);
nsid_t nstab_label(struct nstab *t, const char *label);
/* A fresh identity nothing is known about. */
nsid_t nstab_placeholder(struct nstab *t);
/* A namespace made new under trace, known by label: it differs from every
 * namespace that existed before it. */
nsid_t nstab_fresh(struct nstab *t, const char *label);

/* From now on placeholder stands for target (re-pointable: a later call
 * replaces the target).  Ignored unless placeholder is one. */
void nstab_alias(struct nstab *t, nsid_t placeholder, nsid_t target);
/* The identity id stands for (itself unless it is an aliased placeholder). */
nsid_t nstab_resolve(const struct nstab *t, nsid_t id);
/* Both known and, resolved, distinct.  Two ids are distinct namespaces as
 * far as nstrace can tell: a source that cannot tell gives them one id. */
bool nstab_differ(const struct nstab *t, nsid_t a, nsid_t b);
/* Distinct for certain: as nstab_differ, but an unaliased placeholder (a
 * log's threads before the home vote) differs only from a fresh one. */
bool nstab_surely_differ(const struct nstab *t, nsid_t a, nsid_t b);

/* The bind-mount path of an inode identity, learned late (first one wins). */
void nstab_learn_path(struct nstab *t, nsid_t id, const char *path);
/* NULL for id 0 or out of range. */
struct nsent *nstab_get(const struct nstab *t, nsid_t id);

/* The resolved identity as an event's nst_ns (pointers into t). */
void nstab_fill(const struct nstab *t, nsid_t id, struct nst_ns *out);

#endif
