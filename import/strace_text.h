/* strace_text.h - pure helpers for strace's output syntax.
 *
 * All functions work on (pointer, length) spans of one line and never read
 * outside them.  They decode what strace prints: quoted strings with every
 * escape it uses, sockaddrs, fd annotations (-y/-yy), struct fields. */
#ifndef NST_STRACE_TEXT_H
#define NST_STRACE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

struct span {
	const char *p;
	size_t n;
};

#define STRACE_MAX_ARGS 8

/* Split "a, {b, c}, "d, e"" at top-level commas, aware of quotes and
 * (), {}, [] nesting.  Returns the number of args (at most max). */
int strace_split_args(struct span s, struct span *args, int max);

/* Decode a quoted string ("..." with \NNN, \xNN, \n and friends), followed
 * perhaps by "..." (strace cut it at -s).  Copies at most cap bytes.
 * Returns bytes decoded, or -1 if s is not a string.  *cut is set when
 * strace truncated it. */
long strace_unquote(struct span s, uint8_t *out, size_t cap, bool *cut);

/* fd with an optional -y/-yy annotation: "39", "39<UDP:[11053]>",
 * "38</run/docker/netns/x>", "14<net:[4026531833]>",
 * "39<TCP:[1.2.3.4:5->6.7.8.9:53]>".  Returns the fd or -1. */
struct fd_note {
	enum { NOTE_NONE, NOTE_SOCKET, NOTE_NETNS, NOTE_PATH, NOTE_OTHER } kind;
	int proto;            /* SOCK_DGRAM / SOCK_STREAM when the note says */
	int family;           /* AF_INET / AF_INET6 / AF_UNIX when known */
	uint64_t ino;         /* socket inode or netns inode */
	struct nst_addr local, peer; /* from -yy */
	char path[256];
};
int strace_fd(struct span s, struct fd_note *note);

/* {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("1.2.3.4")}
 * and the AF_INET6 / AF_UNIX forms.  Returns 0 or -1. */
int strace_sockaddr(struct span s, struct nst_addr *a);

/* The value of "key=" at the top level of a {...} struct; false if absent. */
bool strace_field(struct span s, const char *key, struct span *val);

/* Strip surrounding spaces. */
struct span span_trim(struct span s);
bool span_eq(struct span s, const char *lit);
long span_long(struct span s, bool *ok);

#endif
