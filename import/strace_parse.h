/* strace_parse.h - stage 1 of the strace import: each line of a log into a
 * struct sline, all that stage 2 (strace_import.c) needs to apply it to
 * the model: its prefix and time, its kind, and for a complete call its
 * split, its syscall and its arguments, tokenized.
 *
 * It keeps only what a log's lines carry from one to the next: the clock
 * (-r deltas, midnight), and the starts of the calls strace cut into
 * "<unfinished ...>" and "<... resumed>" halves, which it joins by pid so
 * that their arguments are tokenized here too.  It never touches the
 * model: replay runs it in a thread of its own, ahead of stage 2. */
#ifndef NST_STRACE_PARSE_H
#define NST_STRACE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/strace_line.h"
#include "import/strace_text.h"
#include "model/sysent.h"

/* The longest call text kept across lines (a start and its rest). */
#define STRACE_CALL_MAX (1 << 20)

/* Names met, by a hash of their bytes: a log names a few dozen syscalls,
 * each looked up in sysent once. */
#define SEN_MEMO 128
#define SEN_MEMO_NAME 23
struct sen_memo {
	struct {
		char name[SEN_MEMO_NAME];
		uint8_t len;
		uint16_t sen;
	} e[SEN_MEMO];
};

/* sysent_find, through the memo. */
enum nst_sen sen_memo_find(struct sen_memo *m, const char *name, size_t n);

/* Does nstrace decode calls of sen (socketcall: for its sub-call)?  Of the
 * others only "name(" is kept across lines: the rest still makes them
 * complete. */
static inline bool strace_decodes(enum nst_sen sen)
{
	return sysent[sen].op != NST_OP_OTHER || sen == SEN_socketcall;
}

/* A complete call, parsed. */
struct scall {
	struct call_text ct;
	bool parsed;      /* false: only ct is set (and sen, when the start
	                     of a joined call told it), strace_parse_call is
	                     to come */
	enum nst_sen sen; /* after socketcall's sub-call (SEN_UNKNOWN: none) */
	bool decoded;     /* nstrace decodes it: its arguments are in tk */
	struct stoks tk;
	int args[STRACE_MAX_ARGS]; /* nodes in tk */
	int nargs;
	bool ret_ok; /* the return is a number (not "?") */
	long long ret;
	int err;
};

/* Parse the complete call ct, whose name is sen (the start of a joined
 * call told it), or looked up when sen is SEN_UNKNOWN (a name looked up
 * before as unknown is so again).  tk's nodes go to nodes (room for
 * STRACE_MAX_TOKS); they point into ct's text. */
void strace_parse_call(struct sen_memo *m, const struct call_text *ct, enum nst_sen sen,
		       struct stok *nodes, struct scall *out);

enum sl_kind {
	SL_BLANK,      /* nothing on it */
	SL_BADPID,     /* a pid prefix out of range */
	SL_EXIT,       /* "+++ exited with 0 +++", "+++ killed by ... +++" */
	SL_SIGNAL,     /* "--- SIGCHLD {...} ---" */
	SL_RESUMED,    /* "<... name resumed>rest" */
	SL_TEXT,       /* no call of its own: strace's notices, the program's
	                  output, banners, the rest of a cut call */
	SL_DETACHED,   /* "name(args <detached ...>" */
	SL_UNFINISHED, /* "name(args <unfinished ...>" */
	SL_CUT,        /* "name(args" with no return: cut by other output */
	SL_CALL,       /* "name(args) = ret" */
};

/* What became of a resumed call's start in stage 1. */
enum sl_join {
	JOIN_NONE, /* stage 1 kept no start for the pid: stage 2 joins */
	JOIN_OK,   /* joined into call */
	JOIN_CUT,  /* joined, but no complete call: no return value */
	JOIN_LONG, /* start and rest are over STRACE_CALL_MAX */
};

struct sline {
	unsigned long lineno;
	int default_tid;
	int src; /* the caller's to set: replay's index of the file */
	enum sl_kind kind;
	int tid;               /* the prefix's; 0: none */
	struct span comm;      /* -Y's name of the process */
	unsigned long long ts; /* the log's clock after this line (µs) */
	bool timed;            /* this line has a time */
	struct span l;         /* the line, past its prefix and time */
	size_t name_len;       /* SL_UNFINISHED, SL_CUT, SL_CALL: the name's */
	struct span start;     /* SL_UNFINISHED: the call's text before the marker */
	/* SL_UNFINISHED: the id stage 1 gave the start it keeps to join (0:
	 * it keeps none; stage 2 keeps the text); SL_RESUMED: the id of the
	 * start it met, and what came of it (join) */
	uint64_t start_id;
	enum sl_join join;
	/* SL_CALL, SL_RESUMED with JOIN_OK; SL_UNFINISHED: sen and decoded */
	struct scall call;
};

/* Where lines' text and argument nodes go: a batch's, or the parser's own
 * for one line at a time.  want: the text room the last refused line
 * needs. */
struct sl_arena {
	char *text;
	size_t text_used, text_cap, want;
	struct stok *nodes;
	size_t nodes_used, nodes_cap;
};

struct strace_parser;

/* NULL on ENOMEM. */
struct strace_parser *strace_parser_new(void);
void strace_parser_free(struct strace_parser *p);

/* How many of each DEFER_ALL complete calls to leave for stage 2 to parse
 * (scall.parsed false): when stage 2 waits for stage 1, the work is better
 * done there.  0 at first. */
#define DEFER_ALL 8
void strace_parser_defer(struct strace_parser *p, unsigned share);

/* Parse one line (without its newline) into *out, copying its text into
 * a, which out then points into (a NULL: the parser's own, grown as needed,
 * good until the next call).  Returns 0; -ENOSPC when a lacks room
 * (a->want text bytes, or STRACE_MAX_TOKS nodes) and nothing was done:
 * give it a fresh arena, and grow an empty one that still lacks room;
 * -ENOMEM. */
int strace_parse_line(struct strace_parser *p, struct sl_arena *a, const char *line, size_t len,
		      unsigned long lineno, int default_tid, struct sline *out);

#endif
