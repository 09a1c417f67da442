/* decode.h - syscall decoders: fetch what a call did from the tracee, turn
 * it into facts for the model, and read its events off the model.
 *
 * decode_* functions read tracee memory (through tmem.c) and never abort:
 * a bad pointer sets NST_EV_UNREADABLE on the event.  Events wait in a
 * queue until the thread is resumed (decode_flush). */
#ifndef NST_DECODE_H
#define NST_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "model/event.h"
#include "model/model.h"
#include "tracer/arch.h"
#include "tracer/netns.h"
#include "tracer/tasks.h"

#define DECODE_QUEUE 64

struct stacks;
struct decode_ctx;
struct decoder;
struct syscall_desc;

/* What the kernel knows beyond a call's arguments, as the decoders ask it:
 * tracee memory, what an fd is, a socket's netns and addresses, a thread's
 * netns, the call's stack and time.  The ptrace engine asks the live
 * process (tracer/kfacts.c: /proc, process_vm_readv, SIOCGSKNS, libunwind);
 * the BPF backend answers from the record its programs made at the call
 * (tracer/bpf.c).  ctx is the source's own. */
struct kfacts {
	/* Up to len bytes of tid's memory at addr into dst: the bytes copied
	 * (short at unmapped memory) or -errno, never past dst+len. */
	long (*read)(void *ctx, pid_t tid, uint64_t addr, void *dst, size_t len);
	/* Two ranges at once (tmem_read2's contract); NULL: two reads. */
	long (*read2)(void *ctx, pid_t tid, uint64_t a1, void *d1, size_t l1, uint64_t a2, void *d2,
		      size_t l2);
	/* What readlink(/proc/PID/fd/FD) gives ("socket:[ino]", "net:[ino]",
	 * a path), NUL-terminated: its length, or -1 when the fd is not open. */
	long (*fd_link)(void *ctx, struct mproc *p, int fd, char *buf, size_t n);
	/* A socket of p's from before the trace: family, type, protocol,
	 * netns, addresses (netns_query_socket's contract).  0 or -errno. */
	int (*sock_query)(void *ctx, struct mproc *p, int fd, struct nst_sock *q);
	/* A socket's local address (the kernel's choice after connect or a
	 * first send).  0 or -errno. */
	int (*sock_local)(void *ctx, struct mproc *p, int fd, struct nst_addr *local);
	/* The netns inode thread tid is in now, 0 when it cannot be told. */
	uint64_t (*thread_netns)(void *ctx, pid_t tid);
	/* -k: the user stack of the call at hand, at most depth frames into
	 * out: the number of frames, 0 when none. */
	int (*stack)(void *ctx, struct decode_ctx *c, struct nst_stack *out, int depth);
	/* The call's time: µs since the epoch. */
	uint64_t (*now_us)(void *ctx);
	/* The error queued on socket fd, read without clearing it (the
	 * program's next call must still see it): an errno, 0 for none, -1 when
	 * it cannot be told (ptrace: no way to read it that leaves it).  NULL:
	 * never told. */
	int (*sock_err)(void *ctx, int fd);
	void *ctx;
};

/* The ptrace engine's facts: the live process.  d is the decoder. */
void kfacts_ptrace(struct kfacts *kf, struct decoder *d);

struct decoder {
	struct kfacts kf;          /* kfacts_ptrace unless a source sets its own */
	struct model *m;
	nst_event_sink sink;
	void *sink_ctx;
	uint32_t snaplen;          /* -s */
	int stack_depth;           /* -k: 0 = off */
	struct stacks *stacks;     /* -k */
	struct netns_scan scan;    /* naming namespaces, off the stop */
	/* Per stop: the event being decoded and what it reads into. */
	struct nst_event ev;
	uint8_t *payload;          /* snaplen bytes; decode_emit copies it */
	struct iovec iov[NST_MAX_IOV];
	struct mmsghdr mmsg[NST_MAX_MMSG];
	struct nst_stack stack;
	/* Events wait here until the thread is resumed: the sink (output,
	 * analysis) then runs while the tracee runs, not while it is stopped. */
	struct queued {
		struct nst_event ev;
		struct nst_stack stack;
	} *queue;
	uint8_t *queue_payload;    /* DECODE_QUEUE * snaplen */
	size_t qlen;
};

/* One exit stop being decoded. */
struct decode_ctx {
	struct decoder *d;
	struct mthread *t;
	struct tthread *tt;
	const uint64_t *a; /* saved entry arguments */
	int64_t ret;       /* return value, or -1 with err set */
	int err;
	struct nst_event *ev; /* common fields prefilled */
	struct msock *sk;     /* the socket the event is about, once known */
};

/* Set up d to decode into model m and hand events to sink, capturing at
 * most snaplen payload bytes per event.  0 or -ENOMEM. */
int decode_init(struct decoder *d, struct model *m, nst_event_sink sink, void *ctx,
		uint32_t snaplen);
/* -k: unwind stacks of at most depth frames (0: off). */
void decode_set_stacks(struct decoder *d, int depth);
/* Hand the events of the stops just handled to the sink, naming their
 * namespaces first.  The engine calls it once the thread is resumed, so
 * output and analysis run in parallel with the tracee.  Order is kept. */
void decode_flush(struct decoder *d);
/* Flushes, then frees what decode_init allocated. */
void decode_free(struct decoder *d);

/* Entry point of a decoded call sc with these arguments (either backend):
 * saved in t's entry for its exit, and the entry decoder's verdict:
 * whether the exit is worth decoding. */
bool decode_entry(struct decoder *d, struct mthread *t, const struct syscall_desc *sc,
		  const uint64_t *args);

/* Could an event of this operation carry a stack (-k)?  The operations
 * decode_emit asks kfacts.stack for, in some case. */
bool decode_stack_op(enum nst_op op);

/* Exit-stop entry point: prefill an event from the thread's entry and
 * dispatch to the syscall's exit decoder.  rval is the raw return value. */
void decode_exit(struct decoder *d, struct mthread *t, int64_t rval, bool is_error);

/* Shared by the decoder files (decode.c, decode_ns.c). */
static inline long kf_read(struct decode_ctx *c, uint64_t addr, void *dst, size_t len);
/* The thread's netns now, interned; 0 when it cannot be told. */
nsid_t decode_thread_ns(struct decoder *d, pid_t tid);
/* The socket behind fd (classified once, as decode.c does for every fd
 * argument), NULL when it is none. */
struct msock *decode_sock(struct decoder *d, struct mthread *t, int fd);
/* c's event is about sk (NULL: nothing): its socket fields. */
void decode_attach(struct decode_ctx *c, struct msock *sk);
/* Queue the event of c (with a stack under -k when the diagnosis wants
 * one); the sink sees it at the next decode_flush(). */
void decode_emit(struct decode_ctx *c);

/* Entry decoders and exit decoders referenced by syscalls.c. */
bool entry_sockfd(struct decoder *d, struct mthread *t);
bool entry_close(struct decoder *d, struct mthread *t);
bool entry_fcntl(struct decoder *d, struct mthread *t);
bool entry_getsockopt(struct decoder *d, struct mthread *t);
bool entry_setns(struct decoder *d, struct mthread *t);
bool entry_unshare(struct decoder *d, struct mthread *t);
bool entry_clone(struct decoder *d, struct mthread *t);
bool entry_clone3(struct decoder *d, struct mthread *t);
bool entry_dup(struct decoder *d, struct mthread *t);
bool entry_poll(struct decoder *d, struct mthread *t);
bool entry_select(struct decoder *d, struct mthread *t);
bool entry_epoll_ctl(struct decoder *d, struct mthread *t);
bool entry_epoll_wait(struct decoder *d, struct mthread *t);

void exit_socket(struct decode_ctx *c);
void exit_socketpair(struct decode_ctx *c);
void exit_connect(struct decode_ctx *c);
void exit_bind(struct decode_ctx *c);
void exit_plain(struct decode_ctx *c);
void exit_accept(struct decode_ctx *c);
void exit_sockname(struct decode_ctx *c);
void exit_sockerr(struct decode_ctx *c);
void exit_sendto(struct decode_ctx *c);
void exit_recvfrom(struct decode_ctx *c);
void exit_msg(struct decode_ctx *c);
void exit_mmsg(struct decode_ctx *c);
void exit_rw(struct decode_ctx *c);
void exit_rwv(struct decode_ctx *c);
void exit_close(struct decode_ctx *c);
void exit_dup(struct decode_ctx *c);
void exit_fcntl(struct decode_ctx *c);
void exit_close_range(struct decode_ctx *c);
void exit_setns(struct decode_ctx *c);
void exit_unshare(struct decode_ctx *c);
void exit_clone(struct decode_ctx *c);
void exit_poll(struct decode_ctx *c);
void exit_select(struct decode_ctx *c);
void exit_epoll_ctl(struct decode_ctx *c);
void exit_epoll_wait(struct decode_ctx *c);

static inline long kf_read(struct decode_ctx *c, uint64_t addr, void *dst, size_t len)
{
	return c->d->kf.read(c->d->kf.ctx, c->t->tid, addr, dst, len);
}

#endif
