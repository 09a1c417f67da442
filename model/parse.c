/* parse.c - see parse.h. */
#define _GNU_SOURCE
#include "model/parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "model/print.h"

int parse_sockaddr(const void *buf, size_t len, struct nst_addr *out)
{
	sa_family_t fam;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(sa_family_t))
		return -EINVAL;
	memcpy(&fam, buf, sizeof(fam));
	switch (fam) {
	case AF_INET: {
		struct sockaddr_in sin;
		if (len < sizeof(sin))
			return -EINVAL;
		memcpy(&sin, buf, sizeof(sin));
		out->port = ntohs(sin.sin_port);
		memcpy(out->u.in4, &sin.sin_addr, 4);
		break;
	}
	case AF_INET6: {
		struct sockaddr_in6 sin6;
		if (len < sizeof(sin6))
			return -EINVAL;
		memcpy(&sin6, buf, sizeof(sin6));
		out->port = ntohs(sin6.sin6_port);
		out->scope_id = sin6.sin6_scope_id;
		memcpy(out->u.in6, &sin6.sin6_addr, 16);
		break;
	}
	case AF_UNIX: {
		const char *p = (const char *)buf + offsetof(struct sockaddr_un, sun_path);
		size_t n = len - offsetof(struct sockaddr_un, sun_path);
		size_t i, o = 0;
		if (n > NST_UNIX_PATH_LEN)
			n = NST_UNIX_PATH_LEN;
		if (n > 0 && p[0] == '\0') { /* abstract: leading NUL, not terminated */
			out->u.unix_path[o++] = '@';
			for (i = 1; i < n && o < NST_UNIX_PATH_LEN; i++)
				out->u.unix_path[o++] = p[i] ? p[i] : '@';
		} else {
			for (i = 0; i < n && p[i]; i++)
				out->u.unix_path[o++] = p[i];
		}
		out->u.unix_path[o] = '\0';
		break;
	}
	case AF_NETLINK: {
		struct sockaddr_nl nl;
		if (len < sizeof(nl))
			return -EINVAL;
		memcpy(&nl, buf, sizeof(nl));
		out->scope_id = nl.nl_pid;
		break;
	}
	default:
		break;
	}
	out->family = fam;
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int parse_addr(const char *s, struct nst_addr *out)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *colon;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!strncmp(s, "unix:", 5)) {
		n = strlen(s + 5);
		if (n > NST_UNIX_PATH_LEN)
			return -EINVAL;
		memcpy(out->u.unix_path, s + 5, n + 1);
		out->family = AF_UNIX;
		return 0;
	}
	if (!strncmp(s, "netlink:", 8)) { /* the port id, as print_addr writes it */
		char *end;
		unsigned long v = strtoul(s + 8, &end, 10);
		if (end == s + 8 || *end || v > UINT32_MAX)
			return -EINVAL;
		out->family = AF_NETLINK;
		out->scope_id = (uint32_t)v;
		return 0;
	}
	if (!strncmp(s, "family#", 7)) { /* a family printed by number only */
		char *end;
		unsigned long v = strtoul(s + 7, &end, 10);
		if (end == s + 7 || *end || v == AF_UNSPEC || v > 0xffff)
			return -EINVAL;
		out->family = (uint16_t)v;
		return 0;
	}
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(ip))
			return -EINVAL;
		memcpy(ip, s + 1, rb - s - 1);
		ip[rb - s - 1] = '\0';
		if (inet_pton(AF_INET6, ip, out->u.in6) != 1 ||
		    parse_port(rb + 2, &out->port))
			return -EINVAL;
		out->family = AF_INET6;
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, colon - s);
	ip[colon - s] = '\0';
	if (inet_pton(AF_INET, ip, out->u.in4) != 1 || parse_port(colon + 1, &out->port))
		return -EINVAL;
	out->family = AF_INET;
	return 0;
}

/* Linux's errno names, by length and then bytes: a log's error returns
 * are looked up by bisection, most steps comparing only lengths, not by
 * asking the libc for the names of 255 numbers. */
#define E(x) { #x, sizeof(#x) - 1, x }
static const struct errno_row { const char *name; size_t len; int e; } errno_rows[] = {
	E(EIO), E(EADV), E(EDOM), E(E2BIG), E(EBADE), E(EBADF), E(EBADR), E(EBUSY), E(ECOMM),
	E(EFBIG), E(EIDRM), E(EINTR), E(ELOOP), E(ENOSR), E(ENXIO), E(EPERM), E(EPIPE), E(EROFS),
	E(ESRCH), E(ETIME), E(EXDEV), E(EACCES), E(EAGAIN), E(EBADFD), E(EBFONT), E(ECHILD),
	E(ECHRNG), E(EDQUOT), E(EEXIST), E(EFAULT), E(EILSEQ), E(EINVAL), E(EISDIR), E(EISNAM),
	E(EL2HLT), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EMFILE), E(EMLINK), E(ENFILE), E(ENOANO),
	E(ENOCSI), E(ENODEV), E(ENOENT), E(ENOKEY), E(ENOLCK), E(ENOMEM), E(ENOMSG), E(ENONET),
	E(ENOPKG), E(ENOSPC), E(ENOSTR), E(ENOSYS), E(ENOTTY), E(EPROTO), E(ERANGE), E(ESPIPE),
	E(ESRMNT), E(ESTALE), E(EUSERS), E(EXFULL), E(EBADMSG), E(EBADRQC), E(EBADSLT), E(EDEADLK),
	E(EDOTDOT), E(EISCONN), E(ELIBACC), E(ELIBBAD), E(ELIBMAX), E(ELIBSCN), E(ENAVAIL),
	E(ENOBUFS), E(ENODATA), E(ENOEXEC), E(ENOLINK), E(ENOTBLK), E(ENOTDIR), E(ENOTNAM),
	E(ENOTSUP), E(EREMCHG), E(EREMOTE), E(ERFKILL), E(ETXTBSY), E(EUCLEAN), E(EUNATCH),
	E(EALREADY), E(EL2NSYNC), E(ELIBEXEC), E(EMSGSIZE), E(ENETDOWN), E(ENOTCONN), E(ENOTSOCK),
	E(ENOTUNIQ), E(ERESTART), E(ESTRPIPE), E(ECANCELED), E(EDEADLOCK), E(EHOSTDOWN), E(EHWPOISON),
	E(EMULTIHOP), E(ENETRESET), E(ENOMEDIUM), E(ENOTEMPTY), E(EOVERFLOW), E(EREMOTEIO),
	E(ESHUTDOWN), E(ETIMEDOUT), E(EADDRINUSE), E(ECONNRESET), E(EOPNOTSUPP), E(EOWNERDEAD),
	E(EPROTOTYPE), E(EINPROGRESS), E(EKEYEXPIRED), E(EKEYREVOKED), E(EMEDIUMTYPE), E(ENETUNREACH),
	E(ENOPROTOOPT), E(EWOULDBLOCK), E(EAFNOSUPPORT), E(ECONNABORTED), E(ECONNREFUSED),
	E(EDESTADDRREQ), E(EHOSTUNREACH), E(EKEYREJECTED), E(ENAMETOOLONG), E(EPFNOSUPPORT),
	E(ETOOMANYREFS), E(EADDRNOTAVAIL), E(ENOTRECOVERABLE), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT),
};
#undef E

int errno_from_name(const char *name, size_t n)
{
	size_t lo = 0, hi = sizeof(errno_rows) / sizeof(errno_rows[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct errno_row *row = &errno_rows[mid];
		int r = n < row->len ? -1 : n > row->len;
		for (size_t i = 0; !r && i < n; i++) /* a few bytes: no call to memcmp */
			r = (int)(unsigned char)name[i] - (int)(unsigned char)row->name[i];
		if (!r)
			return row->e;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (int e = 1; e < 256; e++) { /* a name of this libc's the table lacks */
		const char *s = errno_name(e);
		if (s && strlen(s) == n && !memcmp(s, name, n))
			return e;
	}
	return 0;
}

enum fd_link_kind parse_fd_link(const char *link, uint64_t *ino)
{
	const char *p = NULL;
	enum fd_link_kind kind = LINK_OTHER;
	char *end;

	*ino = 0;
	if (!strncmp(link, "socket:[", 8)) {
		p = link + 8;
		kind = LINK_SOCKET;
	} else if (!strncmp(link, "net:[", 5)) {
		p = link + 5;
		kind = LINK_NETNS;
	} else if (link[0] == '/') {
		return LINK_NSFS_PATH;
	} else {
		return LINK_OTHER;
	}
	*ino = strtoull(p, &end, 10);
	if (end == p || *end != ']' || end[1])
		return LINK_OTHER;
	return kind;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long parse_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		int hi = hex_digit(hex[0]), lo = hex_digit(hex[1]);
		if (hi < 0 || lo < 0 || n >= cap)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	return hex[0] ? -EINVAL : (long)n;
}

size_t gather_iov(const struct iovec *iov, size_t iovcnt, uint64_t total,
		  uint8_t *out, size_t cap, mem_reader rd, void *ctx,
		  int *unreadable)
{
	size_t want = total < cap ? (size_t)total : cap;
	size_t got = 0, i;

	*unreadable = 0;
	for (i = 0; i < iovcnt && got < want; i++) {
		size_t len = iov[i].iov_len;
		long r;
		if (len > want - got)
			len = want - got;
		if (len == 0)
			continue;
		r = rd(ctx, (uint64_t)(uintptr_t)iov[i].iov_base, out + got, len);
		if (r < 0) {
			*unreadable = 1;
			break;
		}
		got += (size_t)r;
		if ((size_t)r < len) {
			*unreadable = 1;
			break;
		}
	}
	return got;
}
