/* consumer.c - see consumer.h. */
#define _GNU_SOURCE
#include "cli/consumer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output/output.h"
#include "model/parse.h"

#define MAX_FOREIGN 256
static struct foreign_row {
	int pid;
	char comm[NST_COMM_LEN];
	uint64_t netns;
	char path[128], proto[8], peer[64];
	unsigned long count;
} foreign[MAX_FOREIGN];
static size_t nforeign;

static void on_new_finding(const struct finding *f, void *ctx)
{
	struct consumer *c = ctx;

	if (c->json || c->quiet)
		return;
	lineout_flush(c->out); /* keep order with the event lines */
	printf("nstrace: ");
	finding_print_text(stdout, f, false);
	fflush(stdout);
}

int consumer_init(struct consumer *c, uint64_t dns_timeout_us)
{
	struct analyzer_opts o = { .dns_timeout_us = dns_timeout_us, .on_new = on_new_finding, .ctx = c };

	c->out = lineout_new(STDOUT_FILENO);
	c->an = analyzer_new(&o);
	return c->out && c->an ? 0 : -ENOMEM;
}

void consumer_free(struct consumer *c)
{
	lineout_free(c->out);
	analyzer_free(c->an);
	jw_free(&c->jw);
	c->out = NULL;
	c->an = NULL;
}

void consumer_write_json(struct lineout *lo, json_t *o)
{
	static char buf[3 * NST_MAX_SNAPLEN];
	size_t n;

	if (!o || !lo)
		return;
	n = json_dumpb(o, buf, sizeof(buf), JSON_COMPACT);
	if (n > 0 && n <= sizeof(buf))
		lineout_line(lo, buf, n);
}

static void note_foreign(const struct nst_event *ev)
{
	char peer[64];
	size_t i;

	if (ev->sock.peer.family)
		print_addr(peer, sizeof(peer), &ev->sock.peer);
	else
		snprintf(peer, sizeof(peer), "(unconnected)");
	for (i = 0; i < nforeign; i++) {
		struct foreign_row *r = &foreign[i];
		if (r->pid == ev->pid && r->netns == ev->sock.netns.ino &&
		    !strcmp(r->proto, proto_short(&ev->sock)) && !strcmp(r->peer, peer)) {
			r->count++;
			return;
		}
	}
	if (nforeign == MAX_FOREIGN)
		return;
	struct foreign_row *r = &foreign[nforeign++];
	r->pid = ev->pid;
	memcpy(r->comm, ev->comm, sizeof(r->comm));
	r->netns = ev->sock.netns.ino;
	snprintf(r->path, sizeof(r->path), "%s",
		 ev->sock.netns.path ? ev->sock.netns.path : ev->sock.netns.label ? ev->sock.netns.label : "");
	snprintf(r->proto, sizeof(r->proto), "%s", proto_short(&ev->sock));
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	r->count = 1;
}

void consumer_event(const struct nst_event *ev, void *ctx)
{
	struct consumer *c = ctx;
	char line[4096];

	c->nevents++;
	if ((ev->flags & NST_EV_SOCK) && ev->sock.foreign)
		note_foreign(ev);
	if (c->events && !c->json) {
		lineout_line(c->out, line, print_event_text(line, sizeof(line), ev));
		for (uint32_t i = 0; ev->stack && i < ev->stack->nframes; i++) { /* as strace -k */
			size_t n = (size_t)snprintf(line, sizeof(line), " > ");
			n += print_frame(line + n, sizeof(line) - n, &ev->stack->frames[i]);
			lineout_line(c->out, line, n);
		}
	}
	if (((c->json && c->events) || c->rec) && print_event_json(&c->jw, ev) == 0) {
		if (c->json && c->events)
			lineout_line(c->out, c->jw.p, c->jw.len);
		if (c->rec)
			lineout_line(c->rec, c->jw.p, c->jw.len);
	}
	analyzer_feed(c->an, ev);
}

static void print_foreign_sockets(FILE *f)
{
	if (!nforeign)
		return;
	fprintf(f, "\nSockets used outside their process's home netns (their packets leave from "
		   "that netns, with its addresses and firewall rules):\n");
	for (size_t i = 0; i < nforeign; i++) {
		fprintf(f, "  %s[%d] %s socket in ", foreign[i].comm, foreign[i].pid, foreign[i].proto);
		if (foreign[i].netns)
			fprintf(f, "net:[%llu]%s", (unsigned long long)foreign[i].netns,
				foreign[i].path[0] ? " " : "");
		fprintf(f, "%s, peer %s: %lu events\n", foreign[i].path, foreign[i].peer, foreign[i].count);
	}
}

void consumer_report(struct consumer *c, uint64_t end_ts, json_t *extra)
{
	const struct findings *fs = analyzer_findings(c->an);

	analyzer_finish(c->an, end_ts);
	if (c->quiet) {
		json_decref(extra);
		return;
	}
	if (c->json) {
		json_t *sum;
		for (size_t i = 0; i < findings_count(fs); i++) {
			json_t *o = finding_to_json(findings_get(fs, i));
			consumer_write_json(c->out, o);
			json_decref(o);
		}
		sum = analyzer_summary_json(c->an);
		if (sum && extra)
			json_object_update(sum, extra);
		consumer_write_json(c->out, sum);
		json_decref(sum);
		json_decref(extra);
		lineout_flush(c->out);
		return;
	}
	lineout_flush(c->out);
	analyzer_print_report(c->an, stdout);
	print_foreign_sockets(stdout);
	json_decref(extra);
	fflush(stdout);
}

int consumer_fail_status(const struct consumer *c, int fail_on)
{
	bool any;
	enum severity max = findings_max_severity(analyzer_findings(c->an), &any);

	return fail_on >= 0 && any && (int)max >= fail_on;
}
