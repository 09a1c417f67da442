/* containers.h - which container owns a network namespace.
 *
 * A netns inode means nothing to a person; a container name does.  This is
 * a plain table from (netns inode, netns path) to a container's name, short
 * id and address, filled from the Docker Engine API (names/docker.c) when
 * nstrace runs next to dockerd, or from a recording's header and trailer on
 * replay.  Pure: no I/O, safe anywhere. */
#ifndef NST_CONTAINERS_H
#define NST_CONTAINERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"

/* What named a netns.  A kind a recording does not give is a Docker
 * container's: older recordings named only those (one meaning of unknown,
 * for every output). */
enum ct_kind {
	CT_DOCKER,  /* a container the Docker API named */
	CT_SANDBOX, /* a /run/docker/netns id, without the API */
	CT_NETNS,   /* an ip-netns name (/run/netns/NAME) */
	CT_PODMAN,  /* a container Podman's (Docker-compatible) API named */
};

/* A runtime's container (a name, an id), not a bare netns name. */
static inline bool ct_is_container(enum ct_kind k)
{
	return k == CT_DOCKER || k == CT_PODMAN;
}

/* Whether a container has an IPv6 address (the API says; a recording
 * does not: unknown). */
enum ct_v6 { CT_V6_UNKNOWN, CT_V6_NO, CT_V6_YES };

struct container {
	uint64_t netns_ino; /* 0 when unknown */
	char netns_path[128];
	char name[64];
	char id[16];  /* short id */
	char ip[48];  /* on its first network, "" when none */
	enum ct_kind kind;
	bool internal; /* on an --internal network: dockerd does not forward */
	int pid;       /* a process in it (its earliest), 0 unknown; not recorded */
	enum ct_v6 v6; /* not recorded */
};

/* The names known in a session; zero-initialized is empty. */
struct containers {
	struct container *v;
	size_t n, cap;
};

void containers_free(struct containers *t);
/* Add or update (matched by inode, else by path).  Bounded: 4096 entries;
 * later ones are dropped. */
void containers_add(struct containers *t, const struct container *c);
/* The container of a netns, by inode or by path; NULL when unknown (or t
 * is NULL). */
const struct container *containers_find(const struct containers *t, uint64_t ino,
					const char *path);

/* The container whose address is a's IP (port ignored); NULL when none
 * is, or t is NULL.  Names a client that a listener in a resolver's own
 * netns served (aardvark-dns). */
const struct container *containers_find_ip(const struct containers *t, const struct nst_addr *a);

/* Does container c answer to w: its name ("/name" too), or the start of
 * its id (hex)? */
bool container_is(const struct container *c, const char *w);

/* "docker", "sandbox", "netns". */
const char *ct_kind_name(enum ct_kind k);
/* The kind of that name; CT_DOCKER for any other, or none. */
enum ct_kind ct_kind_from_name(const char *name);

/* [{"netns_inode":..,"netns_path":..,"name":..,"id":..,"ip":..,"kind":..}] */
json_t *containers_to_json(const struct containers *t);
/* Merge such an array (from a recording).  Returns entries added, or -1 if
 * it is not an array of objects. */
int containers_from_json(struct containers *t, const json_t *arr);

/* "container nstrace-e2e-ctr (db0fc230979d, 172.18.0.2)" into buf. */
void container_text(const struct container *c, char *buf, size_t n);
/* {"name":..,"id":..,"ip":..,"kind":..} (caller owns). */
json_t *container_json(const struct container *c);

#endif
