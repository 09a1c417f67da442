/* strace_import.c - strace logs into events, see strace_import.h: the
 * lines (pid prefixes, times, unfinished/resumed calls); strace_calls.c
 * turns each complete call into facts and events. */
#define _GNU_SOURCE
#include "import/strace_int.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/parse.h"

/* --- lines ---------------------------------------------------------------- */

struct strace_import *strace_import_new(nst_event_sink sink, void *ctx, const char *file)
{
	struct strace_import *s = calloc(1, sizeof(*s));
	struct model_cfg cfg;

	if (!s)
		return NULL;
	s->sink = sink;
	s->ctx = ctx;
	s->file = file;
	si_model_cfg(&cfg);
	model_init(&s->m, &cfg);
	return s;
}

void strace_import_free(struct strace_import *s)
{
	if (!s)
		return;
	model_destroy(&s->m);
	free(s);
}

unsigned long long strace_import_last_ts(const struct strace_import *s) { return s->ts; }
const struct strace_stats *strace_import_stats(const struct strace_import *s) { return &s->st; }

static void bad(struct strace_import *s, const char *why)
{
	if (s->st.bad++ < BAD_REPORTED)
		fprintf(stderr, "%s:%lu: %s\n", s->file, s->lineno, why);
	else if (s->st.bad == BAD_REPORTED + 1)
		fprintf(stderr, "%s: more bad lines follow; only their count is reported\n", s->file);
}

static bool isdig(char c) { return c >= '0' && c <= '9'; }

/* "7055 ", "[pid  7055] ": returns the tid or 0, and advances. */
static int take_pid(struct span *l)
{
	size_t i = 0;
	int tid = 0;

	if (l->n > 5 && !memcmp(l->p, "[pid ", 5)) {
		i = 5;
		while (i < l->n && l->p[i] == ' ')
			i++;
		while (i < l->n && isdig(l->p[i]))
			tid = tid * 10 + (l->p[i++] - '0');
		if (i < l->n && l->p[i] == ']') {
			l->p += i + 1, l->n -= i + 1;
			*l = span_trim(*l);
			return tid;
		}
		return 0;
	}
	while (i < l->n && isdig(l->p[i]) && i < 10)
		tid = tid * 10 + (l->p[i++] - '0');
	if (i && i < l->n && l->p[i] == ' ') { /* digits then a space: a pid, not a time */
		l->p += i, l->n -= i;
		*l = span_trim(*l);
		return tid;
	}
	return 0;
}

/* -t "12:34:56", -tt "12:34:56.123456", -ttt/-r "1795637926.919946". */
static void take_time(unsigned long long *ts, struct span *l)
{
	size_t i = 0;
	unsigned long long sec = 0, us = 0;
	int digits = 0;

	if (l->n > 8 && isdig(l->p[0]) && isdig(l->p[1]) && l->p[2] == ':' && l->p[5] == ':') {
		sec = (unsigned long long)((l->p[0] - '0') * 10 + l->p[1] - '0') * 3600 +
		      (unsigned long long)((l->p[3] - '0') * 10 + l->p[4] - '0') * 60 +
		      (unsigned long long)((l->p[6] - '0') * 10 + l->p[7] - '0');
		i = 8;
	} else {
		while (i < l->n && isdig(l->p[i]))
			sec = sec * 10 + (unsigned long long)(l->p[i++] - '0');
		if (!i || i >= l->n || l->p[i] != '.')
			return;
	}
	if (i < l->n && l->p[i] == '.')
		for (i++; i < l->n && isdig(l->p[i]); i++, digits++)
			if (digits < 6)
				us = us * 10 + (unsigned long long)(l->p[i] - '0');
	for (; digits < 6; digits++)
		us *= 10;
	if (i >= l->n || l->p[i] != ' ')
		return;
	*ts = sec * 1000000ull + us;
	l->p += i, l->n -= i;
	*l = span_trim(*l);
}

/* "= 45", "= -1 ECONNREFUSED (Connection refused)", "= 39<UDP:[..]>" */
static bool parse_ret(struct span r, struct call *c)
{
	bool ok;
	size_t i = 0;

	r = span_trim(r);
	if (r.n && r.p[0] == '?') {
		c->ret = 0;
		c->err = 0;
		return false; /* unknown: the thread died in the call */
	}
	while (i < r.n && r.p[i] != ' ' && r.p[i] != '<')
		i++;
	c->ret = span_long((struct span){ r.p, i }, &ok);
	if (!ok)
		return false;
	c->err = 0;
	if (c->ret < 0 && i < r.n) {
		size_t j = i + 1, k = j;
		while (k < r.n && r.p[k] != ' ')
			k++;
		c->err = errno_from_name(r.p + j, k - j);
		if (!c->err)
			c->err = EIO; /* an errno name this libc does not know */
	}
	return true;
}

/* A complete "name(args) = ret" text. */
static void handle_call(struct strace_import *s, struct mthread *t, struct span text)
{
	const char *lp = memchr(text.p, '(', text.n);
	struct span args;
	struct call c;
	enum nst_sen sen;
	const char *eq = NULL, *ret_at = NULL;

	if (!lp) {
		bad(s, "no '(' in a syscall line");
		return;
	}
	/* The return value follows the last ")<spaces>= " (strace pads short
	 * calls to a column); nothing after the arguments is a quoted string. */
	for (const char *p = text.p + text.n - 3; p > lp; p--) {
		if (p[0] != ' ' || p[1] != '=' || p[2] != ' ')
			continue;
		const char *q = p;
		while (q > lp && q[-1] == ' ')
			q--;
		if (q > lp && q[-1] == ')') {
			eq = q - 1;
			ret_at = p + 3;
			break;
		}
	}
	if (!eq) {
		bad(s, "syscall line without a return value");
		return;
	}
	s->st.syscalls++;
	sen = sysent_find(text.p, (size_t)(lp - text.p));
	if (sysent[sen].op == NST_OP_OTHER)
		return;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.t = t;
	c.sen = sen;
	c.op = (enum nst_op)sysent[sen].op;
	args = (struct span){ lp + 1, (size_t)(eq - lp - 1) };
	c.nargs = strace_split_args(args, c.args, STRACE_MAX_ARGS);
	if (!parse_ret((struct span){ ret_at, (size_t)(text.p + text.n - ret_at) }, &c))
		return;
	if (c.nargs < 1 && sen != SEN_fork && sen != SEN_vfork) {
		bad(s, "syscall without arguments");
		return;
	}
	si_call(&c);
}

static void pend_save(struct strace_import *s, struct mthread *t, struct span l)
{
	struct ithread *it = ithread_of(t);
	char *n;

	if (l.n > PEND_MAX) {
		bad(s, "unfinished call too long");
		return;
	}
	n = realloc(it->pend, l.n ? l.n : 1);
	if (!n)
		return;
	memcpy(n, l.p, l.n);
	it->pend = n;
	it->pend_len = l.n;
}

/* "<... name resumed>rest": join with the saved start. */
static void resume(struct strace_import *s, struct mthread *t, struct span l)
{
	struct ithread *it = ithread_of(t);
	const char *gt = memmem(l.p, l.n, " resumed>", 9);
	struct span rest;
	char *joined;
	size_t len;

	if (!gt) {
		bad(s, "malformed '<... resumed>'");
		return;
	}
	rest = (struct span){ gt + 9, l.n - (size_t)(gt + 9 - l.p) };
	if (!it->pend) {
		bad(s, "'<... resumed>' without its '<unfinished ...>' start");
		return;
	}
	len = it->pend_len + rest.n;
	joined = malloc(len + 1);
	if (!joined)
		return;
	memcpy(joined, it->pend, it->pend_len);
	memcpy(joined + it->pend_len, rest.p, rest.n);
	free(it->pend);
	it->pend = NULL;
	handle_call(s, t, (struct span){ joined, len }); /* t may exit in it (execve) */
	free(joined);
}

void strace_import_line(struct strace_import *s, const char *line, size_t len,
			unsigned long lineno, int default_tid)
{
	struct span l = span_trim((struct span){ line, len });
	struct mthread *t;
	int tid;

	s->st.lines++;
	s->lineno = lineno;
	if (!l.n)
		return;
	tid = take_pid(&l);
	if (!tid)
		tid = default_tid ? default_tid : s->first_pid;
	take_time(&s->ts, &l);
	if (l.n >= 3 && (!memcmp(l.p, "---", 3) || !memcmp(l.p, "+++", 3))) {
		struct mthread *gone = model_thread(&s->m, tid);
		if (gone && !memcmp(l.p, "+++", 3))
			model_thread_exit(&s->m, gone); /* exited / killed by */
		return;
	}
	if (l.n > 5 && !memcmp(l.p, "<... ", 5)) {
		if ((t = si_thread(s, tid)))
			resume(s, t, l);
		return;
	}
	/* a syscall name, then '(' */
	size_t i = 0;
	while (i < l.n && (l.p[i] == '_' || (l.p[i] >= 'a' && l.p[i] <= 'z') || isdig(l.p[i])))
		i++;
	if (!i || i >= l.n || l.p[i] != '(') {
		s->st.skipped++; /* "(...unrelated content omitted)", banners */
		return;
	}
	if (!(t = si_thread(s, tid)))
		return;
	if (l.n >= 14 && !memcmp(l.p + l.n - 14, "<detached ...>", 14)) {
		s->st.skipped++; /* strace let go of the thread mid-call */
		return;
	}
	if (l.n >= 16 && !memcmp(l.p + l.n - 16, "<unfinished ...>", 16)) {
		pend_save(s, t, span_trim((struct span){ l.p, l.n - 16 }));
		return;
	}
	handle_call(s, t, l);
}

int strace_looks_like(const char *line, size_t len)
{
	struct span l = span_trim((struct span){ line, len });
	unsigned long long ts = 0;
	size_t i = 0;

	take_pid(&l);
	take_time(&ts, &l);
	while (i < l.n && (l.p[i] == '_' || (l.p[i] >= 'a' && l.p[i] <= 'z') || isdig(l.p[i])))
		i++;
	return i && i < l.n && (l.p[i] == '(' || (l.n > 5 && !memcmp(l.p, "<... ", 5)));
}

int strace_line_ts(const char *line, size_t len, unsigned long long *ts)
{
	struct span l = span_trim((struct span){ line, len });

	*ts = 0;
	take_pid(&l);
	take_time(ts, &l);
	return *ts ? 0 : -1;
}

void strace_import_set_file(struct strace_import *s, const char *file)
{
	s->file = file;
}
