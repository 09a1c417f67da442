/* dnsstream.h - from socket events to DNS messages.
 *
 * Decides which events carry DNS (strictly: port 53 on either end, or a
 * listener bound to 127.0.0.11, and bytes that decode as a plausible DNS
 * message), splits TCP streams on their 2-byte length prefixes across calls,
 * and hands each message to a callback.  Pure: no I/O, no ptrace. */
#ifndef NST_DNSSTREAM_H
#define NST_DNSSTREAM_H

#include <stdbool.h>

#include "analyzers/dns.h"
#include "model/event.h"

struct dns_seen {
	const struct nst_event *ev; /* the event that completed the message */
	bool outbound;              /* the traced process sent it */
	bool tcp;
	struct nst_addr remote;     /* the other end: upstream or client */
	struct nst_addr local;
	struct dns_msg msg;
};

typedef void (*dns_seen_cb)(const struct dns_seen *d, void *ctx);

struct dnsstream;

/* NULL on ENOMEM.  Memory is bounded: at most 256 TCP streams of at most
 * 64 KiB each; the least recently used stream is dropped first. */
struct dnsstream *dnsstream_new(void);
void dnsstream_free(struct dnsstream *s);

/* Feed one event; cb runs for each complete (or capture-truncated) DNS
 * message in it, including a UDP query whose send failed (d->ev->err).  A close or a new socket on (pid, fd) forgets its stream. */
void dnsstream_feed(struct dnsstream *s, const struct nst_event *ev, dns_seen_cb cb,
		    void *ctx);

/* Syscall direction: +1 sends, -1 receives, 0 neither. */
int syscall_direction(const char *name);

/* Could this socket event be DNS at all (by addresses)?  Sets *remote. */
bool dns_candidate(const struct nst_event *ev, struct nst_addr *remote);

#endif
