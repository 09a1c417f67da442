/* listeners.h - who serves a nameserver: the sockets of a network
 * namespace as /proc/net/{udp,udp6,tcp,tcp6} list them, and the process
 * that holds one.
 *
 * proc_net_parse_line is pure (bytes in, entry out), unit-tested and
 * fuzzed; the rest reads /proc. */
#ifndef NST_LISTENERS_H
#define NST_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"

struct net_sock {
	struct nst_addr local, remote;
	unsigned state;  /* the kernel's TCP state number (UDP unconnected: 7) */
	uint64_t inode;
	bool tcp;
};

#define TCP_LISTEN_STATE 10

/* One line of /proc/net/udp (v6 false) or udp6 (v6 true), tcp alike, into
 * *out.  0, or -EINVAL for the header line or a line it cannot read. */
int proc_net_parse_line(const char *line, size_t len, bool v6, bool tcp, struct net_sock *out);

/* What serves a nameserver, seen from the target's netns. */
enum ns_server_kind {
	NSS_UNKNOWN,
	NSS_LOCAL,        /* a listener inside the target's netns (127.0.0.11:
	                     dockerd's; a pod's own stub) */
	NSS_LOOPBACK_NONE,/* a loopback address nothing listens on there */
	NSS_HOST,         /* an address of the host's own netns, where a process
	                     listens (aardvark-dns, dnsmasq on a bridge) */
	NSS_HOST_NONE,    /* an address of the host's, where nothing listens */
	NSS_REMOTE,       /* beyond: the target's own path reaches it */
};

/* "unknown", "local", "loopback-none", "host", "host-none", "remote". */
const char *ns_server_kind_name(enum ns_server_kind k);

struct ns_server {
	enum ns_server_kind kind;
	int port;             /* the listener's port (Docker's DNAT: not 53) */
	bool tcp_too;         /* a TCP listener there too */
	pid_t pid;            /* the process holding the listener, 0 unknown */
	char comm[16];
};

/* Where addr (port 53) is served, seen from the netns behind nsfd: a
 * listener there, else on an address of nstrace's own netns (the host),
 * else remote.  Finding the holder scans /proc's fds once per call.
 * 0, or -errno when the netns's sockets could not be read (kind unknown). */
int ns_server_find(int nsfd, const struct nst_addr *addr, struct ns_server *out);

/* The IP addresses of the netns behind nsfd's interfaces (at most max):
 * how many, or -errno.  A client a resolver served from its own netns is
 * known by these (aardvark-dns). */
int netns_addrs(int nsfd, struct nst_addr *out, int max);

#endif
