/* tmem.c - tracee memory access, see tmem.h. */
#define _GNU_SOURCE
#include "tracer/tmem.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

static int vm_readv_broken; /* set once process_vm_readv says ENOSYS/EPERM */

static long peek_read(pid_t tid, uint64_t addr, void *dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t a = addr + done;
		uint64_t aligned = a & ~(uint64_t)7;
		size_t skip = a - aligned, n;
		long word;

		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, tid, (void *)aligned, NULL);
		if (errno)
			return done ? (long)done : -errno;
		n = sizeof(word) - skip;
		if (n > len - done)
			n = len - done;
		memcpy((char *)dst + done, (char *)&word + skip, n);
		done += n;
	}
	return (long)done;
}

/* process_vm_readv over n ranges; *peek is set when PTRACE_PEEKDATA must
 * do it instead (ENOSYS, remembered, or EPERM). */
static long vm_read(pid_t tid, const struct iovec *local, const struct iovec *remote,
		    unsigned long n, bool *peek)
{
	ssize_t r;

	*peek = vm_readv_broken;
	if (*peek)
		return 0;
	r = process_vm_readv(tid, local, n, remote, n, 0);
	if (r >= 0)
		return (long)r;
	if (errno == ENOSYS)
		vm_readv_broken = 1;
	*peek = errno == ENOSYS || errno == EPERM;
	return -errno;
}

long tmem_read(pid_t tid, uint64_t addr, void *dst, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	bool peek;
	long r;

	if (len == 0)
		return 0;
	if (addr == 0)
		return -EFAULT;
	r = vm_read(tid, &local, &remote, 1, &peek);
	return peek ? peek_read(tid, addr, dst, len) : r;
}

long tmem_read2(pid_t tid, uint64_t addr1, void *dst1, size_t len1,
		uint64_t addr2, void *dst2, size_t len2)
{
	struct iovec local[2] = { { dst1, len1 }, { dst2, len2 } };
	struct iovec remote[2] = { { (void *)(uintptr_t)addr1, len1 },
				   { (void *)(uintptr_t)addr2, len2 } };
	bool peek;
	long r;

	if (!addr1 || !addr2)
		return -EFAULT;
	r = vm_read(tid, local, remote, 2, &peek);
	if (!peek)
		return r;
	r = peek_read(tid, addr1, dst1, len1);
	if (r != (long)len1)
		return r;
	r = peek_read(tid, addr2, dst2, len2);
	return r < 0 ? (long)len1 : (long)(len1 + (size_t)r);
}

long tmem_reader(void *ctx, uint64_t addr, void *dst, size_t len)
{
	return tmem_read(*(pid_t *)ctx, addr, dst, len);
}
