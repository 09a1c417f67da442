/* lines.h - a line reader that hands out spans of a big buffer: the
 * input of replay (recordings and strace logs, a file or stdin). */
#ifndef NST_LINES_H
#define NST_LINES_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_LINE (16 << 20) /* a longer line is skipped, and counted */

struct lines {
	const char *name;
	int fd;
	char *buf;
	size_t cap, beg, end;
	bool eof, skipping;
	unsigned long lineno;
	const char *line; /* current line, valid until the next call */
	size_t len;
	int default_tid;  /* -ff: the pid in the file name */
	unsigned long found;   /* strace lines in it */
	unsigned long toolong; /* lines over MAX_LINE, skipped */
	unsigned long long ts;
};

/* Open name ("-": stdin).  0 or -errno. */
int lines_open(struct lines *l, const char *name);
void lines_close(struct lines *l);
/* 1 with l->line set, 0 at the end, -errno on a read error.  A line over
 * MAX_LINE is skipped: -E2BIG once, with l->lineno its number; the next
 * call goes on after it. */
int lines_next(struct lines *l);
/* The next line of l, over lines too long to keep: each one is counted in
 * l->toolong and named on stderr. */
int lines_next_kept(struct lines *l);

#endif
