/* fuzz_strace_str.c - strace's quoted strings in every escape form it
 * prints (-x, -xx, octal, \n and friends, and what strace never prints),
 * unquoted into buffers of every size the input picks. */
#include "import/strace_text.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size ? (size_t)data[0] : 0;
	uint8_t *out = malloc(cap ? cap : 1);
	char *q = malloc(size + 3);
	bool cut;

	if (out && q) {
		/* as given, and wrapped in quotes as strace prints it */
		(void)strace_unquote((struct span){ (const char *)data, size }, out, cap, &cut);
		q[0] = '"';
		memcpy(q + 1, data, size);
		q[size + 1] = '"';
		(void)strace_unquote((struct span){ q, size + 2 }, out, cap, &cut);
	}
	free(out);
	free(q);
	return 0;
}
