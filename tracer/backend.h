/* backend.h - the two live tracers behind one interface: ptrace
 * (engine.c: stops the traced threads at their calls) and BPF (bpf.c:
 * copies the calls from the kernel and never stops a thread).  The command
 * line opens one and never asks which it is again; both turn what they see
 * into the same model and events (decode.c).
 *
 * The one piece of state outside the structs: the stop request, which a
 * signal handler sets (backend_request_stop). */
#ifndef NST_BACKEND_H
#define NST_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/event.h"
#include "tracer/bpf_features.h"

enum backend_want { BACKEND_PTRACE, BACKEND_BPF, BACKEND_AUTO };

struct backend_opts {
	nst_event_sink sink; /* every event */
	void *ctx;
	uint32_t snaplen;    /* -s */
	int stack_depth;     /* -k: 0 = no stacks */
	bool seccomp;        /* ptrace's launch: stop only at the decoded calls */
};

/* Counters for the summary: what the backend that ran counts. */
struct backend_stats {
	bool bpf;                          /* which one ran */
	unsigned long threads_seen, decoded;
	unsigned long stops, undetached;   /* ptrace */
	unsigned long records, lost;       /* bpf */
	struct bpf_features bpf_feat;      /* bpf: what its programs used */
};

struct backend;

/* "ptrace", "bpf" or "auto" into *w: 0, or -1 for any other name. */
int backend_want_parse(const char *name, enum backend_want *w);

/* The backend asked for: BPF where it loads (BACKEND_AUTO: else ptrace,
 * with the reason in note), ptrace otherwise.  NULL when BPF was asked for
 * and cannot run (note says what is missing), or on ENOMEM (note empty).
 * Nothing is traced yet. */
struct backend *backend_open(enum backend_want want, const struct backend_opts *o, char *note,
			     size_t n);
/* Trace every thread of pid's thread group.  0, or -errno: -ESRCH no such
 * process, -EPERM not allowed. */
int backend_attach(struct backend *b, pid_t pid);
/* Fork and exec argv under trace.  Its pid or -errno; a failing exec makes
 * the child exit 127. */
pid_t backend_launch(struct backend *b, char *const argv[]);
/* Trace until every traced process is gone or a stop is asked, then
 * detach; with both attached processes and a launched command, until the
 * command ends.  The launched command's exit status (128+signal), or 0. */
int backend_run(struct backend *b);
void backend_stats(const struct backend *b, struct backend_stats *st);
/* Pending events reach the sink; everything is freed.  NULL: nothing. */
void backend_free(struct backend *b);

/* Async-signal-safe: ask backend_run to detach and return. */
void backend_request_stop(void);

#endif
