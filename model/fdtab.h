/* fdtab.h - fd tables and the sockets behind them.
 *
 * A table is shared by the threads of a process (and by CLONE_FILES
 * siblings) through a reference count; fork copies it.  A socket object is
 * shared by every fd, in every process, that refers to it: dup, fork and
 * SCM-less inheritance all point at one object, which is freed when its last
 * fd goes.  Each socket has an id that is never reused, so downstream code
 * can follow a socket across fds, threads and processes.
 *
 * Entries start FD_UNKNOWN: a source that meets an fd it has not seen
 * classifies it (the live tracer asks /proc), so an incomplete table costs
 * a lookup, never a wrong answer.  Socket objects come from a free list:
 * the steady state allocates nothing. */
#ifndef NST_FDTAB_H
#define NST_FDTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/idmap.h"
#include "model/nstab.h"

/* FD_NETNS: an nsfs file (or an opened netns path) of a known namespace.
 * FD_NSFILE: a net setns went through it once; which namespace is not kept
 * (a pidfd, or an nsfs file the live tracer has not looked at). */
enum fd_kind { FD_UNKNOWN = 0, FD_OTHER, FD_SOCKET, FD_NETNS, FD_NSFILE };

/* An address as a socket keeps it: compact, since a socket has two and a
 * long log has tens of thousands of sockets open; a unix path is interned
 * (model/strtab.h).  model_sock_addr() turns it back into an nst_addr. */
struct maddr {
	uint16_t family; /* AF_UNSPEC when unknown */
	uint16_t port;   /* as in nst_addr */
	uint32_t scope_id;
	union {
		uint8_t in4[4];
		uint8_t in6[16];
		const char *unix_path; /* NULL when unnamed or not known */
	} u;
};

struct msock {
	uint64_t id; /* never reused; 0 is never an id */
	union {
		uint64_t ino;            /* the kernel's socket inode, 0 = unknown */
		struct msock *next_free; /* while on the free list */
	};
	int refs;          /* fds referring to it, across processes */
	uint16_t family;
	uint16_t protocol;
	uint8_t type;      /* without SOCK_NONBLOCK/CLOEXEC */
	uint8_t origin;    /* enum nst_ns_origin */
	bool local_known;  /* local is exact (bound, or asked of the kernel) */
	bool stacked;      /* -k: its creation's stack was taken (tracer/decode.c) */
	bool epolled;      /* registered with an epoll fd while its peer was a
	                      DNS server's (model/calls.h) */
	nsid_t ns;         /* where it was created; 0 = unknown */
	struct maddr local, peer;
};

struct fd_entry {
	uint8_t kind;    /* enum fd_kind */
	uint8_t cloexec; /* closed at execve: close-on-exec, or not known */
	nsid_t ns;       /* FD_NETNS */
	union {
		struct msock *sk;
		struct fd_entry *next_free; /* a sparse entry on the free list */
	};
};

/* fds below FDTAB_DENSE sit in an array; higher ones are sparse (a hash of
 * entries), so that a table's memory follows its open fds, not its highest
 * one: a fork of a process holding fd 65535 costs one entry, not 65536. */
#define FDTAB_DENSE 256

struct fdtab {
	int refs;
	int ep_dns; /* epoll registrations of DNS sockets in it (calls.h) */
	int cap; /* of ent, at most FDTAB_DENSE */
	struct fd_entry *ent;
	struct idmap high; /* fd -> struct fd_entry, for fd >= FDTAB_DENSE */
};

/* Socket objects: the free list, the id counter and the inode index; and
 * the free list of sparse fd entries. */
struct sockpool {
	struct msock *free;
	struct fd_entry *free_ent;
	uint64_t next_id;
	struct idmap by_ino;
};

void sockpool_free(struct sockpool *sp);
/* A zeroed socket with a new id and refs 0; NULL on ENOMEM.  It is freed
 * (recycled) when its refs drop back to 0 through the fd table. */
struct msock *sock_new(struct sockpool *sp);
/* Recycle a socket no fd refers to (one that could not be put in a table). */
void sock_discard(struct sockpool *sp, struct msock *sk);
/* The socket with this kernel inode, or NULL. */
struct msock *sock_by_ino(const struct sockpool *sp, uint64_t ino);
/* Index sk by its inode (dedupes fds that reach one socket). */
void sock_set_ino(struct sockpool *sp, struct msock *sk, uint64_t ino);

/* New empty table (refs=1), or NULL on ENOMEM. */
struct fdtab *fdtab_new(void);
/* Copy for fork(); socket objects are shared.  NULL on ENOMEM. */
struct fdtab *fdtab_copy(struct sockpool *sp, const struct fdtab *t);
struct fdtab *fdtab_ref(struct fdtab *t);
void fdtab_unref(struct sockpool *sp, struct fdtab *t);

/* Entry for fd; NULL when fd < 0 or not in the table (= FD_UNKNOWN).  It
 * stays valid until the next change to the table. */
struct fd_entry *fdtab_get(struct fdtab *t, int fd);
/* The fds in [lo, hi] that are not FD_UNKNOWN, ascending, in a malloc'd
 * array the caller frees (NULL with *n = 0 when there are none).  On
 * ENOMEM the list is NULL, or lacks the sparse fds (FDTAB_DENSE and
 * above).  For close_range: collect, then change the table. */
int *fdtab_list(const struct fdtab *t, long lo, long hi, size_t *n);
/* Set fd (closing what it was); takes a reference on sk.  -EINVAL for a
 * bad fd, -ENOMEM. */
int fdtab_set(struct sockpool *sp, struct fdtab *t, int fd, enum fd_kind kind,
	      struct msock *sk, bool cloexec);
/* Forget fd.  Returns true when it held the last reference to a socket. */
bool fdtab_close(struct sockpool *sp, struct fdtab *t, int fd);
/* fd is closed, but the socket it named (NULL: it named none) keeps the
 * reference fd held, for the caller to sock_release. */
struct msock *fdtab_take(struct sockpool *sp, struct fdtab *t, int fd);
/* Drop a reference fdtab_take handed over; true when it was the last (the
 * socket is recycled). */
bool sock_release(struct sockpool *sp, struct msock *sk);
/* newfd becomes what oldfd is (UNKNOWN if oldfd is). */
void fdtab_dup(struct sockpool *sp, struct fdtab *t, int oldfd, int newfd, bool cloexec);
/* execve: drop close-on-exec entries. */
void fdtab_exec(struct sockpool *sp, struct fdtab *t);

#endif
