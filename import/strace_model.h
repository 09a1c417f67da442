/* strace_model.h - the process/thread/socket model behind strace_import,
 * shared by its three files (not a public interface):
 *   strace_model.c   namespaces, processes, threads, the sockets behind fds;
 *   strace_calls.c   one handler per syscall name, turning a call into events;
 *   strace_import.c  lines: prefixes, times, unfinished/resumed, dispatch. */
#ifndef NST_STRACE_MODEL_H
#define NST_STRACE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "import/strace_import.h"
#include "import/strace_text.h"

#define MAX_NS 1024
#define MAX_FD 65536
#define NS_HOME (-1)    /* where threads start: the process's home */
#define NS_UNKNOWN (-2) /* a socket from before the log */
#define MAX_VOTES 8
#define BAD_REPORTED 20
#define PEND_MAX (1 << 20)
#define NBUCKETS 1024

struct nsid {
	uint64_t ino;
	char path[128];
	char label[64];
};

struct isock {
	int family, type, ns;
	bool created, cloexec;
	struct nst_addr local, peer;
};

struct iproc {
	int pid, nthreads;
	char comm[NST_COMM_LEN];
	struct isock **fds; /* indexed by fd, NULL = not a known socket */
	int cap;
	int home; /* NS_HOME until a return vote says otherwise */
	struct { int fd; char path[128]; } nsfiles[16]; /* open()ed netns paths */
	struct { int ns; unsigned count; } votes[MAX_VOTES];
	struct iproc *next;
};

struct ithread {
	int tid;
	struct iproc *p;
	int ns;
	bool made_socket; /* created a socket since entering ns */
	char *pend;       /* an <unfinished ...> call */
	size_t pend_len;
	unsigned long long pend_ts;
	struct ithread *next;
};

struct strace_import {
	nst_event_sink sink;
	void *ctx;
	const char *file;
	struct strace_stats st;
	struct nsid ns[MAX_NS];
	int nns;
	struct iproc *procs, *deflt;
	struct ithread *buckets[NBUCKETS];
	unsigned long long ts, day_base;
	uint8_t payload[NST_MAX_SNAPLEN];
	unsigned long lineno;
};

/* One complete syscall line, parsed. */
struct call {
	struct strace_import *s;
	struct ithread *t;
	const char *name;
	struct span args[STRACE_MAX_ARGS];
	int nargs;
	long long ret;
	int err;
	struct span ret_text;
	struct nst_event ev;
};

/* --- the model (strace_model.c) ------------------------------------------- */

/* Index of the namespace known by inode, else path, else label (made on
 * first sight); NS_UNKNOWN when the table is full. */
int si_ns_intern(struct strace_import *s, uint64_t ino, const char *path, const char *label);
/* Namespace index ns (NS_HOME: p's home) as an event's nst_ns; pointers into
 * s, valid until s is freed. */
void si_fill_ns(struct strace_import *s, struct iproc *p, int ns, struct nst_ns *out);
bool si_at_home(const struct iproc *p, int ns);
/* A thread made sockets elsewhere and switched to ns: one vote for ns as
 * p's home. */
void si_vote_home(struct iproc *p, int ns);
/* NULL on ENOMEM. */
struct iproc *si_proc_new(struct strace_import *s, int pid);
void si_proc_free_fds(struct iproc *p);
/* The thread, made (in the log's first process) when create is set and it
 * is unknown; NULL on ENOMEM or when not found. */
struct ithread *si_thread_get(struct strace_import *s, int tid, bool create);
void si_thread_exit(struct strace_import *s, int tid);
/* The socket behind fd, or NULL. */
struct isock *si_sock_at(struct iproc *p, int fd);
/* A fresh socket at fd (replacing what was there); NULL on ENOMEM or a bad fd. */
struct isock *si_sock_put(struct iproc *p, int fd);
void si_sock_drop(struct iproc *p, int fd);
/* The socket behind an fd argument, learning from its -y/-yy note; with
 * must (the call works on sockets only) unknown fds get one.  *fd is the
 * number, -1 when arg is not an fd. */
struct isock *si_sock_for(struct iproc *p, struct span arg, int *fd, bool must);

/* --- the handlers (strace_calls.c) ---------------------------------------- */

typedef void (*si_handler_fn)(struct call *c);
/* The handler for a syscall name, with the name as a static string in
 * *canon; NULL for a syscall nstrace does not turn into events. */
si_handler_fn si_find_handler(struct span name, const char **canon);

#endif
