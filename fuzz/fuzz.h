/* fuzz.h - what the libFuzzer harnesses share: the input split into lines
 * without a copy per line, and a NUL-terminated copy where an API wants a
 * C string.  Each harness is one LLVMFuzzerTestOneInput over one parser of
 * untrusted bytes; see fuzz/README.md. */
#ifndef NST_FUZZ_H
#define NST_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cb(line, len, lineno) for each '\n'-separated line of data. */
static inline void fuzz_lines(const uint8_t *data, size_t size,
			      void (*cb)(const char *, size_t, unsigned long, void *), void *ctx)
{
	const char *p = (const char *)data, *end = p + size;
	unsigned long n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		cb(p, len, ++n, ctx);
		p += len + 1;
	}
}

#endif
