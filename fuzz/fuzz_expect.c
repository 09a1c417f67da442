/* fuzz_expect.c - an expectation file (`nstrace check --expect`) compared
 * with the findings of a small fixed trace. */
#include <stdio.h>

#include "analyzers/analyzer.h"
#include "cli/expect.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_opts o = { .dns_timeout_us = 5000000 };
	struct analyzer *a = analyzer_new(&o);
	struct containers names = { 0 };
	json_t *exp = json_loadb((const char *)data, size, 0, NULL);
	FILE *null = fopen("/dev/null", "w");
	char err[256];

	if (a && exp && null) {
		analyzer_finish(a, 0);
		(void)expect_compare(exp, analyzer_findings(a), &names, null, err, sizeof(err));
	}
	if (null)
		fclose(null);
	json_decref(exp);
	analyzer_free(a);
	return 0;
}
