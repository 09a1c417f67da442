/* session.h - one run of nstrace: the sink every event source feeds
 * (live tracing, a recording, strace logs), and what hangs off it: the
 * namespace names known, the analyzer, the live output (--events, text or
 * JSON) and the recording (-o).  The closing report comes from here too, so
 * every mode reports alike. */
#ifndef NST_SESSION_H
#define NST_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzers/analyzer.h"
#include "model/containers.h"
#include "model/event.h"
#include "model/fwfacts.h"
#include "output/dnspcap.h"
#include "output/jsonw.h"
#include "output/lineout.h"
#include "output/recwriter.h"
#include "output/select.h"

#define SESSION_HELD 32

struct session {
	bool events, json, quiet; /* quiet: no live findings, no report (check) */
	FILE *rep;                /* where the live lines and the report go: stdout
	                             (NULL at init), or --report's file (owned) */
	struct lineout *out;      /* rep, whole lines */
	struct rec_writer *rec;     /* -o FILE (every event, unselected), or NULL */
	struct dns_pcap *cap;      /* -w FILE, or NULL */
	const char *cap_path;
	struct select sel;        /* --container; names points at names below */
	struct analyzer *an;
	struct containers names;  /* netns -> container, ip-netns name */
	struct fw_facts *fw;      /* the firewall's counters while traced, or NULL (owned) */
	struct jw jw;             /* the JSON line of the event at hand */
	unsigned long nevents;
	/* while an event is analyzed: its new findings, printed after it, and
	 * whether its DNS belongs to a selected container's lookup */
	bool feeding, asked;
	const struct finding *held[SESSION_HELD];
	int nheld;
};

/* Set up s (events/json/quiet and sel's NAMEs already set): opens stdout
 * as a lineout and the analyzer.  Returns 0 or -ENOMEM. */
int session_init(struct session *s, uint64_t dns_timeout_us);
/* -w path: 0, or -errno when it cannot be created. */
int session_pcap(struct session *s, const char *path, uint64_t dns_timeout_us);
void session_free(struct session *s);

/* nst_event_sink: ctx is the struct session. */
void session_event(const struct nst_event *ev, void *ctx);

/* Finish the analysis at end_ts, close the -w file, and print the report:
 * text, or findings and a summary as JSON Lines.  extra (may be NULL) is
 * merged into the summary object; session_report takes ownership of it.
 * 0, or 2 when the -w file could not be written (said on stderr). */
int session_report(struct session *s, uint64_t end_ts, json_t *extra);

/* 1 when a (selected) finding at or above fail_on (an enum severity)
 * exists, or 0; fail_on < 0 disables. */
int session_fail_status(struct session *s, int fail_on);

#endif
