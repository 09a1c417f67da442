// SPDX-License-Identifier: GPL-2.0
/* nstrace.bpf.c - the BPF backend's programs: the raw syscall exit
 * tracepoint, filtered in the kernel by the traced thread groups, that
 * copies what the ptrace decoders would fetch (tracer/bpf_event.h) into a
 * ring buffer; and the fork, exec and exit tracepoints that follow
 * processes.
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
const volatile __u32 frames = NBPF_FRAMES; /* -k's depth: each frame walked costs */

/* What this kernel's BPF has, set by user space from the kernel's BTF
 * before the load (tracer/bpf_features.h).  Constants to the verifier: the
 * path a kernel lacks is never checked, and is removed. */
const volatile bool has_rdonly_cast = true; /* kfunc bpf_rdonly_cast: 6.2 */
const volatile bool has_task_btf = true;    /* bpf_get_current_task_btf: 5.11 */
const volatile bool has_task_regs = true;   /* bpf_task_pt_regs: 5.15 */

#define NR_MAX 512
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define NSFS_MAGIC 0x6e736673
#define PIDFS_MAGIC 0x50494446
#define CLONE_NEWNET 0x40000000

/* The traced thread groups' home netns inodes (0: unknown): where their
 * sockets are not foreign (-k's filter). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_MAX);
	__type(key, __u32);
	__type(value, __u16); /* enum nbpf_cap and NBPF_* flags; 0: not decoded */
} recipes SEC(".maps");

/* Before 5.15: a thread's clone in progress (clone_enter), for the fork
 * tracepoint.  LRU: a thread that died inside its clone is forgotten. */
struct clone_call {
	__u32 nr;
	__u64 a0;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct clone_call);
} cloning SEC(".maps");

/* -k: the sockets whose creation's stack was taken (by inode): their
 * connects and sends need none (the decoder's msock.stacked).  LRU: one
 * forgotten costs a stack the decoder does not show, never one it wants. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} stacked SEC(".maps");

#define RB_SIZE (32 << 20)
#define RB_WAKE (RB_SIZE / 4)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RB_SIZE);
} rb SEC(".maps");

struct scratch {
	__u8 b[NBPF_REC_MAX];
	__u32 nsent; /* records this CPU sent */
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

/* The traced thread groups as bits (bpf_event.h): every syscall on the
 * machine asks, so a load, not a hash lookup. */
__u64 traced_bits[NBPF_TGID_MAX / 64];

static __always_inline bool tgid_traced(__u32 tgid)
{
	return tgid < NBPF_TGID_MAX && ((traced_bits[tgid / 64] >> (tgid % 64)) & 1);
}

static __always_inline bool traced(void)
{
	return tgid_traced(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline __u64 thread_netns(void)
{
	if (has_task_btf) {
		struct task_struct *t = bpf_get_current_task_btf();
		/* a BTF pointer: loads, not helper calls (tp_btf programs may) */
		return t->nsproxy->net_ns->ns.inum;
	}
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
}

static __always_inline int ns_type(struct ns_common *ns)
{
	if (bpf_core_field_exists(ns->ns_type))
		return BPF_CORE_READ(ns, ns_type);
	const struct proc_ns_operations___old *ops = (const void *)BPF_CORE_READ(ns, ops);
	return BPF_CORE_READ(ops, type);
}

/* Cast a kernel pointer that the verifier cannot type (an array element,
 * a void *) to its BTF type: its fields are then plain loads, each a
 * fraction of a helper call (Linux 6.2).  Weak: older kernels have none,
 * and take the BPF_CORE_READ paths (bpf_probe_read_kernel). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define KCAST(type, p) ((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))

/* The current thread's file for fd, NULL when none. */
static __always_inline struct file *fd_file(int fd)
{
	struct file **fds;
	struct file *fp = NULL;
	unsigned int max;

	if (has_task_btf) {
		struct fdtable *fdt = bpf_get_current_task_btf()->files->fdt;
		fds = fdt->fd;
		max = fdt->max_fds;
	} else {
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
		fds = BPF_CORE_READ(fdt, fd);
		max = BPF_CORE_READ(fdt, max_fds);
	}
	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	/* fds[fd]: BTF has no type for an array of pointers, but a struct
	 * whose one member is a pointer reads the same word with a load */
	if (has_rdonly_cast)
		return (struct file *)KCAST(struct llist_node, &fds[fd])->next;
	bpf_probe_read_kernel(&fp, sizeof(fp), &fds[fd]);
	return fp;
}

/* What the file is (read_fd), by plain loads through KCAST. */
static __always_inline void read_file_cast(struct file *fp, struct nbpf_fd *out)
{
	struct file *f = KCAST(struct file, fp);
	struct inode *ino = f->f_inode;
	__u32 mode = ino->i_mode;

	out->kind = NBPF_FD_OTHER;
	out->ino = ino->i_ino;
	if ((mode & S_IFMT) == S_IFSOCK) {
		struct socket *s = KCAST(struct socket, f->private_data);
		struct sock *sk = s->sk;
		out->kind = NBPF_FD_SOCKET;
		if (!sk)
			return;
		out->netns = sk->__sk_common.skc_net.net->ns.inum;
		out->family = sk->__sk_common.skc_family;
		out->type = sk->sk_type;
		out->protocol = sk->sk_protocol;
		out->lport = sk->__sk_common.skc_num;
		out->rport = bpf_ntohs(sk->__sk_common.skc_dport);
		if (out->family == 2) { /* AF_INET */
			__be32 l = sk->__sk_common.skc_rcv_saddr;
			__be32 r = sk->__sk_common.skc_daddr;
			__builtin_memcpy(out->laddr, &l, 4);
			__builtin_memcpy(out->raddr, &r, 4);
		} else if (out->family == 10) { /* AF_INET6 */
			__builtin_memcpy(out->laddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
			__builtin_memcpy(out->raddr, &sk->__sk_common.skc_v6_daddr, 16);
		}
		return;
	}
	unsigned long magic = ino->i_sb->s_magic;
	if (magic == NSFS_MAGIC) {
		struct ns_common *ns = KCAST(struct ns_common, ino->i_private);
		if (ns && ns_type(ns) == CLONE_NEWNET)
			out->kind = NBPF_FD_NETNS;
	} else if (magic == PIDFS_MAGIC) { /* before pidfs: an anon inode, not told */
		out->kind = NBPF_FD_PIDFD;
	}
}

/* sock_common's first words (the IPv4 addresses, the ports, the family:
 * the same 20 bytes since 2.6) in one helper call, each at its CO-RE
 * offset; a kernel where they lie apart gets a read each. */
static __always_inline void sock_head_core(struct sock *sk, struct nbpf_fd *out)
{
	const __u32 base = bpf_core_field_offset(struct sock, __sk_common.skc_daddr);
	const __u32 da = bpf_core_field_offset(struct sock, __sk_common.skc_daddr) - base;
	const __u32 sa = bpf_core_field_offset(struct sock, __sk_common.skc_rcv_saddr) - base;
	const __u32 dp = bpf_core_field_offset(struct sock, __sk_common.skc_dport) - base;
	const __u32 num = bpf_core_field_offset(struct sock, __sk_common.skc_num) - base;
	const __u32 fam = bpf_core_field_offset(struct sock, __sk_common.skc_family) - base;
	__u64 h[3] = {};
	__u8 *b = (__u8 *)h;
	__u16 port;

	if (sa > 20 || dp > 22 || num > 22 || fam > 22) {
		out->family = BPF_CORE_READ(sk, __sk_common.skc_family);
		out->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		out->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (out->family == 2) {
			bpf_core_read(out->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
			bpf_core_read(out->raddr, 4, &sk->__sk_common.skc_daddr);
		}
		return;
	}
	bpf_probe_read_kernel(h, sizeof(h), (__u8 *)sk + base);
	__builtin_memcpy(&out->family, b + fam, 2);
	__builtin_memcpy(&out->lport, b + num, 2);
	__builtin_memcpy(&port, b + dp, 2);
	out->rport = bpf_ntohs(port);
	if (out->family == 2) { /* AF_INET */
		__builtin_memcpy(out->laddr, b + sa, 4);
		__builtin_memcpy(out->raddr, b + da, 4);
	}
}

/* The same facts, by CO-RE reads (a helper call each): before 6.2. */
static __always_inline void read_file_core(struct file *f, struct nbpf_fd *out)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	__u32 mode = BPF_CORE_READ(ino, i_mode);

	out->kind = NBPF_FD_OTHER;
	out->ino = BPF_CORE_READ(ino, i_ino);
	if ((mode & S_IFMT) == S_IFSOCK) {
		struct socket *s = BPF_CORE_READ(f, private_data);
		struct sock *sk = BPF_CORE_READ(s, sk);
		out->kind = NBPF_FD_SOCKET;
		if (!sk)
			return;
		out->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
		out->type = BPF_CORE_READ(sk, sk_type);
		out->protocol = BPF_CORE_READ(sk, sk_protocol);
		sock_head_core(sk, out);
		if (out->family == 10) { /* AF_INET6 */
			bpf_core_read(out->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
			bpf_core_read(out->raddr, 16, &sk->__sk_common.skc_v6_daddr);
		}
		return;
	}
	unsigned long magic = BPF_CORE_READ(ino, i_sb, s_magic);
	if (magic == NSFS_MAGIC) {
		struct ns_common *ns = BPF_CORE_READ(ino, i_private);
		if (ns && ns_type(ns) == CLONE_NEWNET)
			out->kind = NBPF_FD_NETNS;
	} else if (magic == PIDFS_MAGIC) {
		out->kind = NBPF_FD_PIDFD;
	}
}

/* What fd is, from the kernel's own file: a socket (its netns from the
 * socket itself), a net namespace file, or something else. */
static __always_inline void read_fd(int fd, struct nbpf_fd *out)
{
	struct file *fp;

	__builtin_memset(out, 0, sizeof(*out));
	if (!(fp = fd_file(fd)))
		return;
	if (has_rdonly_cast)
		read_file_cast(fp, out);
	else
		read_file_core(fp, out);
}

/* The error queued on socket fd (sk_err), read, not cleared: -1 when fd
 * is no socket.  Global: inlined in poll_errors' loop it was checked once
 * per path through the loop (sys_exit: 11k instructions -> 49k). */
__noinline int sock_err(int fd)
{
	struct file *fp = fd_file(fd);
	struct sock *sk;

	if (!fp)
		return -1;
	if (has_rdonly_cast) {
		struct file *f = KCAST(struct file, fp);
		if ((f->f_inode->i_mode & S_IFMT) != S_IFSOCK)
			return -1;
		sk = KCAST(struct socket, f->private_data)->sk;
		return sk ? sk->sk_err : -1;
	}
	if ((BPF_CORE_READ(fp, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return -1;
	struct socket *s = BPF_CORE_READ(fp, private_data);
	sk = BPF_CORE_READ(s, sk);
	return sk ? BPF_CORE_READ(sk, sk_err) : -1;
}

/* --- records ------------------------------------------------------------------ */

/* This CPU's scratch: the record being built (a tracepoint program runs
 * on its CPU to the end), whose len is where the next region goes. */
static __always_inline struct scratch *this_scratch(void)
{
	__u32 k = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &k);
}

/* Copy len bytes of user memory at addr as a region of this CPU's record:
 * where its bytes start in the record (0: nothing copied), for the caller
 * to read what it needs from the copy (rec_u64) rather than from user
 * memory again: each read of user memory is a helper call.
 * A global function: the verifier checks it once, not at every call.
 * Bounded: a region never passes NBPF_REGION_MAX, a record never
 * NBPF_REC_MAX (the masks let the verifier see every copy end inside). */
__noinline __u32 region(__u64 addr, __u64 len)
{
	struct scratch *s = this_scratch();
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
	return data;
}

/* 8 bytes of this CPU's record at off (inside a region region() copied). */
static __always_inline __u64 rec_u64(__u32 off)
{
	struct scratch *s = this_scratch();

	return s ? *(__u64 *)(s->b + (off & (NBPF_REC_MAX / 2 - 1))) : 0;
}

static __always_inline __u32 rec_u32(__u32 off)
{
	struct scratch *s = this_scratch();

	return s ? *(__u32 *)(s->b + (off & (NBPF_REC_MAX / 2 - 1))) : 0;
}

static __always_inline __u64 user_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* The iovec array at iov (cnt of them) and up to total (at most snaplen)
 * bytes of their buffers, as gather_iov reads them. */
__noinline int iovs(__u64 iov, __u64 cnt, __u64 total)
{
	__u64 left = min_u64(total, snaplen);
	__u32 d;

	if (!iov || !cnt)
		return 0;
	cnt = min_u64(cnt, NBPF_IOVS);
	if (!(d = region(iov, cnt * 16)))
		return 0;
	for (__u32 i = 0; i < NBPF_IOVS; i++) {
		if (i >= cnt || !left)
			break;
		__u64 len = min_u64(rec_u64(d + i * 16 + 8), left);
		region(rec_u64(d + i * 16), len);
		left -= len;
	}
	return 0;
}

/* The name, the iovecs and the data of the msghdr copied at d. */
__noinline int msg_parts(__u32 d, __u64 total)
{
	region(rec_u64(d), min_u64(rec_u32(d + 8), 128));
	iovs(rec_u64(d + 16), rec_u64(d + 24), total);
	return 0;
}

/* The payload the decoders read: what moved; after a failed send what it
 * tried to send, after a failed receive nothing.  The arguments are the
 * record's (sys_exit put them there).  Global: checked once, not on each
 * of sys_exit's paths. */
__noinline int copy_payload(__u32 cap, __s64 ret)
{
	struct scratch *s = this_scratch();
	__u64 moved = ret > 0 ? (__u64)ret : 0, a[6];
	__u32 d;

	if (!s)
		return 0;
	__builtin_memcpy(a, ((struct nbpf_rec *)s->b)->args, sizeof(a));
	switch (cap) {
	case NBPF_CAP_ADDR:
		region(a[1], min_u64(a[2], 128));
		break;
	case NBPF_CAP_ADDRP:
		if ((d = region(a[2], 4)))
			region(a[1], min_u64(rec_u32(d), 128));
		break;
	case NBPF_CAP_SENDTO:
		region(a[1], min_u64(moved ? moved : a[2], snaplen));
		region(a[4], min_u64(a[5], 128));
		break;
	case NBPF_CAP_RECVFROM:
		region(a[1], min_u64(moved, snaplen));
		if ((d = region(a[5], 4)))
			region(a[4], min_u64(rec_u32(d), 128));
		break;
	case NBPF_CAP_READ:
		region(a[1], min_u64(moved, snaplen));
		break;
	case NBPF_CAP_WRITE:
		region(a[1], min_u64(moved ? moved : a[2], snaplen));
		break;
	case NBPF_CAP_READV:
		iovs(a[1], a[2], moved);
		break;
	case NBPF_CAP_WRITEV:
		iovs(a[1], a[2], moved ? moved : snaplen);
		break;
	case NBPF_CAP_RECVMSG:
		if ((d = region(a[1], 56)))
			msg_parts(d, moved);
		break;
	case NBPF_CAP_SENDMSG:
		if ((d = region(a[1], 56)))
			msg_parts(d, moved ? moved : snaplen);
		break;
	case NBPF_CAP_RECVMMSG:
	case NBPF_CAP_SENDMMSG: {
		/* a send that failed: its first message, as it was to go */
		bool failed = ret < 0 && cap == NBPF_CAP_SENDMMSG;
		__u64 n = min_u64(min_u64(a[2], failed ? 1 : moved), NBPF_MMSGS);
		if (!(d = region(a[1], min_u64(a[2], NBPF_MMSGS) * 64)))
			break;
		for (__u32 i = 0; i < NBPF_MMSGS; i++) {
			if (i >= n)
				break;
			msg_parts(d + i * 64, failed ? snaplen : rec_u32(d + i * 64 + 56));
		}
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
	case NBPF_CAP_POLL:
		region(a[0], min_u64(a[1], 64) * 8);
		break;
	case NBPF_CAP_EPCTL:
		region(a[3], 12);
		break;
	case NBPF_CAP_EPWAIT2:
		region(a[3], 16);
		/* fall through */
	case NBPF_CAP_EPWAIT:
		region(a[1], min_u64(moved, 64) * 12);
		break;
	default:
		break;
	}
	return 0;
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
	struct scratch *s = this_scratch();
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
	 * and is woken only when a quarter of the ring is waiting (asked
	 * every 64 records: the question is a helper call too) */
	__u64 wake = BPF_RB_NO_WAKEUP;
	if (!(++s->nsent & 63) && bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > RB_WAKE)
		wake = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&rb, s->b, len, wake) < 0)
		count_lost();
}

static __always_inline struct nbpf_rec *rec_begin(__u32 kind)
{
	struct scratch *s = this_scratch();
	struct nbpf_rec *r = s ? (struct nbpf_rec *)s->b : NULL;
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

/* The destination port (host order) of the sockaddr at addr, 0 if none. */
static __always_inline __u16 sockaddr_port(__u64 addr)
{
	__u16 port = 0;

	if (addr)
		bpf_probe_read_user(&port, sizeof(port), (void *)(addr + 2));
	return bpf_ntohs(port);
}

/* Is the socket f outside its process's home netns (home unknown: as if)? */
static __always_inline bool foreign_sock(const struct nbpf_rec *r, const struct nbpf_fd *f)
{
	__u32 tgid = r->tgid;
	__u64 *home;

	if (f->kind != NBPF_FD_SOCKET)
		return false;
	home = bpf_map_lookup_elem(&tgids, &tgid);
	return !home || !*home || f->netns != *home;
}

/* -k: would the decoder show this call's stack (tracer/decode.c's
 * wants_stack)?  A superset of it, found without the model: a send or a
 * connect to port 53; on a socket outside the process's home netns
 * (unknown home: as if outside) any socket or accept, and a connect or a
 * send to port 53 unless its creation's stack was taken.  Stacks are the
 * dearest thing a record carries. */
static __always_inline bool stack_wanted(__u16 cap, const __u64 *a, const struct nbpf_rec *r)
{
	const struct nbpf_fd *f = (cap & NBPF_RET_FD) ? &r->nfd : &r->fd;
	__u64 name = 0;

	/* cheapest first: the hash lookups only where the answer needs them */
	switch (cap & NBPF_CAP_MASK) {
	case NBPF_CAP_SENDTO: name = a[4]; break;
	case NBPF_CAP_SENDMSG: name = user_u64(a[1]); break;
	case NBPF_CAP_SENDMMSG: name = user_u64(a[1]); break;
	case NBPF_CAP_ADDR: name = a[1]; break;
	case NBPF_CAP_WRITE: case NBPF_CAP_WRITEV: break;
	default: /* a namespace change, or a new socket */
		return f->kind != NBPF_FD_SOCKET || foreign_sock(r, f);
	}
	if (sockaddr_port(name) == 53)
		return true;
	if ((cap & NBPF_CAP_MASK) != NBPF_CAP_ADDR && f->rport != 53)
		return false; /* a send elsewhere than port 53 */
	return foreign_sock(r, f) && !bpf_map_lookup_elem(&stacked, &f->ino);
}

/* The user stack, as the record's first region: the frame-pointer walk
 * perf_callchain_user makes, and the word at the stack pointer with the 8
 * bytes before what it points to (a frameless leaf's caller: bpf.c). */
static __always_inline void take_stack(const struct pt_regs *regs, struct nbpf_rec *r)
{
	struct nbpf_region *g = (void *)(r + 1); /* the first region: at a known place */
	__u64 *ip = (__u64 *)(g + 1), fp = regs->bp, fr[2];
	__u32 max = frames < NBPF_FRAMES ? frames : NBPF_FRAMES, i;

	/* the frame-pointer walk perf_callchain_user makes: the ip, then each
	 * frame's return address, [fp + 8], up the chain [fp] */
	ip[0] = regs->ip;
	for (i = 1; i < NBPF_FRAMES; i++) {
		if (i >= max || !fp || bpf_probe_read_user(fr, sizeof(fr), (void *)fp) < 0 || !fr[1])
			break;
		ip[i] = fr[1];
		fp = fr[0];
	}
	g->addr = 0;
	g->len = i * 8;
	g->kind = NBPF_REGION_STACK;
	r->len += sizeof(*g) + g->len;
	r->nregions = 1;
	r->sp_word = user_u64(regs->sp);
	if (r->sp_word > 8)
		r->sp_call = user_u64(r->sp_word - 8);
}

#define POLLERR 0x8

/* A readiness call says something about DNS only on a timeout (poll) or
 * an error (model/calls.h): the rest, nearly all of a busy daemon's, are
 * not worth a record.  The first NBPF_WAITS results are looked at.
 * Global: inlined, its loop multiplied sys_exit's paths (load 0.2 s -> 2.7 s). */
__noinline int wait_worth(__u32 cap, __u64 a0, __u64 a1, long ret)
{
	__u8 buf[NBPF_WAITS * 12];
	__u64 n, len, stride, off;

	if (ret < 0 || (ret == 0 && cap != NBPF_CAP_POLL))
		return 0;
	if (ret == 0)
		return 1;
	/* 64-bit lengths, each a constant times a bounded count: what even
	 * 5.10's verifier can bound (a product of two variables it cannot) */
	if (cap == NBPF_CAP_POLL) {
		n = min_u64(a1, NBPF_WAITS);
		len = n * 8;
		stride = 8, off = 6; /* pollfd: revents at +6 */
	} else {
		n = min_u64(ret, NBPF_WAITS);
		len = n * 12;
		stride = 12, off = 0; /* epoll_event: events at +0 */
	}
	barrier_var(len);
	if (len > sizeof(buf))
		return 1;
	/* a read of variable length into the stack: before 6.x the verifier
	 * wants those bytes written first */
	__builtin_memset(buf, 0, sizeof(buf));
	if (!len || bpf_probe_read_user(buf, len, (void *)(cap == NBPF_CAP_POLL ? a0 : a1)) < 0)
		return 1; /* not readable here: the decoder will say so */
	for (__u64 i = 0; i < NBPF_WAITS; i++) {
		__u64 at = i * stride + off;
		barrier_var(at); /* an index, never folded into the pointer (an OR) */
		if (i >= n)
			break;
		if (at < sizeof(buf) && (buf[at] & POLLERR))
			return 1;
	}
	return 0;
}

/* poll: the pending errors of its POLLERR sockets, into this CPU's
 * record.  Global, as wait_worth: checked once, its loop apart from the
 * rest of sys_exit's paths. */
__noinline int poll_errors(__u64 a0, __u64 a1)
{
	struct pollfd_ { __s32 fd; __s16 events, revents; } p[NBPF_WAITS];
	__u64 n = min_u64(a1, NBPF_WAITS), len = n * sizeof(p[0]); /* as wait_worth's */
	struct scratch *s = this_scratch();
	struct nbpf_rec *r;

	if (!s)
		return 0;
	r = (struct nbpf_rec *)s->b;
	barrier_var(len);
	if (len > sizeof(p))
		return 0;
	__builtin_memset(p, 0, sizeof(p)); /* as wait_worth's buf */
	if (!len || bpf_probe_read_user(p, len, (void *)a0) < 0)
		return 0;
	__u32 k = 0;
	for (__u32 i = 0; i < NBPF_WAITS; i++) {
		if (i >= n || k >= NBPF_SOERR)
			break;
		if (!(p[i].revents & POLLERR))
			continue;
		r->soerr[k].fd = p[i].fd;
		r->soerr[k].err = sock_err(p[i].fd);
		k++;
	}
	r->nsoerr = k;
	return 0;
}

/* A decoded call's record, at its exit: on x86_64 the arguments are still
 * in the user's registers, and the fd is what it was at entry (but for
 * close's, which the decoders take from the model).  No program runs at
 * syscall entry: that tracepoint would tax every call on the machine. */
static __always_inline int sys_exit(const struct pt_regs *regs, long ret)
{
	struct nbpf_fd fd = {};
	struct nbpf_rec *r;
	__u64 args[6];
	__u32 nr;
	__u16 *cap;

	if (!traced()) /* every call on the machine comes here */
		return 0;
	nr = (__u32)regs->orig_ax;
	if (!has_task_regs && (nr == 56 || nr == 435)) { /* clone, clone3: done */
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		bpf_map_delete_elem(&cloning, &tid);
	}
	if (nr >= NR_MAX || !(cap = bpf_map_lookup_elem(&recipes, &nr)) || !*cap)
		return 0;
	/* x86_64's syscall registers (tracer/arch.h) */
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
	if (nbpf_cap_fd0(*cap))
		read_fd((int)args[0], &fd);
	/* read/write and the like on a file or a pipe: nothing to decode
	 * (dockerd does most of its calls on those) */
	if ((*cap & NBPF_SOCKFD) && fd.kind != NBPF_FD_SOCKET)
		return 0;
	__u16 kind = *cap & NBPF_CAP_MASK;
	if ((kind == NBPF_CAP_POLL || kind == NBPF_CAP_EPWAIT || kind == NBPF_CAP_EPWAIT2) &&
	    !wait_worth(kind == NBPF_CAP_POLL ? kind : NBPF_CAP_EPWAIT, args[0], args[1], ret))
		return 0;
	if (kind == NBPF_CAP_SELECT && ret != 0)
		return 0; /* a ready fd's read follows: only a timeout says something */
	if (!(r = rec_begin(NBPF_SYSCALL)))
		return 0;
	r->nr = nr;
	r->ret = ret;
	__builtin_memcpy(r->args, args, sizeof(args));
	r->netns_exit = thread_netns();
	/* where the thread was before: where it is, unless the call moves it */
	r->netns_enter = (*cap & NBPF_NSMOVE) ? 0 : r->netns_exit;
	r->fd = fd;
	/* one inlined read for both: each copy multiplies the paths checked */
	int nfd = (*cap & NBPF_RET_FD) && ret >= 0 ? (int)ret : kind == NBPF_CAP_EPCTL ? (int)args[2] : -1;
	if (nfd >= 0)
		read_fd(nfd, &r->nfd);
	if (kind == NBPF_CAP_POLL && ret > 0)
		poll_errors(args[0], args[1]);
	if ((*cap & NBPF_STACK) && stack_wanted(*cap, args, r)) {
		take_stack(regs, r);
		if ((*cap & NBPF_RET_FD) && r->nfd.kind == NBPF_FD_SOCKET) {
			__u8 one = 1; /* a new socket's stack: it stands for the socket */
			bpf_map_update_elem(&stacked, &r->nfd.ino, &one, BPF_ANY);
		}
	}
	copy_payload(*cap & NBPF_CAP_MASK, ret);
	send();
	return 0;
}

/* The raw syscall exit tracepoint (tp_btf: typed arguments, plain loads).
 * Every call on the machine pays the filter; a decoded call of a traced
 * thread group, its record. */
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	return sys_exit(regs, ret);
}

/* close() as it begins.  The kernel frees the fd inside the call, and
 * another thread may be given the same number, and its record reserved,
 * before this call's exit record: the reader takes what the fd named
 * here (tracer/decode.c, entry_close).  close's own tracepoint, not the
 * raw entry one: other calls pay a bit test, not a program. */
SEC("tracepoint/syscalls/sys_enter_close")
int on_close_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct nbpf_rec *r;

	if (!traced())
		return 0;
	if (!(r = rec_begin(NBPF_CLOSE_ENTER)))
		return 0;
	r->args[0] = ctx->args[0];
	r->netns_enter = r->netns_exit = thread_netns();
	send();
	return 0;
}

/* select, pselect6 and ppoll as they begin: by their exit the kernel has
 * rewritten select's sets (to the ready fds) and the timeouts (to what is
 * left), so what they watched and for how long is copied here, in a record
 * of its own that the decoders read at the call's entry.  Their own
 * tracepoints: other calls pay nothing. */
static __always_inline int wait_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct nbpf_rec *r;
	__u64 a[6];

	if (!traced())
		return 0;
	if (!(r = rec_begin(NBPF_WAIT_ENTER)))
		return 0;
	/* each at its constant offset (the verifier takes no moved ctx
	 * pointer), and only the five all three have: a tracepoint's record
	 * ends after its own arguments, and attaching checks every read */
	a[0] = ctx->args[0];
	a[1] = ctx->args[1];
	a[2] = ctx->args[2];
	a[3] = ctx->args[3];
	a[4] = ctx->args[4];
	a[5] = 0;
	r->nr = ctx->id;
	__builtin_memcpy(r->args, a, sizeof(a));
	r->netns_enter = r->netns_exit = thread_netns();
	if (r->nr == 271) { /* ppoll: its timespec */
		region(a[2], 16);
	} else { /* select, pselect6: the read and write sets, the timeout */
		__u64 bytes = min_u64((min_u64(a[0], 1024) + 63) / 64 * 8, 128);
		region(a[1], bytes);
		region(a[2], bytes);
		region(a[4], 16);
	}
	send();
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_select")
int on_select_enter(struct trace_event_raw_sys_enter *ctx)
{
	return wait_enter(ctx);
}

SEC("tracepoint/syscalls/sys_enter_pselect6")
int on_pselect6_enter(struct trace_event_raw_sys_enter *ctx)
{
	return wait_enter(ctx);
}

SEC("tracepoint/syscalls/sys_enter_ppoll")
int on_ppoll_enter(struct trace_event_raw_sys_enter *ctx)
{
	return wait_enter(ctx);
}

/* --- processes ------------------------------------------------------------------ */

/* Before 5.15 (no bpf_task_pt_regs), clone's and clone3's own entry
 * tracepoints keep what the fork tracepoint then reads: the call and its
 * first argument, per thread; its exit forgets them (sys_exit). */
static __always_inline int clone_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct clone_call c;

	if (!traced())
		return 0;
	c.nr = (__u32)ctx->id;
	c.a0 = ctx->args[0];
	bpf_map_update_elem(&cloning, &tid, &c, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int on_clone_enter(struct trace_event_raw_sys_enter *ctx)
{
	return clone_enter(ctx);
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int on_clone3_enter(struct trace_event_raw_sys_enter *ctx)
{
	return clone_enter(ctx);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ctgid = BPF_CORE_READ(child, tgid), ptgid = BPF_CORE_READ(parent, tgid);
	__u64 home = BPF_CORE_READ(child, nsproxy, net_ns, ns.inum);
	struct pt_regs *regs;
	struct nbpf_rec *r;
	__u16 *cap = NULL;
	__u64 a0 = 0;
	__u32 nr = NR_MAX;

	if (!tgid_traced(ptgid))
		return 0;
	/* the parent is inside its clone: its registers say which, and the
	 * flags (clone3: in the clone_args they point to); before 5.15, what
	 * its clone's entry kept */
	if (has_task_regs) {
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		nr = (__u32)regs->orig_ax;
		a0 = regs->di;
	} else {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct clone_call *c = bpf_map_lookup_elem(&cloning, &tid);
		if (c) {
			nr = c->nr;
			a0 = c->a0;
		}
	}
	if (nr < NR_MAX)
		cap = bpf_map_lookup_elem(&recipes, &nr);
	if (ctgid != ptgid && ctgid < NBPF_TGID_MAX) { /* at home where it starts (model.h) */
		/* an add, the one atomic 5.10 has (or came in 5.12): the bit
		 * is clear, and only this fork makes this thread group */
		__u64 bit = 1ull << (ctgid % 64);
		if (!(traced_bits[ctgid / 64] & bit))
			__sync_fetch_and_add(&traced_bits[ctgid / 64], bit);
		bpf_map_update_elem(&tgids, &ctgid, &home, BPF_ANY);
	}
	if (!(r = rec_begin(NBPF_FORK)))
		return 0;
	r->args[0] = BPF_CORE_READ(child, pid);
	r->args[1] = ctgid;
	r->nr = -1; /* fork, vfork, or a thread the kernel made: no flags */
	if (cap && (*cap & NBPF_CAP_MASK) == NBPF_CAP_CLONE3) {
		r->nr = nr;
		r->args[2] = user_u64(a0);
	} else if (cap && *cap) {
		r->nr = nr;
		r->args[2] = a0;
	}
	r->netns_exit = home;
	send();
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 home = thread_netns();
	struct nbpf_rec *r;

	if (!traced())
		return 0;
	bpf_map_update_elem(&tgids, &tgid, &home, BPF_ANY); /* a new program's home */
	if (!(r = rec_begin(NBPF_EXEC)))
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
	if (rec_begin(NBPF_EXIT))
		send();
	return 0;
}
