/* containers.c - see containers.h. */
#include "model/containers.h"

#include <sys/socket.h>

#include "model/print.h"

#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#define MAX_CONTAINERS 4096

void containers_free(struct containers *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static struct container *find_mut(const struct containers *t, uint64_t ino, const char *path)
{
	if (!t)
		return NULL;
	for (size_t i = 0; ino && i < t->n; i++)
		if (t->v[i].netns_ino == ino)
			return &t->v[i];
	for (size_t i = 0; path && path[0] && i < t->n; i++)
		if (!strcmp(t->v[i].netns_path, path))
			return &t->v[i];
	return NULL;
}

void containers_add(struct containers *t, const struct container *c)
{
	struct container *e = find_mut(t, c->netns_ino, c->netns_path);

	if (!e && t->n == t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 16;
		struct container *v;
		if (ncap > MAX_CONTAINERS || !(v = realloc(t->v, ncap * sizeof(*v))))
			return;
		t->v = v;
		t->cap = ncap;
	}
	if (!e)
		e = &t->v[t->n++];
	*e = *c;
}

const struct container *containers_find(const struct containers *t, uint64_t ino,
					const char *path)
{
	return find_mut(t, ino, path);
}

const char *ct_kind_name(enum ct_kind k)
{
	return k == CT_SANDBOX ? "sandbox" : k == CT_NETNS ? "netns" : k == CT_PODMAN ? "podman" : "docker";
}

enum ct_kind ct_kind_from_name(const char *name)
{
	if (name && !strcmp(name, "sandbox"))
		return CT_SANDBOX;
	if (name && !strcmp(name, "netns"))
		return CT_NETNS;
	if (name && !strcmp(name, "podman"))
		return CT_PODMAN;
	return CT_DOCKER;
}

json_t *containers_to_json(const struct containers *t)
{
	json_t *a = json_array();

	for (size_t i = 0; i < t->n; i++) {
		const struct container *c = &t->v[i];
		json_t *o = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}",
			"netns_inode", c->netns_ino ? json_integer((json_int_t)c->netns_ino) : json_null(),
			"netns_path", c->netns_path, "name", c->name, "id", c->id, "ip", c->ip,
			"kind", ct_kind_name(c->kind));
		if (o && c->internal)
			json_object_set_new(o, "internal", json_true());
		json_array_append_new(a, o);
	}
	return a;
}

static void copy_str(char *dst, size_t n, const json_t *v)
{
	snprintf(dst, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int containers_from_json(struct containers *t, const json_t *arr)
{
	size_t i;
	const json_t *o;
	int added = 0;

	if (!json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, o) {
		struct container c;
		const json_t *ino = json_object_get(o, "netns_inode");
		if (!json_is_object(o))
			return -1;
		memset(&c, 0, sizeof(c));
		c.netns_ino = json_is_integer(ino) ? (uint64_t)json_integer_value(ino) : 0;
		copy_str(c.netns_path, sizeof(c.netns_path), json_object_get(o, "netns_path"));
		copy_str(c.name, sizeof(c.name), json_object_get(o, "name"));
		copy_str(c.id, sizeof(c.id), json_object_get(o, "id"));
		copy_str(c.ip, sizeof(c.ip), json_object_get(o, "ip"));
		c.kind = ct_kind_from_name(json_string_value(json_object_get(o, "kind")));
		c.internal = json_is_true(json_object_get(o, "internal"));
		if (c.name[0] && (c.netns_ino || c.netns_path[0])) {
			containers_add(t, &c);
			added++;
		}
	}
	return added;
}

void container_text(const struct container *c, char *buf, size_t n)
{
	if (c->kind == CT_NETNS)
		snprintf(buf, n, "ip netns %s", c->name);
	else if (c->kind == CT_SANDBOX)
		snprintf(buf, n, "docker sandbox %s", c->name);
	else if (c->ip[0])
		snprintf(buf, n, "container %s (%s, %s)", c->name, c->id, c->ip);
	else
		snprintf(buf, n, "container %s (%s)", c->name, c->id);
}

json_t *container_json(const struct container *c)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "name", c->name, "id", c->id, "ip", c->ip,
			 "kind", ct_kind_name(c->kind));
}

static bool is_hex(const char *w)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!isxdigit((unsigned char)*w))
			return false;
	return true;
}

bool container_is(const struct container *c, const char *w)
{
	size_t idl = strlen(c->id), wl = strlen(w);

	if (!strcmp(c->name, w) || (w[0] == '/' && !strcmp(c->name, w + 1)))
		return true;
	/* a short id is 12 digits: a longer NAME (the full id) must start with it */
	return idl && is_hex(w) && !strncmp(c->id, w, wl < idl ? wl : idl);
}

const struct container *containers_find_ip(const struct containers *t, const struct nst_addr *a)
{
	char ip[64];
	const char *p;

	if (!t || (a->family != AF_INET && a->family != AF_INET6))
		return NULL;
	print_addr(ip, sizeof(ip), a);
	/* "10.89.0.2:0", "[fd00::2]:0": the address without port or brackets */
	p = ip[0] == '[' ? ip + 1 : ip;
	ip[strcspn(ip, ip[0] == '[' ? "]" : ":")] = '\0';
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].ip[0] && !strcmp(t->v[i].ip, p))
			return &t->v[i];
	return NULL;
}
