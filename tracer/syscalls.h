/* syscalls.h - the decoded-syscall table of the traced arch.
 *
 * Indexed by syscall number, strace style: [nr] = {nargs, flags, sen,
 * cloexec_arg, entry, exit}.  The sen (model/sysent.h) gives the name, the
 * operation and the direction.  A row without a sen is not decoded: the
 * tracer resumes such syscalls at once and skips their exit stop without a
 * ptrace call. */
#ifndef NST_SYSCALLS_H
#define NST_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/sysent.h"

struct mthread;
struct decoder;
struct decode_ctx;

/* Runs at the entry stop with the thread's entry filled; returns whether
 * the exit stop must be decoded.  May classify fds (one /proc lookup per
 * new fd). */
typedef bool (*sc_entry_fn)(struct decoder *d, struct mthread *t);
/* Runs at the exit stop; emits zero or more events. */
typedef void (*sc_exit_fn)(struct decode_ctx *c);

enum sc_flags {
	SF_SOCKFD = 1u << 0, /* arg0 is an fd: decode only when it is a socket */
	SF_IO = 1u << 1,     /* moves data */
};

struct syscall_desc {
	uint8_t nargs;
	uint8_t flags;
	uint16_t sen;        /* enum nst_sen */
	int8_t cloexec_arg;  /* the argument whose O_CLOEXEC (= SOCK_CLOEXEC)
	                        bit makes the new fd close-on-exec; -1: none */
	sc_entry_fn on_entry; /* NULL: SF_SOCKFD check, or always decode */
	sc_exit_fn on_exit;
};

extern const struct syscall_desc syscall_table[];
extern const size_t syscall_table_len;

static inline const struct syscall_desc *syscall_lookup(long nr)
{
	if (nr < 0 || (size_t)nr >= syscall_table_len || !syscall_table[nr].sen)
		return NULL;
	return &syscall_table[nr];
}

#endif
