/* strace_parse.c - stage 1 of the strace import, see strace_parse.h. */
#define _GNU_SOURCE
#include "import/strace_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/idmap.h"

#define HELD_MAX 4096 /* pids whose cut calls stage 1 joins */

/* The start of a call strace cut, kept to join with its rest. */
struct held {
	uint64_t id; /* 0: none now (the buffer is kept for the next) */
	enum nst_sen sen;
	bool decoded; /* else buf holds no text: its rest is only checked */
	char *buf;
	size_t len, cap;
};

struct strace_parser {
	struct strace_clock clock; /* after the last line */
	struct idmap held;     /* pid -> struct held */
	uint64_t next_id;
	struct sen_memo memo;
	struct sl_arena own;   /* for callers without an arena of their own */
	unsigned defer, tick;  /* defer of DEFER_ALL calls left to stage 2 to parse */
};

void strace_parser_defer(struct strace_parser *p, unsigned share)
{
	p->defer = share < DEFER_ALL ? share : DEFER_ALL;
}

/* a[0..n) == b[0..n), n <= SEN_MEMO_NAME: words that overlap rather than
 * bytes (every line asks). */
static bool same_name(const char *a, const char *b, size_t n)
{
	uint64_t x, y, u, v;

	if (n < 8) {
		size_t k = 0;
		while (k < n && a[k] == b[k])
			k++;
		return k == n;
	}
	memcpy(&x, a, 8), memcpy(&y, b, 8);
	memcpy(&u, a + n - 8, 8), memcpy(&v, b + n - 8, 8);
	if (x != y || u != v)
		return false;
	if (n <= 16)
		return true;
	memcpy(&x, a + 8, 8), memcpy(&y, b + 8, 8);
	return x == y;
}

enum nst_sen sen_memo_find(struct sen_memo *m, const char *name, size_t n)
{
	unsigned h = (unsigned)n * 31u;

	if (!n || n > SEN_MEMO_NAME)
		return sysent_find(name, n);
	h += (unsigned char)name[0] * 7u + (unsigned char)name[n / 2] * 3u + (unsigned char)name[n - 1];
	h %= SEN_MEMO;
	if (m->e[h].len == n && same_name(m->e[h].name, name, n))
		return (enum nst_sen)m->e[h].sen;
	m->e[h].len = (uint8_t)n;
	memcpy(m->e[h].name, name, n);
	m->e[h].sen = (uint16_t)sysent_find(name, n);
	return (enum nst_sen)m->e[h].sen;
}

void strace_parse_call(struct sen_memo *m, const struct call_text *ct, enum nst_sen sen,
		       struct stok *nodes, struct scall *out)
{
	const char *lp = ct->lp, *eq = ct->eq;
	struct span text = ct->text;
	int a;

	out->ct = *ct;
	out->parsed = true;
	out->sen = sen != SEN_UNKNOWN ? sen : sen_memo_find(m, text.p, (size_t)(lp - text.p));
	out->decoded = strace_decodes(out->sen);
	out->nargs = 0;
	out->ret_ok = false;
	out->tk = (struct stoks){ .t = nodes, .cap = STRACE_MAX_TOKS };
	/* a message's cmsgs are read only for a socket whose address the log
	 * never showed: kept whole, tokenized then (strace_pktinfo) */
	if (out->sen == SEN_sendmsg || out->sen == SEN_recvmsg || out->sen == SEN_sendmmsg ||
	    out->sen == SEN_recvmmsg)
		out->tk.lazy = "msg_control";
	if (!out->decoded)
		return;
	a = strace_tokenize((struct span){ lp + 1, (size_t)(eq - lp - 1) }, &out->tk);
	if (out->sen == SEN_socketcall && (out->sen = strace_socketcall(&out->tk, &a)) == SEN_UNKNOWN) {
		out->decoded = false;
		return;
	}
	for (; a >= 0 && out->nargs < STRACE_MAX_ARGS; a = out->tk.t[a].next)
		out->args[out->nargs++] = a;
	out->ret_ok = strace_ret((struct span){ ct->ret_at, (size_t)(text.p + text.n - ct->ret_at) },
				 &out->ret, &out->err);
}

struct strace_parser *strace_parser_new(void)
{
	return calloc(1, sizeof(struct strace_parser));
}

void strace_parser_free(struct strace_parser *p)
{
	size_t cur = 0;
	struct held *h;

	if (!p)
		return;
	while ((h = idmap_next(&p->held, &cur))) {
		free(h->buf);
		free(h);
	}
	idmap_free(&p->held);
	free(p->own.text);
	free(p->own.nodes);
	free(p);
}

/* A complete call: parsed now, or left to stage 2. */
static void call_found(struct strace_parser *p, struct sl_arena *a, const struct call_text *ct,
		       enum nst_sen sen, struct scall *out)
{
	/* spread evenly: defer of each DEFER_ALL calls */
	if ((p->tick += p->defer) < DEFER_ALL) {
		strace_parse_call(&p->memo, ct, sen, a->nodes + a->nodes_used, out);
		return;
	}
	p->tick -= DEFER_ALL;
	out->ct = *ct;
	out->sen = sen;
	out->parsed = false;
	out->tk.n = 0;
}

/* The pid whose cut calls a line's halves belong to, 0 when not known
 * here: an unprefixed line of a terminal log is the first process's,
 * whose pid stage 2 learns later. */
static int held_key(const struct sline *sl)
{
	return sl->tid > 0 ? sl->tid : sl->default_tid > 0 ? sl->default_tid : 0;
}

/* "<... name resumed>rest": joined with the start kept for its pid, and
 * parsed when that makes a complete call.  Needs room in a (-ENOSPC, and
 * nothing done). */
static int join(struct strace_parser *p, struct sl_arena *a, struct sline *sl, size_t len)
{
	char *text = a->text + a->text_used + len; /* after the line's copy */
	struct held *h = held_key(sl) ? idmap_get(&p->held, (uint64_t)held_key(sl)) : NULL;
	const char *end = strace_resumed_end(sl->l);
	struct call_text ct;
	size_t rest;

	if (!h || !h->id || !end)
		return 0; /* stage 2 joins, or says what is wrong */
	rest = sl->l.n - (size_t)(end - sl->l.p);
	sl->start_id = h->id;
	h->id = 0; /* the call resumed, joined or not */
	if (h->len + rest > STRACE_CALL_MAX) {
		sl->join = JOIN_LONG;
		return 0;
	}
	sl->join = JOIN_CUT;
	if (!h->decoded) { /* only whether it completed: no text */
		if (strace_completes((struct span){ end, rest })) {
			sl->join = JOIN_OK;
			sl->call.sen = h->sen;
		}
		return 0;
	}
	if (a->text_cap - a->text_used < len + h->len + rest) {
		h->id = sl->start_id; /* as it was */
		sl->start_id = 0;
		sl->join = JOIN_NONE;
		a->want = len + h->len + rest;
		return -ENOSPC;
	}
	memcpy(text, h->buf, h->len);
	memcpy(text + h->len, end, rest);
	if (strace_split_call((struct span){ text, h->len + rest }, NULL, &ct)) {
		call_found(p, a, &ct, h->sen, &sl->call);
		sl->join = JOIN_OK;
		a->text_used += h->len + rest;
	}
	return 0;
}

/* Keep the start of a cut call to join it with its rest; of a call
 * nstrace does not decode only "name(", which still makes it a complete
 * call.  A start kept before for the pid is gone, as it is for stage 2. */
static void hold(struct strace_parser *p, struct sline *sl)
{
	int key = held_key(sl);
	struct held *h = key ? idmap_get(&p->held, (uint64_t)key) : NULL;
	struct span start = sl->start;

	sl->call.sen = sen_memo_find(&p->memo, start.p, sl->name_len);
	sl->call.decoded = strace_decodes(sl->call.sen);
	if (!sl->call.decoded && sl->name_len)
		start.n = sl->name_len + 1;
	if (h)
		h->id = 0;
	if (!key || start.n > STRACE_CALL_MAX)
		return;
	if (!h) {
		if (idmap_count(&p->held) >= HELD_MAX || !(h = calloc(1, sizeof(*h))))
			return;
		if (idmap_put(&p->held, (uint64_t)key, h) < 0) {
			free(h);
			return;
		}
	}
	if (sl->call.decoded && start.n > h->cap) { /* else its rest is only checked */
		char *b = realloc(h->buf, start.n);
		if (!b)
			return;
		h->buf = b;
		h->cap = start.n;
	}
	if (sl->call.decoded)
		memcpy(h->buf, start.p, start.n);
	h->len = start.n;
	h->sen = sl->call.sen;
	h->decoded = sl->call.decoded;
	h->id = ++p->next_id;
	sl->start_id = h->id;
}

/* The pid exited: its cut call will not resume. */
static void unhold(struct strace_parser *p, const struct sline *sl)
{
	int key = held_key(sl);
	struct held *h = key ? idmap_get(&p->held, (uint64_t)key) : NULL;

	if (!h)
		return;
	idmap_del(&p->held, (uint64_t)key);
	free(h->buf);
	free(h);
}

/* What kind of line l (past prefix and time) is; a call's name length. */
static enum sl_kind kind_of(struct sline *sl)
{
	struct span l = sl->l;
	size_t i = 0;

	if (l.n >= 3 && l.p[1] == l.p[0] && l.p[2] == l.p[0] && (l.p[0] == '-' || l.p[0] == '+'))
		return l.p[0] == '+' ? SL_EXIT : SL_SIGNAL;
	if (l.n > 5 && l.p[0] == '<' && !memcmp(l.p, "<... ", 5))
		return SL_RESUMED;
	while (i < l.n && strace_name_char(l.p[i]))
		i++;
	if (!i || i >= l.n || l.p[i] != '(')
		return SL_TEXT;
	sl->name_len = i;
	if (l.n >= 14 && !memcmp(l.p + l.n - 14, "<detached ...>", 14))
		return SL_DETACHED;
	if (strace_unfinished(l, &sl->start))
		return SL_UNFINISHED;
	return SL_CALL; /* or SL_CUT: decided with the split */
}

static int parse(struct strace_parser *p, struct sl_arena *a, const char *line, size_t len,
		 unsigned long lineno, int default_tid, struct sline *out)
{
	struct strace_clock clock = p->clock; /* p's only when the line is taken */
	struct call_text ct;
	char *text;
	int r;

	if (a->text_cap - a->text_used < len || a->nodes_cap - a->nodes_used < STRACE_MAX_TOKS) {
		a->want = len;
		return -ENOSPC;
	}
	text = a->text + a->text_used;
	memcpy(text, line, len);
	/* field by field: a memset of the whole line costs more than its parse */
	out->lineno = lineno;
	out->default_tid = default_tid;
	out->src = 0;
	out->tid = 0;
	out->comm = (struct span){ NULL, 0 };
	out->timed = false;
	out->name_len = 0;
	out->start = (struct span){ NULL, 0 };
	out->start_id = 0;
	out->join = JOIN_NONE;
	out->call.tk.n = 0;
	out->call.parsed = true;
	out->call.decoded = false;
	out->call.sen = SEN_UNKNOWN;
	out->l = span_trim((struct span){ text, len });
	if (!out->l.n) {
		out->kind = SL_BLANK;
		out->ts = clock.ts;
		return 0;
	}
	out->tid = strace_prefix(&out->l, &out->comm);
	if (out->tid < 0) {
		out->kind = SL_BADPID;
		out->ts = clock.ts;
		return 0;
	}
	out->timed = strace_time(&clock, &out->l);
	out->ts = clock.ts;
	out->kind = kind_of(out);
	if (out->kind == SL_RESUMED) {
		if ((r = join(p, a, out, len)) < 0)
			return r; /* nothing done: the caller retries on a fresh arena */
	} else if (out->kind == SL_UNFINISHED) {
		hold(p, out);
	} else if (out->kind == SL_EXIT) {
		unhold(p, out);
	} else if (out->kind == SL_CALL) {
		if (strace_split_call(out->l, out->l.p + out->name_len, &ct))
			call_found(p, a, &ct, SEN_UNKNOWN, &out->call);
		else
			out->kind = SL_CUT;
	}
	a->text_used += len;
	if (out->call.tk.n)
		a->nodes_used += (size_t)out->call.tk.n;
	p->clock = clock;
	return 0;
}

/* Room for want bytes of text in an empty arena. */
static int grow(struct sl_arena *a, size_t want)
{
	char *t;

	if (want <= a->text_cap)
		return 0;
	if (!(t = realloc(a->text, want)))
		return -ENOMEM;
	a->text = t;
	a->text_cap = want;
	return 0;
}

int strace_parse_line(struct strace_parser *p, struct sl_arena *a, const char *line, size_t len,
		      unsigned long lineno, int default_tid, struct sline *out)
{
	int r;

	if (a)
		return parse(p, a, line, len, lineno, default_tid, out);
	a = &p->own; /* one line at a time: reused */
	a->text_used = a->nodes_used = 0;
	if (!a->nodes && !(a->nodes = malloc(STRACE_MAX_TOKS * sizeof(*a->nodes))))
		return -ENOMEM;
	a->nodes_cap = STRACE_MAX_TOKS;
	if (!a->text && (r = grow(a, 4096)) < 0) /* never NULL: an empty line copies 0 bytes to it */
		return r;
	while ((r = parse(p, a, line, len, lineno, default_tid, out)) == -ENOSPC)
		if ((r = grow(a, a->want)) < 0)
			return r;
	return r;
}
