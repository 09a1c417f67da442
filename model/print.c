/* print.c - see print.h. */
#define _GNU_SOURCE
#include "model/print.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* v in decimal at p; the digits written. */
static size_t put_dec(char *p, unsigned v)
{
	char t[10];
	size_t k = 0, i;

	do
		t[k++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (i = 0; i < k; i++)
		p[i] = t[k - 1 - i];
	return k;
}

/* "1.2.3.4:53" without printf: the analyzers print an upstream per query. */
static size_t put_in4(char *p, const uint8_t *ip, unsigned port)
{
	size_t o = 0;

	for (int i = 0; i < 4; i++) {
		o += put_dec(p + o, ip[i]);
		p[o++] = i < 3 ? '.' : ':';
	}
	return o + put_dec(p + o, port);
}

size_t str_copy(char *dst, size_t n, const char *src)
{
	size_t l;

	if (n == 0)
		return 0;
	/* a loop, not strnlen: LTO sees short literals and warns of a bound
	 * longer than they are (strnlen never reads past the NUL) */
	for (l = 0; src && l < n - 1 && src[l]; l++)
		;
	memcpy(dst, src ? src : "", l);
	dst[l] = '\0';
	return l;
}

bool addr_same(const struct nst_addr *a, const struct nst_addr *b)
{
	if (a->family != b->family)
		return false;
	switch (a->family) {
	case AF_INET:
		return a->port == b->port && !memcmp(a->u.in4, b->u.in4, 4);
	case AF_INET6:
		return a->port == b->port && !memcmp(a->u.in6, b->u.in6, 16);
	case AF_UNIX:
		return !strcmp(a->u.unix_path, b->u.unix_path);
	case AF_NETLINK:
		return a->scope_id == b->scope_id;
	default:
		return true;
	}
}

size_t print_addr(char *buf, size_t n, const struct nst_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	int r;

	if (n == 0)
		return 0;
	switch (a->family) {
	case AF_INET: {
		char t[24];
		t[put_in4(t, a->u.in4, a->port)] = '\0';
		return str_copy(buf, n, t);
	}
	case AF_INET6:
		inet_ntop(AF_INET6, a->u.in6, ip, sizeof(ip));
		r = snprintf(buf, n, "[%s]:%u", ip, a->port);
		break;
	case AF_UNIX:
		r = snprintf(buf, n, "unix:%s", a->u.unix_path);
		break;
	case AF_NETLINK:
		r = snprintf(buf, n, "netlink:%u", a->scope_id);
		break;
	case AF_UNSPEC:
		r = snprintf(buf, n, "?");
		break;
	default:
		r = snprintf(buf, n, "family#%u", a->family);
		break;
	}
	if (r < 0)
		r = 0;
	return (size_t)r < n ? (size_t)r : n - 1;
}

const char *family_name(int family)
{
	switch (family) {
	case AF_UNSPEC: return "AF_UNSPEC";
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	default: return NULL;
	}
}

const char *socktype_name(int type)
{
	switch (type) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_RAW: return "SOCK_RAW";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	default: return NULL;
	}
}

const char *proto_short(const struct nst_sock *s)
{
	switch (s->family) {
	case AF_INET:
	case AF_INET6:
		if (s->type == SOCK_STREAM)
			return s->family == AF_INET ? "tcp" : "tcp6";
		if (s->type == SOCK_DGRAM)
			return s->family == AF_INET ? "udp" : "udp6";
		return s->family == AF_INET ? "raw" : "raw6";
	case AF_UNIX: return "unix";
	case AF_NETLINK: return "netlink";
	case AF_UNSPEC: return "socket";
	default: return "socket";
	}
}

const char *errno_name(int err)
{
	return err > 0 ? strerrorname_np(err) : NULL;
}

size_t print_quoted(char *out, size_t max_out, const uint8_t *buf, size_t len,
		    int more_follows)
{
	size_t o = 0, i;

	if (max_out < 8)
		return 0;
	/* Room for the closing quote, "..." and NUL. */
	max_out -= 5;
	out[o++] = '"';
	for (i = 0; i < len && o + 4 < max_out; i++) {
		uint8_t c = buf[i];
		const char *esc = NULL;
		switch (c) {
		case '\n': esc = "\\n"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\v': esc = "\\v"; break;
		case '\f': esc = "\\f"; break;
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		}
		if (esc) {
			out[o++] = esc[0];
			out[o++] = esc[1];
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			/* Shortest octal unless the next byte is an octal digit. */
			int next_digit = i + 1 < len && buf[i + 1] >= '0' && buf[i + 1] <= '7';
			out[o++] = '\\';
			if (next_digit || c >= 64)
				out[o++] = (char)('0' + (c >> 6));
			if (next_digit || c >= 8)
				out[o++] = (char)('0' + ((c >> 3) & 7));
			out[o++] = (char)('0' + (c & 7));
		}
	}
	out[o++] = '"';
	if (more_follows || i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

void print_hex(char *out, const uint8_t *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 15];
	}
	out[2 * len] = '\0';
}

size_t print_clone_flags(char *buf, size_t n, uint64_t flags)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ CLONE_NEWNET, "CLONE_NEWNET" }, { CLONE_NEWNS, "CLONE_NEWNS" },
		{ CLONE_NEWPID, "CLONE_NEWPID" }, { CLONE_NEWUTS, "CLONE_NEWUTS" },
		{ CLONE_NEWIPC, "CLONE_NEWIPC" }, { CLONE_NEWUSER, "CLONE_NEWUSER" },
		{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" }, { CLONE_THREAD, "CLONE_THREAD" },
		{ CLONE_FILES, "CLONE_FILES" }, { CLONE_VM, "CLONE_VM" },
		{ CLONE_FS, "CLONE_FS" }, { CLONE_VFORK, "CLONE_VFORK" },
	};
	size_t o = 0, i;
	uint64_t rest = flags;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		rest &= ~names[i].bit;
		o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%s", o ? "|" : "", names[i].name);
	}
	if (rest || !flags)
		o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%#llx", o ? "|" : "",
				      (unsigned long long)rest);
	return o < n ? o : n - 1;
}

size_t print_poll_bits(char *buf, size_t n, unsigned bits)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" },
		{ POLLERR, "POLLERR" }, { POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
	};
	size_t o = 0;
	unsigned rest = bits;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(bits & names[i].bit))
			continue;
		rest &= ~names[i].bit;
		o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%s", o ? "|" : "", names[i].name);
	}
	if (rest || !bits)
		o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%#x", o ? "|" : "", rest);
	return o < n ? o : n - 1;
}
