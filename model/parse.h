/* parse.h - pure decoders and printers over byte buffers.
 *
 * Nothing here touches the tracee, the filesystem or global state, so every
 * function is unit-tested on crafted bytes and reused on recorded data.
 * None of them aborts: malformed input yields an error code or raw output. */
#ifndef NST_PARSE_H
#define NST_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "model/event.h"

/* Decode a sockaddr of len bytes.  Returns 0, or -EINVAL when len is too
 * short for the family it names (out->family is then AF_UNSPEC).  Unknown
 * families are kept with only .family set. */
int parse_sockaddr(const void *buf, size_t len, struct nst_addr *out);

/* Print "1.2.3.4:53", "[::1]:53", "unix:/path", "unix:@abstract",
 * "netlink:pid", "family#N" or "?" into buf (always NUL-terminated).
 * Returns the length written, truncated to n-1. */
size_t print_addr(char *buf, size_t n, const struct nst_addr *a);

/* Copy the string src (NULL: "") into dst of n bytes, cut to n-1 bytes and
 * always NUL-terminated (n > 0).  Returns the length copied.  The copy
 * that snprintf(dst, n, "%s", src) makes, without printf's cost. */
size_t str_copy(char *dst, size_t n, const char *src);

/* Would print_addr print a and b the same?  Without printing them. */
bool addr_same(const struct nst_addr *a, const struct nst_addr *b);

/* Parse what print_addr prints (inet, inet6, unix, netlink, family#N).
 * Returns 0 or -EINVAL. */
int parse_addr(const char *s, struct nst_addr *out);

/* Names; unknown values return NULL so callers can fall back to numbers. */
const char *family_name(int family);     /* "AF_INET" */
const char *socktype_name(int type);     /* "SOCK_DGRAM" (type w/o flags) */
const char *proto_short(const struct nst_sock *s); /* "udp","tcp","unix",.. */
const char *errno_name(int err);         /* "ECONNREFUSED" */
/* Inverse of errno_name for a name of n bytes; 0 when unknown. */
int errno_from_name(const char *name, size_t n);

/* Classify a /proc/PID/fd/N link target. */
enum fd_link_kind { LINK_OTHER, LINK_SOCKET, LINK_NETNS, LINK_NSFS_PATH };
/* "socket:[123]" -> LINK_SOCKET, ino=123; "net:[456]" -> LINK_NETNS;
 * an absolute path -> LINK_NSFS_PATH (may be a bind-mounted nsfs file, the
 * caller checks); anything else -> LINK_OTHER. */
enum fd_link_kind parse_fd_link(const char *link, uint64_t *ino);

/* strace-style quoted string of at most max_out bytes of output: printable
 * bytes as-is, \n \t \r \v \f \" \\ escaped, others as octal.  Appends
 * "..." after the quote when more_follows.  Returns length written. */
size_t print_quoted(char *out, size_t max_out, const uint8_t *buf, size_t len,
		    int more_follows);

/* Lowercase hex of len bytes into out (2*len+1 bytes needed). */
void print_hex(char *out, const uint8_t *buf, size_t len);
/* Value of one hex digit, or -1. */
int hex_digit(char c);
/* Inverse of print_hex; returns bytes written or -EINVAL on bad digits. */
long parse_hex(const char *hex, uint8_t *out, size_t cap);

/* Reader used by gather_iov: copy up to len bytes at addr into dst,
 * return bytes copied (may be short) or -errno. */
typedef long (*mem_reader)(void *ctx, uint64_t addr, void *dst, size_t len);

/* Gather the first min(total, cap) bytes described by an iovec array (as
 * the tracee sees it) into out, one reader call per iovec.  Each iov_len is
 * capped by what remains, so a lying length cannot overrun.  Returns bytes
 * gathered; *unreadable is set when a read failed or came up short. */
size_t gather_iov(const struct iovec *iov, size_t iovcnt, uint64_t total,
		  uint8_t *out, size_t cap, mem_reader rd, void *ctx,
		  int *unreadable);

/* Flag set -> "CLONE_NEWNET|CLONE_NEWNS|0x10" style text. */
size_t print_clone_flags(char *buf, size_t n, uint64_t flags);

#endif
