/* bpf.h - the eBPF backend: the ptrace engine's events and facts, with no
 * thread ever stopped.
 *
 * Programs on the raw syscall tracepoints (tracer/nstrace.bpf.c), filtered
 * in the kernel by the traced thread groups, copy what each decoded call
 * did into a ring buffer (tracer/bpf_event.h); here each record goes
 * through the same decoders as a ptrace stop (tracer/decode.h), whose
 * kernel facts (memory, fds, socket netns) it answers, into the same model
 * and the same sink.  Followed through fork, exec and exit tracepoints.
 * Detaching removes the programs.  Setup functions return -errno and
 * print nothing; the caller explains. */
#ifndef NST_BPF_H
#define NST_BPF_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"
#include "tracer/bpf_features.h"

struct bpf_backend;

struct bpf_opts {
	nst_event_sink sink; /* every event */
	void *ctx;
	uint32_t snaplen;    /* -s */
	int stack_depth;     /* -k: 0 = no stacks */
	const volatile sig_atomic_t *stop; /* set: return (a signal handler's) */
};

struct bpf_stats {
	unsigned long records, decoded, threads_seen;
	unsigned long lost; /* records the ring buffer had no room for, and calls
	                       whose thread got no memory for its entry */
	struct bpf_features feat; /* what the loaded programs use */
};

/* Can this kernel and this process run the backend?  0, or -errno with a
 * sentence in why naming what is missing (BTF, a capability, tracefs, a
 * build without it). */
int bpf_probe(char *why, size_t n);

/* Load and attach the programs (nothing is traced yet).  NULL with errno
 * set, and why filled, on failure. */
struct bpf_backend *bpf_backend_new(const struct bpf_opts *o, char *why, size_t n);
/* Detach (the programs go) and free.  Pending events reach the sink. */
void bpf_backend_free(struct bpf_backend *b);

/* Trace pid's thread group (and what it forks from now on).  0, -ESRCH. */
int bpf_backend_attach(struct bpf_backend *b, pid_t pid);
/* Fork and exec argv, traced from its first instruction.  Its pid or
 * -errno; a failing exec makes the child exit 127. */
pid_t bpf_backend_launch(struct bpf_backend *b, char *const argv[]);

/* Read records until every traced process is gone or a stop is asked.
 * The launched command's exit status (128+signal), or 0. */
int bpf_backend_run(struct bpf_backend *b);

const struct bpf_stats *bpf_backend_stats(struct bpf_backend *b);

#endif
