/* parse.h - pure decoders over byte buffers and text.
 *
 * Nothing here touches the tracee, the filesystem or global state, so every
 * function is unit-tested and fuzzed on crafted bytes and reused on
 * recorded data.  None of them aborts: malformed input yields an error
 * code.  What they decode is printed by print.h. */
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

/* Parse what print_addr prints (inet, inet6, unix, netlink, family#N).
 * Returns 0 or -EINVAL. */
int parse_addr(const char *s, struct nst_addr *out);

/* Inverse of errno_name (print.h) for a name of n bytes; 0 when unknown. */
int errno_from_name(const char *name, size_t n);

/* Classify a /proc/PID/fd/N link target. */
enum fd_link_kind { LINK_OTHER, LINK_SOCKET, LINK_NETNS, LINK_NSFS_PATH };
/* "socket:[123]" -> LINK_SOCKET, ino=123; "net:[456]" -> LINK_NETNS;
 * an absolute path -> LINK_NSFS_PATH (may be a bind-mounted nsfs file, the
 * caller checks); anything else -> LINK_OTHER. */
enum fd_link_kind parse_fd_link(const char *link, uint64_t *ino);

/* Value of one hex digit, or -1. */
int hex_digit(char c);
/* Inverse of print_hex (print.h); returns bytes written or -EINVAL on bad digits. */
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

#endif
