/* arch.h - everything that depends on the traced architecture.
 *
 * x86_64 only for now.  Syscall numbers come from <sys/syscall.h> of the
 * build host, and struct layouts (msghdr, mmsghdr, iovec, clone_args) are
 * the native ones, which is only correct because tracer and tracee share
 * the architecture; a port adds its own numbering and layouts here. */
#ifndef NST_ARCH_H
#define NST_ARCH_H

#if !defined(__x86_64__)
#error "nstrace decodes x86_64 syscalls only; add the arch to tracer/arch.h"
#endif

#include <linux/audit.h>

#define NST_AUDIT_ARCH AUDIT_ARCH_X86_64
#define NST_ARCH_NAME "x86_64"

/* Caps on tracee-supplied counts; lengths are capped by -s. */
#define NST_MAX_IOV 1024
#define NST_MAX_MMSG 256
#define NST_MAX_SOCKADDR 128

#endif
