/* fuzz_strace_file.c - a whole strace log through the importer and the
 * analyzers, as `nstrace replay` reads it. */
#include "analyzers/analyzer.h"
#include "import/strace_import.h"
#include "fuzz/fuzz.h"

static void sink(const struct nst_event *ev, void *ctx)
{
	analyzer_feed(ctx, ev);
}

static void line(const char *p, size_t n, unsigned long lineno, void *ctx)
{
	strace_import_line(ctx, p, n, lineno, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_opts o = { .dns_timeout_us = 5000000 };
	struct analyzer *a = analyzer_new(&o);
	struct strace_import *imp = a ? strace_import_new(sink, a, "fuzz") : NULL;

	if (imp) {
		fuzz_lines(data, size, line, imp);
		strace_import_end(imp);
		analyzer_finish(a, strace_import_last_ts(imp));
	}
	strace_import_free(imp);
	analyzer_free(a);
	return 0;
}
