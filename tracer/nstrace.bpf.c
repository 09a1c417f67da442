// SPDX-License-Identifier: GPL-2.0
/* nstrace.bpf.c - the BPF backend's programs: raw syscall tracepoints,
 * filtered in the kernel by the traced thread groups, that copy what the
 * ptrace decoders would fetch (tracer/bpf_event.h) into a ring buffer; and
 * the fork, exec and exit tracepoints that follow processes.
 *
 * What a call needs copied is its recipe (enum nbpf_cap), set per syscall
 * number by user space from the decoded-syscall table: a table, not a
 * switch on names. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tracer/bpf_event.h"
#include "tracer/bpf_recipe.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 snaplen = 512;

#define NR_MAX 512
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define NSFS_MAGIC 0x6e736673
#define PIDFS_MAGIC 0x50494446
#define CLONE_NEWNET 0x40000000

struct entry {
	__u32 live; /* between a decoded call's entry and exit */
	__s64 nr;
	__u64 args[6];
	__u64 netns;
	__u64 clone_flags; /* clone3: read from user memory at entry */
	struct nbpf_fd fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_MAX);
	__type(key, __u32);
	__type(value, __u8); /* enum nbpf_cap; 0: not decoded */
} recipes SEC(".maps");

/* The call in flight, per thread: task storage, cheaper than a hash by
 * tid for what every syscall exit asks. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct entry);
} entries SEC(".maps");

#define RB_SIZE (32 << 20)
#define RB_WAKE (RB_SIZE / 4)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RB_SIZE);
} rb SEC(".maps");

struct scratch {
	__u8 b[NBPF_REC_MAX];
};

/* One scratch record per CPU (a per-CPU array's values are too small for
 * a -s 65536 payload): a tracepoint program runs on its CPU to the end.
 * User space sizes it to the possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Kernels before 6.x kept a namespace's type in its ops. */
struct proc_ns_operations___old {
	int type;
} __attribute__((preserve_access_index));

static __always_inline bool traced(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&tgids, &tgid) != NULL;
}

static __always_inline __u64 thread_netns(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	/* a BTF pointer: loads, not helper calls (tp_btf programs may) */
	return t->nsproxy->net_ns->ns.inum;
}

static __always_inline int ns_type(struct ns_common *ns)
{
	if (bpf_core_field_exists(ns->ns_type))
		return BPF_CORE_READ(ns, ns_type);
	const struct proc_ns_operations___old *ops = (const void *)BPF_CORE_READ(ns, ops);
	return BPF_CORE_READ(ops, type);
}

/* What fd is, from the kernel's own file: a socket (its netns from the
 * socket itself), a net namespace file, or something else. */
static __always_inline void read_fd(int fd, struct nbpf_fd *out)
{
	/* the task's own BTF pointers are walked with plain loads (tp_btf
	 * programs may); helper calls where the verifier cannot type the
	 * pointer (an array element, and what comes from it) */
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = t->files->fdt;
	struct file **fds = fdt->fd;
	unsigned int max = fdt->max_fds;
	struct file *f = NULL;
	struct inode *ino;
	__u32 mode;

	__builtin_memset(out, 0, sizeof(*out));
	if (fd < 0 || (unsigned int)fd >= max)
		return;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return;
	ino = BPF_CORE_READ(f, f_inode);
	mode = BPF_CORE_READ(ino, i_mode);
	out->kind = NBPF_FD_OTHER;
	out->ino = BPF_CORE_READ(ino, i_ino);
	if ((mode & S_IFMT) == S_IFSOCK) {
		struct socket *s = BPF_CORE_READ(f, private_data);
		struct sock *sk = BPF_CORE_READ(s, sk);
		out->kind = NBPF_FD_SOCKET;
		if (!sk)
			return;
		out->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
		out->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		out->type = BPF_CORE_READ(sk, sk_type);
		out->protocol = BPF_CORE_READ(sk, sk_protocol);
		out->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		out->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (out->family == 2) { /* AF_INET */
			__be32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
			__be32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
			__builtin_memcpy(out->laddr, &l, 4);
			__builtin_memcpy(out->raddr, &r, 4);
		} else if (out->family == 10) { /* AF_INET6 */
			BPF_CORE_READ_INTO(&out->laddr, sk, __sk_common.skc_v6_rcv_saddr);
			BPF_CORE_READ_INTO(&out->raddr, sk, __sk_common.skc_v6_daddr);
		}
		return;
	}
	unsigned long magic = BPF_CORE_READ(ino, i_sb, s_magic);
	if (magic == NSFS_MAGIC) {
		struct ns_common *ns = BPF_CORE_READ(ino, i_private);
		if (ns && ns_type(ns) == CLONE_NEWNET)
			out->kind = NBPF_FD_NETNS;
	} else if (magic == PIDFS_MAGIC) { /* before pidfs: an anon inode, not told */
		out->kind = NBPF_FD_PIDFD;
	}
}

/* --- records ------------------------------------------------------------------ */

/* This CPU's record being built (a tracepoint program runs on its CPU to
 * the end); its len is where the next region goes. */
static __always_inline struct nbpf_rec *cur_rec(void)
{
	__u32 k = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &k);

	return s ? (struct nbpf_rec *)s->b : NULL;
}

/* Copy len bytes of user memory at addr as a region of this CPU's record.
 * A global function: the verifier checks it once, not at every call.
 * Bounded: a region never passes NBPF_REGION_MAX, a record never
 * NBPF_REC_MAX (the masks let the verifier see every copy end inside). */
__noinline int region(__u64 addr, __u64 len)
{
	__u32 k = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &k);
	struct nbpf_rec *r;
	struct nbpf_region *g;
	__u32 off, data, n;

	if (!s || !addr || !len)
		return 0;
	r = (struct nbpf_rec *)s->b;
	off = r->len;
	if (r->nregions >= NBPF_REGIONS || off > NBPF_REC_MAX / 2 - sizeof(*g) - 8)
		return 0;
	if (len > NBPF_REGION_MAX)
		len = NBPF_REGION_MAX;
	data = (off + sizeof(*g)) & (NBPF_REC_MAX / 2 - 1);
	n = len & 0xffff;
	barrier_var(data);
	if (bpf_probe_read_user(s->b + data, n, (void *)addr) < 0)
		return 0;
	g = (void *)(s->b + (off & (NBPF_REC_MAX / 2 - 1)));
	g->addr = addr;
	g->len = n;
	g->kind = NBPF_REGION_MEM;
	r->len = off + sizeof(*g) + ((n + 7) & ~7u);
	r->nregions++;
	return 1;
}

static __always_inline __u64 user_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline __u32 user_u32(__u64 addr)
{
	__u32 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* Loops run through bpf_loop: their bodies are verified once, not once
 * per unrolled turn. */
struct iov_loop {
	__u64 iov, cnt, left;
};

static long iov_one(__u32 i, void *data)
{
	struct iov_loop *x = data;
	__u64 base, len;

	if (i >= x->cnt || !x->left)
		return 1;
	base = user_u64(x->iov + i * 16);
	len = min_u64(user_u64(x->iov + i * 16 + 8), x->left);
	region(base, len);
	x->left -= len;
	return 0;
}

/* The iovec array at iov (cnt of them) and up to snaplen bytes of their
 * buffers, as gather_iov reads them. */
__noinline int iovs(__u64 iov, __u64 cnt, __u64 total)
{
	struct iov_loop x = { .iov = iov, .cnt = cnt, .left = min_u64(total, snaplen) };

	if (!iov || !cnt)
		return 0;
	region(iov, min_u64(cnt, NBPF_IOVS) * 16);
	bpf_loop(NBPF_IOVS, iov_one, &x, 0);
	return 0;
}

/* A msghdr at m: itself, its name, its iovecs and their data. */
__noinline int msghdr(__u64 m, __u64 total)
{
	__u64 name = user_u64(m), iov = user_u64(m + 16), cnt = user_u64(m + 24);
	__u32 namelen = user_u32(m + 8);

	region(m, 56);
	region(name, min_u64(namelen, 128));
	iovs(iov, cnt, total);
	return 0;
}

struct mmsg_loop {
	__u64 vec, n;
};

static long mmsg_one(__u32 i, void *data)
{
	struct mmsg_loop *x = data;

	if (i >= x->n)
		return 1;
	msghdr(x->vec + i * 64, user_u32(x->vec + i * 64 + 56));
	return 0;
}

static __always_inline void capture(__u8 cap, const __u64 *a, __s64 ret)
{
	__u64 moved = ret > 0 ? (__u64)ret : 0;

	switch (cap) {
	case NBPF_CAP_ADDR:
		region(a[1], min_u64(a[2], 128));
		break;
	case NBPF_CAP_ADDRP:
		region(a[2], 4);
		region(a[1], min_u64(user_u32(a[2]), 128));
		break;
	case NBPF_CAP_SENDTO:
		region(a[1], min_u64(moved ? moved : a[2], snaplen));
		region(a[4], min_u64(a[5], 128));
		break;
	case NBPF_CAP_RECVFROM:
		region(a[1], min_u64(moved, snaplen));
		region(a[5], 4);
		if (a[5])
			region(a[4], min_u64(user_u32(a[5]), 128));
		break;
	case NBPF_CAP_RW:
		region(a[1], min_u64(moved ? moved : a[2], snaplen));
		break;
	case NBPF_CAP_RWV:
		iovs(a[1], a[2], moved ? moved : snaplen);
		break;
	case NBPF_CAP_MSG:
		msghdr(a[1], moved ? moved : snaplen);
		break;
	case NBPF_CAP_MMSG: {
		struct mmsg_loop x = { .vec = a[1], .n = min_u64(a[2], moved) };
		region(a[1], min_u64(a[2], NBPF_MMSGS) * 64);
		bpf_loop(NBPF_MMSGS, mmsg_one, &x, 0);
		break;
	}
	case NBPF_CAP_PAIR:
		region(a[3], 8);
		break;
	case NBPF_CAP_SOCKOPT:
		region(a[3], 4);
		region(a[4], 4);
		break;
	case NBPF_CAP_CLONE3:
		region(a[0], 8);
		break;
	default:
		break;
	}
}

static __always_inline void count_lost(void)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &k);

	if (n)
		(*n)++;
}

/* This CPU's record to the ring buffer. */
static __always_inline void send(void)
{
	__u32 k = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &k);
	__u32 len;

	if (!s)
		return;
	len = ((struct nbpf_rec *)s->b)->len;
	if (len >= NBPF_REC_MAX)
		return;
	barrier_var(len); /* the mask below is for the verifier: kept */
	len &= NBPF_REC_MAX - 1;
	if (len < sizeof(struct nbpf_rec))
		return;
	/* no wake-up per record (a context switch each, taken from the
	 * traced daemon on a busy machine): the reader polls every few ms,
	 * and is woken only when a quarter of the ring is waiting */
	if (bpf_ringbuf_output(&rb, s->b, len,
			       bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > RB_WAKE ? BPF_RB_FORCE_WAKEUP
										: BPF_RB_NO_WAKEUP) < 0)
		count_lost();
}

static __always_inline struct nbpf_rec *rec_begin(__u32 kind)
{
	struct nbpf_rec *r = cur_rec();
	__u64 pt = bpf_get_current_pid_tgid();

	if (!r)
		return NULL;
	__builtin_memset(r, 0, sizeof(*r));
	r->len = sizeof(*r);
	r->kind = kind;
	r->tgid = pt >> 32;
	r->tid = (__u32)pt;
	r->ts_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	return r;
}

/* --- syscalls ------------------------------------------------------------------ */

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	__u32 nr = (__u32)id;
	struct entry *e;
	__u8 *cap;

	if (nr >= NR_MAX || !traced())
		return 0;
	cap = bpf_map_lookup_elem(&recipes, &nr);
	if (!cap || !*cap)
		return 0;
	e = bpf_task_storage_get(&entries, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!e) {
		count_lost(); /* no memory for the thread's entry */
		return 0;
	}
	e->live = 0;
	e->nr = id;
	e->clone_flags = 0;
	/* x86_64's syscall registers (tracer/arch.h) */
	e->args[0] = BPF_CORE_READ(regs, di);
	e->args[1] = BPF_CORE_READ(regs, si);
	e->args[2] = BPF_CORE_READ(regs, dx);
	e->args[3] = BPF_CORE_READ(regs, r10);
	e->args[4] = BPF_CORE_READ(regs, r8);
	e->args[5] = BPF_CORE_READ(regs, r9);
	e->netns = thread_netns();
	__builtin_memset(&e->fd, 0, sizeof(e->fd));
	if ((*cap & NBPF_CAP_MASK) == NBPF_CAP_CLONE3)
		e->clone_flags = user_u64(e->args[0]);
	else if (nbpf_cap_fd0(*cap))
		read_fd((int)e->args[0], &e->fd);
	/* read/write and the like on a file or a pipe: nothing to decode
	 * (dockerd does most of its calls on those) */
	if ((*cap & NBPF_SOCKFD) && e->fd.kind != NBPF_FD_SOCKET)
		return 0;
	e->live = 1;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	struct entry *e = bpf_task_storage_get(&entries, bpf_get_current_task_btf(), 0, 0);
	struct nbpf_rec *r;
	__u32 nr;
	__u8 *cap;

	if (!e || !e->live)
		return 0;
	e->live = 0;
	nr = (__u32)e->nr;
	cap = bpf_map_lookup_elem(&recipes, &nr);
	if (cap && (r = rec_begin(NBPF_SYSCALL))) {
		r->nr = e->nr;
		r->ret = ret;
		__builtin_memcpy(r->args, e->args, sizeof(e->args));
		r->netns_enter = e->netns;
		r->netns_exit = thread_netns();
		r->fd = e->fd;
		/* after a send or a receive the socket may have a local address
		 * it had not at entry (an implicit bind) */
		if (ret > 0 && nbpf_cap_io(*cap))
			read_fd((int)e->args[0], &r->xfd);
		if ((*cap & NBPF_RET_FD) && ret >= 0)
			read_fd((int)ret, &r->nfd);
		if (*cap & NBPF_STACK) { /* the first region, so at a known place */
			struct nbpf_region *g = (void *)(r + 1);
			long n = bpf_get_stack(ctx, g + 1, NBPF_FRAMES * 8, BPF_F_USER_STACK);
			if (n > 0) {
				g->addr = 0;
				g->len = (__u32)n;
				g->kind = NBPF_REGION_STACK;
				r->len += sizeof(*g) + (((__u32)n + 7) & ~7u);
				r->nregions = 1;
			}
			r->sp_word = user_u64(BPF_CORE_READ(regs, sp));
		}
		capture(*cap & NBPF_CAP_MASK, e->args, ret);
		send();
	}
	return 0;
}

/* --- processes ------------------------------------------------------------------ */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ctgid = BPF_CORE_READ(child, tgid), ptgid = BPF_CORE_READ(parent, tgid);
	struct entry *e;
	struct nbpf_rec *r;
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&tgids, &ptgid))
		return 0;
	e = bpf_task_storage_get(&entries, parent, 0, 0);
	if (e && !e->live)
		e = NULL;
	if (ctgid != ptgid)
		bpf_map_update_elem(&tgids, &ctgid, &one, BPF_ANY);
	if (!(r = rec_begin(NBPF_FORK)))
		return 0;
	r->args[0] = BPF_CORE_READ(child, pid);
	r->args[1] = ctgid;
	if (e) /* the clone's flags: in arg 0, or (clone3) read at its entry */
		r->args[2] = e->clone_flags ? e->clone_flags : e->args[0];
	r->nr = e ? e->nr : -1;
	r->netns_exit = BPF_CORE_READ(child, nsproxy, net_ns, ns.inum);
	send();
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct nbpf_rec *r;

	if (!traced() || !(r = rec_begin(NBPF_EXEC)))
		return 0;
	r->args[0] = old_pid;
	send();
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	if (!traced())
		return 0;
	if (rec_begin(NBPF_EXIT)) /* the thread's entry goes with its task */
		send();
	return 0;
}
