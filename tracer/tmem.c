/* tmem.c - tracee memory access, see tmem.h. */
#define _GNU_SOURCE
#include "tmem.h"

#include <errno.h>
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

long tmem_read(pid_t tid, uint64_t addr, void *dst, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t r;

	if (len == 0)
		return 0;
	if (addr == 0)
		return -EFAULT;
	if (!vm_readv_broken) {
		r = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (r >= 0)
			return (long)r;
		if (errno == ENOSYS)
			vm_readv_broken = 1;
		else if (errno != EPERM)
			return -errno;
	}
	return peek_read(tid, addr, dst, len);
}

long tmem_read2(pid_t tid, uint64_t addr1, void *dst1, size_t len1,
		uint64_t addr2, void *dst2, size_t len2)
{
	struct iovec local[2] = { { dst1, len1 }, { dst2, len2 } };
	struct iovec remote[2] = { { (void *)(uintptr_t)addr1, len1 },
				   { (void *)(uintptr_t)addr2, len2 } };
	ssize_t r;

	if (!addr1 || !addr2)
		return -EFAULT;
	if (!vm_readv_broken) {
		r = process_vm_readv(tid, local, 2, remote, 2, 0);
		if (r >= 0)
			return (long)r;
		if (errno == ENOSYS)
			vm_readv_broken = 1;
		else if (errno != EPERM)
			return -errno;
	}
	r = tmem_read(tid, addr1, dst1, len1);
	if (r != (ssize_t)len1)
		return r;
	r = tmem_read(tid, addr2, dst2, len2);
	return r < 0 ? (long)len1 : (long)(len1 + (size_t)r);
}

long tmem_reader(void *ctx, uint64_t addr, void *dst, size_t len)
{
	return tmem_read(*(pid_t *)ctx, addr, dst, len);
}
