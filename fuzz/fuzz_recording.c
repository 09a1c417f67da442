/* fuzz_recording.c - an nstrace recording (-o), line by line, through the
 * reader and the analyzers. */
#include "analyzers/analyzer.h"
#include "import/recording.h"
#include "model/fwfacts.h"
#include "fuzz/fuzz.h"

struct ctx {
	struct rec_reader *r;
	struct analyzer *a;
};

static void line(const char *p, size_t n, unsigned long lineno, void *ctx)
{
	struct ctx *c = ctx;
	struct nst_event ev;

	(void)lineno;
	if (rec_read_line(c->r, p, n, &ev) == REC_EVENT)
		analyzer_feed(c->a, &ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_opts o = { .dns_timeout_us = 5000000 };
	struct containers names = { 0 };
	struct fw_facts *fw = calloc(1, sizeof(*fw));
	struct ctx c = { calloc(1, sizeof(struct rec_reader)), analyzer_new(&o) };

	if (c.r && c.a && fw) {
		c.r->names = &names;
		c.r->fw = fw;
		fuzz_lines(data, size, line, &c);
		analyzer_finish(c.a, c.r->end_ts);
	}
	analyzer_free(c.a);
	containers_free(&names);
	free(fw);
	free(c.r);
	return 0;
}
