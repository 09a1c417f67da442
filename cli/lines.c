/* lines.c - see lines.h. */
#define _GNU_SOURCE
#include "cli/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (64 << 10) /* grows for long lines; -ff merges open many */

int lines_open(struct lines *l, const char *name)
{
	const char *dot = strrchr(name, '.');
	char *end;

	memset(l, 0, sizeof(*l));
	l->name = name;
	l->fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (l->fd < 0)
		return -errno;
	l->cap = READ_CHUNK;
	l->buf = malloc(l->cap);
	if (!l->buf)
		return -ENOMEM;
	if (dot && dot[1]) { /* strace -ff -o NAME writes NAME.PID */
		long v = strtol(dot + 1, &end, 10);
		if (!*end && v > 0)
			l->default_tid = (int)v;
	}
	return 0;
}

void lines_close(struct lines *l)
{
	if (l->fd > STDIN_FILENO)
		close(l->fd);
	free(l->buf);
	l->buf = NULL;
}

int lines_next(struct lines *l)
{
	for (;;) {
		char *nl = memchr(l->buf + l->beg, '\n', l->end - l->beg);
		if (l->skipping) {
			l->beg = nl ? (size_t)(nl - l->buf) + 1 : l->end;
			if (nl || l->eof) {
				l->skipping = false;
				l->lineno++;
				return -E2BIG;
			}
		} else if (nl || (l->eof && l->end > l->beg)) {
			size_t len = nl ? (size_t)(nl - (l->buf + l->beg)) : l->end - l->beg;
			l->line = l->buf + l->beg;
			l->len = len;
			l->beg += len + (nl ? 1 : 0);
			l->lineno++;
			return 1;
		}
		if (l->eof)
			return 0;
		if (l->beg) { /* slide the partial line to the front */
			memmove(l->buf, l->buf + l->beg, l->end - l->beg);
			l->end -= l->beg;
			l->beg = 0;
		}
		if (l->end == l->cap && l->cap >= MAX_LINE) {
			l->skipping = true; /* drop it as it comes */
			l->beg = l->end = 0;
			continue;
		}
		if (l->end == l->cap) {
			char *n = realloc(l->buf, l->cap * 2);
			if (!n)
				return -ENOMEM;
			l->buf = n;
			l->cap *= 2;
		}
		ssize_t r = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			l->eof = true;
		l->end += (size_t)r;
	}
}

int lines_next_kept(struct lines *l)
{
	int got;

	while ((got = lines_next(l)) == -E2BIG) {
		fprintf(stderr, "%s:%lu: line longer than %d MiB, skipped\n", l->name, l->lineno,
			MAX_LINE >> 20);
		l->toolong++;
	}
	return got;
}
