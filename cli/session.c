/* session.c - see session.h. */
#define _GNU_SOURCE
#include "cli/session.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output/events.h"
#include "output/report.h"

static void print_finding(struct session *s, const struct finding *f)
{
	lineout_flush(s->out); /* keep order with the event lines */
	fprintf(s->rep, "nstrace: ");
	finding_print_text(s->rep, f, &s->names, false);
	fflush(s->rep);
}

/* A new finding, printed live; one that an event makes waits for the
 * event's own line. */
static void on_new_finding(const struct finding *f, void *ctx)
{
	struct session *s = ctx;

	if (s->json || s->quiet || !select_finding(&s->sel, f))
		return;
	if (s->feeding && s->nheld < SESSION_HELD)
		s->held[s->nheld++] = f;
	else
		print_finding(s, f);
}

static void on_message(const struct dns_seen *d, const struct dns_exchange *x, void *ctx)
{
	struct session *s = ctx;
	bool asked = x->asker && select_ref(&s->sel, x->asker);

	s->asked |= asked;
	if (s->cap && (asked || select_event(&s->sel, d->ev)))
		dnspcap_message(s->cap, d, x);
}

static void on_outcome(uint64_t xid, uint32_t rows, void *ctx)
{
	struct session *s = ctx;

	if (s->cap)
		dnspcap_outcome(s->cap, xid, rows);
}

int session_init(struct session *s, uint64_t dns_timeout_us)
{
	struct analyzer_opts o = { .dns_timeout_us = dns_timeout_us, .on_new = on_new_finding,
				   .on_message = on_message, .on_outcome = on_outcome, .ctx = s };

	s->sel.names = &s->names;
	if (!s->rep)
		s->rep = stdout;
	s->out = lineout_new(fileno(s->rep));
	s->an = analyzer_new(&o);
	return s->out && s->an ? 0 : -ENOMEM;
}

int session_pcap(struct session *s, const char *path, uint64_t dns_timeout_us)
{
	/* a lookup's outcome can take the resolver's 30 s to be known */
	uint64_t hold = (dns_timeout_us > 30000000 ? dns_timeout_us : 30000000) + 5000000;

	if (!(s->cap = dnspcap_open(path, &s->names, hold)))
		return -errno;
	s->cap_path = path;
	return 0;
}

void session_free(struct session *s)
{
	if (s->cap) /* not reported: closed as it is */
		dnspcap_close(s->cap, NULL);
	s->cap = NULL;
	lineout_free(s->out);
	if (s->rep && s->rep != stdout)
		fclose(s->rep);
	s->rep = NULL;
	analyzer_free(s->an);
	jw_free(&s->jw);
	containers_free(&s->names);
	free(s->fw);
	s->fw = NULL;
	s->out = NULL;
	s->an = NULL;
}

void session_event(const struct nst_event *ev, void *ctx)
{
	struct session *s = ctx;
	char line[4096];
	bool shown;

	s->nevents++;
	s->feeding = true;
	s->asked = false;
	s->nheld = 0;
	analyzer_feed(s->an, ev);
	s->feeding = false;
	shown = s->asked || select_event(&s->sel, ev);
	if (shown && s->events && !s->json) {
		lineout_line(s->out, line, print_event_text(line, sizeof(line), ev, &s->names));
		for (uint32_t i = 0; ev->stack && i < ev->stack->nframes; i++) { /* as strace -k */
			size_t n = (size_t)snprintf(line, sizeof(line), " > ");
			n += print_frame(line + n, sizeof(line) - n, &ev->stack->frames[i]);
			lineout_line(s->out, line, n);
		}
	}
	if (((shown && s->json && s->events) || s->rec) && print_event_json(&s->jw, ev, &s->names) == 0) {
		if (shown && s->json && s->events)
			lineout_line(s->out, s->jw.p, s->jw.len);
		if (s->rec)
			rec_writer_line(s->rec, s->jw.p, s->jw.len);
	}
	for (int i = 0; i < s->nheld; i++)
		print_finding(s, s->held[i]);
}

/* Close the -w file: every exchange has its outcome now. */
static int close_pcap(struct session *s)
{
	struct dnspcap_stats st;
	int r;

	if (!s->cap)
		return 0;
	r = dnspcap_close(s->cap, &st);
	s->cap = NULL;
	if (r < 0) {
		fprintf(stderr, "nstrace: writing %s: %s\n", s->cap_path, strerror(-r));
		return 2;
	}
	if (st.early)
		fprintf(stderr, "nstrace: %s: %lu packets were written before their findings were "
			"known (more than 65536 packets or 64 MiB were waiting)\n", s->cap_path, st.early);
	if (st.unbuilt)
		fprintf(stderr, "nstrace: %s: %lu DNS messages too big for a packet were left out\n",
			s->cap_path, st.unbuilt);
	return 0;
}

int session_report(struct session *s, uint64_t end_ts, json_t *extra)
{
	const struct findings *fs = analyzer_findings(s->an);
	int rc;

	analyzer_finish(s->an, end_ts);
	if (s->fw)
		analyzer_firewall(s->an, s->fw);
	rc = close_pcap(s);
	if (s->quiet) {
		json_decref(extra);
		return rc;
	}
	if (s->json) {
		json_t *sum;
		for (size_t i = 0; i < findings_count(fs); i++) {
			if (!select_finding(&s->sel, findings_get(fs, i)))
				continue;
			json_t *o = finding_to_json(findings_get(fs, i), &s->names);
			lineout_json(s->out, o);
			json_decref(o);
		}
		sum = report_summary_json(s->an, &s->names, &s->sel);
		if (sum && extra)
			json_object_update(sum, extra);
		if (sum && s->fw)
			json_object_set_new(sum, "firewall", fw_facts_to_json(s->fw));
		lineout_json(s->out, sum);
		json_decref(sum);
		json_decref(extra);
		lineout_flush(s->out);
		return rc;
	}
	lineout_flush(s->out);
	report_print_text(s->rep, s->an, &s->names, &s->sel);
	/* the firewall's story when it has one, or when something failed */
	if (s->fw && (s->fw->n || session_fail_status(s, SEV_ERROR)))
		report_print_firewall(s->rep, s->fw);
	json_decref(extra);
	fflush(s->rep);
	return rc;
}

int session_fail_status(struct session *s, int fail_on)
{
	const struct findings *fs = analyzer_findings(s->an);

	for (size_t i = 0; fail_on >= 0 && i < findings_count(fs); i++) {
		const struct finding *f = findings_get(fs, i);
		if ((int)f->sev >= fail_on && select_finding(&s->sel, f))
			return 1;
	}
	return 0;
}
