/* decode.h - syscall decoders: fetch arguments from the tracee, keep the
 * fd table and thread netns up to date, and emit events to the sink.
 *
 * decode_* functions read tracee memory (through tmem.c) and never abort:
 * a bad pointer sets NST_EV_UNREADABLE on the event. */
#ifndef NST_DECODE_H
#define NST_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "tracer/proc.h"

struct decode_ctx {
	struct thread *t;
	const uint64_t *a; /* saved entry arguments */
	int64_t ret;       /* return value, or -1 with err set */
	int err;
	struct nst_event *ev; /* common fields prefilled */
};

/* Configure the one consumer of events and the payload cap (-s). */
void decode_init(nst_event_sink sink, void *ctx, uint32_t snaplen);
/* Hand the events of the stops just handled to the sink.  The engine calls
 * it once the thread is resumed, so output and analysis run in parallel
 * with the tracee.  Event order is kept. */
void decode_flush(void);

/* -k: capture stacks of at most depth frames (0: off). */
void decode_set_stacks(int depth);
void decode_cleanup(void);

/* Exit-stop entry point: prefill an event from t->entry and dispatch to the
 * syscall's exit decoder.  rval is the raw kernel return value. */
void decode_exit(struct thread *t, int64_t rval, bool is_error);

/* Shared by the decoder files (decode.c, decode_ns.c). */
/* Queue the event of c (with a stack under -k when the diagnosis wants
 * one); the sink sees it at the next decode_flush(). */
void decode_emit(struct decode_ctx *c);
/* ns = netns ino; its path is named at flush time, off the stop. */
void event_set_ns(struct nst_ns *ns, uint64_t ino);

/* Entry decoders and exit decoders referenced by syscalls.c. */
bool entry_sockfd(struct thread *t);
bool entry_close(struct thread *t);
bool entry_fcntl(struct thread *t);
bool entry_setns(struct thread *t);
bool entry_unshare(struct thread *t);
bool entry_clone(struct thread *t);
bool entry_clone3(struct thread *t);
bool entry_dup(struct thread *t);

void exit_socket(struct decode_ctx *c);
void exit_socketpair(struct decode_ctx *c);
void exit_connect(struct decode_ctx *c);
void exit_bind(struct decode_ctx *c);
void exit_plain(struct decode_ctx *c);
void exit_accept(struct decode_ctx *c);
void exit_sockname(struct decode_ctx *c);
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
