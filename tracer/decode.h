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

struct decoder {
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
};

/* Set up d to decode into model m and hand events to sink, capturing at
 * most snaplen payload bytes per event.  0 or -ENOMEM. */
int decode_init(struct decoder *d, struct model *m, nst_event_sink sink, void *ctx,
		uint32_t snaplen);
/* -k: capture stacks of at most depth frames (0: off). */
void decode_set_stacks(struct decoder *d, int depth);
/* Hand the events of the stops just handled to the sink, naming their
 * namespaces first.  The engine calls it once the thread is resumed, so
 * output and analysis run in parallel with the tracee.  Order is kept. */
void decode_flush(struct decoder *d);
/* Flushes, then frees what decode_init allocated. */
void decode_free(struct decoder *d);

/* Exit-stop entry point: prefill an event from the thread's entry and
 * dispatch to the syscall's exit decoder.  rval is the raw return value. */
void decode_exit(struct decoder *d, struct mthread *t, int64_t rval, bool is_error);

/* Shared by the decoder files (decode.c, decode_ns.c). */
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

#endif
