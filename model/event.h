/* event.h - the one contract between the event sources and everything
 * downstream.
 *
 * Each source (live ptrace, strace logs, recordings) fills a struct
 * nst_event per network or namespace syscall it sees and hands it to the
 * sink.  Pointers inside an event (payload, netns paths, syscall name) are
 * only valid for the duration of that call; a consumer that keeps an event
 * must copy what it needs.
 *
 * Nothing in here depends on ptrace, so a replayed recording produces the
 * very same structs as a live trace. */
#ifndef NST_EVENT_H
#define NST_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define NST_COMM_LEN 16

/* Is the process dockerd, by its comm (or a program's base name)?  The one
 * test of it: Docker advice goes to dockerd only. */
static inline bool nst_is_dockerd(const char *comm)
{
	return strcmp(comm, "dockerd") == 0;
}
#define NST_UNIX_PATH_LEN 108
#define NST_MAX_SNAPLEN 65536 /* ceiling for -s */

/* A socket address, normalized.  family is AF_UNSPEC when unknown. */
struct nst_addr {
	uint16_t family;   /* AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_UNSPEC */
	uint16_t port;     /* host byte order (inet); nl_pid low bits (netlink) */
	uint32_t scope_id; /* inet6 scope, netlink pid */
	union {
		uint8_t in4[4];
		uint8_t in6[16];
		char unix_path[NST_UNIX_PATH_LEN + 1]; /* '@' prefix = abstract */
	} u;
};

/* How the tracer learned a socket's network namespace. */
enum nst_ns_origin {
	NST_NS_UNKNOWN = 0,
	NST_NS_CREATED, /* saw socket()/socketpair()/accept() under trace */
	NST_NS_QUERIED, /* existed before; asked the kernel via SIOCGSKNS */
};

/* A network namespace reference: inode of the nsfs file, plus a bind-mount
 * path (/run/netns/X, /run/docker/netns/Y) when one is known. */
struct nst_ns {
	uint64_t ino;      /* 0 = unknown */
	const char *path;  /* NULL when none known */
	const char *label; /* only when neither is known: what does identify it,
	                      e.g. "setns fd 38 of pid 7041" in a strace log
	                      without -y; NULL otherwise */
};

/* What a syscall does, as far as nstrace cares: set from the syscall's
 * entry in model/sysent.h, never from its name downstream. */
enum nst_op {
	NST_OP_OTHER = 0,
	NST_OP_SOCKET,      /* socket, socketpair (fd2: the pair's second fd) */
	NST_OP_CONNECT,
	NST_OP_BIND,
	NST_OP_LISTEN,
	NST_OP_ACCEPT,      /* accept, accept4 (fd2: the new fd) */
	NST_OP_GETSOCKNAME,
	NST_OP_GETPEERNAME,
	NST_OP_SEND,        /* write, writev, send, sendto, sendmsg, sendmmsg */
	NST_OP_RECV,        /* read, readv, recv, recvfrom, recvmsg, recvmmsg */
	NST_OP_CLOSE,       /* close, close_range (one event per socket fd) */
	NST_OP_DUP,         /* dup, dup2, dup3 (fd2: the new fd) */
	NST_OP_FCNTL,       /* F_DUPFD* (fd2: the new fd) */
	NST_OP_SETNS,
	NST_OP_UNSHARE,
	NST_OP_CLONE,       /* clone, clone3, fork, vfork */
	NST_OP_EXEC,
	NST_OP_OPEN,
	NST_OP_SOCKERR,     /* getsockopt(SOL_SOCKET, SO_ERROR) only: arg is the
	                       socket's pending error (0: a non-blocking connect
	                       completed); sources drop other getsockopt calls */
	NST_OP_WAIT,        /* poll, ppoll, select, pselect6, epoll_wait,
	                       epoll_pwait, epoll_pwait2: one event per inet
	                       socket the result says something about
	                       (model/calls.h): arg its revents (POLL* bits),
	                       ret the call's, wait_us its timeout */
	NST_OP_EPOLL_CTL,   /* epoll_ctl: a fact for the source's model only
	                       (which fd an epoll event's data names): no event */
	NST_OP_COUNT
};

/* Which way the call moves data. */
enum nst_dir { NST_DIR_NONE = 0, NST_DIR_OUT, NST_DIR_IN };

struct nst_sock {
	uint64_t id; /* the socket's identity in the model: the same for every
	                fd, thread and process that shares it; 0 = unknown */
	int family, type, protocol; /* type without SOCK_NONBLOCK/CLOEXEC */
	struct nst_addr local, peer;
	struct nst_ns netns;
	enum nst_ns_origin origin;
	bool foreign; /* netns differs from the using process's home netns */
};

#define NST_MAX_FRAMES 64

/* One user-space stack frame (-k). */
struct nst_frame {
	uint64_t addr;
	uint64_t offset;      /* from the function's start, or the module's */
	const char *module;   /* "dockerd", "libc.so.6", "?" */
	const char *function; /* NULL when the module has no symbol for it */
};

struct nst_stack {
	uint32_t nframes;
	struct nst_frame frames[NST_MAX_FRAMES];
};

enum nst_event_flags {
	NST_EV_SOCK = 1u << 0,       /* .sock is valid */
	NST_EV_ADDR = 1u << 1,       /* .addr is valid (per-call address) */
	NST_EV_UNREADABLE = 1u << 2, /* tracee memory could not be read */
	NST_EV_TRUNCATED = 1u << 3,  /* payload cut at the -s limit */
	NST_EV_NS_CHANGE = 1u << 4,  /* setns/unshare/clone: .ns_new valid */
	NST_EV_ADDR_UNREADABLE = 1u << 5,
	NST_EV_SOCK_GONE = 1u << 6,  /* close: the last fd of the socket in the
	                                traced processes; no answer can follow */
	NST_EV_AWAY = 1u << 7,       /* the thread was not in its process's home
	                                netns at the call (both known) */
	NST_EV_NEW_AWAY = 1u << 8,   /* ns_new is not the home netns (both known) */
	NST_EV_NO_TIME = 1u << 9,    /* the source has no clock (a strace log
	                                without -t): ts_us means nothing */
	NST_EV_WAIT_SOCKS = 1u << 10, /* NST_OP_WAIT: every fd the call watched is
	                                 an inet socket (no pipe, timer or
	                                 eventfd that an event loop wakes on):
	                                 its timeout is a socket client's own */
	NST_EV_SOCK_ERR = 1u << 11,  /* NST_OP_WAIT: sock_err is the socket's
	                                pending error, read without clearing it */
};

/* NST_OP_WAIT's wait_us when the call has no timeout, or it is not known. */
#define NST_WAIT_FOREVER (-1)
#define NST_WAIT_UNKNOWN (-2)

struct nst_event {
	uint64_t ts_us; /* wall clock, microseconds since the epoch */
	int32_t pid, tid;
	char comm[NST_COMM_LEN];
	uint8_t op;          /* enum nst_op */
	uint8_t dir;         /* enum nst_dir */
	uint16_t sen;        /* enum nst_sen (model/sysent.h); 0 = not known */
	const char *syscall; /* its name, for display: "write", "sendmmsg" */
	int32_t fd;          /* primary fd argument, -1 when none */
	int32_t fd2;         /* second fd: dup target, accepted fd, pair[1] */
	int64_t ret;         /* return value; -errno is split into err */
	int32_t err;         /* errno, 0 on success */
	uint32_t flags;      /* enum nst_event_flags */
	uint64_t arg;        /* call-specific: setns nstype, unshare/clone
	                        flags, socket type bits, msg flags */
	uint32_t msg_index;  /* index within sendmmsg/recvmmsg, else 0 */
	uint32_t unseen;     /* sendmmsg/recvmmsg: messages the call moved past
	                        this one that no event shows (a source's cap):
	                        what they carried is unknown */

	struct nst_ns thread_netns; /* the calling thread's netns at the call */
	struct nst_ns home_netns;   /* the process's home netns */
	struct nst_ns ns_new;       /* setns/unshare/clone(CLONE_NEWNET) result */

	struct nst_sock sock; /* the socket behind fd (NST_EV_SOCK) */
	struct nst_addr addr; /* connect/bind/sendto target, recvfrom source,
	                         accept peer (NST_EV_ADDR) */

	const struct nst_stack *stack; /* -k: captured where the diagnosis needs
	                                  it (setns, foreign sockets), else NULL */

	int64_t wait_us;        /* NST_OP_WAIT: the timeout the call was given
	                           (from its argument, else from strace -T's
	                           duration), µs; NST_WAIT_FOREVER, _UNKNOWN */
	uint32_t wait_nfds;     /* NST_OP_WAIT: the fds it watched (0: not
	                           known, as for epoll) */
	int32_t sock_err;       /* NST_OP_WAIT with NST_EV_SOCK_ERR: an errno */

	uint64_t io_len;        /* bytes the call moved (or asked to move) */
	uint32_t payload_len;   /* bytes captured, <= -s */
	const uint8_t *payload; /* captured bytes, NULL when none */
};

/* Recordings (-o): JSON Lines of these events; fixtures/README.md.  Keys
 * added since version 1 (a socket's "id", "sock_gone") are optional:
 * readers of either side ignore what they do not know. */
#define NST_RECORDING_FORMAT "nstrace-recording"
#define NST_RECORDING_VERSION 1

/* The single entry point downstream of the sources: output, recording and
 * analysis all hang off one sink (cli/session.c).  Must not keep pointers
 * from ev past the call. */
typedef void (*nst_event_sink)(const struct nst_event *ev, void *ctx);

#endif
