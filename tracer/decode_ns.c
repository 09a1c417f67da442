/* decode_ns.c - the namespace decoders: setns, unshare, clone(CLONE_NEWNET).
 *
 * They keep each thread's netns current, which is what a socket takes at
 * creation.  A netns fd seen once is remembered in the fd table, so that
 * dockerd's per-query setns back home costs no lookup at all. */
#define _GNU_SOURCE
#include "tracer/decode.h"

#include <linux/sched.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tracer/netns.h"
#include "model/parse.h"
#include "tracer/tmem.h"

enum ns_link { NSLINK_NONE, NSLINK_NET, NSLINK_PATH, NSLINK_PIDFD, NSLINK_OTHER };

/* What fd of t's process is, for setns: "net:[ino]" (NSLINK_NET, *ino), a
 * bind-mount path (kept in t->entry_path), a pidfd, another namespace type
 * ("uts:[..]"), or nothing (not open). */
static enum ns_link read_ns_link(struct thread *t, int fd, uint64_t *ino)
{
	char path[64], link[256];
	ssize_t n;

	t->entry_path[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->p->pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return NSLINK_NONE;
	link[n] = '\0';
	switch (parse_fd_link(link, ino)) {
	case LINK_NETNS:
		return NSLINK_NET;
	case LINK_NSFS_PATH:
		snprintf(t->entry_path, sizeof(t->entry_path), "%.127s", link);
		return NSLINK_PATH;
	default:
		return strncmp(link, "anon_inode:", 11) ? NSLINK_OTHER : NSLINK_PIDFD;
	}
}

/* setns(fd, nstype).  An fd known to be a netns costs nothing; with
 * CLONE_NEWNET the exit reads the thread's netns back (one stat).  Only
 * nstype 0 needs the fd's link now, to tell a net namespace from another
 * kind. */
bool entry_setns(struct thread *t)
{
	struct fd_entry *e = fdtab_get(t->p->fds, (int)t->entry.args[0]);
	uint64_t ino = 0;

	t->entry.aux = 0;
	t->entry.aux_type = 0;
	t->entry_path[0] = '\0';
	if (e && e->kind == FD_NETNS) {
		t->entry.aux = e->netns;
		t->entry.aux_type = CLONE_NEWNET;
		return true;
	}
	if (t->entry.args[1] & CLONE_NEWNET)
		return true;
	switch (read_ns_link(t, (int)t->entry.args[0], &ino)) {
	case NSLINK_NET:
		t->entry.aux = ino;
		t->entry.aux_type = CLONE_NEWNET;
		break;
	case NSLINK_OTHER: /* another namespace type: not our business */
		t->entry.aux_type = -1;
		break;
	default: /* a path or a pidfd: the exit sees whether the netns moved */
		break;
	}
	return true;
}

bool entry_unshare(struct thread *t)
{
	return t->entry.args[0] & (CLONE_NEWNET | CLONE_FILES);
}

bool entry_clone(struct thread *t)
{
	t->entry.aux = t->entry.args[0];
	return t->entry.aux & CLONE_NEWNET;
}

bool entry_clone3(struct thread *t)
{
	uint64_t flags = 0;

	if (tmem_read(t->tid, t->entry.args[0], &flags, sizeof(flags)) != sizeof(flags))
		flags = 0;
	t->entry.aux = flags;
	return flags & CLONE_NEWNET;
}

/* After a successful namespace change, the thread's netns is read back from
 * /proc: exact for nsfs fds, pidfds and unshare alike. */
static void refresh_thread_netns(struct thread *t)
{
	uint64_t ino;

	if (netns_of_task(t->tid, &ino) == 0)
		t->netns = ino;
}

/* After a net setns on fd: remember what fd is, so that the next setns on
 * it costs nothing.  When the entry did not read the fd's link (CLONE_NEWNET)
 * it is read only when it pays: the first time this netns is seen (for its
 * path), or when the fd is used a second time. */
static void note_netns_fd(struct thread *t, int fd)
{
	struct fd_entry *e = fdtab_get(t->p->fds, fd);
	bool link_read = t->entry_path[0] || t->entry.aux_type == CLONE_NEWNET;
	uint64_t ino = 0;

	if (e && (e->kind == FD_NETNS || e->kind == FD_OTHER))
		return;
	if (!link_read) {
		if (!netns_first_sight(t->netns) && !(e && e->kind == FD_SETNS_ONCE)) {
			fdtab_set(t->p->fds, fd, FD_SETNS_ONCE, NULL, true);
			return;
		}
		switch (read_ns_link(t, fd, &ino)) {
		case NSLINK_NET:
			if (ino != t->netns)
				return;
			break;
		case NSLINK_PATH:
			break;
		default: /* a pidfd: its process may move, nothing to keep */
			fdtab_set(t->p->fds, fd, FD_OTHER, NULL, true);
			return;
		}
	}
	if (t->entry_path[0])
		netns_learn_path(t->netns, t->entry_path);
	fdtab_set_netns(t->p->fds, fd, t->netns);
}

void exit_setns(struct decode_ctx *c)
{
	struct thread *t = c->t;
	uint64_t nstype = c->a[1], before = t->netns, ino = 0;
	int fd = (int)c->a[0];

	c->ev->arg = nstype;
	if (t->entry.aux_type < 0)
		return; /* another namespace type: not our business */
	if (c->ret == 0) {
		if (t->entry.aux_type == CLONE_NEWNET)
			t->netns = t->entry.aux;
		else
			refresh_thread_netns(t);
		/* nstype 0 with a path or pidfd: a net setns only if the netns moved */
		if (!(nstype & CLONE_NEWNET) && t->entry.aux_type != CLONE_NEWNET && t->netns == before)
			return;
		note_netns_fd(t, fd);
	} else if (!(nstype & CLONE_NEWNET) && t->entry.aux_type != CLONE_NEWNET) {
		return;
	} else if (t->entry.aux_type != CLONE_NEWNET && read_ns_link(t, fd, &ino) == NSLINK_NET) {
		t->entry.aux = ino; /* failed: name the target all the same */
	}
	event_set_ns(&c->ev->ns_new, c->ret == 0 ? t->netns : t->entry.aux);
	c->ev->flags |= NST_EV_NS_CHANGE;
	decode_emit(c);
}

void exit_unshare(struct decode_ctx *c)
{
	struct thread *t = c->t;
	uint64_t flags = c->a[0];

	c->ev->fd = -1;
	c->ev->arg = flags;
	if (c->ret < 0) {
		if (flags & CLONE_NEWNET)
			decode_emit(c);
		return;
	}
	if ((flags & CLONE_FILES) && t->p->fds->refs > 1) {
		struct fdtab *copy = fdtab_copy(t->p->fds);
		if (copy) {
			fdtab_unref(t->p->fds);
			t->p->fds = copy;
		}
	}
	if (flags & CLONE_NEWNET) {
		refresh_thread_netns(t);
		event_set_ns(&c->ev->ns_new, t->netns);
		c->ev->flags |= NST_EV_NS_CHANGE;
		decode_emit(c);
	}
}

void exit_clone(struct decode_ctx *c)
{
	uint64_t ino = 0;

	c->ev->fd = -1;
	c->ev->arg = c->t->entry.aux;
	ino = c->t->entry.child_netns;
	if (c->ret > 0 && (ino || netns_of_task((pid_t)c->ret, &ino) == 0)) {
		event_set_ns(&c->ev->ns_new, ino);
		c->ev->flags |= NST_EV_NS_CHANGE;
	}
	decode_emit(c);
}
