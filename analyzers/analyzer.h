/* analyzer.h - the analysis pipeline over the event stream.
 *
 * events -> dnsstream (DNS messages) -> query/response correlation, relay
 * hops, namespace bookkeeping -> findings + summary.  Consumes events only
 * and never calls ptrace, so a live trace and a replayed one run the same
 * code.  Time is the events' own timestamps, so replays are deterministic.
 * Memory is bounded: pending queries, served queries, summary rows and
 * findings are capped; overflow is counted, never unbounded growth. */
#ifndef NST_ANALYZER_H
#define NST_ANALYZER_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "model/event.h"
#include "analyzers/findings.h"

struct analyzer_opts {
	uint64_t dns_timeout_us; /* no answer within this = timeout (default 5 s) */
	finding_new_cb on_new;   /* a finding key seen for the first time */
	void *ctx;
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

/* {"type":"summary", ...}; the caller owns the result. */
json_t *analyzer_summary_json(const struct analyzer *a);

/* Findings in full, then the per-upstream table and the relays. */
void analyzer_print_report(const struct analyzer *a, FILE *out);

#endif
