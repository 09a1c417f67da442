/* analyzer.h - the analysis pipeline over the event stream.
 *
 * events -> dnsstream (DNS messages) -> query/response correlation, relay
 * hops, namespace bookkeeping -> findings and the summary tables.  Consumes
 * events only and never calls ptrace, so a live trace and a replayed one
 * run the same code; it switches on each event's operation, never on a
 * syscall name.  Time is the events' own timestamps, so replays are
 * deterministic.
 *
 * An answer is matched to its query by socket (sock.id; an event without
 * one is known by its pid and fd until that fd is closed), DNS id and
 * question, whichever thread or process read it and whatever call: the
 * source address is checked when the call shows it, never required.
 *
 * Memory is bounded: pending queries, served queries, summary rows and
 * findings are capped; overflow is counted, never unbounded growth.  The
 * outputs read the tables below; the analyzer prints nothing. */
#ifndef NST_ANALYZER_H
#define NST_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "analyzers/findings.h"
#include "analyzers/samples.h"
#include "model/event.h"

struct analyzer_opts {
	uint64_t dns_timeout_us; /* no answer within this = timeout (default 5 s) */
	finding_new_cb on_new;   /* a finding key seen for the first time */
	void *ctx;
};

/* Queries per (socket netns, upstream, proto). */
struct upstream_row {
	struct ns_ref netns;
	char upstream[64], proto[4];
	unsigned long queries, answered, refused, unreachable, timeout, pending;
	struct samples lat;
};

/* A resolver (dockerd's 127.0.0.11) relaying clients' queries: per (pid,
 * listener, upstream), each hop's latency. */
struct relay_row {
	int pid;
	char comm[NST_COMM_LEN], listener[64], upstream[64];
	unsigned long count;
	struct samples client_in, to_up, up_rtt, to_client, total;
};

/* Events on sockets outside their process's home netns, per (pid, netns,
 * proto, peer). */
struct foreign_row {
	int pid;
	char comm[NST_COMM_LEN];
	uint64_t netns;
	char path[128], proto[8], peer[64];
	unsigned long count;
};

struct analyzer_counts {
	unsigned long events, q_sent, r_recv, q_recv, r_sent;
	unsigned long q_overflow, sv_overflow; /* dropped from the pending tables */
};

struct analyzer;

/* NULL on ENOMEM. */
struct analyzer *analyzer_new(const struct analyzer_opts *o);
void analyzer_free(struct analyzer *a);

void analyzer_feed(struct analyzer *a, const struct nst_event *ev);

/* The trace ended at end_ts (µs): queries older than the timeout become
 * timeouts, younger ones pending; threads still in a foreign netns are
 * reported.  Call once. */
void analyzer_finish(struct analyzer *a, uint64_t end_ts);

const struct findings *analyzer_findings(const struct analyzer *a);
const struct analyzer_counts *analyzer_counts(const struct analyzer *a);
const struct upstream_row *analyzer_upstreams(const struct analyzer *a, size_t *n);
const struct relay_row *analyzer_relays(const struct analyzer *a, size_t *n);
const struct foreign_row *analyzer_foreign(const struct analyzer *a, size_t *n);

#endif
