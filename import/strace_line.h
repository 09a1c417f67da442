/* strace_line.h - pure helpers for the parts of a strace line around a
 * call's arguments: the pid prefix, the time, the <unfinished ...> and
 * <... resumed> markers, the split of "name(args) = ret", strace's own
 * notices.  Spans in, spans out; nothing is read outside them. */
#ifndef NST_STRACE_LINE_H
#define NST_STRACE_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/strace_text.h"
#include "model/sysent.h"

static inline bool strace_isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* A character of a syscall name: [a-z0-9_], by a table (every line's name
 * is scanned with it, once or twice). */
extern const bool strace_name_chars[256];
static inline bool strace_name_char(char c)
{
	return strace_name_chars[(unsigned char)c];
}

/* The digits at l.p[*i] as a pid, *i past them all: -1 when there are
 * none, -2 when the number is too big to be a pid. */
int strace_read_pid(struct span l, size_t *i);

/* "7055 ", "7055<comm> ", "[pid  7055] ", "[pid 7055<comm>] " and the
 * --decode-pids=pidns comment: the tid, 0 when the line has no prefix, -1
 * for a pid out of range; advances l past it.  *comm is what -Y printed
 * (empty without). */
int strace_prefix(struct span *l, struct span *comm);

/* A log's clock: the time of its last line, and the last -tt "HH:MM:SS"
 * read, which the next lines mostly share. */
struct strace_clock {
	unsigned long long ts; /* µs */
	uint64_t hms;          /* its 8 bytes as they were printed; 0: none */
	unsigned long long hms_sec;
};

/* -t "12:34:56", -tt "12:34:56.123456", -ttt "1795637926.919946", -r
 * "     0.000123" (since the previous line): c->ts in µs, given the
 * previous line's, advanced past midnight for the clock forms; advances l.
 * Returns whether the line has a time (c->ts and l unchanged when not). */
bool strace_time(struct strace_clock *c, struct span *l);

/* Where a call's text splits: its '(', the ')' before " = ", the return
 * value. */
struct call_text {
	struct span text;
	const char *lp, *eq, *ret_at;
};

/* Split text ("name(args) = ret"); lp is its '(' when the caller knows it,
 * else NULL.  false when the text is not a complete call. */
bool strace_split_call(struct span text, const char *lp, struct call_text *ct);

/* Does rest, what "<... name resumed>" brought, complete a call that
 * began "name(" (does it hold the ") = " of a return value)? */
bool strace_completes(struct span rest);

/* The length of the name before the '(' that starts l, 0 if none. */
size_t strace_call_name(struct span l);

/* "call(args <unfinished ...>": true with *start the text before it. */
bool strace_unfinished(struct span l, struct span *start);

/* Where "<... name resumed>" ends in l (which starts with "<... "), or
 * NULL when it has no such marker. */
const char *strace_resumed_end(struct span l);

/* "45", "-1 ECONNREFUSED (Connection refused)", "39<UDP:[..]>": *ret, and
 * *err for a failure (EIO when the name is not known here).  false for "?"
 * (the thread died in the call) and for what is no number. */
bool strace_ret(struct span r, long long *ret, int *err);

/* i386's socketcall(SYS_CONNECT, [3, {...}, 16]): the sub-call, with *arg
 * moved to its first argument; SEN_UNKNOWN when strace printed a pointer
 * instead of the arguments, or the sub-call is no socket call. */
enum nst_sen strace_socketcall(const struct stoks *tk, int *arg);

/* "strace: Process 4685 attached" (4.x: without "strace: "), on a line of
 * its own or cut into a call that strace had begun: where it starts, the
 * pid and whether it attached or detached; NULL when l has none. */
const char *strace_notice(struct span l, int *pid, bool *attached);

#endif
