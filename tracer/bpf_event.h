/* bpf_event.h - the one contract between the BPF programs
 * (tracer/nstrace.bpf.c, in the kernel) and their consumer (tracer/bpf.c).
 *
 * A record is what one decoded syscall did, as the ptrace decoders would
 * have fetched it: its arguments and return, the thread's netns at entry
 * and exit, what its fd arguments were (read from the kernel's own file
 * and socket: a socket's netns is known, not inferred), and copies of the
 * user memory the decoders read (sockaddrs, payloads up to -s, msghdrs and
 * their iovecs), each tagged with its address.  Records are variable-sized:
 * regions follow the header, 8-byte aligned.  Plain fixed-width types only:
 * both compilers see this file. */
#ifndef NST_BPF_EVENT_H
#define NST_BPF_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define NBPF_COMM 16
#define NBPF_REGIONS 12        /* regions per record at most */
#define NBPF_REGION_MAX 65472  /* bytes per region at most (a -s payload) */
#define NBPF_REC_MAX (1 << 17) /* a record at most: the scratch buffer */
#define NBPF_IOVS 8            /* iovec buffers copied per call */
#define NBPF_MMSGS 8           /* messages of sendmmsg/recvmmsg copied */
#define NBPF_FRAMES 32         /* user stack frames (-k) */
#define NBPF_SOERR 4           /* poll: pending socket errors read per call */
#define NBPF_WAITS 16          /* poll, epoll: results the kernel filter reads */
#define NBPF_TGID_MAX (1u << 22) /* PID_MAX_LIMIT: the traced thread groups are
                                  bit tgid of the programs' traced_bits */

enum nbpf_kind {
	NBPF_SYSCALL = 1,
	NBPF_FORK,  /* arg: the child (tid, tgid); flags: its clone flags */
	NBPF_EXEC,  /* tid: the thread that exec'd (now the leader) */
	NBPF_EXIT,  /* a thread ended */
	NBPF_CLOSE_ENTER, /* close() begins: args[0] its fd (the fd is freed
	                     inside the call, so its meaning is taken here) */
	NBPF_WAIT_ENTER,  /* select, pselect6, ppoll begin (nr): their sets and
	                     timeout, which the kernel rewrites by the exit */
};

enum nbpf_fd_kind {
	NBPF_FD_NONE = 0, /* not open (or not read) */
	NBPF_FD_SOCKET,
	NBPF_FD_NETNS,    /* an nsfs file of a network namespace */
	NBPF_FD_PIDFD,    /* a pidfd (setns takes those too) */
	NBPF_FD_OTHER,
};

/* An fd as the kernel has it. */
struct nbpf_fd {
	__u8 kind;         /* enum nbpf_fd_kind */
	__u8 pad[1];
	__u16 family, type, protocol; /* sockets */
	__u16 lport, rport;           /* host order; 0 when none */
	__u16 pad2;
	__u64 ino;   /* the socket's inode, or the namespace's */
	__u64 netns; /* a socket's netns inode */
	__u8 laddr[16], raddr[16];    /* AF_INET: the first 4 bytes */
};

struct nbpf_region {
	__u64 addr;
	__u32 len, kind; /* kind: NBPF_REGION_* */
	/* len bytes follow, padded to 8 */
};
#define NBPF_REGION_MEM 0   /* user memory at addr */
#define NBPF_REGION_STACK 1 /* -k: the user stack's return addresses, innermost
                               first (the first region when there is one) */

struct nbpf_rec {
	__u32 kind, len;   /* len: header and regions */
	__u32 tgid, tid;
	__u64 ts_ns;       /* CLOCK_BOOTTIME */
	__s64 nr, ret;
	__u64 args[6];
	__u64 netns_enter, netns_exit; /* the thread's netns inode before and after
	                                  the call (before: 0 after a setns or an
	                                  unshare, which may move it: the model's) */
	struct nbpf_fd fd;   /* arg 0 as the call left it (close: gone; the
	                        decoders take that one from the model) */
	struct nbpf_fd nfd;  /* the new fd of socket, accept, dup: ret, at exit */
	char comm[NBPF_COMM];
	__u32 nregions;
	__u32 nsoerr;      /* poll, ppoll: the sockets with POLLERR (the first
	                      NBPF_SOERR), each with its pending error, read
	                      without clearing it (the program's next call sees
	                      it still) */
	struct { __s32 fd, err; } soerr[NBPF_SOERR];
	__u64 sp_word;     /* -k: the word at the user stack pointer: a
	                      frameless leaf's return address */
	__u64 sp_call;     /* -k: the 8 bytes before sp_word's address: the
	                      call that pushed it, if one did */
};

#endif
