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
#include "import/recording.h"
#include "import/strace_import.h"

#define READ_CHUNK (64 << 10) /* grows for long lines; -ff merges open many */
#define MAX_LINE (16 << 20)

/* --- a line reader that hands out spans of a big buffer ------------------- */

struct lines {
	const char *name;
	int fd;
	char *buf;
	size_t cap, beg, end;
	bool eof, skipping;
	unsigned long lineno;
	const char *line; /* current line, valid until the next call */
	size_t len;
	int default_tid;  /* -ff: the pid in the file name */
	unsigned long found;   /* strace lines in it */
	unsigned long toolong; /* lines over MAX_LINE, skipped */
	unsigned long long ts;
};

static int lines_open(struct lines *l, const char *name)
{
	const char *dot = strrchr(name, '.');
	char *end;

	memset(l, 0, sizeof(*l));
	l->name = name;
	l->fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (l->fd < 0)
		return -errno;
	l->cap = READ_CHUNK;
	l->buf = malloc(l->cap);
	if (!l->buf)
		return -ENOMEM;
	if (dot && dot[1]) { /* strace -ff -o NAME writes NAME.PID */
		long v = strtol(dot + 1, &end, 10);
		if (!*end && v > 0)
			l->default_tid = (int)v;
	}
	return 0;
}

static void lines_close(struct lines *l)
{
	if (l->fd > STDIN_FILENO)
		close(l->fd);
	free(l->buf);
	l->buf = NULL;
}

/* 1 with l->line set, 0 at the end, -errno on a read error.  A line over
 * MAX_LINE is skipped: -E2BIG once, with l->lineno its number; the next
 * call goes on after it. */
static int lines_next(struct lines *l)
{
	for (;;) {
		char *nl = memchr(l->buf + l->beg, '\n', l->end - l->beg);
		if (l->skipping) {
			l->beg = nl ? (size_t)(nl - l->buf) + 1 : l->end;
			if (nl || l->eof) {
				l->skipping = false;
				l->lineno++;
				return -E2BIG;
			}
		} else if (nl || (l->eof && l->end > l->beg)) {
			size_t len = nl ? (size_t)(nl - (l->buf + l->beg)) : l->end - l->beg;
			l->line = l->buf + l->beg;
			l->len = len;
			l->beg += len + (nl ? 1 : 0);
			l->lineno++;
			return 1;
		}
		if (l->eof)
			return 0;
		if (l->beg) { /* slide the partial line to the front */
			memmove(l->buf, l->buf + l->beg, l->end - l->beg);
			l->end -= l->beg;
			l->beg = 0;
		}
		if (l->end == l->cap && l->cap >= MAX_LINE) {
			l->skipping = true; /* drop it as it comes */
			l->beg = l->end = 0;
			continue;
		}
		if (l->end == l->cap) {
			char *n = realloc(l->buf, l->cap * 2);
			if (!n)
				return -ENOMEM;
			l->buf = n;
			l->cap *= 2;
		}
		ssize_t r = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			l->eof = true;
		l->end += (size_t)r;
	}
}

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

/* The next line of l, over lines too long to keep (each one counted). */
static int lines_next_kept(struct lines *l)
{
	int got;

	while ((got = lines_next(l)) == -E2BIG) {
		fprintf(stderr, "%s:%lu: line longer than %d MiB, skipped\n", l->name, l->lineno,
			MAX_LINE >> 20);
		l->toolong++;
	}
	return got;
}

/* -ff files, merged in timestamp order so that time flows forward for the
 * analyzers as it did in the traced processes: a heap of the files by
 * the time of their current line (a file without times keeps its order). */
static bool heap_less(const struct lines *a, const struct lines *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a < b);
}

static void heap_down(struct lines **h, size_t n, size_t i)
{
	for (;;) {
		size_t m = i, l = 2 * i + 1, r = l + 1;
		if (l < n && heap_less(h[l], h[m]))
			m = l;
		if (r < n && heap_less(h[r], h[m]))
			m = r;
		if (m == i)
			return;
		struct lines *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
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

static int read_strace(struct lines *ls, int n, struct session *c, struct input_info *in)
{
	struct strace_import *imp = strace_import_new(session_event, c, ls[0].name);
	struct lines **h = calloc((size_t)n, sizeof(*h));
	unsigned long toolong = 0;
	size_t hn = (size_t)n;
	int rc = 0;

	if (!imp || !h) {
		free(h);
		strace_import_free(imp);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) { /* each holds its first line already */
		h[i] = &ls[i];
		strace_line_ts(ls[i].line, ls[i].len, &ls[i].ts);
	}
	for (size_t i = hn / 2; i-- > 0;)
		heap_down(h, hn, i);
	while (hn) {
		struct lines *l = h[0];
		const struct strace_stats *st = strace_import_stats(imp);
		unsigned long seen = st->syscalls + st->recognized;
		strace_import_set_file(imp, l->name);
		strace_import_line(imp, l->line, l->len, l->lineno, l->default_tid);
		l->found += st->syscalls + st->recognized - seen;
		int got = lines_next_kept(l);
		if (got < 0) {
			fprintf(stderr, "nstrace: %s:%lu: %s\n", l->name, l->lineno + 1, strerror(-got));
			rc = 2;
			got = 0;
		}
		if (got == 0)
			h[0] = h[--hn];
		else if (n > 1) /* no time: 0, the file keeps its own order */
			strace_line_ts(l->line, l->len, &l->ts);
		if (n > 1)
			heap_down(h, hn, 0);
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
	free(h);
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

int replay_main(const struct replay_opts *o)
{
	struct session c = { .events = o->events, .json = o->json };
	struct input_info in = { .format = "?" };
	int rc;

	if (session_init(&c, o->dns_timeout_us) < 0)
		return 2;
	rc = run_inputs(o, &c, &in);
	if (rc == 0) {
		session_report(&c, in.end_ts, input_json(o, &in));
		if (!o->json)
			printf("\nnstrace: read %s (%s): %lu lines, %lu network events, %lu lines "
			       "skipped (not syscalls), %lu bad\n", o->files[0], in.format, in.lines,
			       in.events, in.skipped, in.bad);
		if (session_fail_status(&c, o->fail_on))
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
