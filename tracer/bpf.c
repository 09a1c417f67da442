/* bpf.c - the eBPF backend, see bpf.h.
 *
 * A record is decoded as a ptrace stop would be: the thread's entry is set
 * from it, the entry decoder decides, decode_exit runs; every kernel fact
 * the decoders ask (kfacts) is answered from the record itself, so that
 * what nstrace reports is what the kernel saw at the call. */
#define _GNU_SOURCE
#include "tracer/bpf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tracer/bpf_event.h"
#include "tracer/bpf_features.h"
#include "tracer/bpf_recipe.h"
#include "tracer/decode.h"
#include "tracer/stack.h"
#include "tracer/symbols.h"
#include "tracer/syscalls.h"
#include "tracer/tasks.h"

#ifdef NST_BPF
#include <bpf/libbpf.h>
#include "nstrace.skel.h"
#endif

#ifdef NST_BPF

/* --- recipes: what each decoded syscall needs copied --------------------------- */

/* By operation and name (model/sysent.h): a table, like the decoders'. */
static const uint16_t recipe_of_sen[SEN_COUNT] = {
	[SEN_socket] = NBPF_CAP_NOFD | NBPF_RET_FD,
	[SEN_socketpair] = NBPF_CAP_PAIR,
	[SEN_connect] = NBPF_CAP_ADDR,
	[SEN_bind] = NBPF_CAP_ADDR,
	[SEN_listen] = NBPF_CAP_ARGS,
	[SEN_accept] = NBPF_CAP_ADDRP | NBPF_RET_FD,
	[SEN_accept4] = NBPF_CAP_ADDRP | NBPF_RET_FD,
	[SEN_getsockname] = NBPF_CAP_ADDRP,
	[SEN_getpeername] = NBPF_CAP_ADDRP,
	[SEN_getsockopt] = NBPF_CAP_SOCKOPT,
	[SEN_sendto] = NBPF_CAP_SENDTO,
	[SEN_recvfrom] = NBPF_CAP_RECVFROM,
	[SEN_sendmsg] = NBPF_CAP_SENDMSG,
	[SEN_recvmsg] = NBPF_CAP_RECVMSG,
	[SEN_sendmmsg] = NBPF_CAP_SENDMMSG,
	[SEN_recvmmsg] = NBPF_CAP_RECVMMSG,
	[SEN_read] = NBPF_CAP_READ,
	[SEN_write] = NBPF_CAP_WRITE,
	[SEN_readv] = NBPF_CAP_READV,
	[SEN_writev] = NBPF_CAP_WRITEV,
	[SEN_close] = NBPF_CAP_ARGS,
	[SEN_close_range] = NBPF_CAP_NOFD,
	[SEN_dup] = NBPF_CAP_ARGS | NBPF_RET_FD,
	[SEN_dup2] = NBPF_CAP_ARGS | NBPF_RET_FD,
	[SEN_dup3] = NBPF_CAP_ARGS | NBPF_RET_FD,
	[SEN_fcntl] = NBPF_CAP_ARGS | NBPF_RET_FD,
	[SEN_setns] = NBPF_CAP_ARGS | NBPF_NSMOVE,
	[SEN_unshare] = NBPF_CAP_NOFD | NBPF_NSMOVE,
	[SEN_clone] = NBPF_CAP_NOFD,
	[SEN_clone3] = NBPF_CAP_CLONE3,
	/* select's sets and ppoll's timeout are rewritten by their exit: they
	 * are taken at the entry (NBPF_WAIT_ENTER) where its tracepoint is */
	[SEN_select] = NBPF_CAP_SELECT,
	[SEN_pselect6] = NBPF_CAP_SELECT,
	[SEN_poll] = NBPF_CAP_POLL,
	[SEN_ppoll] = NBPF_CAP_POLL,
	[SEN_epoll_ctl] = NBPF_CAP_EPCTL,
	[SEN_epoll_wait] = NBPF_CAP_EPWAIT,
	[SEN_epoll_pwait] = NBPF_CAP_EPWAIT,
	[SEN_epoll_pwait2] = NBPF_CAP_EPWAIT2,
};

struct bpf_backend {
	struct nstrace_bpf *skel;
	struct ring_buffer *rb;
	struct model m;
	struct decoder d;
	const struct nbpf_rec *rec; /* the record being decoded */
	int64_t boot_to_real_ns;    /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	pid_t launched;
	int launched_status;
	pid_t attached[64];         /* -p: gone when kill(pid, 0) says so */
	int nattached;
	struct symcache *syms;      /* -k */
	struct bpf_link *close_enter; /* NULL: closes are taken at their exit */
	struct bpf_link *wait_enter[3]; /* select, pselect6, ppoll as they begin */
	bool tracefs_mounted;         /* by nstrace, for its tracepoints: unmounted at the end */
	const volatile sig_atomic_t *stop; /* bpf_opts.stop */
	struct bpf_stats st;
};

/* --- kernel facts from the record -------------------------------------------- */

/* The record's regions, one after the other. */
static const struct nbpf_region *region_next(const struct nbpf_rec *r, const struct nbpf_region *g)
{
	const uint8_t *end = (const uint8_t *)r + r->len, *p;

	p = g ? (const uint8_t *)(g + 1) + ((g->len + 7) & ~7u) : (const uint8_t *)(r + 1);
	if (p + sizeof(*g) > end)
		return NULL;
	g = (const struct nbpf_region *)(const void *)p;
	return (const uint8_t *)(g + 1) + g->len <= end ? g : NULL;
}

/* Memory at the call is what the programs copied: a read outside it is a
 * bad pointer (the decoders mark the event unreadable, as under ptrace). */
static long rec_read(void *ctx, pid_t tid, uint64_t addr, void *dst, size_t len)
{
	struct bpf_backend *b = ctx;
	size_t got = 0;
	bool more = true;

	(void)tid;
	while (got < len && more) {
		more = false;
		for (const struct nbpf_region *g = region_next(b->rec, NULL); g; g = region_next(b->rec, g)) {
			uint64_t at = addr + got;
			if (g->kind != NBPF_REGION_MEM || at < g->addr || at >= g->addr + g->len)
				continue;
			size_t n = (size_t)(g->addr + g->len - at);
			if (n > len - got)
				n = len - got;
			memcpy((uint8_t *)dst + got, (const uint8_t *)(g + 1) + (at - g->addr), n);
			got += n;
			more = true;
			break;
		}
	}
	return got ? (long)got : -EFAULT;
}

/* What the record says fd was: arg 0, or the call's new fd. */
static const struct nbpf_fd *rec_fd(const struct bpf_backend *b, int fd)
{
	const struct nbpf_rec *r = b->rec;
	const struct nbpf_fd *f = NULL;

	if (r->nr >= 0 && (size_t)r->nr < syscall_table_len &&
	    recipe_of_sen[syscall_table[r->nr].sen] == NBPF_CAP_EPCTL) /* nfd: arg 2's */
		return fd == (int)r->args[2] && r->nfd.kind ? &r->nfd
		       : fd == (int)r->args[0] && r->fd.kind ? &r->fd : NULL;
	if (fd == (int)r->args[0])
		f = &r->fd;
	if ((!f || f->kind == NBPF_FD_NONE) && r->ret >= 0 && fd == (int)r->ret && r->nfd.kind)
		f = &r->nfd;
	return f && f->kind != NBPF_FD_NONE ? f : NULL;
}

static long rec_fd_link(void *ctx, struct mproc *p, int fd, char *buf, size_t n)
{
	const struct nbpf_fd *f = rec_fd(ctx, fd);
	int len;

	(void)p;
	if (!f)
		return -1;
	switch (f->kind) {
	case NBPF_FD_SOCKET: len = snprintf(buf, n, "socket:[%llu]", (unsigned long long)f->ino); break;
	case NBPF_FD_NETNS: len = snprintf(buf, n, "net:[%llu]", (unsigned long long)f->ino); break;
	case NBPF_FD_PIDFD: len = snprintf(buf, n, "anon_inode:[pidfd]"); break;
	default: len = snprintf(buf, n, "other:[%llu]", (unsigned long long)f->ino); break;
	}
	return len;
}

static void fd_addr(const struct nbpf_fd *f, bool local, struct nst_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (f->family != AF_INET && f->family != AF_INET6)
		return;
	a->family = f->family;
	a->port = local ? f->lport : f->rport;
	memcpy(a->family == AF_INET ? a->u.in4 : a->u.in6, local ? f->laddr : f->raddr,
	       a->family == AF_INET ? 4 : 16);
	if (!local && !a->port) /* not connected */
		a->family = AF_UNSPEC;
}

static int rec_sock_query(void *ctx, struct mproc *p, int fd, struct nst_sock *q)
{
	const struct nbpf_fd *f = rec_fd(ctx, fd);

	(void)p;
	if (!f || f->kind != NBPF_FD_SOCKET)
		return -ENOTSOCK;
	memset(q, 0, sizeof(*q));
	q->family = f->family;
	q->type = f->type;
	q->protocol = f->protocol;
	q->netns.ino = f->netns;
	fd_addr(f, true, &q->local);
	fd_addr(f, false, &q->peer);
	return 0;
}

static int rec_sock_local(void *ctx, struct mproc *p, int fd, struct nst_addr *local)
{
	const struct nbpf_fd *f = rec_fd(ctx, fd);

	(void)p;
	if (!f || f->kind != NBPF_FD_SOCKET)
		return -ENOTSOCK;
	fd_addr(f, true, local);
	return 0;
}

/* poll's record carries the POLLERR sockets' pending errors. */
static int rec_sock_err(void *ctx, int fd)
{
	const struct nbpf_rec *r = ((struct bpf_backend *)ctx)->rec;

	for (uint32_t i = 0; i < r->nsoerr && i < NBPF_SOERR; i++)
		if (r->soerr[i].fd == fd)
			return r->soerr[i].err;
	return -1;
}

static uint64_t rec_thread_netns(void *ctx, pid_t tid)
{
	struct bpf_backend *b = ctx;
	struct mthread *t;
	struct nsent *e;

	if (tid == (pid_t)b->rec->tid)
		return b->rec->netns_exit;
	t = model_thread(&b->m, tid); /* a child: its fork record said */
	e = t ? nstab_get(&b->m.ns, t->ns) : NULL;
	return e ? e->ino : 0;
}

/* A frameless leaf (a libc syscall stub) keeps its return address at
 * [rsp], and the frame-pointer walk skips its caller: the word there is
 * that caller when the bytes before it are a direct call to the start of
 * the leaf (tracer/stack.c's test; the program read the bytes). */
static bool leaf_return(const struct nbpf_rec *r, const struct nst_frame *leaf)
{
	uint8_t before[8]; /* the 8 bytes before sp_word: the call is the last 5 */

	memcpy(before, &r->sp_call, sizeof(before));
	return leaf->function && r->sp_word >= sizeof(before) &&
	       stack_call_target(before + 3, r->sp_word) == leaf->addr - leaf->offset;
}

/* -k: the frames the program walked (by frame pointers, which Go
 * keeps), symbolized as the ptrace stacks are. */
static int rec_stack(void *ctx, struct decode_ctx *c, struct nst_stack *out, int depth)
{
	struct bpf_backend *b = ctx;
	const struct nbpf_region *g = region_next(b->rec, NULL);
	const uint64_t *frames;
	uint32_t n;

	if (!b->syms || !g || g->kind != NBPF_REGION_STACK)
		return 0;
	struct sym_proc **sp = &tproc_of(c->t->p)->syms;
	pid_t pid = c->t->p->pid;
	uint32_t k = 0, max = depth < NST_MAX_FRAMES ? (uint32_t)depth : NST_MAX_FRAMES;

	frames = (const uint64_t *)(const void *)(g + 1);
	n = g->len / 8 < NBPF_FRAMES ? g->len / 8 : NBPF_FRAMES;
	for (uint32_t i = 0; i < n && k < max; i++) {
		symbolize(b->syms, sp, pid, frames[i], &out->frames[k++]);
		if (i == 0 && n > 1 && k < max && b->rec->sp_word != frames[1] &&
		    leaf_return(b->rec, &out->frames[0]))
			symbolize(b->syms, sp, pid, b->rec->sp_word, &out->frames[k++]);
	}
	out->nframes = k;
	return (int)k;
}

static uint64_t rec_now_us(void *ctx)
{
	struct bpf_backend *b = ctx;

	return (uint64_t)((int64_t)b->rec->ts_ns + b->boot_to_real_ns) / 1000u;
}

/* --- close's entry ------------------------------------------------------------------ */

#define TRACEFS "/sys/kernel/tracing"

/* Syscall tracepoints are found by their ids in tracefs: mounted where
 * systemd would, when nothing is there (a fresh machine without systemd's
 * mount, a container), and unmounted again at the end. */
static void tracefs_up(struct bpf_backend *b)
{
	/* where libbpf looks: tracefs, else the tracing dir of a debugfs */
	if (b->tracefs_mounted || access(TRACEFS "/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return;
	if (mount("tracefs", TRACEFS, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		b->tracefs_mounted = true;
}

/* After the links that needed it are gone. */
static void tracefs_down(struct bpf_backend *b)
{
	if (b->tracefs_mounted)
		umount2(TRACEFS, MNT_DETACH);
	b->tracefs_mounted = false;
}

/* The links attach_close_enter made (NULL ones are none). */
static void close_wait_down(struct bpf_backend *b)
{
	bpf_link__destroy(b->close_enter);
	for (int i = 0; i < 3; i++)
		bpf_link__destroy(b->wait_enter[i]);
}

/* Without close's tracepoint a close is taken at its exit, as before:
 * right unless another thread is given the fd's number in between. */
static void attach_close_enter(struct bpf_backend *b)
{
	struct bpf_program *p = b->skel->progs.on_close_enter;
	static const char *const waits[3] = { "sys_enter_select", "sys_enter_pselect6",
					      "sys_enter_ppoll" };
	struct bpf_program *wp[3] = { b->skel->progs.on_select_enter, b->skel->progs.on_pselect6_enter,
				      b->skel->progs.on_ppoll_enter };

	tracefs_up(b);
	b->close_enter = bpf_program__attach_tracepoint(p, "syscalls", "sys_enter_close");
	if (!b->close_enter)
		fprintf(stderr, "nstrace: close's tracepoint is not there (%s): an fd that another "
			"thread is given at once may be misread\n", strerror(errno));
	/* without them, select's timeouts and ppoll's wait are not known */
	for (int i = 0; i < 3; i++)
		b->wait_enter[i] = bpf_program__attach_tracepoint(wp[i], "syscalls", waits[i]);
}

/* --- records ---------------------------------------------------------------------- */

static nsid_t ns_of(struct bpf_backend *b, uint64_t ino)
{
	return ino ? nstab_ino(&b->m.ns, ino) : 0;
}

/* The record's comm as the process's (both are the kernel's 16 bytes). */
static void take_comm(struct mproc *p, const struct nbpf_rec *r)
{
	_Static_assert(sizeof(p->comm) == sizeof(r->comm), "comm sizes");
	memcpy(p->comm, r->comm, sizeof(p->comm));
}

/* The record's thread; a thread first seen now (it was made before the
 * trace, or its fork record is yet to be read) joins its process. */
static struct mthread *thread_of(struct bpf_backend *b, const struct nbpf_rec *r)
{
	struct mthread *t = model_thread(&b->m, (pid_t)r->tid);

	if (!t && (t = model_task_new(&b->m, (pid_t)r->tid, (pid_t)r->tgid, NULL, ns_of(b, r->netns_enter))))
		b->st.threads_seen++;
	if (t && !t->p->comm[0])
		take_comm(t->p, r);
	return t;
}

static void on_syscall(struct bpf_backend *b, const struct nbpf_rec *r)
{
	const struct syscall_desc *sc = syscall_lookup((long)r->nr);
	struct mthread *t;

	if (!sc || !(t = thread_of(b, r)))
		return;
	/* where the kernel says the thread was: a fact, over what was inferred */
	if (r->netns_enter && ns_of(b, r->netns_enter) != t->ns)
		model_enter_ns(t, ns_of(b, r->netns_enter));
	if (tthread_of(t)->in_syscall && tthread_of(t)->entry.sc == sc) { /* its entry record came */
		tthread_of(t)->in_syscall = false;
		if (!tthread_of(t)->entry.decode)
			return;
	} else {
		tthread_of(t)->in_syscall = false; /* an entry whose exit sent nothing */
		if (!decode_entry(&b->d, t, sc, (const uint64_t *)r->args))
			return;
	}
	b->st.decoded++;
	decode_exit(&b->d, t, r->ret, r->ret < 0 && r->ret >= -4095);
}

/* A call seen at its entry too (close): decoded there, its exit record
 * then finishes it. */
static void on_enter(struct bpf_backend *b, const struct nbpf_rec *r, long nr)
{
	const struct syscall_desc *sc = syscall_lookup(nr);
	struct mthread *t;
	struct tthread *tt;

	if (!sc || !(t = thread_of(b, r)))
		return;
	tt = tthread_of(t);
	tt->entry.decode = decode_entry(&b->d, t, sc, (const uint64_t *)r->args);
	tt->in_syscall = true;
}

static void on_fork(struct bpf_backend *b, const struct nbpf_rec *r)
{
	struct mthread *parent = thread_of(b, r);
	pid_t child = (pid_t)r->args[0], ctgid = (pid_t)r->args[1];
	uint64_t flags = r->nr == SYS_clone || r->nr == SYS_clone3 ? r->args[2] : 0;

	if (!parent || model_thread(&b->m, child))
		return;
	if (ctgid == child)
		flags &= ~(uint64_t)CLONE_THREAD;
	else
		flags |= CLONE_THREAD;
	if (model_clone(&b->m, parent, child, flags, ns_of(b, r->netns_exit)))
		b->st.threads_seen++;
}

/* -k: the process's maps, read at once: stacks are symbolized after the
 * fact, from /proc/PID/maps, and a process given with -p surely runs now. */
static void preload_maps(struct bpf_backend *b, struct mproc *p)
{
	struct nst_frame f;

	if (b->syms)
		symbolize(b->syms, &tproc_of(p)->syms, p->pid, 0, &f);
}

static void on_exec(struct bpf_backend *b, const struct nbpf_rec *r)
{
	struct mthread *t = model_thread(&b->m, (pid_t)r->args[0]);

	if (!t)
		t = thread_of(b, r);
	if (!t)
		return;
	model_exec(&b->m, t, (pid_t)r->tid);
	if (!(t = model_thread(&b->m, (pid_t)r->tid)))
		return;
	take_comm(t->p, r);
	/* a new program: new maps (read again at its first stack: the
	 * dynamic linker has not mapped its libraries yet) */
	sym_proc_free(tproc_of(t->p)->syms);
	tproc_of(t->p)->syms = NULL;
}

static void untrace_tgid(struct bpf_backend *b, uint32_t tgid)
{
	if (tgid < NBPF_TGID_MAX)
		__atomic_fetch_and(&b->skel->bss->traced_bits[tgid / 64], ~(1ull << (tgid % 64)),
				   __ATOMIC_RELAXED);
	bpf_map__delete_elem(b->skel->maps.tgids, &tgid, sizeof(tgid), 0);
}

static void on_thread_exit(struct bpf_backend *b, const struct nbpf_rec *r)
{
	struct mthread *t = model_thread(&b->m, (pid_t)r->tid);
	uint32_t tgid = r->tgid;

	if (!t)
		return;
	model_thread_exit(&b->m, t);
	if (!model_proc(&b->m, (pid_t)tgid)) /* its last thread: no longer traced */
		untrace_tgid(b, tgid);
}

static int on_record(void *ctx, void *data, size_t n)
{
	struct bpf_backend *b = ctx;
	const struct nbpf_rec *r = data;

	if (n < sizeof(*r) || r->len > n || r->len < sizeof(*r))
		return 0;
	b->rec = r;
	b->st.records++;
	switch (r->kind) {
	case NBPF_SYSCALL: on_syscall(b, r); break;
	case NBPF_FORK: on_fork(b, r); break;
	case NBPF_EXEC: on_exec(b, r); break;
	case NBPF_EXIT: on_thread_exit(b, r); break;
	case NBPF_CLOSE_ENTER: on_enter(b, r, SYS_close); break;
	case NBPF_WAIT_ENTER: on_enter(b, r, (long)r->nr); break;
	default: break;
	}
	decode_flush(&b->d);
	return 0;
}

/* --- setup ------------------------------------------------------------------------ */

static int64_t boot_to_real(void)
{
	struct timespec r, bt;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return ((int64_t)r.tv_sec - bt.tv_sec) * 1000000000 + (r.tv_nsec - bt.tv_nsec);
}

int bpf_probe(char *why, size_t n)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(why, n, "the kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot load");
		return -ENOENT;
	}
	if (geteuid() != 0) {
		snprintf(why, n, "loading BPF programs needs root (CAP_BPF and CAP_PERFMON)");
		return -EPERM;
	}
	return 0;
}

/* libbpf's messages (the verifier's log among them) only when asked:
 * NSTRACE_BPF_DEBUG=1. */
static int libbpf_log(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	(void)l;
	return getenv("NSTRACE_BPF_DEBUG") ? vfprintf(stderr, fmt, ap) : 0;
}

/* Open and load the programs for the features f.  0, or -errno with why;
 * b->skel NULL on failure. */
static int skel_load(struct bpf_backend *b, const struct bpf_opts *o, const struct bpf_features *f,
		     char *why, size_t n)
{
	int err;

	if (!(b->skel = nstrace_bpf__open())) {
		err = errno;
		snprintf(why, n, "opening the BPF object failed: %s", strerror(err));
		return -err;
	}
	b->skel->rodata->snaplen = o->snaplen < NBPF_REGION_MAX ? o->snaplen : NBPF_REGION_MAX;
	/* the frames shown, no more (a frameless leaf's caller comes from
	 * sp_word, one more) */
	b->skel->rodata->frames = o->stack_depth > 0 && o->stack_depth < NBPF_FRAMES ? (uint32_t)o->stack_depth
										    : NBPF_FRAMES;
	b->skel->rodata->has_rdonly_cast = f->has[BPF_FEAT_RDONLY_CAST];
	b->skel->rodata->has_task_btf = f->has[BPF_FEAT_TASK_BTF];
	b->skel->rodata->has_task_regs = f->has[BPF_FEAT_TASK_REGS];
	bpf_map__set_max_entries(b->skel->maps.scratch, (uint32_t)libbpf_num_possible_cpus());
	bpf_program__set_autoattach(b->skel->progs.on_close_enter, false); /* optional: below */
	bpf_program__set_autoattach(b->skel->progs.on_select_enter, false);
	bpf_program__set_autoattach(b->skel->progs.on_pselect6_enter, false);
	bpf_program__set_autoattach(b->skel->progs.on_ppoll_enter, false);
	/* clone's entries: only where the fork program cannot read the regs */
	bpf_program__set_autoattach(b->skel->progs.on_clone_enter, !f->has[BPF_FEAT_TASK_REGS]);
	bpf_program__set_autoattach(b->skel->progs.on_clone3_enter, !f->has[BPF_FEAT_TASK_REGS]);
	if ((err = nstrace_bpf__load(b->skel)) != 0) {
		snprintf(why, n, "loading the BPF programs failed: %s (NSTRACE_BPF_DEBUG=1 shows the "
			 "verifier's log)", strerror(-err));
		nstrace_bpf__destroy(b->skel);
		b->skel = NULL;
		return err;
	}
	b->st.feat = *f;
	return 0;
}

/* The features to load with: the kernel's, less NSTRACE_BPF_WITHOUT's. */
static int choose_features(struct bpf_features *f, char *why, size_t n)
{
	const char *without = getenv("NSTRACE_BPF_WITHOUT");
	int err;

	if (bpf_features_probe(f) < 0)
		memset(f, 0, sizeof(*f)); /* the load says what is wrong */
	char bad[160];

	if (without && (err = bpf_features_without(f, without, bad, sizeof(bad))) < 0) {
		snprintf(why, n, "NSTRACE_BPF_WITHOUT: %s", bad);
		return err;
	}
	return 0;
}

/* Open, load and attach the programs.  0, or -errno with why; b->skel
 * NULL on failure.  A kernel whose BTF promises more than its verifier
 * takes gets the variant that needs nothing past 5.8. */
static int skel_up(struct bpf_backend *b, const struct bpf_opts *o, char *why, size_t n)
{
	struct bpf_features f, none = { 0 };
	int err;

	if ((err = choose_features(&f, why, n)) < 0)
		return err;
	if ((err = skel_load(b, o, &f, why, n)) != 0 && memcmp(&f, &none, sizeof(f)) &&
	    skel_load(b, o, &none, why, n) == 0)
		err = 0;
	if (err)
		return err;
	for (size_t nr = 0; nr < syscall_table_len; nr++) {
		uint32_t k = (uint32_t)nr;
		uint16_t sen = syscall_table[nr].sen;
		uint16_t cap = sen ? recipe_of_sen[sen] : 0;
		/* -k: only calls whose events may show a stack pay for one */
		if (cap && o->stack_depth && decode_stack_op(sysent[sen].op))
			cap |= NBPF_STACK;
		if (cap && (syscall_table[nr].flags & SF_SOCKFD))
			cap |= NBPF_SOCKFD;
		if (cap)
			bpf_map__update_elem(b->skel->maps.recipes, &k, sizeof(k), &cap, sizeof(cap), 0);
	}
	/* clone's flags, where the kernel has no bpf_task_pt_regs, come
	 * from its syscall tracepoint: auto-attached, so tracefs first */
	if (bpf_program__autoattach(b->skel->progs.on_clone_enter))
		tracefs_up(b);
	if ((err = nstrace_bpf__attach(b->skel)) != 0) {
		snprintf(why, n, "attaching to the syscall tracepoints failed: %s", strerror(-err));
		goto fail;
	}
	attach_close_enter(b);
	return 0;
fail:
	nstrace_bpf__destroy(b->skel);
	b->skel = NULL;
	return err; /* libbpf's: -errno */
}

struct bpf_backend *bpf_backend_new(const struct bpf_opts *o, char *why, size_t n)
{
	struct bpf_backend *b = calloc(1, sizeof(*b));
	struct model_cfg cfg;
	int err = 0;

	if (!b || bpf_probe(why, n) < 0) {
		err = b ? EPERM : ENOMEM;
		goto fail;
	}
	libbpf_set_print(libbpf_log);
	tasks_model_cfg(&cfg, &b->m);
	model_init(&b->m, &cfg);
	if (decode_init(&b->d, &b->m, o->sink, o->ctx, o->snaplen) < 0) {
		err = ENOMEM;
		goto fail_model;
	}
	decode_set_stacks(&b->d, o->stack_depth);
	b->stop = o->stop;
	if (o->stack_depth && !(b->syms = symcache_new())) {
		err = ENOMEM;
		goto fail_dec;
	}
	b->d.kf = (struct kfacts){ .read = rec_read, .fd_link = rec_fd_link, .sock_query = rec_sock_query,
				   .sock_local = rec_sock_local, .thread_netns = rec_thread_netns,
				   .stack = rec_stack, .now_us = rec_now_us,
				   .sock_err = rec_sock_err, .ctx = b };
	b->boot_to_real_ns = boot_to_real();
	if ((err = skel_up(b, o, why, n)) < 0) {
		err = -err;
		goto fail_dec;
	}
	if (!(b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.rb), on_record, b, NULL))) {
		err = errno;
		snprintf(why, n, "the ring buffer: %s", strerror(err));
		goto fail_skel;
	}
	return b;
fail_skel:
	close_wait_down(b);
	nstrace_bpf__destroy(b->skel);
fail_dec:
	tracefs_down(b);
	decode_free(&b->d);
	symcache_free(b->syms);
fail_model:
	model_destroy(&b->m);
fail:
	free(b);
	errno = err ? err : EINVAL;
	return NULL;
}

void bpf_backend_free(struct bpf_backend *b)
{
	if (!b)
		return;
	if (b->rb)
		ring_buffer__consume(b->rb);
	ring_buffer__free(b->rb);
	close_wait_down(b);
	nstrace_bpf__destroy(b->skel); /* the programs go with it */
	tracefs_down(b);
	decode_free(&b->d);
	symcache_free(b->syms);
	model_destroy(&b->m);
	free(b);
}

/* Trace pid's thread group: its bit in the programs' traced_bits (memory
 * shared with them), and its home netns (the model's) for -k's filter. */
static int trace_tgid(struct bpf_backend *b, pid_t pid)
{
	uint32_t k = (uint32_t)pid;
	struct mproc *p = model_proc(&b->m, pid);
	struct nsent *e = p ? nstab_get(&b->m.ns, p->home) : NULL;
	uint64_t home = e ? e->ino : 0;

	if (k >= NBPF_TGID_MAX)
		return -ERANGE;
	if (bpf_map__update_elem(b->skel->maps.tgids, &k, sizeof(k), &home, sizeof(home), 0) < 0)
		return -errno;
	__atomic_fetch_or(&b->skel->bss->traced_bits[k / 64], 1ull << (k % 64), __ATOMIC_RELAXED);
	return 0;
}

struct found {
	struct bpf_backend *b;
	pid_t pid;
};

/* A thread there now, in the netns /proc says: the home netns is the
 * leader's, whatever a thread is doing at the moment. */
static int found_one(void *ctx, pid_t tid)
{
	struct found *f = ctx;

	if (model_thread(&f->b->m, tid) ||
	    !model_task_new(&f->b->m, tid, f->pid, NULL, tasks_ns_of(&f->b->m, tid)))
		return 0;
	f->b->st.threads_seen++;
	return 1;
}

int bpf_backend_attach(struct bpf_backend *b, pid_t pid)
{
	struct found f = { b, 0 };
	struct mproc *p;
	int r;

	if ((pid = tasks_thread_group(pid)) < 0) /* -p may name any thread: its whole group */
		return pid;
	f.pid = pid;
	if ((r = tasks_each(pid, found_one, &f)) < 0)
		return r;
	if ((p = model_proc(&b->m, pid)) && !p->comm[0])
		tproc_read_comm(p);
	if (p)
		preload_maps(b, p);
	if (b->nattached < (int)(sizeof(b->attached) / sizeof(b->attached[0])))
		b->attached[b->nattached++] = pid;
	return trace_tgid(b, pid);
}

pid_t bpf_backend_launch(struct bpf_backend *b, char *const argv[])
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) < 0) {
		int e = errno;
		close(go[0]), close(go[1]);
		return -e;
	}
	if (pid == 0) { /* traced from the exec on: wait until the map has us */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "nstrace: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	if (model_task_new(&b->m, pid, pid, NULL, tasks_ns_of(&b->m, pid)))
		b->st.threads_seen++;
	trace_tgid(b, pid);
	b->launched = pid;
	/* a child gone already is seen by waitpid in bpf_backend_run */
	ssize_t w = write(go[1], "g", 1);
	(void)w;
	close(go[1]);
	return pid;
}

/* Every process given with -p has exited (their exit records may have
 * been lost). */
static bool all_gone(const struct bpf_backend *b)
{
	for (int i = 0; i < b->nattached; i++)
		if (kill(b->attached[i], 0) == 0 || errno != ESRCH)
			return false;
	return b->nattached > 0;
}

int bpf_backend_run(struct bpf_backend *b)
{
	while (!*b->stop) {
		/* the programs wake no one per record: every 10 ms, read what
		 * has come (poll only returns early on a forced wake-up) */
		ring_buffer__poll(b->rb, 10);
		ring_buffer__consume(b->rb);
		if (b->launched) {
			int st;
			pid_t w = waitpid(b->launched, &st, WNOHANG);
			if (w == b->launched) {
				b->launched_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				break;
			}
		} else if (!model_thread_count(&b->m) || all_gone(b)) {
			break;
		}
	}
	ring_buffer__consume(b->rb);
	return b->launched ? b->launched_status : 0;
}

const struct bpf_stats *bpf_backend_stats(struct bpf_backend *b)
{
	uint64_t lost[256] = { 0 };
	uint32_t k = 0;
	int ncpu = libbpf_num_possible_cpus();

	if (ncpu > 0 && ncpu <= 256 &&
	    bpf_map__lookup_elem(b->skel->maps.lost, &k, sizeof(k), lost, sizeof(uint64_t) * (size_t)ncpu, 0) == 0) {
		b->st.lost = 0;
		for (int i = 0; i < ncpu; i++)
			b->st.lost += lost[i];
	}
	return &b->st;
}

#else /* built without bpftool, clang or libbpf */

int bpf_probe(char *why, size_t n)
{
	snprintf(why, n, "this nstrace was built without the BPF backend (no bpftool, clang or libbpf "
		 "when it was built)");
	return -ENOSYS;
}

struct bpf_backend *bpf_backend_new(const struct bpf_opts *o, char *why, size_t n)
{
	(void)o;
	bpf_probe(why, n);
	errno = ENOSYS;
	return NULL;
}

void bpf_backend_free(struct bpf_backend *b) { (void)b; }
int bpf_backend_attach(struct bpf_backend *b, pid_t pid) { (void)b, (void)pid; return -ENOSYS; }
pid_t bpf_backend_launch(struct bpf_backend *b, char *const argv[]) { (void)b, (void)argv; return -ENOSYS; }
int bpf_backend_run(struct bpf_backend *b) { (void)b; return 0; }
const struct bpf_stats *bpf_backend_stats(struct bpf_backend *b) { (void)b; return NULL; }

#endif
