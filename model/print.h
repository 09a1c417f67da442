/* print.h - pure printers and names, the text nstrace writes what it saw in.
 *
 * Nothing here touches the tracee, the filesystem or global state; every
 * printer writes at most the n bytes it is given, always NUL-terminated.
 * parse.h reads back what these print (addresses, hex, errno names). */
#ifndef NST_PRINT_H
#define NST_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

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

/* Names; unknown values return NULL so callers can fall back to numbers. */
const char *family_name(int family);     /* "AF_INET" */
const char *socktype_name(int type);     /* "SOCK_DGRAM" (type w/o flags) */
const char *proto_short(const struct nst_sock *s); /* "udp","tcp","unix",.. */
const char *errno_name(int err);         /* "ECONNREFUSED" */
/* strace-style quoted string of at most max_out bytes of output: printable
 * bytes as-is, \n \t \r \v \f \" \\ escaped, others as octal.  Appends
 * "..." after the quote when more_follows.  Returns length written. */
size_t print_quoted(char *out, size_t max_out, const uint8_t *buf, size_t len,
		    int more_follows);

/* Lowercase hex of len bytes into out (2*len+1 bytes needed). */
void print_hex(char *out, const uint8_t *buf, size_t len);
/* Flag set -> "CLONE_NEWNET|CLONE_NEWNS|0x10" style text. */
size_t print_clone_flags(char *buf, size_t n, uint64_t flags);
/* POLLIN|POLLERR (0 prints as 0), as strace prints revents. */
size_t print_poll_bits(char *buf, size_t n, unsigned bits);

#endif
