/* nsref.c - namespace references as findings keep them; see nsref.h. */
#include "analyzers/nsref.h"

#include <stdio.h>
#include <string.h>

#include "model/print.h"

bool ns_ref_same(const struct ns_ref *a, const struct ns_ref *b)
{
	if (a->ino || b->ino)
		return a->ino == b->ino;
	return !strcmp(a->path, b->path) && !strcmp(a->label, b->label);
}

void ns_ref_from(struct ns_ref *r, const struct nst_ns *ns)
{
	r->ino = ns->ino;
	str_copy(r->path, sizeof(r->path), ns->path);
	str_copy(r->label, sizeof(r->label), ns->label);
}

/* Is kept (a copy cut to cap - 1 bytes) the copy of s (NULL: "")? */
static bool kept_is(const char *kept, size_t cap, const char *s)
{
	size_t l = s ? strnlen(s, cap - 1) : 0;

	return !memcmp(kept, s ? s : "", l) && kept[l] == '\0';
}

bool ns_ref_is(const struct ns_ref *r, const struct nst_ns *ns)
{
	if (r->ino || ns->ino)
		return r->ino == ns->ino;
	return kept_is(r->path, sizeof(r->path), ns->path) &&
	       kept_is(r->label, sizeof(r->label), ns->label);
}

bool ns_ref_known(const struct ns_ref *ns)
{
	return ns->ino || ns->path[0] || ns->label[0];
}

void ns_ref_text(const struct ns_ref *ns, const struct containers *names, char *buf, size_t n)
{
	const struct container *c = containers_find(names, ns->ino, ns->path);
	char ct[160];

	if (c) { /* "net:[X] (/run/docker/netns/Y) of container web (abc, 172.18.0.2)" */
		const char *path = ns->path[0] ? ns->path : c->netns_path;
		container_text(c, ct, sizeof(ct));
		if (ns->ino && !path[0]) /* no file shows it (a private mount) */
			snprintf(buf, n, "net:[%llu] of %s", (unsigned long long)ns->ino, ct);
		else if (ns->ino)
			snprintf(buf, n, "net:[%llu] (%s) of %s", (unsigned long long)ns->ino, path, ct);
		else
			snprintf(buf, n, "%s of %s", ns->path[0] ? ns->path : c->netns_path, ct);
		return;
	}
	if (!ns->ino && !ns->path[0] && ns->label[0])
		snprintf(buf, n, "{%s}", ns->label);
	else if (!ns->ino && !ns->path[0])
		snprintf(buf, n, "an unknown namespace");
	else if (!ns->ino)
		str_copy(buf, n, ns->path);
	else if (ns->path[0])
		snprintf(buf, n, "net:[%llu] (%s)", (unsigned long long)ns->ino, ns->path);
	else
		snprintf(buf, n, "net:[%llu]", (unsigned long long)ns->ino);
}
