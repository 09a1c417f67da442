/* bpf_recipe.h - what the BPF programs copy for each decoded syscall: its
 * recipe, set per syscall number from the decoded-syscall table
 * (tracer/bpf.c), so that the ptrace decoders find, in the record, every
 * byte of user memory they read. */
#ifndef NST_BPF_RECIPE_H
#define NST_BPF_RECIPE_H

enum nbpf_cap {
	NBPF_CAP_NONE = 0, /* not decoded */
	NBPF_CAP_ARGS,     /* the arguments; arg 0 is an fd */
	NBPF_CAP_NOFD,     /* the arguments; arg 0 is not an fd */
	NBPF_CAP_ADDR,     /* a sockaddr at arg 1, its length arg 2 (connect, bind) */
	NBPF_CAP_ADDRP,    /* a sockaddr at arg 1, its length at *arg 2 (accept, getsockname) */
	NBPF_CAP_SENDTO,   /* the payload at arg 1, a sockaddr at arg 4 of length arg 5 */
	NBPF_CAP_RECVFROM, /* the payload at arg 1, a sockaddr at arg 4 of length *arg 5 */
	/* Data calls come in pairs: a receive that failed moved nothing to
	 * copy (Go's netpoller ends every read with EAGAIN), a send that
	 * failed still shows what it tried to send. */
	NBPF_CAP_READ,     /* the payload at arg 1 */
	NBPF_CAP_WRITE,
	NBPF_CAP_READV,    /* iovecs at arg 1, arg 2 of them, and their data */
	NBPF_CAP_WRITEV,
	NBPF_CAP_RECVMSG,  /* a msghdr at arg 1: name, iovecs, data */
	NBPF_CAP_SENDMSG,
	NBPF_CAP_RECVMMSG, /* mmsghdrs at arg 1, arg 2 of them, each a msghdr */
	NBPF_CAP_SENDMMSG,
	NBPF_CAP_PAIR,     /* socketpair's two fds at arg 3 */
	NBPF_CAP_SOCKOPT,  /* getsockopt's value at arg 3 and its length at arg 4 */
	NBPF_CAP_CLONE3,   /* clone_args' flags at arg 0 */
	/* Readiness calls: sent only when they say something about DNS
	 * (model/calls.h): a timeout, or an error on a socket */
	NBPF_CAP_POLL,     /* pollfds at arg 0, arg 1 of them; POLLERR sockets' errors */
	NBPF_CAP_EPCTL,    /* epoll_ctl: the event at arg 3; arg 2's fd as nfd */
	NBPF_CAP_EPWAIT,   /* epoll_wait, epoll_pwait: events at arg 1, ret of them */
	NBPF_CAP_EPWAIT2,  /* epoll_pwait2: and the timespec at arg 3 */
	NBPF_CAP_SELECT,   /* select, pselect6: a timeout only (ret 0); what it
	                      watched came at its entry (NBPF_WAIT_ENTER) */
};
#define NBPF_CAP_MASK 0x1f
#define NBPF_SOCKFD 0x20 /* flag: decoded only on a socket (arg 0): the
                            kernel drops the rest, as entry_sockfd would */
#define NBPF_STACK 0x40  /* flag, -k: the user stack is wanted (where the
                            diagnosis may show one: tracer/decode.c) */
#define NBPF_RET_FD 0x80 /* flag: the return value is a new fd */
#define NBPF_NSMOVE 0x100 /* flag: the call may move the thread to another netns
                             (setns, unshare): where it was before is not
                             known at exit, and left to the model */

/* Does the call move data (send, receive, read, write)? */
static inline int nbpf_cap_io(int cap)
{
	cap &= NBPF_CAP_MASK;
	return cap == NBPF_CAP_SENDTO || cap == NBPF_CAP_RECVFROM ||
	       (cap >= NBPF_CAP_READ && cap <= NBPF_CAP_SENDMMSG);
}

static inline int nbpf_cap_fd0(int cap)
{
	cap &= NBPF_CAP_MASK;
	return cap != NBPF_CAP_NONE && cap != NBPF_CAP_NOFD && cap != NBPF_CAP_PAIR &&
	       cap != NBPF_CAP_CLONE3 && cap != NBPF_CAP_POLL && cap != NBPF_CAP_EPWAIT &&
	       cap != NBPF_CAP_EPWAIT2 && cap != NBPF_CAP_SELECT;
}

#endif
