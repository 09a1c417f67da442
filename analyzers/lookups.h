/* lookups.h - the journey of each lookup a traced resolver serves.
 *
 * A lookup is a query a traced process reads on a listening socket, such
 * as dockerd's 127.0.0.11 listener in a container's netns: the listener's
 * netns names the asking container.  Its forwarding attempts are the
 * queries the same process then sends (the analyzer's; they carry the
 * client's DNS id and question), each with its path (from the asking
 * container's netns, the resolver's own, or another) and result; the
 * client's outcome is the reply written back on the listener: an rcode, or
 * nothing once every attempt has failed.
 *
 * Pure over DNS messages: no I/O.  Bounded: at most LOOKUPS_MAX open
 * lookups (overflow counted), 256 asker rows and 64 relay rows. */
#ifndef NST_LOOKUPS_H
#define NST_LOOKUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/dnsstream.h"
#include "analyzers/findings.h"
#include "analyzers/proglookups.h"
#include "analyzers/samples.h"

#define LOOKUPS_MAX 4096

/* Lookups per (asking netns, resolver pid): what the clients got. */
struct lookup_row {
	struct ns_ref asker;
	int pid;
	char comm[NST_COMM_LEN];
	unsigned long lookups;   /* served, with an outcome */
	unsigned long answered;  /* NOERROR */
	unsigned long nxdomain, servfail, refused, other_rcode;
	unsigned long nothing;   /* no reply after every attempt failed */
	unsigned long by_itself; /* answered (or dropped) without forwarding */
	unsigned long tcp_retries; /* over TCP after a truncated UDP reply */
	unsigned long via[4];    /* attempts per enum dns_path */
};

/* A resolver relaying clients' queries: per (pid, listener, upstream),
 * each hop's latency. */
struct relay_row {
	int pid;
	char comm[NST_COMM_LEN], listener[64], upstream[64];
	struct nst_addr listener_addr; /* what listener says, matched unprinted */
	unsigned long count;
	struct samples client_in, to_up, up_rtt, to_client, total;
};

struct lookups;

/* fs receives the lookup findings; each lookup served is also one attempt
 * of its client's lookup in pl (NULL: none).  NULL on ENOMEM. */
struct lookups *lookups_new(struct findings *fs, struct proglookups *pl);
void lookups_free(struct lookups *lk);

/* A query read on a listening socket (d->outbound false, d->msg.qr 0).
 * client_ts: when a traced client sent it, or 0; xid: the exchange the
 * lookup is (analyzer.h), carried by its finding occurrences. */
void lookups_query_received(struct lookups *lk, const struct dns_seen *d, uint64_t client_ts,
			    uint64_t xid);
/* A reply written on a listening socket: the lookup's outcome.  Returns
 * that lookup's xid, and its netns in *asker (valid until the next call
 * into lk); 0 when no open lookup matched. */
uint64_t lookups_response_sent(struct lookups *lk, const struct dns_seen *d,
			       const struct ns_ref **asker);

/* The lookup a forwarding attempt serves: the open lookup of that pid with
 * this DNS id and question (any id when has_id is false: a connect that
 * failed before any query left), the most recent first.  -1 when none.
 * Never one received from self in netns, the attempt's own socket
 * (AF_UNSPEC: not known): that is this very query, which the process's own
 * listener read before its send was seen (two threads' calls, reported out
 * of order), not one it forwards.  On success the attempt is counted,
 * *asker is the lookup's netns and *client the asking client's address
 * where that names it (lookups_client). */
int lookups_attach(struct lookups *lk, int pid, bool has_id, uint16_t id, uint16_t qtype,
		   const char *qname, uint64_t ts, const struct nst_addr *self, const struct ns_ref *netns,
		   struct ns_ref *asker, struct nst_addr *client);
/* The question of lookup i (for an attempt that never sent one). */
void lookups_question(const struct lookups *lk, int i, char *qname, size_t n, uint16_t *qtype,
		      uint16_t *id);
/* Attempt made for lookup i, from path via to upstream over proto, ended
 * with res at ts (RES_OK: answered; RES_PENDING: not ended, ignored). */
void lookups_attempt_done(struct lookups *lk, int i, enum dns_path via, const char *upstream,
			  enum dns_proto proto, enum dns_result res, uint64_t ts);

/* Attempt made for lookup i whose end nobody saw (a TCP dial closed at
 * once, without a connect result): ended, with no result. */
void lookups_attempt_unknown(struct lookups *lk, int i, enum dns_path via, const char *upstream,
			     enum dns_proto proto, uint64_t ts);

/* An attempt lookups_attach counted never happened (its send failed with
 * nothing to tell, EAGAIN). */
void lookups_attempt_cancel(struct lookups *lk, int i);

/* Forget lookups that ended long ago without a reply; those whose every
 * attempt failed, or that were never forwarded, count as answered with
 * nothing. */
void lookups_sweep(struct lookups *lk, uint64_t now);
/* The trace ended: open lookups whose every attempt failed at least a
 * second before, or that were asked 5 s before and never forwarded, got
 * nothing; the others are left out (their outcome is not known). */
void lookups_finish(struct lookups *lk, uint64_t end_ts);

/* Lookups dropped because LOOKUPS_MAX were open. */
unsigned long lookups_overflow(const struct lookups *lk);
const struct lookup_row *lookups_rows(const struct lookups *lk, size_t *n);
const struct relay_row *lookups_relays(const struct lookups *lk, size_t *n);

#endif
