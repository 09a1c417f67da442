/* lineout.h - whole-line buffered output on a file descriptor.
 *
 * A launched command shares nstrace's stdout.  stdio would flush in the
 * middle of a long JSON line and let the command's own output land inside
 * it; lineout only ever writes whole lines.  Lines are batched (one write per
 * 64 KiB or per 200 ms) unless the fd is a terminal, where each line goes
 * out at once. */
#ifndef NST_LINEOUT_H
#define NST_LINEOUT_H

#include <jansson.h>
#include <stddef.h>

struct lineout;

/* NULL on ENOMEM.  Does not own fd. */
struct lineout *lineout_new(int fd);
/* Queue one line (a '\n' is appended).  Lines longer than the buffer are
 * written on their own.  Returns 0 or -errno from write(2). */
int lineout_line(struct lineout *lo, const char *line, size_t len);
int lineout_flush(struct lineout *lo);
/* A JSON value as one compact line (off the hot path: it allocates).
 * 0, -ENOMEM, or -errno from write(2); NULL o is ignored. */
int lineout_json(struct lineout *lo, const json_t *o);
/* Flushes, then frees. */
void lineout_free(struct lineout *lo);

#endif
