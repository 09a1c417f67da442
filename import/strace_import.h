/* strace_import.h - strace logs as an event source.
 *
 * Turns the lines of `strace -f` (pid prefixes "7055 " or "[pid  7055] ",
 * or none), `-ff` per-process files, with or without -t/-tt/-ttt/-r/-T and
 * -y/-yy, into the same events the live tracer makes, so the same analyzers
 * run on them.  The model is the live tracer's (model/model.h): each call
 * becomes facts (a socket made, an fd dup'd, a thread in a netns) and its
 * events are read off the model.
 *
 * Namespaces: with -y a setns fd names its namespace (net:[inode] or a
 * path).  Without -y a namespace is known only as "setns fd N of pid P"
 * (the label), and a process's home is the namespace its threads return to
 * after making a socket elsewhere (the setns-back of dockerd's pattern).
 * Threads start at home. */
#ifndef NST_STRACE_IMPORT_H
#define NST_STRACE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/event.h"

struct strace_stats {
	unsigned long lines, syscalls, events;
	unsigned long recognized; /* other strace lines: unfinished, resumed,
	                             signals, exits, notices */
	unsigned long joined;  /* calls cut by other output, joined again */
	unsigned long skipped; /* not a strace line: "(...omitted)", banners,
	                          the program's own output */
	unsigned long bad;     /* looked like a syscall but could not be parsed */
};

struct strace_import;

/* file names the input in error messages.  NULL on ENOMEM. */
struct strace_import *strace_import_new(nst_event_sink sink, void *ctx, const char *file);
void strace_import_free(struct strace_import *s);

/* One line without its newline: stage 1 (strace_parse.h) then stage 2.
 * default_tid is used for lines without a pid prefix (the first thread in
 * a terminal log, or the pid from a -ff file name; 0 = unknown).  Bad
 * lines get "FILE:LINE: reason" on stderr. */
void strace_import_line(struct strace_import *s, const char *line, size_t len,
			unsigned long lineno, int default_tid);

/* Stage 2 alone: a line stage 1 parsed (with a parser of the caller's, in
 * the order of the log), applied to the model.  *sl and what it points to
 * are only read during the call. */
struct sline;
void strace_import_apply(struct strace_import *s, const struct sline *sl);

/* The input ended: a call still cut by other output is bad. */
void strace_import_end(struct strace_import *s);
/* Did any line have a timestamp?  Without, latencies are unknown. */
bool strace_import_timed(const struct strace_import *s);

/* Name the file the next lines come from (for -ff merges). */
void strace_import_set_file(struct strace_import *s, const char *file);

/* The last timestamp seen, in µs (0 without timestamps). */
unsigned long long strace_import_last_ts(const struct strace_import *s);
const struct strace_stats *strace_import_stats(const struct strace_import *s);

/* Does this line look like strace output? (for format detection) */
int strace_looks_like(const char *line, size_t len);

/* The line's timestamp in µs (for merging -ff files); -1 if it has none. */
int strace_line_ts(const char *line, size_t len, unsigned long long *ts);

#endif
