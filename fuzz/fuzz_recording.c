/* fuzz_recording.c - an nstrace recording (-o), line by line, through the
 * reader and the analyzers. */
#include "model/fwfacts.h"
#include "fuzz/fuzz_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_opts o = { .dns_timeout_us = 5000000 };
	struct containers names = { 0 };
	struct fw_facts *fw = calloc(1, sizeof(*fw));
	struct fuzz_rec c = { calloc(1, sizeof(struct rec_reader)), analyzer_new(&o) };

	if (c.r && c.a && fw) {
		c.r->names = &names;
		c.r->fw = fw;
		fuzz_lines(data, size, fuzz_rec_line, &c);
		analyzer_finish(c.a, c.r->end_ts);
	}
	analyzer_free(c.a);
	containers_free(&names);
	free(fw);
	free(c.r);
	return 0;
}
