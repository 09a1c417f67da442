/* attempts.h - the queries traced processes sent, each matched with its
 * answer: one attempt to reach an upstream.
 *
 * An answer is matched to its query by socket (sock_key; an event without a
 * socket id is known by its pid and fd until that fd is closed), DNS id and
 * question, whichever thread or process read it and whatever call: the
 * source address is checked when the call shows it, never required.  A
 * failed connect to port 53 is an attempt too; a non-blocking TCP dial is
 * one from its connect on.  An attempt a traced resolver makes for a lookup
 * it serves is attached to that lookup (lookups.h), so its finding names
 * the asking container.
 *
 * Each fate is offered to the findings (SUBJECT_QUERY) and counted in the
 * upstream table.  Memory is bounded: 4096 pending attempts (the oldest
 * gives way, as pending: attempts_overflow), 256 table rows. */
#ifndef NST_ATTEMPTS_H
#define NST_ATTEMPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/dnsstream.h"
#include "analyzers/findings.h"
#include "analyzers/lookups.h"
#include "analyzers/proglookups.h"
#include "analyzers/samples.h"
#include "analyzers/sockstacks.h"
#include "model/event.h"

/* The exchange a DNS message belongs to: one attempt (a query a traced
 * process sent, and its answer) or one lookup a traced resolver served (the
 * client's query, and the reply).  Ids are never reused. */
struct dns_exchange {
	uint64_t xid;               /* 0: none (an answer nothing asked for) */
	bool lookup;                /* a lookup served, else an attempt */
	const struct ns_ref *asker; /* a relayed lookup's netns, or NULL */
	const struct nst_addr *up;  /* an attempt's upstream, or NULL */
};

/* Attempts per (asking netns, socket netns, upstream, proto): the asking
 * netns is the container whose lookup a resolver forwarded (unknown for a
 * program's own queries).  A connect that failed counts as an attempt. */
struct upstream_row {
	struct ns_ref asker, netns;
	char upstream[64];
	enum dns_proto proto;
	unsigned long queries, answered, refused, unreachable, rejected, timeout, pending, blocked;
	unsigned long unmatched; /* answers to no query of the trace's (not in queries) */
	struct samples lat;
};

struct attempts;

/* Fates go to fs, relayed attempts to lk, a program's own to pl (NULL:
 * none), stacks are read from st; all outlive the attempts.  Exchange ids are taken from *xids (shared
 * with the lookups' own).  dns_timeout_us: no answer within it is a
 * timeout (dockerd's forwarding has its own, 4 s).  NULL on ENOMEM. */
struct attempts *attempts_new(struct findings *fs, struct lookups *lk, struct proglookups *pl,
			      const struct sock_stacks *st, uint64_t *xids, uint64_t dns_timeout_us);
void attempts_free(struct attempts *a);

/* Events came without a clock: latencies are unknown from now on. */
void attempts_timeless(struct attempts *a);

/* A query sent (d->msg.qr clear, outbound); *x is set to its exchange. */
void attempts_query_sent(struct attempts *a, const struct dns_seen *d, struct dns_exchange *x);
/* An answer received, or a reply that does not parse (d->unparsed): the
 * pending attempt it answers, if any, gets its fate and *x its exchange.
 * One that answers nothing yet is held 100 ms (16 at most) for a query to
 * claim (a tracer may see another thread's read before the write), then
 * counted unmatched; *x is then left without an exchange. */
void attempts_response(struct attempts *a, const struct dns_seen *d, struct dns_exchange *x);
/* A resolver received d: when its client is traced too and sent that
 * question within the last 10 s, the time it did (the lookup's first hop);
 * else 0. */
uint64_t attempts_client_sent(const struct attempts *a, const struct dns_seen *d);

/* What an event's call means for the attempts on its socket (sock): a
 * close that took the socket's last reference, a new socket on a reused
 * fd, a connect to port 53, getsockopt(SO_ERROR), a send or receive that
 * failed, a readiness call's error (POLLERR: an ICMP error came; which
 * one, a later receive or SO_ERROR says, else it is "rejected") or its
 * timeout (the client's own, when the call watched only sockets).  Call
 * after the event's DNS messages. */
void attempts_feed(struct attempts *a, const struct nst_event *ev, uint64_t sock);
/* A receive on sock moved more messages than the events show: the
 * attempts waiting on it may have had their answers among them (never a
 * timeout then). */
void attempts_unseen(struct attempts *a, uint64_t sock);

/* Attempts older than their timeout at now are timeouts, but for those on
 * socket spare (a readiness event's, about to say how they ended; 0:
 * none). */
void attempts_sweep(struct attempts *a, uint64_t now, uint64_t spare);
/* The trace ended at end_ts: each attempt left is a timeout when older
 * than its timeout, else pending.  Call once. */
void attempts_finish(struct attempts *a, uint64_t end_ts);

const struct upstream_row *attempts_rows(const struct attempts *a, size_t *n);
/* Attempts that gave way to newer ones while pending. */
unsigned long attempts_overflow(const struct attempts *a);

#endif
