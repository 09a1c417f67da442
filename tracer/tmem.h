/* tmem.h - reading tracee memory.  The only place that does. */
#ifndef NST_TMEM_H
#define NST_TMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Copy up to len bytes at tracee address addr of thread tid into dst.
 * Uses process_vm_readv, and PTRACE_PEEKDATA where that is unavailable
 * (ENOSYS/EPERM); tid must be ptrace-stopped for the fallback.  Returns the
 * number of bytes copied (short when the range runs into unmapped memory)
 * or -errno (-EFAULT for a bad pointer).  Never writes past dst+len. */
long tmem_read(pid_t tid, uint64_t addr, void *dst, size_t len);

/* Two ranges in one call (one syscall instead of two).  Returns the bytes
 * copied in all: len1 + len2 when both were read whole, less when a range
 * ran into unmapped memory (the caller then reads them one by one), or
 * -errno. */
long tmem_read2(pid_t tid, uint64_t addr1, void *dst1, size_t len1,
		uint64_t addr2, void *dst2, size_t len2);

/* mem_reader adapter (see parse.h): ctx points to a pid_t. */
long tmem_reader(void *ctx, uint64_t addr, void *dst, size_t len);

#endif
