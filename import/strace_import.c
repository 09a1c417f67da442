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
	free(s->broken);
	free(s->join);
	free(s);
}

unsigned long long strace_import_last_ts(const struct strace_import *s) { return s->ts; }
const struct strace_stats *strace_import_stats(const struct strace_import *s) { return &s->st; }

static void bad_at(struct strace_import *s, unsigned long lineno, const char *why)
{
	if (s->st.bad++ < BAD_REPORTED)
		fprintf(stderr, "%s:%lu: %s\n", s->file, lineno, why);
	else if (s->st.bad == BAD_REPORTED + 1)
		fprintf(stderr, "%s: more bad lines follow; only their count is reported\n", s->file);
}

static void bad(struct strace_import *s, const char *why)
{
	bad_at(s, s->lineno, why);
}

static bool isdig(char c) { return c >= '0' && c <= '9'; }

static bool is_name_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || isdig(c);
}

#define PID_LIMIT 0x3fffffff /* above the kernel's PID_MAX_LIMIT: not a pid */

/* The digits at l.p[*i] as a pid, *i past them all: -1 when there are
 * none, -2 when the number is too big to be a pid. */
static int read_pid(struct span l, size_t *i)
{
	const char *p = l.p;
	size_t k = *i, n = l.n;
	long v = 0;

	while (k < n && isdig(p[k])) {
		if (v <= PID_LIMIT)
			v = v * 10 + (p[k] - '0');
		k++;
	}
	if (k == *i)
		return -1;
	*i = k;
	return v > PID_LIMIT ? -2 : (int)v;
}

/* What -Y and --decode-pids=pidns add after a pid: "<comm>" (into
 * *comm), and a comment (7 in strace's PID NS).  Returns the index past
 * them. */
static size_t skip_pid_notes(struct span l, size_t i, struct span *comm)
{
	if (i < l.n && l.p[i] == '<') {
		const char *gt = memchr(l.p + i, '>', l.n - i < 72 ? l.n - i : 72);
		if (gt) {
			*comm = (struct span){ l.p + i + 1, (size_t)(gt - l.p) - i - 1 };
			i = (size_t)(gt - l.p) + 1;
		}
	}
	if (i + 3 < l.n && l.p[i] == ' ' && l.p[i + 1] == '/' && l.p[i + 2] == '*') {
		const char *end = memmem(l.p + i, l.n - i, "*/", 2);
		if (end)
			i = (size_t)(end - l.p) + 2;
	}
	return i;
}

/* "7055 ", "7055<comm> ", "[pid  7055] ", "[pid 7055<comm>] ": the tid, 0
 * when the line has no prefix, -1 for a pid out of range; advances l.
 * *comm is what -Y printed (empty without). */
static int take_pid(struct span *l, struct span *comm)
{
	size_t i = 0;
	int tid;

	comm->n = 0;
	if (l->n && isdig(l->p[0])) { /* "7055 " (-f to a file): the common form */
		size_t k;
		tid = read_pid(*l, &i);
		for (k = i; k < l->n && l->p[k] == ' '; k++)
			;
		if (k > i && k < l->n && l->p[k] != '/') { /* not a pidns comment */
			l->p += k, l->n -= k;
			return tid < 0 ? -1 : tid;
		}
		if (k == i && i < l->n && l->p[i] != '<')
			return 0; /* digits, then no space: a time, not a pid */
		i = 0;
	}
	if (l->n > 5 && !memcmp(l->p, "[pid ", 5)) {
		i = 5;
		while (i < l->n && l->p[i] == ' ')
			i++;
		if ((tid = read_pid(*l, &i)) < 0)
			return tid == -2 ? -1 : 0;
		i = skip_pid_notes(*l, i, comm);
		if (i < l->n && l->p[i] == ']') {
			l->p += i + 1, l->n -= i + 1;
			*l = span_trim(*l);
			return tid;
		}
		return 0;
	}
	if ((tid = read_pid(*l, &i)) == -1)
		return 0;
	i = skip_pid_notes(*l, i, comm);
	if (i < l->n && l->p[i] == ' ') { /* digits then a space: a pid, not a time */
		l->p += i, l->n -= i;
		*l = span_trim(*l);
		return tid < 0 ? -1 : tid;
	}
	return 0;
}

#define DAY_US (86400ull * 1000000ull)


/* -t "12:34:56", -tt "12:34:56.123456", -ttt "1795637926.919946", -r
 * "     0.000123" (since the previous line): *ts in µs, advanced past
 * midnight for the clock forms.  Returns whether the line has a time.
 * Every line comes here: the span is read through locals. */
static bool take_time(unsigned long long *ts, struct span *l)
{
	const char *p = l->p;
	size_t i = 0, n = l->n;
	unsigned long long sec = 0, us = 0, t;
	int digits = 0;
	bool clock = false;

	if (n > 8 && p[2] == ':' && p[5] == ':' && isdig(p[0]) && isdig(p[1]) && isdig(p[3]) &&
	    isdig(p[4]) && isdig(p[6]) && isdig(p[7])) {
		sec = (unsigned long long)((p[0] - '0') * 10 + p[1] - '0') * 3600 +
		      (unsigned long long)((p[3] - '0') * 10 + p[4] - '0') * 60 +
		      (unsigned long long)((p[6] - '0') * 10 + p[7] - '0');
		i = 8;
		clock = true;
	} else if (n && !isdig(p[0])) {
		return false;
	} else {
		while (i < n && isdig(p[i]) && i < 12)
			sec = sec * 10 + (unsigned long long)(p[i++] - '0');
		if (!i || i >= n || p[i] != '.')
			return false;
	}
	if (i + 7 < n && p[i] == '.' && p[i + 7] == ' ' && isdig(p[i + 1]) && isdig(p[i + 2]) &&
	    isdig(p[i + 3]) && isdig(p[i + 4]) && isdig(p[i + 5]) && isdig(p[i + 6])) {
		for (int k = 1; k <= 6; k++) /* -tt, -ttt: six digits */
			us = us * 10 + (unsigned long long)(p[i + k] - '0');
		i += 7;
		digits = 6;
	} else if (i < n && p[i] == '.') {
		for (i++; i < n && isdig(p[i]); i++, digits++)
			if (digits < 6)
				us = us * 10 + (unsigned long long)(p[i] - '0');
	}
	for (; digits < 6; digits++)
		us *= 10;
	if (i >= n || p[i] != ' ')
		return false;
	t = sec * 1000000ull + us;
	if (clock) { /* the day is not printed: a jump back of hours is midnight */
		unsigned long long day = *ts < DAY_US ? 0 : *ts - *ts % DAY_US; /* no divide on day one */
		t += day;
		if (t + DAY_US / 2 < *ts)
			t += DAY_US;
	} else if (sec < 1000000) { /* -r: a delta (-ttt is an epoch time) */
		t += *ts;
	}
	*ts = t;
	while (i < n && p[i] == ' ')
		i++;
	l->p = p + i;
	l->n = n - i;
	return true;
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

/* The ")<spaces>= " before the return value, searched from the end (strace
 * pads short calls to a column; nothing after the arguments is a quoted
 * string).  false when the text has none: the call is not complete. */
static bool find_ret(struct span text, const char *lp, const char **eq, const char **ret_at)
{
	if (text.n < 4)
		return false;
	for (const char *p = text.p + text.n - 3; p > lp; p--) {
		if (p[0] != ' ' || p[1] != '=' || p[2] != ' ')
			continue;
		const char *q = p;
		while (q > lp && q[-1] == ' ')
			q--;
		if (q > lp && q[-1] == ')') {
			*eq = q - 1;
			*ret_at = p + 3;
			return true;
		}
	}
	return false;
}

/* i386's socketcall(SYS_CONNECT, [3, {...}, 16]) (when strace left it
 * undecoded): the sub-call and its arguments. */
static enum nst_sen socketcall_sub(const struct stoks *tk, int *arg)
{
	static const char *const names[] = {
		"", "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername",
		"socketpair", "send", "recv", "sendto", "recvfrom", "shutdown", "setsockopt",
		"getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg",
	};
	struct span v = stok_val(tk, *arg);
	int n = 0;
	bool ok;
	long k;

	if (v.n > 4 && !memcmp(v.p, "SYS_", 4)) {
		char low[16];
		for (size_t i = 4; i < v.n && n < 15; i++)
			low[n++] = (char)(v.p[i] >= 'A' && v.p[i] <= 'Z' ? v.p[i] + 32 : v.p[i]);
		k = 0;
		for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
			if ((size_t)n == strlen(names[i]) && !memcmp(low, names[i], (size_t)n))
				k = (long)i;
	} else if ((k = span_long(v, &ok)) < 0 || !ok) {
		k = 0;
	}
	if (k <= 0 || (size_t)k >= sizeof(names) / sizeof(names[0]))
		return SEN_UNKNOWN;
	v = stok_val(tk, tk->t[*arg].next);
	if (v.n < 2 || v.p[0] != '[')
		return SEN_UNKNOWN; /* a pointer: the arguments are not shown */
	*arg = tk->t[tk->t[*arg].next].kid;
	return sysent_find(names[k], strlen(names[k]));
}

/* Where a call's text splits: its '(', the ')' before " = ", the return
 * value.  false when the text is not a complete call. */
struct call_text {
	struct span text;
	const char *lp, *eq, *ret_at;
};

static bool split_call(struct span text, const char *lp, struct call_text *ct)
{
	ct->text = text;
	ct->lp = lp ? lp : memchr(text.p, '(', text.n);
	return ct->lp && find_ret(text, ct->lp, &ct->eq, &ct->ret_at);
}

/* The sen of the syscall named by n bytes at name, through the memo. */
static enum nst_sen sen_of(struct strace_import *s, const char *name, size_t n)
{
	unsigned h = (unsigned)n * 31u;

	if (!n || n > SEN_MEMO_NAME)
		return sysent_find(name, n);
	h += (unsigned char)name[0] * 7u + (unsigned char)name[n / 2] * 3u + (unsigned char)name[n - 1];
	h %= SEN_MEMO;
	if (s->sen_memo[h].len == n) {
		size_t k = 0;
		while (k < n && s->sen_memo[h].name[k] == name[k])
			k++;
		if (k == n)
			return (enum nst_sen)s->sen_memo[h].sen;
	}
	s->sen_memo[h].len = (uint8_t)n;
	memcpy(s->sen_memo[h].name, name, n);
	s->sen_memo[h].sen = (uint16_t)sysent_find(name, n);
	return (enum nst_sen)s->sen_memo[h].sen;
}

/* A complete "name(args) = ret" text, split by split_call. */
static void handle_call(struct strace_import *s, struct mthread *t, const struct call_text *ct)
{
	const char *lp = ct->lp, *eq = ct->eq, *ret_at = ct->ret_at;
	struct span text = ct->text;
	struct call c;
	enum nst_sen sen;
	int a;

	s->st.syscalls++;
	sen = sen_of(s, text.p, (size_t)(lp - text.p));
	if (sysent[sen].op == NST_OP_OTHER && sen != SEN_socketcall)
		return;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.t = t;
	c.tk = &s->tk;
	a = strace_tokenize((struct span){ lp + 1, (size_t)(eq - lp - 1) }, &s->tk);
	if (sen == SEN_socketcall && (sen = socketcall_sub(&s->tk, &a)) == SEN_UNKNOWN)
		return;
	c.sen = sen;
	c.op = (enum nst_op)sysent[sen].op;
	for (; a >= 0 && c.nargs < STRACE_MAX_ARGS; a = s->tk.t[a].next)
		c.args[c.nargs++] = a;
	if (!parse_ret((struct span){ ret_at, (size_t)(text.p + text.n - ret_at) }, &c))
		return;
	if (c.nargs < 1 && sen != SEN_fork && sen != SEN_vfork) {
		bad(s, "syscall without arguments");
		return;
	}
	si_call(&c);
}

/* "call(args <unfinished ...>": true with *start the text before it. */
static bool unfinished(struct span l, struct span *start)
{
	l = span_trim(l);
	if (l.n < 16 || memcmp(l.p + l.n - 16, "<unfinished ...>", 16))
		return false;
	*start = span_trim((struct span){ l.p, l.n - 16 });
	return true;
}

/* Text kept across lines, in a buffer that is reused. */
static bool keep(struct strace_import *s, char **buf, size_t *len, size_t *cap, struct span add,
		 bool append)
{
	size_t n = (append ? *len : 0) + add.n;

	if (n > PEND_MAX) {
		bad(s, "a call continued over too many bytes");
		return false;
	}
	if (n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		char *b;
		while (c < n + 1)
			c *= 2;
		if (!(b = realloc(*buf, c)))
			return false;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + (append ? *len : 0), add.p, add.n);
	*len = n;
	return true;
}

/* The length of the name before the '(' that starts l, 0 if none. */
static size_t call_name(struct span l)
{
	size_t i = 0;

	while (i < l.n && is_name_char(l.p[i]))
		i++;
	return i < l.n && l.p[i] == '(' ? i : 0;
}

/* Keep the start of thread t's unfinished call, whose name is name_len
 * bytes (0: not a name). */
static void pend_save(struct strace_import *s, struct mthread *t, struct span l, size_t name_len)
{
	struct ithread *it = ithread_of(t);

	/* a call nstrace does not decode keeps only "name(": its rest still
	 * makes it a complete call when it resumes */
	if (name_len) {
		enum nst_sen sen = sen_of(s, l.p, name_len);
		if (sysent[sen].op == NST_OP_OTHER && sen != SEN_socketcall)
			l.n = name_len + 1;
	}
	it->pend_len = 0;
	if (!keep(s, &it->pend, &it->pend_len, &it->pend_cap, l, false))
		return;
	it->pending = true;
}

/* Where "<... name resumed>" ends in l (which starts with "<... "), or
 * NULL: the name is read in place, a search only for odd names. */
static const char *resumed_end(struct span l)
{
	size_t i = 5;
	const char *gt;

	while (i < l.n && is_name_char(l.p[i]))
		i++;
	if (l.n - i >= 9 && !memcmp(l.p + i, " resumed>", 9))
		return l.p + i + 9;
	gt = memmem(l.p, l.n, " resumed>", 9);
	return gt ? gt + 9 : NULL;
}

/* "<... name resumed>rest": join with the saved start. */
static void resume(struct strace_import *s, struct mthread *t, struct span l)
{
	struct ithread *it = ithread_of(t);
	const char *end = resumed_end(l);
	struct span rest;

	if (!end) {
		bad(s, "malformed '<... resumed>'");
		return;
	}
	rest = (struct span){ end, l.n - (size_t)(end - l.p) };
	if (!it->pending) {
		bad(s, "'<... resumed>' without its '<unfinished ...>' start");
		return;
	}
	it->pending = false;
	if (!keep(s, &it->pend, &it->pend_len, &it->pend_cap, rest, true))
		return;
	/* The joined text moves to the import's buffer (the two swap, nothing
	 * is copied): the thread, and its buffer, may go in the call (execve). */
	char *b = s->join;
	size_t cap = s->join_cap;
	s->join = it->pend, s->join_len = it->pend_len, s->join_cap = it->pend_cap;
	it->pend = b, it->pend_len = 0, it->pend_cap = cap;
	struct call_text ct;
	if (split_call((struct span){ s->join, s->join_len }, NULL, &ct))
		handle_call(s, t, &ct);
	else
		bad(s, "syscall line without a return value");
}

/* --- lines broken by other output ---------------------------------------- */

/* "strace: Process 4685 attached" (4.x: without "strace: "), on a line of
 * its own or cut into a call that strace had begun: where it starts and
 * the pid, or NULL. */
static const char *find_notice(struct span l, int *pid, bool *attached)
{
	const char *p = l.p, *end = l.p + l.n;

	while ((p = memmem(p, (size_t)(end - p), "Process ", 8))) {
		struct span rest = { p + 8, (size_t)(end - p - 8) };
		size_t i = 0;
		int v = read_pid(rest, &i);
		if (v > 0 && i + 9 <= rest.n && (!memcmp(rest.p + i, " attached", 9) ||
						 !memcmp(rest.p + i, " detached", 9))) {
			*pid = v;
			*attached = rest.p[i + 1] == 'a';
			if (p - l.p >= 8 && !memcmp(p - 8, "strace: ", 8))
				p -= 8;
			return p;
		}
		p += 8;
	}
	return NULL;
}

static void notice(struct strace_import *s, int pid, bool attached)
{
	if (!attached)
		return;
	if (!s->have_first && !s->first_pid) {
		s->first_pid = pid; /* strace -p: its lines may have no prefix */
		return;
	}
	s->announced[s->nannounced++ % ANNOUNCED] = pid; /* a child, not the first */
}

/* A call strace began and other output cut: kept until the rest comes. */
static void broken_drop(struct strace_import *s)
{
	if (!s->broken_lines)
		return;
	s->broken_lines = 0;
	bad_at(s, s->broken_lineno, "syscall line without a return value (no rest followed)");
}

static void broken_start(struct strace_import *s, int tid, struct span l)
{
	broken_drop(s);
	s->broken_lineno = s->lineno;
	s->broken_len = 0;
	s->broken_lines = 0;
	if (keep(s, &s->broken, &s->broken_len, &s->broken_cap, l, false)) {
		s->broken_tid = tid;
		s->broken_lines = 1;
	}
}

/* A line that is no strace line of its own, while a call is cut: its rest
 * (perhaps after lines of the program's output). */
static bool broken_more(struct strace_import *s, struct span l)
{
	struct mthread *t;
	struct call_text ct;
	struct span start;

	if (!s->broken_lines)
		return false;
	if (++s->broken_lines > BROKEN_MAX_LINES ||
	    !keep(s, &s->broken, &s->broken_len, &s->broken_cap, l, true)) {
		broken_drop(s);
		return true;
	}
	struct span all = { s->broken, s->broken_len };
	if (unfinished(all, &start)) {
		s->broken_lines = 0; /* the rest comes as "<... resumed>" */
		s->st.joined++;
		if ((t = si_thread(s, s->broken_tid)))
			pend_save(s, t, start, call_name(start));
		return true;
	}
	if (!split_call(all, NULL, &ct))
		return true;
	s->broken_lines = 0;
	s->st.joined++;
	if ((t = si_thread(s, s->broken_tid)))
		handle_call(s, t, &ct);
	return true;
}

/* --- the log's first process ---------------------------------------------- */

/* strace -f on a terminal prints the first process's lines without a pid
 * while it is the only one traced; they went to a placeholder thread 0.
 * The first unknown pid after a child is known (a clone line, or strace's
 * "Process N attached"), that is not a child (announced, or above the
 * children's pids), is that process. */
bool si_announced(const struct strace_import *s, pid_t tid)
{
	for (unsigned i = 0; i < ANNOUNCED && i < s->nannounced; i++)
		if (s->announced[i] == tid)
			return true;
	return false;
}

static void adopt_first(struct strace_import *s, int tid)
{
	struct mthread *t0;

	/* a child must be known (a clone line, or strace's notice) */
	if (s->first_pid || !s->have_first || (!s->first_child && !s->nannounced) ||
	    (s->first_child && tid >= s->first_child) || si_announced(s, tid))
		return;
	if (model_thread(&s->m, tid) || !(t0 = model_thread(&s->m, 0)))
		return;
	if (model_renumber(&s->m, t0, tid) == 0)
		s->first_pid = tid;
}

void si_child(struct strace_import *s, struct mthread *parent, pid_t child)
{
	if (parent->tid == 0 && !s->first_pid && (!s->first_child || child < s->first_child))
		s->first_child = child;
}

/* --- lines ------------------------------------------------------------------ */

void strace_import_line(struct strace_import *s, const char *line, size_t len,
			unsigned long lineno, int default_tid)
{
	struct span l = span_trim((struct span){ line, len });
	struct mthread *t;
	const char *cut;
	bool attached, prefixed;
	struct span comm;
	int tid, npid;
	size_t i = 0;

	s->st.lines++;
	s->lineno = lineno;
	if (!l.n)
		return;
	tid = take_pid(&l, &comm);
	if (tid < 0) {
		bad(s, "pid out of range");
		return;
	}
	prefixed = tid > 0;
	if (prefixed)
		adopt_first(s, tid);
	else
		tid = default_tid ? default_tid : s->first_pid;
	s->timed |= take_time(&s->ts, &l);
	if (l.n >= 3 && (!memcmp(l.p, "---", 3) || !memcmp(l.p, "+++", 3))) {
		struct mthread *gone = model_thread(&s->m, tid);
		broken_drop(s);
		s->st.recognized++;
		if (gone && !memcmp(l.p, "+++", 3))
			model_thread_exit(&s->m, gone); /* exited / killed by */
		return;
	}
	if (l.n > 5 && !memcmp(l.p, "<... ", 5)) {
		broken_drop(s);
		s->st.recognized++;
		if ((t = si_thread(s, tid)))
			resume(s, t, l);
		return;
	}
	while (i < l.n && is_name_char(l.p[i]))
		i++;
	if (!i || i >= l.n || l.p[i] != '(') { /* not a call of its own */
		if ((cut = find_notice(l, &npid, &attached))) {
			s->st.recognized++;
			notice(s, npid, attached);
			if (cut > l.p) /* a call's rest before the notice */
				broken_more(s, (struct span){ l.p, (size_t)(cut - l.p) });
			return;
		}
		if (!prefixed && broken_more(s, l))
			return;
		s->st.skipped++; /* "(...unrelated content omitted)", banners */
		return;
	}
	broken_drop(s); /* strace begins a call: a cut one will not go on */
	if (l.n >= 14 && !memcmp(l.p + l.n - 14, "<detached ...>", 14)) {
		s->st.recognized++;
		s->st.skipped++; /* strace let go of the thread mid-call */
		return;
	}
	bool fresh = !model_thread(&s->m, tid);
	if (!(t = si_thread(s, tid)))
		return;
	if (comm.n && comm.n < sizeof(t->p->comm) &&
	    ((fresh && t->p->pid == t->tid) || t->p->comm[0] == '?')) { /* -Y: a new process */
		memcpy(t->p->comm, comm.p, comm.n);
		t->p->comm[comm.n] = '\0';
	}
	struct span start;
	if (unfinished(l, &start)) {
		s->st.recognized++;
		pend_save(s, t, start, i);
		return;
	}
	struct call_text ct;
	if (!split_call(l, l.p + i, &ct)) {
		/* cut: "clone(...strace: Process N attached", or the program's
		 * output; the rest may follow */
		if ((cut = find_notice(l, &npid, &attached))) {
			notice(s, npid, attached);
			l.n = (size_t)(cut - l.p);
		}
		broken_start(s, tid, l);
		return;
	}
	handle_call(s, t, &ct);
}

void strace_import_end(struct strace_import *s)
{
	broken_drop(s);
}

bool strace_import_timed(const struct strace_import *s)
{
	return s->timed;
}

int strace_looks_like(const char *line, size_t len)
{
	struct span l = span_trim((struct span){ line, len });
	unsigned long long ts = 0;
	size_t i = 0;

	take_pid(&l, &(struct span){ 0 });
	take_time(&ts, &l);
	while (i < l.n && is_name_char(l.p[i]))
		i++;
	return i && i < l.n && (l.p[i] == '(' || (l.n > 5 && !memcmp(l.p, "<... ", 5)));
}

int strace_line_ts(const char *line, size_t len, unsigned long long *ts)
{
	struct span l = span_trim((struct span){ line, len });

	*ts = 0;
	take_pid(&l, &(struct span){ 0 });
	return take_time(ts, &l) ? 0 : -1;
}

void strace_import_set_file(struct strace_import *s, const char *file)
{
	s->file = file;
}
