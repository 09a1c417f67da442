/* dnsstream.h - from socket events to DNS messages.
 *
 * Decides which events carry DNS: port 53 on either end, a listener bound
 * to 127.0.0.11, or a socket that has carried DNS before (an answer read
 * without its source address, on an unconnected socket, by any thread or
 * process that shares the socket); and only bytes that decode as a
 * plausible DNS message.  Splits TCP streams on their 2-byte length
 * prefixes across calls, and hands each message to a callback.  No I/O, no
 * ptrace: its state (the streams, the sockets seen) lives in the struct. */
#ifndef NST_DNSSTREAM_H
#define NST_DNSSTREAM_H

#include <stdbool.h>

#include "analyzers/dns.h"
#include "model/event.h"

struct dns_seen {
	const struct nst_event *ev; /* the event that completed the message */
	uint64_t sock;              /* its socket (sock_key) */
	bool outbound;              /* the traced process sent it */
	bool tcp;
	struct nst_addr remote;     /* the other end: upstream or client;
	                               AF_UNSPEC when the call did not show it */
	struct nst_addr local;
	const uint8_t *wire;        /* the message's bytes (TCP: without its
	                               length prefix), valid during the call */
	size_t wire_len;
	size_t wire_full;           /* its length: more than wire_len when -s
	                               cut it short */
	struct dns_msg msg;
	bool unparsed;              /* a received answer whose header reads
	                               (QR set) but whose body does not: only
	                               msg's header fields and, when it read,
	                               its question are set */
};

typedef void (*dns_seen_cb)(const struct dns_seen *d, void *ctx);

struct dnsstream;

/* NULL on ENOMEM.  Memory is bounded: at most 256 TCP streams of at most
 * 64 KiB each (the least recently used is dropped first), and a fixed
 * table of sockets that carried DNS. */
struct dnsstream *dnsstream_new(void);
void dnsstream_free(struct dnsstream *s);

/* Feed one event; cb runs for each complete (or capture-truncated) DNS
 * message in it, including a UDP query whose send failed (d->ev->err),
 * and each whole answer received that does not parse (d->unparsed): an
 * answer nstrace cannot read is still an answer.
 * The last close of a socket, or a new socket, forgets its state. */
void dnsstream_feed(struct dnsstream *s, const struct nst_event *ev, dns_seen_cb cb,
		    void *ctx);
/* Whole payloads on DNS sockets (port 53, 127.0.0.11) that are not DNS. */
unsigned long dnsstream_not_dns(const struct dnsstream *s);

/* The socket an event is about: its model id, or for an event without one
 * (an old recording) its pid and fd (the new fd of accept and dup). */
uint64_t sock_key(const struct nst_event *ev);

/* Is a the address of Docker's embedded resolver, 127.0.0.11 (any port:
 * Docker's DNAT moves its port 53 to the listener's own)? */
bool dns_embedded_listener(const struct nst_addr *a);

/* Does this close end the socket: its last fd, or an fd of a socket
 * known only by (pid, fd)? */
bool sock_gone(const struct nst_event *ev);

#endif
