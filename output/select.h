/* select.h - --container NAME: the namespaces a run's output is about.
 *
 * A NAME matches a network namespace when the namespace's container has
 * that name (with or without Docker's leading '/') or an id that starts
 * with it, or when it is the namespace's ip-netns name or Docker sandbox
 * key (the last part of /run/netns/NAME or /run/docker/netns/KEY), or its
 * path.  Containers are looked up when asked, so names learned late (a
 * recording's trailer, the API after detach) still match.
 *
 * Events, findings and summary rows are kept when one of their namespaces
 * matches: the socket's, the thread's, a setns target, and for DNS the
 * asking container of a relayed lookup as well as the forwarding netns.
 * With no NAME given everything is kept.  Pure: no I/O. */
#ifndef NST_SELECT_H
#define NST_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "analyzers/findings.h"
#include "model/containers.h"
#include "model/event.h"

#define SELECT_MAX 16
#define SELECT_SEEN 64

struct select {
	int n;
	const char *want[SELECT_MAX]; /* the NAMEs, owned by the caller (argv) */
	bool hit[SELECT_MAX];         /* matched a namespace of the run */
	const struct containers *names;
	/* the last answer, while names has not changed */
	uint64_t memo_ino;
	size_t memo_names;
	bool memo_ok, memo_set;
	/* paths of namespaces asked about, for the list of names that exist */
	char seen[SELECT_SEEN][128];
	size_t nseen;
};

/* Add a NAME.  0, or -E2BIG past SELECT_MAX. */
int select_add(struct select *s, const char *name);
static inline bool select_on(const struct select *s)
{
	return s && s->n > 0;
}

/* Does the namespace (inode 0 / path NULL when unknown) match a NAME?
 * Always true with no NAME. */
bool select_ns(struct select *s, uint64_t ino, const char *path);
bool select_ref(struct select *s, const struct ns_ref *r);
/* The socket's, the thread's or the setns target's namespace. */
bool select_event(struct select *s, const struct nst_event *ev);
/* The finding's namespace, or the asking one of a relayed lookup. */
bool select_finding(struct select *s, const struct finding *f);

/* The first NAME that matched nothing in the run and names no container
 * or namespace in names: its index, or -1. */
int select_unknown(const struct select *s);
/* "web, db (ip netns), 4ad1c1a9f0e2 (docker sandbox)" and the paths seen:
 * every name a user could give, into buf. */
void select_known(const struct select *s, char *buf, size_t n);

#endif
