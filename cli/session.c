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

static void on_new_finding(const struct finding *f, void *ctx)
{
	struct session *s = ctx;

	if (s->json || s->quiet)
		return;
	lineout_flush(s->out); /* keep order with the event lines */
	printf("nstrace: ");
	finding_print_text(stdout, f, &s->names, false);
	fflush(stdout);
}

int session_init(struct session *s, uint64_t dns_timeout_us)
{
	struct analyzer_opts o = { .dns_timeout_us = dns_timeout_us, .on_new = on_new_finding, .ctx = s };

	s->out = lineout_new(STDOUT_FILENO);
	s->an = analyzer_new(&o);
	return s->out && s->an ? 0 : -ENOMEM;
}

void session_free(struct session *s)
{
	lineout_free(s->out);
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

	s->nevents++;
	if (s->events && !s->json) {
		lineout_line(s->out, line, print_event_text(line, sizeof(line), ev, &s->names));
		for (uint32_t i = 0; ev->stack && i < ev->stack->nframes; i++) { /* as strace -k */
			size_t n = (size_t)snprintf(line, sizeof(line), " > ");
			n += print_frame(line + n, sizeof(line) - n, &ev->stack->frames[i]);
			lineout_line(s->out, line, n);
		}
	}
	if (((s->json && s->events) || s->rec) && print_event_json(&s->jw, ev, &s->names) == 0) {
		if (s->json && s->events)
			lineout_line(s->out, s->jw.p, s->jw.len);
		if (s->rec)
			record_line(s->rec, s->jw.p, s->jw.len);
	}
	analyzer_feed(s->an, ev);
}

void session_report(struct session *s, uint64_t end_ts, json_t *extra)
{
	const struct findings *fs = analyzer_findings(s->an);

	analyzer_finish(s->an, end_ts);
	if (s->fw)
		analyzer_firewall(s->an, s->fw);
	if (s->quiet) {
		json_decref(extra);
		return;
	}
	if (s->json) {
		json_t *sum;
		for (size_t i = 0; i < findings_count(fs); i++) {
			json_t *o = finding_to_json(findings_get(fs, i), &s->names);
			lineout_json(s->out, o);
			json_decref(o);
		}
		sum = report_summary_json(s->an, &s->names);
		if (sum && extra)
			json_object_update(sum, extra);
		if (sum && s->fw)
			json_object_set_new(sum, "firewall", fw_facts_to_json(s->fw));
		lineout_json(s->out, sum);
		json_decref(sum);
		json_decref(extra);
		lineout_flush(s->out);
		return;
	}
	lineout_flush(s->out);
	report_print_text(stdout, s->an, &s->names);
	/* the firewall's story when it has one, or when something failed */
	if (s->fw && (s->fw->n || session_fail_status(s, SEV_ERROR)))
		report_print_firewall(stdout, s->fw);
	json_decref(extra);
	fflush(stdout);
}

int session_fail_status(const struct session *s, int fail_on)
{
	bool any;
	enum severity max = findings_max_severity(analyzer_findings(s->an), &any);

	return fail_on >= 0 && any && (int)max >= fail_on;
}
