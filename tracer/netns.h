/* netns.h - what the live system says about network namespaces: which
 * one a task is in, which bind mount names one, and which one a socket
 * lives in (asked of the kernel).  Names go into the model's nstab, which
 * owns them. */
#ifndef NST_NETNS_H
#define NST_NETNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "model/event.h"
#include "model/nstab.h"

/* Inode of the netns thread tid is in now.  Returns 0 or -errno. */
int netns_of_task(pid_t tid, uint64_t *ino);

/* When the netns directories were last scanned (at most once a second). */
struct netns_scan {
	time_t last;
};

/* The bind-mount path of the namespace with this inode: already known in
 * t, or found by scanning /run/netns, /run/docker/netns and /var/run/netns
 * (every namespace found there is learned too).  NULL when none. */
const char *netns_path(struct netns_scan *sc, struct nstab *t, uint64_t ino);

/* Ask the kernel about socket fd of the process behind pidfd: duplicate it
 * with pidfd_getfd, then SIOCGSKNS and getsockopt/getsockname/getpeername.
 * Fills family/type/protocol, local, peer and netns.ino in *s.
 * Returns 0 or -errno (-ENOTSOCK when fd is not a socket). */
int netns_query_socket(int pidfd, int fd, struct nst_sock *s);

/* Only the local address (a UDP connect() picks it implicitly). */
int netns_query_local(int pidfd, int fd, struct nst_addr *local);


#endif
