/* select.c - see select.h. */
#define _GNU_SOURCE
#include "output/select.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/print.h"

int select_add(struct select *s, const char *name)
{
	if (s->n == SELECT_MAX)
		return -E2BIG;
	s->want[s->n++] = name;
	return 0;
}

/* The last part of a path under a directory that names namespaces. */
static const char *ns_dir_name(const char *path)
{
	static const char *const dirs[] = { "/run/netns/", "/var/run/netns/", "/run/docker/netns/",
					    "/var/run/docker/netns/" };

	for (size_t i = 0; path && i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t l = strlen(dirs[i]);
		if (!strncmp(path, dirs[i], l) && path[l])
			return path + l;
	}
	return NULL;
}

static bool matches(const struct select *s, const char *w, uint64_t ino, const char *path)
{
	const struct container *c = containers_find(s->names, ino, path);
	const char *base = ns_dir_name(path);

	return (c && container_is(c, w)) || (path && !strcmp(path, w)) || (base && !strcmp(base, w));
}

static void note_seen(struct select *s, const char *path)
{
	if (!path || !*path || s->nseen == SELECT_SEEN)
		return;
	for (size_t i = 0; i < s->nseen; i++)
		if (!strcmp(s->seen[i], path))
			return;
	str_copy(s->seen[s->nseen++], sizeof(s->seen[0]), path);
}

bool select_ns(struct select *s, uint64_t ino, const char *path)
{
	bool ok = false;
	size_t nn;

	if (!select_on(s))
		return true;
	nn = s->names ? s->names->n : 0;
	if (path && !*path)
		path = NULL;
	if (!ino && !path)
		return false;
	/* events repeat their namespace: the inode decides alone when known */
	if (ino && s->memo_set && s->memo_ino == ino && s->memo_names == nn)
		return s->memo_ok;
	note_seen(s, path);
	for (int i = 0; i < s->n; i++)
		if (matches(s, s->want[i], ino, path))
			ok = s->hit[i] = true;
	if (ino && path) { /* an inode without its path cannot tell by path */
		s->memo_set = true;
		s->memo_ino = ino;
		s->memo_names = nn;
		s->memo_ok = ok;
	}
	return ok;
}

bool select_ref(struct select *s, const struct ns_ref *r)
{
	return select_ns(s, r->ino, r->path);
}

bool select_event(struct select *s, const struct nst_event *ev)
{
	if (!select_on(s))
		return true;
	if ((ev->flags & NST_EV_SOCK) && select_ns(s, ev->sock.netns.ino, ev->sock.netns.path))
		return true;
	if ((ev->flags & NST_EV_NS_CHANGE) && select_ns(s, ev->ns_new.ino, ev->ns_new.path))
		return true;
	return select_ns(s, ev->thread_netns.ino, ev->thread_netns.path);
}

bool select_finding(struct select *s, const struct finding *f)
{
	return !select_on(s) || select_ref(s, &f->netns) || (f->relayed && select_ref(s, &f->asker));
}

int select_unknown(const struct select *s)
{
	for (int i = 0; i < s->n; i++) {
		bool known = s->hit[i];
		for (size_t k = 0; !known && s->names && k < s->names->n; k++) {
			const struct container *c = &s->names->v[k];
			known = container_is(c, s->want[i]) || !strcmp(c->netns_path, s->want[i]);
		}
		if (!known)
			return i;
	}
	return -1;
}

void select_known(const struct select *s, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t k = 0; s->names && k < s->names->n && len < n; k++) {
		const struct container *c = &s->names->v[k];
		const char *kind = c->kind == CT_NETNS ? " (ip netns)"
				   : c->kind == CT_SANDBOX ? " (docker sandbox)" : "";
		len += (size_t)snprintf(buf + len, n - len, "%s%s%s", len ? ", " : "", c->name, kind);
	}
	for (size_t i = 0; i < s->nseen && len < n; i++) {
		const char *base = ns_dir_name(s->seen[i]);
		bool named = false;
		for (size_t k = 0; s->names && k < s->names->n && !named; k++)
			named = !strcmp(s->names->v[k].netns_path, s->seen[i]);
		if (!named)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
						base ? base : s->seen[i]);
	}
	if (!buf[0])
		snprintf(buf, n, "none");
}
