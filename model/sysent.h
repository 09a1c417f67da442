/* sysent.h - the syscalls nstrace understands, by name: each has a number
 * of its own (its sen, as in strace) that gives its operation and the
 * direction its data moves.
 *
 * Every source types its events from here: the live tracer's per-arch table
 * carries a sen per syscall number, the strace import and the recording
 * reader look names up.  Downstream code switches on the operation and never
 * compares syscall names. */
#ifndef NST_SYSENT_H
#define NST_SYSENT_H

#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

/* name, operation, direction; sorted by name (sysent_find bisects). */
#define NST_SYSENT_LIST(X)                 \
	X(_newselect, WAIT, NONE)          \
	X(accept, ACCEPT, NONE)            \
	X(accept4, ACCEPT, NONE)           \
	X(bind, BIND, NONE)                \
	X(clone, CLONE, NONE)              \
	X(clone3, CLONE, NONE)             \
	X(close, CLOSE, NONE)              \
	X(close_range, CLOSE, NONE)        \
	X(connect, CONNECT, NONE)          \
	X(dup, DUP, NONE)                  \
	X(dup2, DUP, NONE)                 \
	X(dup3, DUP, NONE)                 \
	X(epoll_ctl, EPOLL_CTL, NONE)      \
	X(epoll_pwait, WAIT, NONE)         \
	X(epoll_pwait2, WAIT, NONE)        \
	X(epoll_wait, WAIT, NONE)          \
	X(execve, EXEC, NONE)              \
	X(execveat, EXEC, NONE)            \
	X(fcntl, FCNTL, NONE)              \
	X(fcntl64, FCNTL, NONE)            \
	X(fork, CLONE, NONE)               \
	X(getpeername, GETPEERNAME, NONE)  \
	X(getsockname, GETSOCKNAME, NONE)  \
	X(getsockopt, SOCKERR, NONE)       \
	X(listen, LISTEN, NONE)            \
	X(open, OPEN, NONE)                \
	X(openat, OPEN, NONE)              \
	X(poll, WAIT, NONE)                \
	X(ppoll, WAIT, NONE)               \
	X(ppoll_time64, WAIT, NONE)        \
	X(pselect6, WAIT, NONE)            \
	X(pselect6_time64, WAIT, NONE)     \
	X(read, RECV, IN)                  \
	X(readv, RECV, IN)                 \
	X(recv, RECV, IN)                  \
	X(recvfrom, RECV, IN)              \
	X(recvmmsg, RECV, IN)              \
	X(recvmsg, RECV, IN)               \
	X(select, WAIT, NONE)              \
	X(send, SEND, OUT)                 \
	X(sendmmsg, SEND, OUT)             \
	X(sendmsg, SEND, OUT)              \
	X(sendto, SEND, OUT)               \
	X(setns, SETNS, NONE)              \
	X(socket, SOCKET, NONE)            \
	X(socketcall, OTHER, NONE)         \
	X(socketpair, SOCKET, NONE)        \
	X(unshare, UNSHARE, NONE)          \
	X(vfork, CLONE, NONE)              \
	X(write, SEND, OUT)                \
	X(writev, SEND, OUT)

enum nst_sen {
	SEN_UNKNOWN = 0, /* a name nstrace does not know: op NST_OP_OTHER */
#define NST_SEN_ENUM(name, op, dir) SEN_##name,
	NST_SYSENT_LIST(NST_SEN_ENUM)
#undef NST_SEN_ENUM
	SEN_COUNT
};

struct sysent {
	const char *name;
	uint8_t op;  /* enum nst_op */
	uint8_t dir; /* enum nst_dir */
};

extern const struct sysent sysent[SEN_COUNT];

/* The sen of the syscall named by n bytes at name; SEN_UNKNOWN if none. */
enum nst_sen sysent_find(const char *name, size_t n);

/* Type ev from sen: its op, dir, and its name (unless sen is SEN_UNKNOWN,
 * when ev->syscall is left as the caller set it). */
void nst_event_set_sen(struct nst_event *ev, enum nst_sen sen);

const char *nst_op_name(enum nst_op op);

#endif
