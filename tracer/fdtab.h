/* fdtab.h - per-process fd tables and the sockets behind them.
 *
 * A table is shared by the threads of a process (and by CLONE_FILES
 * siblings) through a reference count.  A socket object is shared by every
 * fd that dup()s it.  Entries start FD_UNKNOWN: the tracer classifies an fd
 * lazily on first use, so an inaccurate table only costs a query, never a
 * wrong answer. */
#ifndef NST_FDTAB_H
#define NST_FDTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"

/* FD_NETNS: an nsfs file of a network namespace, whose inode is kept so
 * that setns on it costs no lookup.  FD_SETNS_ONCE: a net setns went
 * through it once (an nsfs file or a pidfd; never a socket). */
enum fd_kind { FD_UNKNOWN = 0, FD_OTHER, FD_SOCKET, FD_NETNS, FD_SETNS_ONCE };

struct sock_obj {
	int refs;
	bool local_known; /* local address is exact (bound or queried) */
	struct nst_sock s; /* s.netns.path unused: paths come from netns.c */
	struct sock_obj *next_free;
};

struct fd_entry {
	uint8_t kind;    /* enum fd_kind */
	uint8_t cloexec; /* forgotten at execve: close-on-exec, or not known */
	struct sock_obj *sk;
	uint64_t netns;  /* FD_NETNS: the namespace inode */
};

struct fdtab {
	int refs;
	int cap;
	struct fd_entry *ent;
};

/* New empty table (refs=1), or NULL on ENOMEM. */
struct fdtab *fdtab_new(void);
/* Deep copy for fork(); socket objects are shared.  NULL on ENOMEM. */
struct fdtab *fdtab_copy(const struct fdtab *t);
struct fdtab *fdtab_ref(struct fdtab *t);
void fdtab_unref(struct fdtab *t);

/* Entry for fd; NULL when fd < 0 or beyond the table (= FD_UNKNOWN). */
struct fd_entry *fdtab_get(struct fdtab *t, int fd);
/* Set fd; takes a new reference on sk.  -EINVAL for a bad fd, -ENOMEM. */
int fdtab_set(struct fdtab *t, int fd, enum fd_kind kind, struct sock_obj *sk,
	      bool cloexec);
/* fd refers to network namespace ino (cloexec unknown: forgotten at exec). */
int fdtab_set_netns(struct fdtab *t, int fd, uint64_t ino);
void fdtab_close(struct fdtab *t, int fd);
void fdtab_close_range(struct fdtab *t, unsigned lo, unsigned hi);
/* newfd becomes what oldfd is (UNKNOWN if oldfd is). */
void fdtab_dup(struct fdtab *t, int oldfd, int newfd, bool cloexec);
/* execve: drop close-on-exec entries. */
void fdtab_exec(struct fdtab *t);

/* Socket objects come from a free list: steady state allocates nothing.
 * sock_new returns a zeroed object with refs=0, or NULL on ENOMEM. */
struct sock_obj *sock_new(void);
void sock_unref(struct sock_obj *sk);
void sock_pool_cleanup(void);

#endif
