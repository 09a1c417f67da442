/* analyzer.h - the analysis pipeline over the event stream.
 *
 * events -> dnsstream (DNS messages) -> attempts (queries matched with
 * their answers, attempts.h) and lookups (what a traced resolver served,
 * lookups.h) -> findings (findings.h) and the summary tables; beside them,
 * threads left in a foreign netns (nsthreads.h), sockets used outside their
 * home netns (foreign.h) and, with -k, where sockets were made
 * (sockstacks.h).  Consumes events only and never calls ptrace, so a live
 * trace and a replayed one run the same code; it switches on each event's
 * operation, never on a syscall name.  Time is the events' own timestamps,
 * so replays are deterministic.
 *
 * Memory is bounded: pending queries, served queries, summary rows and
 * findings are capped; overflow is counted, never unbounded growth.  The
 * outputs read the tables below; the analyzer prints nothing. */
#ifndef NST_ANALYZER_H
#define NST_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "analyzers/attempts.h"
#include "analyzers/findings.h"
#include "analyzers/foreign.h"
#include "analyzers/lookups.h"
#include "model/event.h"

struct analyzer_opts {
	uint64_t dns_timeout_us; /* no answer within this = timeout (default 5 s) */
	finding_new_cb on_new;   /* a finding key seen for the first time */
	/* Each DNS message, after the analyzer took it in, with its exchange
	 * (pointers valid during the call).  May be NULL. */
	void (*on_message)(const struct dns_seen *d, const struct dns_exchange *x, void *ctx);
	/* The finding rows an exchange's outcome went to (findings.h); once
	 * per exchange that has an outcome.  May be NULL. */
	finding_outcome_cb on_outcome;
	void *ctx;
};

struct analyzer_counts {
	unsigned long events, q_sent, r_recv, q_recv, r_sent;
	unsigned long q_overflow, sv_overflow; /* dropped from the pending tables */
	unsigned long not_dns; /* payloads on DNS sockets that are not DNS */
	unsigned long unseen;  /* sendmmsg/recvmmsg messages no event showed */
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

/* After finish: name the firewall rules behind the failed findings
 * (analyzers/fwexplain.h); ff must outlive the analyzer's report. */
void analyzer_firewall(struct analyzer *a, const struct fw_facts *ff);

const struct findings *analyzer_findings(const struct analyzer *a);
const struct analyzer_counts *analyzer_counts(const struct analyzer *a);
const struct upstream_row *analyzer_upstreams(const struct analyzer *a, size_t *n);
const struct relay_row *analyzer_relays(const struct analyzer *a, size_t *n);
/* What the clients of traced resolvers got, per asking netns. */
const struct lookup_row *analyzer_lookups(const struct analyzer *a, size_t *n);
const struct foreign_row *analyzer_foreign(const struct analyzer *a, size_t *n);
/* The lookups the traced programs made for themselves (proglookups.h), in
 * the order they ended; *dropped: those past the table.  Complete after
 * analyzer_finish. */
const struct prog_lookup *analyzer_prog_lookups(const struct analyzer *a, size_t *n,
						 unsigned long *dropped);

#endif
