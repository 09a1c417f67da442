/* containers.c - see containers.h. */
#include "model/containers.h"

#include <stdio.h>
#include <string.h>

#define MAX_CONTAINERS 4096

static struct container table[MAX_CONTAINERS];
static size_t ntable;

static struct container *find_mut(uint64_t ino, const char *path)
{
	for (size_t i = 0; i < ntable; i++)
		if (ino && table[i].netns_ino == ino)
			return &table[i];
	if (path && path[0])
		for (size_t i = 0; i < ntable; i++)
			if (!strcmp(table[i].netns_path, path))
				return &table[i];
	return NULL;
}

void containers_add(const struct container *c)
{
	struct container *e = find_mut(c->netns_ino, c->netns_path);

	if (!e && ntable == MAX_CONTAINERS)
		return;
	if (!e)
		e = &table[ntable++];
	*e = *c;
}

const struct container *containers_find(uint64_t ino, const char *path)
{
	return find_mut(ino, path);
}

json_t *containers_to_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ntable; i++) {
		const struct container *c = &table[i];
		json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}",
			"netns_inode", c->netns_ino ? json_integer((json_int_t)c->netns_ino) : json_null(),
			"netns_path", c->netns_path, "name", c->name, "id", c->id, "ip", c->ip,
			"kind", c->kind));
	}
	return a;
}

static void copy_str(char *dst, size_t n, const json_t *v)
{
	snprintf(dst, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int containers_from_json(const json_t *arr)
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
		copy_str(c.kind, sizeof(c.kind), json_object_get(o, "kind"));
		if (c.name[0] && (c.netns_ino || c.netns_path[0])) {
			containers_add(&c);
			added++;
		}
	}
	return added;
}

void container_text(const struct container *c, char *buf, size_t n)
{
	if (!strcmp(c->kind, "netns"))
		snprintf(buf, n, "ip netns %s", c->name);
	else if (!strcmp(c->kind, "sandbox"))
		snprintf(buf, n, "docker sandbox %s", c->name);
	else if (c->ip[0])
		snprintf(buf, n, "container %s (%s, %s)", c->name, c->id, c->ip);
	else
		snprintf(buf, n, "container %s (%s)", c->name, c->id);
}

json_t *container_json(const struct container *c)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "name", c->name, "id", c->id, "ip", c->ip,
			 "kind", c->kind[0] ? c->kind : "docker");
}
