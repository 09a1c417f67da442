/* docker.h - naming network namespaces: the Docker Engine API and the
 * usual netns directories, into the containers table (analyzers/containers.h).
 *
 * Safety: dockerd answers the API from the threads nstrace traces.  Asking
 * it while one of them sits in a ptrace stop can deadlock both, so nstrace
 * calls this only before it attaches and after it has detached. */
#ifndef NST_DOCKER_H
#define NST_DOCKER_H

#include "model/containers.h"

/* GET /containers/json and /containers/ID/json over the unix socket sock
 * (NULL: /var/run/docker.sock), 2 s timeout per request.  Adds each running
 * container: name, short id, IP, and its netns (SandboxKey path and inode).
 * Returns the number added, or -errno (-ENOENT: no socket; -EIO: the API
 * did not answer or answered nonsense). */
int docker_load(struct containers *t, const char *sock);

/* Names without the API: /run/netns/NAME (ip netns) and
 * /run/docker/netns/ID (a Docker sandbox).  Returns the number added. */
int netns_names_load(struct containers *t);

#endif
