/* strace_import.c - stage 2 of the strace import, see strace_import.h:
 * parsed lines (strace_parse.h) applied in order: pid prefixes resolved
 * (the unprefixed first process), calls cut into halves or by other output
 * joined where stage 1 could not, each complete call handed to
 * strace_calls.c, which turns it into facts for the model and events. */
#define _GNU_SOURCE
#include "import/strace_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/calls.h"

struct strace_import *strace_import_new(nst_event_sink sink, void *ctx, const char *file)
{
	struct strace_import *s = calloc(1, sizeof(*s));
	struct model_cfg cfg;

	if (!s)
		return NULL;
	if (!(s->parser = strace_parser_new())) {
		free(s);
		return NULL;
	}
	s->sink = sink;
	s->ctx = ctx;
	s->file = file;
	si_model_cfg(&cfg, &s->m);
	model_init(&s->m, &cfg);
	return s;
}

void strace_import_free(struct strace_import *s)
{
	if (!s)
		return;
	model_destroy(&s->m);
	strace_parser_free(s->parser);
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

/* --- calls ------------------------------------------------------------------ */

/* A complete call, parsed: to strace_calls.c when nstrace decodes it. */
static void handle_call(struct strace_import *s, struct mthread *t, const struct scall *pc)
{
	struct scall here;
	struct call c;

	if (!pc->parsed) { /* stage 1 left it, being the busier */
		strace_parse_call(&s->memo, &pc->ct, pc->sen, s->nodes, &here);
		pc = &here;
	}
	s->st.syscalls++;
	if (pc->sen != SEN_close) /* a close begun, whose resume was lost */
		model_sock_release(&s->m, ithread_close_take(ithread_of(t)));
	if (!pc->decoded || !pc->ret_ok)
		return;
	if (pc->nargs < 1 && pc->sen != SEN_fork && pc->sen != SEN_vfork) {
		bad(s, "syscall without arguments");
		return;
	}
	memset(&c, 0, offsetof(struct call, ev)); /* ev_init fills the event */
	c.s = s;
	c.t = t;
	c.tk = &pc->tk;
	c.sen = pc->sen;
	c.op = (enum nst_op)sysent[pc->sen].op;
	memcpy(c.args, pc->args, sizeof(c.args));
	c.nargs = pc->nargs;
	c.ret = pc->ret;
	c.err = pc->err;
	if (pc->ct.ret_at)
		c.rest = (struct span){ pc->ct.ret_at,
					(size_t)(pc->ct.text.p + pc->ct.text.n - pc->ct.ret_at) };
	si_call(&c);
}

/* A complete call's text joined here: parsed by handle_call. */
static void handle_text(struct strace_import *s, struct mthread *t, const struct call_text *ct)
{
	struct scall pc = { .ct = *ct, .parsed = false };

	handle_call(s, t, &pc);
}

/* --- calls cut into halves ---------------------------------------------------- */

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

/* "close(N": the kernel frees fd N as the call begins; so does the model,
 * keeping the socket for the close event when the call resumes. */
static void close_begins(struct strace_import *s, struct mthread *t, struct span l, size_t name_len)
{
	struct ithread *it = ithread_of(t);
	long fd = 0;
	size_t i = name_len + 1;

	if (name_len != 5 || memcmp(l.p, "close", 5) || l.n <= i || !strace_isdig(l.p[i]))
		return;
	for (; i < l.n && strace_isdig(l.p[i]) && fd < (1 << 24); i++)
		fd = fd * 10 + (l.p[i] - '0');
	model_sock_release(&s->m, ithread_close_take(it));
	it->closing = call_close_begin(&s->m, t->p, (int)fd);
	it->close_fd = (int)fd;
	it->close_begun = true;
}

/* Thread t's call was cut: its start is l, whose name is name_len bytes;
 * id is stage 1's for it when stage 1 keeps it to join (0: it keeps
 * none).  The text is kept here too unless only stage 1 can meet its rest:
 * an unprefixed "<... resumed>" is the first process's, which stage 1
 * cannot tell, so that process keeps its text. */
static void pend_save(struct strace_import *s, struct mthread *t, struct span l, size_t name_len,
		      uint64_t id)
{
	struct ithread *it = ithread_of(t);

	close_begins(s, t, l, name_len);
	it->pending = false;
	it->pend_id = id;
	it->pend_len = 0;
	it->pend_text = !id || !s->first_pid || t->tid == s->first_pid;
	if (it->pend_text) {
		/* a call nstrace does not decode keeps only "name(": its rest
		 * still makes it a complete call when it resumes */
		if (name_len && !strace_decodes(sen_memo_find(&s->memo, l.p, name_len)))
			l.n = name_len + 1;
		if (!keep(s, &it->pend, &it->pend_len, &it->pend_cap, l, false))
			return;
	}
	it->pending = true;
}

/* "<... name resumed>rest": what stage 1 made of it with the start this
 * thread has pending, when it met that start; else joined here. */
static void resume(struct strace_import *s, struct mthread *t, const struct sline *sl)
{
	struct ithread *it = ithread_of(t);
	struct span l = sl->l;
	const char *end;
	struct span rest;

	if (it->pending && it->pend_id && sl->start_id == it->pend_id) {
		it->pending = false;
		if (sl->join == JOIN_OK)
			handle_call(s, t, &sl->call);
		else if (sl->join == JOIN_LONG)
			bad(s, "a call continued over too many bytes");
		else
			bad(s, "syscall line without a return value");
		return;
	}
	if (!(end = strace_resumed_end(l))) {
		bad(s, "malformed '<... resumed>'");
		return;
	}
	/* a start only stage 1 kept, not met there: cannot be, both stages
	 * see its lines; said as the missing start it is here */
	if (!it->pending || !it->pend_text) {
		it->pending = false;
		bad(s, "'<... resumed>' without its '<unfinished ...>' start");
		return;
	}
	rest = (struct span){ end, l.n - (size_t)(end - l.p) };
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
	if (strace_split_call((struct span){ s->join, s->join_len }, NULL, &ct))
		handle_text(s, t, &ct);
	else
		bad(s, "syscall line without a return value");
}

/* --- lines broken by other output ---------------------------------------- */

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
	if (strace_unfinished(all, &start)) {
		s->broken_lines = 0; /* the rest comes as "<... resumed>" */
		s->st.joined++;
		if ((t = si_thread(s, s->broken_tid)))
			pend_save(s, t, start, strace_call_name(start), 0);
		return true;
	}
	if (!strace_split_call(all, NULL, &ct))
		return true;
	s->broken_lines = 0;
	s->st.joined++;
	if ((t = si_thread(s, s->broken_tid)))
		handle_text(s, t, &ct);
	return true;
}

/* --- the log's first process ---------------------------------------------- */

/* strace -f on a terminal prints the first process's lines without a pid
 * while it is the only one traced; they went to a placeholder thread 0.
 * The first unknown pid after a child is known (a clone line, or strace's
 * "Process N attached"), that is not a child (announced, or above the
 * children's pids), is that process. */
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

/* --- lines ------------------------------------------------------------------ */

/* A line that is no call of its own: strace's notice, the rest of a cut
 * call, or text that is not strace's. */
static void text_line(struct strace_import *s, struct span l, bool prefixed)
{
	const char *cut;
	bool attached;
	int npid;

	if ((cut = strace_notice(l, &npid, &attached))) {
		s->st.recognized++;
		notice(s, npid, attached);
		if (cut > l.p) /* a call's rest before the notice */
			broken_more(s, (struct span){ l.p, (size_t)(cut - l.p) });
		return;
	}
	if (!prefixed && broken_more(s, l))
		return;
	s->st.skipped++; /* "(...unrelated content omitted)", banners */
}

/* A call's line (complete, unfinished or cut) by tid. */
static void call_line(struct strace_import *s, const struct sline *sl, int tid)
{
	struct span l = sl->l;
	struct mthread *t;
	const char *cut;
	bool attached;
	int npid;
	bool fresh = !model_thread(&s->m, tid);

	if (!(t = si_thread(s, tid)))
		return;
	if (sl->comm.n && sl->comm.n < sizeof(t->p->comm) &&
	    ((fresh && t->p->pid == t->tid) || t->p->comm[0] == '?')) { /* -Y: a new process */
		memcpy(t->p->comm, sl->comm.p, sl->comm.n);
		t->p->comm[sl->comm.n] = '\0';
	}
	if (sl->kind == SL_UNFINISHED) {
		s->st.recognized++;
		pend_save(s, t, sl->start, sl->name_len, sl->start_id);
	} else if (sl->kind == SL_CUT) {
		/* "clone(...strace: Process N attached", or the program's
		 * output; the rest may follow */
		if ((cut = strace_notice(l, &npid, &attached))) {
			notice(s, npid, attached);
			l.n = (size_t)(cut - l.p);
		}
		broken_start(s, tid, l);
	} else {
		handle_call(s, t, &sl->call);
	}
}

void strace_import_apply(struct strace_import *s, const struct sline *sl)
{
	struct mthread *t;
	bool prefixed;
	int tid = sl->tid;

	s->st.lines++;
	s->lineno = sl->lineno;
	if (sl->kind == SL_BLANK)
		return;
	if (sl->kind == SL_BADPID) {
		bad(s, "pid out of range");
		return;
	}
	prefixed = tid > 0;
	if (prefixed)
		adopt_first(s, tid);
	else
		tid = sl->default_tid ? sl->default_tid : s->first_pid;
	s->ts = sl->ts;
	s->timed |= sl->timed;
	switch (sl->kind) {
	case SL_EXIT:
	case SL_SIGNAL:
		broken_drop(s);
		s->st.recognized++;
		if (sl->kind == SL_EXIT && (t = model_thread(&s->m, tid)))
			model_thread_exit(&s->m, t); /* exited / killed by */
		return;
	case SL_RESUMED:
		broken_drop(s);
		s->st.recognized++;
		if ((t = si_thread(s, tid)))
			resume(s, t, sl);
		return;
	case SL_TEXT:
		text_line(s, sl->l, prefixed);
		return;
	case SL_DETACHED:
		broken_drop(s);
		s->st.recognized++;
		s->st.skipped++; /* strace let go of the thread mid-call */
		return;
	default:
		broken_drop(s); /* strace begins a call: a cut one will not go on */
		call_line(s, sl, tid);
		return;
	}
}

void strace_import_line(struct strace_import *s, const char *line, size_t len,
			unsigned long lineno, int default_tid)
{
	struct sline sl;

	if (strace_parse_line(s->parser, NULL, line, len, lineno, default_tid, &sl) < 0) {
		s->lineno = lineno;
		s->st.lines++;
		bad(s, strerror(ENOMEM));
		return;
	}
	strace_import_apply(s, &sl);
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
	struct strace_clock c = { 0 };
	size_t i = 0;

	strace_prefix(&l, &(struct span){ 0 });
	strace_time(&c, &l);
	while (i < l.n && strace_name_char(l.p[i]))
		i++;
	return i && i < l.n && (l.p[i] == '(' || (l.n > 5 && !memcmp(l.p, "<... ", 5)));
}

int strace_line_ts(const char *line, size_t len, unsigned long long *ts)
{
	struct span l = span_trim((struct span){ line, len });

	struct strace_clock c = { 0 };

	strace_prefix(&l, &(struct span){ 0 });
	if (!strace_time(&c, &l)) {
		*ts = 0;
		return -1;
	}
	*ts = c.ts;
	return 0;
}

void strace_import_set_file(struct strace_import *s, const char *file)
{
	s->file = file;
}
