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

#include "model/parse.h"

enum ns_link { NSLINK_NONE, NSLINK_NET, NSLINK_PATH, NSLINK_PIDFD, NSLINK_OTHER };

/* What fd of t's process is, for setns: "net:[ino]" (NSLINK_NET, *ino), a
 * bind-mount path (kept in the thread's entry_path), a pidfd, another
 * namespace type ("uts:[..]"), or nothing (not open). */
static enum ns_link read_ns_link(struct decoder *d, struct mthread *t, int fd, uint64_t *ino)
{
	struct tthread *tt = tthread_of(t);
	char link[256];

	tt->entry_path[0] = '\0';
	if (d->kf.fd_link(d->kf.ctx, t->p, fd, link, sizeof(link)) <= 0)
		return NSLINK_NONE;
	switch (parse_fd_link(link, ino)) {
	case LINK_NETNS:
		return NSLINK_NET;
	case LINK_NSFS_PATH:
		snprintf(tt->entry_path, sizeof(tt->entry_path), "%.127s", link);
		return NSLINK_PATH;
	default:
		return strncmp(link, "anon_inode:", 11) ? NSLINK_OTHER : NSLINK_PIDFD;
	}
}

/* setns(fd, nstype).  An fd known to be a netns costs nothing; with
 * CLONE_NEWNET the exit reads the thread's netns back (one stat).  Only
 * nstype 0 needs the fd's link now, to tell a net namespace from another
 * kind. */
bool entry_setns(struct decoder *d, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);
	struct fd_entry *e = model_fd(t->p, (int)tt->entry.args[0]);
	uint64_t ino = 0;

	tt->entry.aux = 0;
	tt->entry.aux_type = 0;
	tt->entry_path[0] = '\0';
	if (e && e->kind == FD_NETNS) {
		tt->entry.aux = e->ns;
		tt->entry.aux_type = CLONE_NEWNET;
		return true;
	}
	if (tt->entry.args[1] & CLONE_NEWNET)
		return true;
	switch (read_ns_link(d, t, (int)tt->entry.args[0], &ino)) {
	case NSLINK_NET:
		tt->entry.aux = nstab_ino(&d->m->ns, ino);
		tt->entry.aux_type = CLONE_NEWNET;
		break;
	case NSLINK_OTHER: /* another namespace type: not our business */
		tt->entry.aux_type = -1;
		break;
	default: /* a path or a pidfd: the exit sees whether the netns moved */
		break;
	}
	return true;
}

bool entry_unshare(struct decoder *d, struct mthread *t)
{
	(void)d;
	return tthread_of(t)->entry.args[0] & (CLONE_NEWNET | CLONE_FILES);
}

bool entry_clone(struct decoder *d, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);

	(void)d;
	tt->entry.aux = tt->entry.args[0];
	return tt->entry.aux & CLONE_NEWNET;
}

bool entry_clone3(struct decoder *d, struct mthread *t)
{
	struct tthread *tt = tthread_of(t);
	uint64_t flags = 0;

	if (d->kf.read(d->kf.ctx, t->tid, tt->entry.args[0], &flags, sizeof(flags)) != sizeof(flags))
		flags = 0;
	tt->entry.aux = flags;
	return flags & CLONE_NEWNET;
}

/* After a successful namespace change, the thread's netns is read back
 * (kfacts: /proc, or the BPF record): exact for nsfs fds, pidfds and
 * unshare alike. */
static void refresh_thread_netns(struct decoder *d, struct mthread *t)
{
	nsid_t ns = decode_thread_ns(d, t->tid);

	if (ns)
		model_enter_ns(t, ns);
}

/* After a net setns on fd: remember what fd is, so that the next setns on
 * it costs nothing.  When the entry did not read the fd's link (CLONE_NEWNET)
 * it is read only when it pays: the first time this netns is seen (for its
 * path), or when the fd is used a second time. */
static void note_netns_fd(struct decoder *d, struct mthread *t, int fd)
{
	struct tthread *tt = tthread_of(t);
	struct fd_entry *e = model_fd(t->p, fd);
	struct nsent *ns = nstab_get(&d->m->ns, t->ns);
	bool link_read = tt->entry_path[0] || tt->entry.aux_type == CLONE_NEWNET;
	uint64_t ino = 0;

	if (e && (e->kind == FD_NETNS || e->kind == FD_OTHER))
		return;
	if (!link_read) {
		bool first_sight = ns && !ns->path_tried && !ns->path;
		if (ns)
			ns->path_tried = true;
		if (!first_sight && !(e && e->kind == FD_NSFILE)) {
			model_fd_kind(d->m, t->p, fd, FD_NSFILE);
			return;
		}
		switch (read_ns_link(d, t, fd, &ino)) {
		case NSLINK_NET:
			if (!ns || ino != ns->ino)
				return;
			break;
		case NSLINK_PATH:
			break;
		default: /* a pidfd: its process may move, nothing to keep */
			model_fd_kind(d->m, t->p, fd, FD_OTHER);
			return;
		}
	}
	if (tt->entry_path[0])
		nstab_learn_path(&d->m->ns, t->ns, tt->entry_path);
	model_fd_netns(d->m, t->p, fd, t->ns);
}

void exit_setns(struct decode_ctx *c)
{
	struct mthread *t = c->t;
	struct tthread *tt = c->tt;
	uint64_t nstype = c->a[1], ino = 0;
	nsid_t before = t->ns;
	int fd = (int)c->a[0];

	c->ev->arg = nstype;
	if (tt->entry.aux_type < 0)
		return; /* another namespace type: not our business */
	if (c->ret == 0) {
		if (tt->entry.aux_type == CLONE_NEWNET)
			model_enter_ns(t, (nsid_t)tt->entry.aux);
		else
			refresh_thread_netns(c->d, t);
		/* nstype 0 with a path or pidfd: a net setns only if the netns moved */
		if (!(nstype & CLONE_NEWNET) && tt->entry.aux_type != CLONE_NEWNET && t->ns == before)
			return;
		note_netns_fd(c->d, t, fd);
	} else if (!(nstype & CLONE_NEWNET) && tt->entry.aux_type != CLONE_NEWNET) {
		return;
	} else if (tt->entry.aux_type != CLONE_NEWNET && read_ns_link(c->d, t, fd, &ino) == NSLINK_NET) {
		tt->entry.aux = nstab_ino(&c->d->m->ns, ino); /* failed: name the target all the same */
	}
	model_event_ns_new(c->d->m, t->p, c->ret == 0 ? t->ns : (nsid_t)tt->entry.aux, c->ev);
	decode_emit(c);
}

void exit_unshare(struct decode_ctx *c)
{
	struct mthread *t = c->t;
	uint64_t flags = c->a[0];

	c->ev->fd = -1;
	c->ev->arg = flags;
	if (c->ret < 0) {
		if (flags & CLONE_NEWNET)
			decode_emit(c);
		return;
	}
	if (flags & CLONE_FILES)
		model_unshare_files(c->d->m, t->p);
	if (flags & CLONE_NEWNET) {
		refresh_thread_netns(c->d, t);
		model_event_ns_new(c->d->m, t->p, t->ns, c->ev);
		decode_emit(c);
	}
}

void exit_clone(struct decode_ctx *c)
{
	nsid_t ns = c->tt->entry.child_netns;

	c->ev->fd = -1;
	c->ev->arg = c->tt->entry.aux;
	if (c->ret > 0 && !ns)
		ns = decode_thread_ns(c->d, (pid_t)c->ret);
	if (c->ret > 0 && ns)
		model_event_ns_new(c->d->m, c->t->p, ns, c->ev);
	decode_emit(c);
}
