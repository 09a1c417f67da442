/* fuzz_expect.c - an expectation file (`nstrace check --expect`) compared
 * with the findings of real traces: the fixture recordings below, replayed
 * once at start (from the repository's root, where run.sh runs), so that
 * every shape of expectation meets findings it can match or miss. */
#include <stdio.h>

#include "analyzers/analyzer.h"
#include "cli/expect.h"
#include "import/recreader.h"
#include "model/fwfacts.h"
#include "fuzz/fuzz.h"

static const char *const traces[] = {
	"fixtures/dockerd-reject.jsonl", "fixtures/e2e-drop.jsonl", "fixtures/e2e28-healthy.jsonl",
	"fixtures/e2e-tcp.jsonl",
};
#define NTRACES (sizeof(traces) / sizeof(traces[0]))

static struct trace {
	struct analyzer *a;
	struct containers names;
} tr[NTRACES + 1]; /* the last: no events at all */

static void replay(struct trace *t, const char *path)
{
	struct analyzer_opts o = { .dns_timeout_us = 5000000 };
	struct rec_reader *r = calloc(1, sizeof(*r));
	struct fw_facts *fw = calloc(1, sizeof(*fw));
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	t->a = analyzer_new(&o);
	if (r && fw && f && t->a) {
		r->names = &t->names;
		r->fw = fw;
		while ((n = getline(&line, &cap, f)) > 0) {
			struct nst_event ev;
			if (rec_read_line(r, line, (size_t)n - (line[n - 1] == '\n'), &ev) == REC_EVENT)
				analyzer_feed(t->a, &ev);
		}
		analyzer_firewall(t->a, fw);
	}
	if (t->a)
		analyzer_finish(t->a, r ? r->end_ts : 0);
	if (f)
		fclose(f);
	free(line);
	free(fw);
	free(r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < NTRACES; i++)
		replay(&tr[i], traces[i]);
	replay(&tr[NTRACES], "/dev/null");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *exp = json_loadb((const char *)data, size, 0, NULL);
	FILE *null = fopen("/dev/null", "w");
	char err[256];

	for (size_t i = 0; exp && null && i <= NTRACES; i++)
		if (tr[i].a)
			(void)expect_compare(exp, analyzer_findings(tr[i].a), &tr[i].names, null, err,
					     sizeof(err));
	if (null)
		fclose(null);
	json_decref(exp);
	return 0;
}
