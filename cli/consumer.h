/* consumer.h - the single event handler behind every event source.
 *
 * Live tracing, recording replay and strace import all hand their events
 * to consumer_event(): it prints them (--events, text or JSON), records
 * them (-o), keeps the foreign-socket tally, and feeds the analyzers.  The
 * closing report comes from here too, so every mode reports alike. */
#ifndef NST_CONSUMER_H
#define NST_CONSUMER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "model/event.h"
#include "output/jsonw.h"
#include "output/lineout.h"

struct consumer {
	bool events, json, quiet; /* quiet: no live findings, no report (check) */
	struct lineout *out;      /* stdout, whole lines */
	struct lineout *rec;      /* -o FILE, or NULL */
	struct analyzer *an;
	struct jw jw;             /* the JSON line of the event at hand */
	unsigned long nevents;
};

/* Set up c (events/json/quiet already set): opens stdout as a lineout and
 * the analyzer.  Returns 0 or -ENOMEM. */
int consumer_init(struct consumer *c, uint64_t dns_timeout_us);
void consumer_free(struct consumer *c);

/* nst_event_sink: ctx is the struct consumer. */
void consumer_event(const struct nst_event *ev, void *ctx);

/* Finish the analysis at end_ts and print the report: text, or findings
 * and a summary as JSON Lines.  extra (may be NULL) is merged into the
 * summary object; consumer_report takes ownership of it. */
void consumer_report(struct consumer *c, uint64_t end_ts, json_t *extra);

/* 1 when a finding at or above fail_on (an enum severity) exists, or 0;
 * fail_on < 0 disables. */
int consumer_fail_status(const struct consumer *c, int fail_on);

/* One JSON object as one line on lo (no allocation). */
void consumer_write_json(struct lineout *lo, json_t *o);

#endif
