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
#include <string.h>

#include "model/event.h"

struct span {
	const char *p;
	size_t n;
};

#define STRACE_MAX_ARGS 8

/* A syscall's arguments, tokenized once: every element of every list
 * ({...}, [...], f(...)) is a node.  "key=value" elements carry their key
 * (msg_name of the 4.x "msg_name(16)=..." too); a value's children are the
 * elements of its last bracket group (htons(53) -> "53").  Nodes are
 * indices into the array; -1 is "none". */
#define STRACE_MAX_TOKS 4096
struct stok {
	struct span key; /* n == 0: no key */
	struct span val; /* trimmed; for "key=value", the value */
	int kid;         /* first child, or -1 */
	int next;        /* next element of the same list, or -1 */
};
struct stoks {
	int n, cap; /* cap: the room at t, at most STRACE_MAX_TOKS */
	bool full;  /* more elements than cap: the rest are lost */
	struct stok *t;
	/* NULL, or a key whose value's group is kept whole, its elements not
	 * tokenized: what is read only now and then (msg_control) */
	const char *lazy;
};

/* Tokenize s (the text between a call's parentheses) in one pass, aware of
 * quotes, comments and nesting (at most 64 deep; deeper is plain text),
 * into the nodes at tk->t (tk->cap of them).  Returns the first top-level
 * node, -1 when there is none. */
int strace_tokenize(struct span s, struct stoks *tk);
/* The i'th node of the list that starts at node (i from 0), or -1. */
int stok_nth(const struct stoks *tk, int node, int i);
/* The child of node keyed key; when no child has a key (strace 4.x's
 * positional {"...", 26}), the pos'th child (pos < 0: none).  -1 if
 * neither.  (Inline: a literal key's length is known where it is used.) */
int stok_field_n(const struct stoks *tk, int node, const char *key, size_t kl, int pos);
static inline int stok_field(const struct stoks *tk, int node, const char *key, int pos)
{
	return stok_field_n(tk, node, key, strlen(key), pos);
}
/* The node's value, or an empty span for -1. */
struct span stok_val(const struct stoks *tk, int node);

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
	struct nst_addr local, peer; /* from -yy; each valid when its family is */
	char path[256];
};
int strace_fd(struct span s, struct fd_note *note);

/* The node {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(
 * "1.2.3.4")}, the AF_INET6 / AF_UNIX forms, PF_* names of 4.x.  0 or -1;
 * a family it does not decode is AF_UNSPEC and 0. */
int strace_sockaddr(const struct stoks *tk, int node, struct nst_addr *a);
/* The local address in a msg_control list (node ctl) that holds an
 * IP_PKTINFO cmsg: on a received message the packet's destination
 * (ipi_addr), on a sent one the source it asks for (ipi_spec_dst, when not
 * 0.0.0.0).  The port is not in it: a->port is 0.  0, or -1 when the list
 * has none.  strace 4.x prints cmsg_data's value without its key.  A list
 * kept whole (stoks.lazy) is tokenized here. */
int strace_pktinfo(const struct stoks *tk, int ctl, bool received, struct nst_addr *a);
/* AF_INET, PF_INET, AF_LOCAL, 2 ... as a family number; AF_UNSPEC when it
 * is none. */
int strace_family(struct span s);

/* Strip surrounding blanks (inline: every field and line goes through it). */
static inline struct span span_trim(struct span s)
{
	while (s.n && (*s.p == ' ' || *s.p == '\t'))
		s.p++, s.n--;
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r'))
		s.n--;
	return s;
}
static inline bool span_eq(struct span s, const char *lit)
{
	size_t l = strlen(lit);
	return s.n == l && !memcmp(s.p, lit, l);
}
long span_long(struct span s, bool *ok);

#endif
