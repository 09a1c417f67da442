/* fuzz_symbols.c - the ELF and .gopclntab symbol loader on any file: a
 * traced binary is untrusted input to a root tool (-k). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tracer/symbols.h"
#include "fuzz/fuzz.h"

static void cb(void *ctx, uint64_t start, uint64_t size, const char *name)
{
	(void)start;
	(void)size;
	*(size_t *)ctx += strlen(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	size_t total = 0;

	if (fd < 0 && (fd = memfd_create("fuzz-elf", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	(void)symbols_file(path, SYMS_ELF | SYMS_GO, cb, &total);
	return 0;
}
