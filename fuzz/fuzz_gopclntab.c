/* fuzz_gopclntab.c - a .gopclntab section alone (not inside an ELF file):
 * the version, the text start and every function, with a text start the
 * input picks. */
#include "tracer/gopclntab.h"
#include "fuzz/fuzz.h"

static void fn(void *ctx, uint64_t entry, uint64_t end, const char *name, size_t namelen)
{
	volatile size_t *sum = ctx;

	/* every byte of the name is read: out of bounds would show */
	for (size_t i = 0; i < namelen; i++)
		*sum += (uint8_t)name[i];
	*sum += (size_t)(end - entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile size_t sum = 0;
	uint64_t text = 0;

	(void)gopclntab_version(data, size);
	(void)gopclntab_text_start(data, size);
	if (size > 8)
		memcpy(&text, data + size - 8, 8);
	(void)gopclntab_funcs(data, size, 0, 100000, fn, (void *)&sum);
	(void)gopclntab_funcs(data, size, text, 64, fn, (void *)&sum);
	return 0;
}
