/* strace_int.h - the strace import's own parts, shared by its files (not a
 * public interface):
 *   strace_import.c  stage 2: parsed lines (strace_parse.h) in order, the
 *                    first process, calls joined where stage 1 did not;
 *   strace_calls.c   a parsed call into facts for the model, and its events;
 *   strace_ns.c      what only a log needs: threads met without a clone
 *                    line, namespaces known by label, the home vote.
 * The model of processes, fds, sockets and namespaces is the live
 * tracer's (model/model.h). */
#ifndef NST_STRACE_INT_H
#define NST_STRACE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "import/strace_import.h"
#include "import/strace_parse.h"
#include "import/strace_text.h"
#include "model/event.h"
#include "model/model.h"
#include "model/sysent.h"

#define MAX_VOTES 8
#define BAD_REPORTED 20
#define PEND_MAX STRACE_CALL_MAX
#define ANNOUNCED 16       /* "Process N attached" pids remembered */
#define BROKEN_MAX_LINES 8 /* lines of other output a cut call may span */

/* Per thread (the model thread's priv). */
struct ithread {
	bool made_socket; /* created a socket since entering its netns */
	bool pending;     /* it has an <unfinished ...> call */
	char *pend;       /* its text, when pend_text (the buffer is kept) */
	size_t pend_len, pend_cap;
	uint64_t pend_id; /* stage 1's id for it when stage 1 keeps it */
	bool pend_text;   /* pend holds its text (else only stage 1 does) */
	/* an unfinished close(): its fd left the table when the call began
	 * (another thread may be given the number before it resumes); the
	 * socket it named, a reference, for the close event at the end */
	bool close_begun;
	int close_fd;
	struct msock *closing;
};

/* Per process (the model process's priv). */
struct iproc {
	nsid_t start; /* where its threads start: a placeholder, until the
	                 home vote says what it is */
	struct { nsid_t ns; unsigned count; } votes[MAX_VOTES];
};

struct strace_import {
	nst_event_sink sink;
	void *ctx;
	const char *file;
	struct strace_stats st;
	struct model m;
	bool have_first; /* the log's first process was met: */
	pid_t first_pid; /* threads without a clone line belong to it (0 when
	                    its lines have no pid prefix, until it is known) */
	pid_t first_child; /* the lowest child of an unprefixed first process */
	pid_t announced[ANNOUNCED]; /* children strace said it attached */
	unsigned nannounced;
	unsigned long long ts;
	bool timed; /* a line had a timestamp */
	/* a call cut by other output (the program's, strace's notices) */
	char *broken;
	size_t broken_len, broken_cap;
	unsigned broken_lines;
	unsigned long broken_lineno;
	pid_t broken_tid;
	char *join; /* an unfinished call joined with its rest */
	size_t join_len, join_cap;
	struct strace_parser *parser; /* stage 1, for strace_import_line */
	struct sen_memo memo;
	uint8_t payload[NST_MAX_SNAPLEN];
	unsigned long lineno;
	struct stok nodes[STRACE_MAX_TOKS]; /* the arguments of a call parsed
	                                       here (joined here, or left by
	                                       stage 1) */
};

/* One complete syscall line, parsed. */
struct call {
	struct strace_import *s;
	struct mthread *t;
	enum nst_sen sen;
	enum nst_op op;
	const struct stoks *tk;
	int args[STRACE_MAX_ARGS]; /* nodes in tk */
	int nargs;
	long long ret;
	int err;
	struct span rest; /* the line after the return value: " ([{fd=3,
	                     revents=POLLERR}]) <0.000020>" */
	struct nst_event ev;
};

static inline struct ithread *ithread_of(const struct mthread *t)
{
	return t->priv;
}

/* The socket an unfinished close took, with its reference, taken back
 * out of the thread (NULL: none); the thread has no close begun after. */
static inline struct msock *ithread_close_take(struct ithread *it)
{
	struct msock *sk = it->closing;

	it->closing = NULL;
	it->close_begun = false;
	return sk;
}

static inline struct iproc *iproc_of(const struct mproc *p)
{
	return p->priv;
}

/* --- import-only hooks (strace_ns.c) -------------------------------------- */

/* The files call one way only: strace_import.c -> strace_calls.c ->
 * strace_ns.c (and strace_import.c -> strace_ns.c); tests/static/
 * test_layers.sh checks it on the objects' symbols. */

/* The model configuration of the import: priv sizes and release hooks. */
void si_model_cfg(struct model_cfg *cfg, struct model *m);
/* The thread, made when it is unknown: a log without clone lines (strace
 * -e, a trimmed log) has every thread in the log's first process, starting
 * where that process's threads start.  NULL on ENOMEM. */
struct mthread *si_thread(struct strace_import *s, pid_t tid);
/* A process the model just made through a clone line: its threads start
 * in ns. */
void si_proc_born(struct mproc *p, nsid_t ns);
/* A thread made sockets in one netns and then switched to ns: one vote for
 * ns as its process's home (dockerd's setns-back). */
void si_vote_home(struct strace_import *s, struct mproc *p, nsid_t ns);
/* parent made child (a clone line): how the log's unprefixed first
 * process learns its pid. */
void si_child(struct strace_import *s, struct mthread *parent, pid_t child);
/* Did a "Process N attached" notice name tid? */
bool si_announced(const struct strace_import *s, pid_t tid);
/* A namespace the log knows only by the setns fd it went through. */
nsid_t si_ns_label(struct strace_import *s, pid_t pid, int fd);
/* A namespace made new at this line (unshare, clone(CLONE_NEWNET)). */
nsid_t si_ns_fresh(struct strace_import *s, pid_t tid);

/* --- calls (strace_calls.c) ----------------------------------------------- */

/* Turn c (name, arguments and return parsed) into facts and events. */
void si_call(struct call *c);

#endif
