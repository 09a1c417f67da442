/* replay.c - recordings and strace logs as event sources, see replay.h. */
#define _GNU_SOURCE
#include "cli/replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/session.h"
#include "cli/expect.h"
#include "cli/lines.h"
#include "cli/strace_read.h"
#include "import/recreader.h"
#include "import/strace_import.h"

/* --- inputs --------------------------------------------------------------- */

struct input_info {
	const char *format;
	unsigned long lines, events, skipped, bad, syscalls, joined;
	bool timed;
	uint64_t end_ts;
};

static int read_recording(struct lines *l, struct session *c, struct input_info *in)
{
	struct rec_reader *r = calloc(1, sizeof(*r));
	struct nst_event ev;
	int rc = 0, got;

	if (!r || (!c->fw && !(r->fw = calloc(1, sizeof(*r->fw))))) {
		free(r);
		return -ENOMEM;
	}
	r->names = &c->names;
	/* the first line is already loaded by the caller */
	for (got = 1; got == 1; got = lines_next(l)) {
		in->lines++;
		enum rec_line k = rec_read_line(r, l->line, l->len, &ev);
		if (k == REC_ERROR) {
			fprintf(stderr, "nstrace: %s:%lu: %s\n", l->name, l->lineno, r->err);
			rc = 2;
			break;
		}
		if (k == REC_EVENT) {
			in->events++;
			if (ev.ts_us > in->end_ts)
				in->end_ts = ev.ts_us;
			session_event(&ev, c);
		}
	}
	if (got < 0) {
		fprintf(stderr, "nstrace: %s:%lu: %s\n", l->name, l->lineno,
			got == -E2BIG ? "line longer than 16 MiB" : strerror(-got));
		rc = 2;
	}
	if (r->end_ts > in->end_ts)
		in->end_ts = r->end_ts;
	if (r->fw_seen) /* the counters of the live trace, for the same report */
		c->fw = r->fw;
	else
		free(r->fw);
	free(r);
	return rc;
}

/* A -ff merge holds every file open at once. */
static void raise_nofile(int n)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < (rlim_t)n + 64) {
		r.rlim_cur = r.rlim_max == RLIM_INFINITY || r.rlim_max > (rlim_t)n + 64
				     ? (rlim_t)n + 64 : r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* Not a strace log at all is an error; mostly unparsable is a warning. */
static int strace_verdict(const struct lines *ls, int n, const struct input_info *in)
{
	unsigned long tried = in->syscalls + in->bad;

	for (int i = 0; i < n; i++)
		if (!ls[i].found) {
			fprintf(stderr, "nstrace: %s: not a strace log: none of its %lu lines is a "
				"syscall or another line strace writes\n", ls[i].name, ls[i].lineno);
			return 2;
		}
	if (tried && in->bad * 2 > tried)
		fprintf(stderr, "nstrace: warning: %s: %lu of %lu syscall lines could not be parsed; "
			"the report may miss calls\n", ls[0].name, in->bad, tried);
	return 0;
}

/* Stage 1 of the import in a thread of its own unless
 * NSTRACE_REPLAY_THREADS=1 (the same batches in one thread). */
static int replay_threads(void)
{
	const char *v = getenv("NSTRACE_REPLAY_THREADS");

	return v && !strcmp(v, "1") ? 1 : 2;
}

static int read_strace(struct lines *ls, int n, struct session *c, struct input_info *in)
{
	struct strace_import *imp = strace_import_new(session_event, c, ls[0].name);
	unsigned long toolong = 0;
	int rc;

	if (!imp)
		return -ENOMEM;
	rc = strace_read(ls, n, imp, replay_threads());
	if (rc < 0) {
		strace_import_free(imp);
		return rc;
	}
	for (int i = 0; i < n; i++)
		toolong += ls[i].toolong;
	strace_import_end(imp);
	const struct strace_stats *st = strace_import_stats(imp);
	in->lines = st->lines + toolong;
	in->events = st->events;
	in->skipped = st->skipped;
	in->bad = st->bad + toolong;
	in->syscalls = st->syscalls;
	in->joined = st->joined;
	in->timed = strace_import_timed(imp);
	in->end_ts = strace_import_last_ts(imp);
	strace_import_free(imp);
	if (!rc)
		rc = strace_verdict(ls, n, in);
	return rc;
}

static int run_inputs(const struct replay_opts *o, struct session *c, struct input_info *in)
{
	struct lines *ls;
	int rc = 0, n = o->nfiles;

	raise_nofile(n);
	ls = calloc((size_t)n, sizeof(*ls));
	if (!ls)
		return 2;
	for (int i = 0; i < n && !rc; i++) {
		int r = lines_open(&ls[i], o->files[i]);
		if (r == 0)
			r = lines_next_kept(&ls[i]);
		if (r == 0) {
			fprintf(stderr, "nstrace: %s: empty input\n", o->files[i]);
			rc = 2;
		}
		if (r < 0) {
			fprintf(stderr, "nstrace: %s: %s%s\n", o->files[i], strerror(-r),
				r == -EMFILE ? " (too many -ff files open at once; raise ulimit -n)" : "");
			rc = 2;
		}
	}
	if (!rc && rec_looks_like_recording(ls[0].line, ls[0].len)) {
		in->format = "nstrace-recording";
		in->timed = true;
		for (int i = 0; i < n && !rc; i++)
			rc = read_recording(&ls[i], c, in);
	} else if (!rc) {
		in->format = "strace";
		if (!strace_looks_like(ls[0].line, ls[0].len) && ls[0].line[0] == '{') {
			fprintf(stderr, "nstrace: %s:1: JSON, but not an nstrace recording header\n", ls[0].name);
			rc = 2;
		} else {
			rc = read_strace(ls, n, c, in);
		}
	}
	for (int i = 0; i < n; i++)
		lines_close(&ls[i]);
	free(ls);
	return rc;
}

static json_t *input_json(const struct replay_opts *o, const struct input_info *in)
{
	json_t *files = json_array();

	for (int i = 0; i < o->nfiles; i++)
		json_array_append_new(files, json_string(o->files[i]));
	return json_pack("{s:{s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:b}}", "input", "format",
			 in->format, "files", files, "lines", (json_int_t)in->lines,
			 "syscalls", (json_int_t)in->syscalls, "events", (json_int_t)in->events,
			 "skipped", (json_int_t)in->skipped, "bad", (json_int_t)in->bad,
			 "joined", (json_int_t)in->joined, "timestamps", in->timed);
}

/* A --container NAME that named nothing in the input is an error, with
 * the names that do exist. */
static int unknown_container(struct session *c, const struct replay_opts *o)
{
	char known[4096];
	int i = select_unknown(&c->sel);

	if (i < 0)
		return 0;
	select_known(&c->sel, known, sizeof(known));
	fprintf(stderr, "nstrace: --container %s: no container or network namespace of that name in "
		"%s; the names there: %s\n", c->sel.want[i], o->files[0], known);
	return 2;
}

int replay_main(const struct replay_opts *o)
{
	struct session c = { .events = o->events, .json = o->json };
	struct input_info in = { .format = "?" };
	int rc;

	for (int i = 0; i < o->ncontainers; i++)
		select_add(&c.sel, o->containers[i]);
	if (o->report && !(c.rep = fopen(o->report, "we"))) {
		fprintf(stderr, "nstrace: --report %s: %s\n", o->report, strerror(errno));
		return 2;
	}
	if (session_init(&c, o->dns_timeout_us) < 0) {
		session_free(&c);
		return 2;
	}
	if (o->pcap && (rc = session_pcap(&c, o->pcap, o->dns_timeout_us)) < 0) {
		fprintf(stderr, "nstrace: -w %s: %s\n", o->pcap, strerror(-rc));
		session_free(&c);
		return 2;
	}
	rc = run_inputs(o, &c, &in);
	if (rc == 0)
		rc = unknown_container(&c, o);
	if (rc == 0) {
		rc = session_report(&c, in.end_ts, input_json(o, &in));
		if (!o->json)
			fprintf(c.rep, "\nnstrace: read %s (%s): %lu lines, %lu network events, %lu lines "
			       "skipped (not syscalls), %lu bad\n", o->files[0], in.format, in.lines,
			       in.events, in.skipped, in.bad);
		if (!rc && session_fail_status(&c, o->fail_on))
			rc = 1;
	}
	lineout_flush(c.out);
	session_free(&c);
	return rc;
}

int check_main(const struct replay_opts *o)
{
	struct session c = { .quiet = true };
	struct input_info in = { .format = "?" };
	json_error_t jerr;
	json_t *exp;
	char err[256];
	int rc;

	if (session_init(&c, o->dns_timeout_us) < 0)
		return 2;
	rc = run_inputs(o, &c, &in);
	if (rc) {
		session_free(&c);
		return 2;
	}
	session_report(&c, in.end_ts, NULL);
	if (o->write_expect) {
		exp = expect_from_findings(analyzer_findings(c.an), &c.names);
		if (!exp || json_dump_file(exp, o->write_expect, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
			fprintf(stderr, "nstrace: cannot write %s: %s\n", o->write_expect, strerror(errno));
			rc = 2;
		} else {
			printf("nstrace: wrote %zu findings to %s\n",
			       findings_count(analyzer_findings(c.an)), o->write_expect);
		}
		json_decref(exp);
		session_free(&c);
		return rc;
	}
	exp = json_load_file(o->expect, 0, &jerr);
	if (!exp) {
		fprintf(stderr, "nstrace: %s:%d: %s\n", o->expect, jerr.line, jerr.text);
		session_free(&c);
		return 2;
	}
	rc = expect_compare(exp, analyzer_findings(c.an), &c.names, stdout, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nstrace: %s: %s\n", o->expect, err);
		rc = 2;
	} else if (rc == 0) {
		printf("nstrace: %s matches %s (%zu findings)\n", o->files[0], o->expect,
		       findings_count(analyzer_findings(c.an)));
	} else {
		printf("nstrace: %s differs from %s (- expected but missing, + found but not "
		       "expected, ~ wrong count)\n", o->files[0], o->expect);
	}
	json_decref(exp);
	session_free(&c);
	return rc;
}
