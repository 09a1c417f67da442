/* netns.h - network namespace identification.
 *
 * A namespace is identified by its nsfs inode.  Paths are a courtesy: the
 * bind mounts under /run/netns and /run/docker/netns, or the path a tracee
 * opened before setns().  Strings returned are owned by this module and live
 * until netns_cleanup(). */
#ifndef NST_NETNS_H
#define NST_NETNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"

/* Inode of the netns thread tid is in now.  Returns 0 or -errno. */
int netns_of_task(pid_t tid, uint64_t *ino);

/* Known bind-mount path for ino, or NULL.  An unknown inode triggers a
 * rescan of the usual netns directories, at most once per second. */
const char *netns_path(uint64_t ino);

/* Remember that ino is reachable at path (first one wins). */
void netns_learn_path(uint64_t ino, const char *path);

/* True only the first time ino is asked about (nothing is read): the caller
 * may then spend one lookup on a path for it.  False for ino 0. */
bool netns_first_sight(uint64_t ino);

/* Ask the kernel about socket fd of the process behind pidfd: duplicate it
 * with pidfd_getfd, then SIOCGSKNS and getsockopt/getsockname/getpeername.
 * Fills family/type/protocol, local, peer and netns.ino in *s.
 * Returns 0 or -errno (-ENOTSOCK when fd is not a socket). */
int netns_query_socket(int pidfd, int fd, struct nst_sock *s);

/* Only the local address (a UDP connect() picks it implicitly). */
int netns_query_local(int pidfd, int fd, struct nst_addr *local);

void netns_cleanup(void);

#endif
