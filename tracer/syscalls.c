/* syscalls.c - the table of decoded syscalls (x86_64 numbering). */
#define _GNU_SOURCE
#include "tracer/syscalls.h"

#include <sys/syscall.h>

#include "tracer/arch.h"
#include "tracer/decode.h"

#define S(nr, n, fl, cx, en, ex, name) [nr] = { n, fl, SEN_##name, cx, en, ex }

const struct syscall_desc syscall_table[] = {
	S(SYS_socket, 3, 0, 1, NULL, exit_socket, socket),
	S(SYS_socketpair, 4, 0, 1, NULL, exit_socketpair, socketpair),
	S(SYS_connect, 3, SF_SOCKFD, -1, NULL, exit_connect, connect),
	S(SYS_bind, 3, SF_SOCKFD, -1, NULL, exit_bind, bind),
	S(SYS_listen, 2, SF_SOCKFD, -1, NULL, exit_plain, listen),
	S(SYS_accept, 3, SF_SOCKFD, -1, NULL, exit_accept, accept),
	S(SYS_accept4, 4, SF_SOCKFD, 3, NULL, exit_accept, accept4),
	S(SYS_getsockname, 3, SF_SOCKFD, -1, NULL, exit_sockname, getsockname),
	S(SYS_getpeername, 3, SF_SOCKFD, -1, NULL, exit_sockname, getpeername),
	S(SYS_getsockopt, 5, SF_SOCKFD, -1, entry_getsockopt, exit_sockerr, getsockopt),
	S(SYS_sendto, 6, SF_SOCKFD | SF_IO, -1, NULL, exit_sendto, sendto),
	S(SYS_recvfrom, 6, SF_SOCKFD | SF_IO, -1, NULL, exit_recvfrom, recvfrom),
	S(SYS_sendmsg, 3, SF_SOCKFD | SF_IO, -1, NULL, exit_msg, sendmsg),
	S(SYS_recvmsg, 3, SF_SOCKFD | SF_IO, -1, NULL, exit_msg, recvmsg),
	S(SYS_sendmmsg, 4, SF_SOCKFD | SF_IO, -1, NULL, exit_mmsg, sendmmsg),
	S(SYS_recvmmsg, 5, SF_SOCKFD | SF_IO, -1, NULL, exit_mmsg, recvmmsg),
	S(SYS_read, 3, SF_SOCKFD | SF_IO, -1, NULL, exit_rw, read),
	S(SYS_write, 3, SF_SOCKFD | SF_IO, -1, NULL, exit_rw, write),
	S(SYS_readv, 3, SF_SOCKFD | SF_IO, -1, NULL, exit_rwv, readv),
	S(SYS_writev, 3, SF_SOCKFD | SF_IO, -1, NULL, exit_rwv, writev),
	S(SYS_close, 1, 0, -1, entry_close, exit_close, close),
	S(SYS_close_range, 3, 0, -1, NULL, exit_close_range, close_range),
	S(SYS_dup, 1, 0, -1, entry_dup, exit_dup, dup),
	S(SYS_dup2, 2, 0, -1, entry_dup, exit_dup, dup2),
	S(SYS_dup3, 3, 0, 2, entry_dup, exit_dup, dup3),
	S(SYS_fcntl, 3, 0, -1, entry_fcntl, exit_fcntl, fcntl),
	S(SYS_setns, 2, 0, -1, entry_setns, exit_setns, setns),
	S(SYS_unshare, 1, 0, -1, entry_unshare, exit_unshare, unshare),
	S(SYS_clone, 5, 0, -1, entry_clone, exit_clone, clone),
	S(SYS_clone3, 2, 0, -1, entry_clone3, exit_clone, clone3),
	S(SYS_poll, 3, 0, -1, entry_poll, exit_poll, poll),
	S(SYS_ppoll, 5, 0, -1, entry_poll, exit_poll, ppoll),
	S(SYS_select, 5, 0, -1, entry_select, exit_select, select),
	S(SYS_pselect6, 6, 0, -1, entry_select, exit_select, pselect6),
	S(SYS_epoll_ctl, 4, 0, -1, entry_epoll_ctl, exit_epoll_ctl, epoll_ctl),
	S(SYS_epoll_wait, 4, 0, -1, entry_epoll_wait, exit_epoll_wait, epoll_wait),
	S(SYS_epoll_pwait, 6, 0, -1, entry_epoll_wait, exit_epoll_wait, epoll_pwait),
	S(SYS_epoll_pwait2, 6, 0, -1, entry_epoll_wait, exit_epoll_wait, epoll_pwait2),
};

const size_t syscall_table_len = sizeof(syscall_table) / sizeof(syscall_table[0]);
