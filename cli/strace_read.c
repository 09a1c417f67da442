/* strace_read.c - see strace_read.h.
 *
 * Batches go round a ring of NBATCH: stage 1 fills one while stage 2
 * applies another.  A batch holds the parsed lines and, in its arena, their
 * text and argument nodes: nothing in it points into the read buffers. */
#define _GNU_SOURCE
#include "cli/strace_read.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/strace_parse.h"

#define NBATCH 4
#define BATCH_LINES 1024
#define BATCH_TEXT (256 << 10)
#define BATCH_NODES (2 * STRACE_MAX_TOKS)
#define SPIN 4000 /* about 50 us of pause */

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() __asm__ __volatile__("" ::: "memory")
#endif

enum { E_LINE, E_TOOLONG, E_READERR };

struct entry {
	int what, err; /* err: E_READERR's errno */
	struct sline sl; /* E_LINE; src and lineno for all */
};

struct batch {
	struct sl_arena a;
	struct entry *e;
	size_t n;
	bool last; /* the input ends with it */
};

struct reader {
	struct lines *ls;
	int n;
	struct lines **h; /* the heap of files by the time of their line */
	size_t hn;
	struct strace_parser *p;
	struct strace_import *imp;
	bool threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[NBATCH];
	unsigned long made, used; /* batches filled, and applied */
	unsigned defer; /* the parser's share of calls left to stage 2 */
	int err, rc;
};

/* --- waiting for the other stage ---------------------------------------------- */

/* made and used change under mu, and are read without it while spinning. */
static unsigned long load(const unsigned long *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

static bool ring_full(const struct reader *r)
{
	return load(&r->made) - load(&r->used) == NBATCH;
}

static bool ring_empty(const struct reader *r)
{
	return load(&r->used) == load(&r->made);
}

/* Wait while busy(r).  A batch takes well under a millisecond, so the
 * other stage is spun on for a while first: a sleep and a wake-up cost
 * more than that in a VM, and this happens hundreds of times a file. */
static void wait_while(struct reader *r, bool (*busy)(const struct reader *))
{
	for (int k = 0; k < SPIN && busy(r); k++)
		cpu_relax();
	pthread_mutex_lock(&r->mu);
	while (busy(r))
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

/* v += 1, and the waiting stage woken. */
static void advance(struct reader *r, unsigned long *v)
{
	pthread_mutex_lock(&r->mu);
	__atomic_store_n(v, *v + 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* --- stage 2: a batch applied ------------------------------------------------ */

static void apply(struct reader *r, const struct batch *b)
{
	const struct strace_stats *st = strace_import_stats(r->imp);

	for (size_t i = 0; i < b->n; i++) {
		const struct entry *e = &b->e[i];
		struct lines *l = &r->ls[e->sl.src];
		unsigned long seen;
		switch (e->what) {
		case E_TOOLONG:
			fprintf(stderr, "%s:%lu: line longer than %d MiB, skipped\n", l->name,
				e->sl.lineno, MAX_LINE >> 20);
			l->toolong++;
			break;
		case E_READERR:
			fprintf(stderr, "nstrace: %s:%lu: %s\n", l->name, e->sl.lineno, strerror(e->err));
			r->rc = 2;
			break;
		default:
			seen = st->syscalls + st->recognized;
			strace_import_set_file(r->imp, l->name);
			strace_import_apply(r->imp, &e->sl);
			l->found += st->syscalls + st->recognized - seen;
		}
	}
}

/* --- the ring ------------------------------------------------------------------ */

static struct batch *batch_free(struct reader *r)
{
	struct batch *b;

	if (r->threaded) {
		/* stage 1 waits: stage 2 is to parse fewer calls; stage 2 has
		 * caught up, so is idle: it is to parse more of them */
		if (ring_full(r) && r->defer)
			r->defer--;
		else if (r->made - load(&r->used) <= 1 && r->defer < DEFER_ALL)
			r->defer++;
		strace_parser_defer(r->p, r->defer);
		wait_while(r, ring_full);
	}
	b = &r->b[r->made % NBATCH];
	b->n = 0;
	b->a.text_used = b->a.nodes_used = 0;
	b->last = false;
	return b;
}

/* The batch is full (or the last): to stage 2. */
static void batch_done(struct reader *r, struct batch *b)
{
	if (!r->threaded) {
		apply(r, b);
		r->made++;
		r->used++;
		return;
	}
	advance(r, &r->made);
}

/* --- stage 1: the files merged, their lines parsed ------------------------------- */

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

/* An entry of the batch, after handing a full one on. */
static struct entry *entry(struct reader *r, struct batch **b)
{
	if ((*b)->n == BATCH_LINES) {
		batch_done(r, *b);
		*b = batch_free(r);
	}
	return &(*b)->e[(*b)->n];
}

/* Parse the current line of l into the batch: a full arena goes on to
 * stage 2 and the line to the next; an empty one too small grows. */
static int parse_line(struct reader *r, struct batch **b, struct lines *l)
{
	for (;;) {
		struct entry *e = entry(r, b);
		int rc = strace_parse_line(r->p, &(*b)->a, l->line, l->len, l->lineno, l->default_tid,
					   &e->sl);
		if (rc == 0) {
			e->what = E_LINE;
			e->sl.src = (int)(l - r->ls);
			(*b)->n++;
			return 0;
		}
		if (rc != -ENOSPC)
			return rc;
		if ((*b)->n) {
			batch_done(r, *b);
			*b = batch_free(r);
		} else {
			char *t = realloc((*b)->a.text, (*b)->a.want);
			if (!t)
				return -ENOMEM;
			(*b)->a.text = t;
			(*b)->a.text_cap = (*b)->a.want;
		}
	}
}

/* The file's next line; lines too long to keep and a read error go into
 * the batch, for stage 2 to report in order.  1, or 0 at its end. */
static int next_line(struct reader *r, struct batch **b, struct lines *l)
{
	int got;

	while ((got = lines_next(l)) == -E2BIG) {
		struct entry *e = entry(r, b);
		e->what = E_TOOLONG;
		e->sl.src = (int)(l - r->ls);
		e->sl.lineno = l->lineno;
		(*b)->n++;
	}
	if (got < 0) {
		struct entry *e = entry(r, b);
		e->what = E_READERR;
		e->err = -got;
		e->sl.src = (int)(l - r->ls);
		e->sl.lineno = l->lineno + 1;
		(*b)->n++;
		got = 0;
	}
	return got;
}

static void *produce(void *arg)
{
	struct reader *r = arg;
	struct batch *b = batch_free(r);

	while (r->hn && !r->err) {
		struct lines *l = r->h[0];
		if ((r->err = parse_line(r, &b, l)) < 0)
			break;
		if (!next_line(r, &b, l))
			r->h[0] = r->h[--r->hn];
		else if (r->n > 1) /* no time: 0, the file keeps its own order */
			strace_line_ts(l->line, l->len, &l->ts);
		if (r->n > 1)
			heap_down(r->h, r->hn, 0);
	}
	b->last = true;
	batch_done(r, b);
	return NULL;
}

/* --- both ---------------------------------------------------------------------- */

static void consume(struct reader *r)
{
	bool last = false;

	while (!last) {
		wait_while(r, ring_empty);
		struct batch *b = &r->b[r->used % NBATCH];
		apply(r, b);
		last = b->last;
		advance(r, &r->used);
	}
}

static void reader_free(struct reader *r)
{
	for (int i = 0; i < NBATCH; i++) {
		free(r->b[i].e);
		free(r->b[i].a.text);
		free(r->b[i].a.nodes);
	}
	strace_parser_free(r->p);
	free(r->h);
}

static int reader_init(struct reader *r, struct lines *ls, int n, struct strace_import *imp)
{
	memset(r, 0, sizeof(*r));
	r->ls = ls;
	r->n = n;
	r->imp = imp;
	r->p = strace_parser_new();
	r->h = calloc((size_t)n, sizeof(*r->h));
	if (!r->p || !r->h)
		return -ENOMEM;
	for (int i = 0; i < NBATCH; i++) {
		struct batch *b = &r->b[i];
		b->e = malloc(BATCH_LINES * sizeof(*b->e));
		b->a.text = malloc(BATCH_TEXT);
		b->a.nodes = malloc(BATCH_NODES * sizeof(*b->a.nodes));
		if (!b->e || !b->a.text || !b->a.nodes)
			return -ENOMEM;
		b->a.text_cap = BATCH_TEXT;
		b->a.nodes_cap = BATCH_NODES;
	}
	for (int i = 0; i < n; i++) { /* each holds its first line already */
		r->h[i] = &ls[i];
		strace_line_ts(ls[i].line, ls[i].len, &ls[i].ts);
	}
	r->hn = (size_t)n;
	for (size_t i = r->hn / 2; i-- > 0;)
		heap_down(r->h, r->hn, i);
	return 0;
}

int strace_read(struct lines *ls, int n, struct strace_import *imp, int threads)
{
	struct reader r;
	pthread_t tid;
	int rc = reader_init(&r, ls, n, imp);

	if (rc < 0) {
		reader_free(&r);
		return rc;
	}
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	r.threaded = threads > 1; /* before the thread starts: it reads it */
	if (r.threaded && pthread_create(&tid, NULL, produce, &r) != 0)
		r.threaded = false;
	if (r.threaded) {
		consume(&r);
		pthread_join(tid, NULL);
	} else {
		produce(&r); /* applies each batch as it is done */
	}
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
	rc = r.err < 0 ? r.err : r.rc;
	reader_free(&r);
	return rc;
}
