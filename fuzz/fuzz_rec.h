/* fuzz_rec.h - what the harnesses that replay a recording share: each
 * line through the reader, each event into an analyzer. */
#ifndef NST_FUZZ_REC_H
#define NST_FUZZ_REC_H

#include "analyzers/analyzer.h"
#include "import/recreader.h"
#include "fuzz/fuzz.h"

struct fuzz_rec {
	struct rec_reader *r;
	struct analyzer *a;
};

/* fuzz_lines' callback: ctx is a struct fuzz_rec. */
static inline void fuzz_rec_line(const char *p, size_t n, unsigned long lineno, void *ctx)
{
	struct fuzz_rec *c = ctx;
	struct nst_event ev;

	(void)lineno;
	if (rec_read_line(c->r, p, n, &ev) == REC_EVENT)
		analyzer_feed(c->a, &ev);
}

#endif
