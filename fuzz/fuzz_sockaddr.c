/* fuzz_sockaddr.c - what the live tracer decodes from a tracee's memory:
 * a sockaddr of any length, and iovec arrays gathered through a reader
 * whose "memory" is the input (lying lengths and addresses included); and
 * the same bytes as the text parsers of model/parse.h read it (an fd's
 * /proc link, an address, hex). */
#include <sys/uio.h>

#include "model/parse.h"
#include "model/print.h"
#include "fuzz/fuzz.h"

struct mem {
	const uint8_t *p;
	size_t n;
};

/* Address a is offset a of the input; past it, reads fail or come short. */
static long rd(void *ctx, uint64_t addr, void *dst, size_t len)
{
	const struct mem *m = ctx;

	if (addr >= m->n)
		return -14; /* -EFAULT */
	if (len > m->n - addr)
		len = m->n - addr;
	memcpy(dst, m->p + addr, len);
	return (long)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nst_addr a;
	struct mem m = { data, size };
	struct iovec iov[16];
	uint8_t out[512];
	char text[128];
	size_t niov;
	int unreadable = 0;

	if (parse_sockaddr(data, size, &a) == 0)
		print_addr(text, sizeof(text), &a);
	niov = size / sizeof(struct iovec) < 16 ? size / sizeof(struct iovec) : 16;
	memcpy(iov, data, niov * sizeof(struct iovec));
	(void)gather_iov(iov, niov, size ? data[0] * 37u : 0, out, sizeof(out), rd, &m, &unreadable);
	(void)print_quoted(text, sizeof(text), data, size, 64);
	/* the same bytes as text: an fd's /proc link, an address, hex */
	char *str = malloc(size + 1);
	uint64_t ino;
	if (str) {
		memcpy(str, data, size);
		str[size] = '\0';
		(void)parse_fd_link(str, &ino);
		if (parse_addr(str, &a) == 0)
			print_addr(text, sizeof(text), &a);
		(void)parse_hex(str, out, sizeof(out));
		free(str);
	}
	return 0;
}
