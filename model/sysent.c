/* sysent.c - see sysent.h. */
#include "model/sysent.h"

#include <string.h>

const struct sysent sysent[SEN_COUNT] = {
	[SEN_UNKNOWN] = { "?", NST_OP_OTHER, NST_DIR_NONE },
#define NST_SEN_ROW(n, op, dir) [SEN_##n] = { #n, NST_OP_##op, NST_DIR_##dir },
	NST_SYSENT_LIST(NST_SEN_ROW)
#undef NST_SEN_ROW
};

enum nst_sen sysent_find(const char *name, size_t n)
{
	size_t lo = 1, hi = SEN_COUNT;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *s = sysent[mid].name;
		int r = strncmp(name, s, n);
		if (!r)
			r = s[n] ? -1 : 0; /* name is a prefix of s: it sorts first */
		if (!r)
			return (enum nst_sen)mid;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SEN_UNKNOWN;
}

void nst_event_set_sen(struct nst_event *ev, enum nst_sen sen)
{
	ev->sen = (uint16_t)sen;
	ev->op = sysent[sen].op;
	ev->dir = sysent[sen].dir;
	if (sen != SEN_UNKNOWN)
		ev->syscall = sysent[sen].name;
}

const char *nst_op_name(enum nst_op op)
{
	static const char *const names[NST_OP_COUNT] = {
		[NST_OP_OTHER] = "other", [NST_OP_SOCKET] = "socket", [NST_OP_CONNECT] = "connect",
		[NST_OP_BIND] = "bind", [NST_OP_LISTEN] = "listen", [NST_OP_ACCEPT] = "accept",
		[NST_OP_GETSOCKNAME] = "getsockname", [NST_OP_GETPEERNAME] = "getpeername",
		[NST_OP_SEND] = "send", [NST_OP_RECV] = "recv", [NST_OP_CLOSE] = "close",
		[NST_OP_DUP] = "dup", [NST_OP_FCNTL] = "fcntl", [NST_OP_SETNS] = "setns",
		[NST_OP_UNSHARE] = "unshare", [NST_OP_CLONE] = "clone", [NST_OP_EXEC] = "exec",
		[NST_OP_OPEN] = "open", [NST_OP_SOCKERR] = "sockerr",
		[NST_OP_WAIT] = "wait", [NST_OP_EPOLL_CTL] = "epoll_ctl",
	};
	return (unsigned)op < NST_OP_COUNT && names[op] ? names[op] : "?";
}
