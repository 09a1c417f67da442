/* docker.h - naming network namespaces: the Docker Engine API and the
 * usual netns directories, into the containers table (analyzers/containers.h).
 *
 * Safety: dockerd answers the API from the threads nstrace traces.  Asking
 * it while one of them sits in a ptrace stop can deadlock both, so nstrace
 * calls this only before it attaches and after it has detached. */
#ifndef NST_DOCKER_H
#define NST_DOCKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/containers.h"

/* Where a Docker Engine API listens: a unix socket, or http://host:port
 * (DOCKER_HOST=tcp://..., without TLS). */
struct docker_api {
	char unix_path[108]; /* "" when the API is reached over TCP */
	char url[128];       /* "http://host:port", or "http://localhost" */
	const char *source;  /* "DOCKER_HOST", "dockerd -H", "default", "rootless", "podman" */
	bool podman;         /* Podman's Docker-compatible API: its containers are CT_PODMAN */
};

/* "unix:///run/x.sock", "/run/x.sock", "tcp://10.0.0.2:2375" into *api;
 * -EINVAL for what nstrace cannot reach (fd://, ssh://, npipe://, TLS).
 * Pure. */
int docker_host_parse(const char *host, struct docker_api *api);

/* The first -H/--host of a dockerd command line (len bytes of NUL-ended
 * arguments, as /proc/PID/cmdline holds them) that docker_host_parse
 * takes.  0, or -ENOENT when it has none.  Pure. */
int dockerd_cmdline_api(const char *args, size_t len, struct docker_api *api);

/* One entry of GET /containers/json into *ct (zeroed first): short id,
 * name, first IP.  -EINVAL without an id.  Pure. */
int docker_summary_parse(const json_t *e, struct container *ct);
/* GET /containers/ID/json: the SandboxKey path into ct->netns_path (the
 * /run form); returns State.Pid, or 0.  Pure (nothing is stat'd). */
long long docker_inspect_parse(const json_t *ins, struct container *ct);

/* The container a process is in, from its /proc/PID/cgroup text (len
 * bytes): the last run of exactly 64 hex digits in a cgroup path
 * (docker-ID.scope, /docker/ID, libpod-ID.scope, kubepods/.../ID), NUL-
 * terminated into id.  false when there is none.  Pure. */
bool cgroup_container_id(const char *text, size_t len, char id[65]);

/* Where the API is, in this order: DOCKER_HOST; the -H of the traced
 * dockerd (pids: the traced processes, whichever of them is dockerd);
 * /var/run/docker.sock; the rootless $XDG_RUNTIME_DIR/docker.sock.  A unix
 * socket that does not exist is passed over.  0 or -ENOENT. */
int docker_find_api(const pid_t *pids, int npids, struct docker_api *api);

/* Podman's Docker-compatible API socket: /run/podman/podman.sock (root),
 * else $XDG_RUNTIME_DIR/podman/podman.sock.  0 or -ENOENT. */
int podman_find_api(struct docker_api *api);

/* GET /containers/json and /networks/ID on api (2 s timeout per
 * request), and one pass over /proc: adds each running container: name,
 * short id, IP, whether a network of it is --internal, and its netns
 * (inode, and the sandbox path where dockerd's /run/docker/netns shows
 * it).  One API call for all containers, not one each: a container whose
 * processes /proc does not show in its cgroup (a cgroup namespace) is
 * asked about alone (GET /containers/ID/json).  Returns the number added, or -errno (-EIO: the API did not
 * answer or answered nonsense; -ENOENT: no API socket, or no libcurl,
 * which is loaded here, at the first ask, not at every start). */
int docker_load(struct containers *t, const struct docker_api *api);

/* Names without the API: /run/netns/NAME (ip netns) and
 * /run/docker/netns/ID (a Docker sandbox).  Returns the number added. */
int netns_names_load(struct containers *t);

#endif
