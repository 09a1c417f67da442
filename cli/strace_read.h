/* strace_read.h - strace logs (one file, or -ff files merged by time)
 * through the two stages of the import: stage 1 (import/strace_parse.h)
 * reads ahead in a thread of its own, in batches; stage 2
 * (strace_import_apply) applies them in the caller's thread, in the log's
 * order.  Nothing else is shared between the two. */
#ifndef NST_STRACE_READ_H
#define NST_STRACE_READ_H

#include "cli/lines.h"
#include "import/strace_import.h"

/* Read ls[0..n) (each holding its first line already) into imp.  threads:
 * 2 runs stage 1 in a thread of its own, 1 runs both in the caller's (the
 * same batches).  Lines too long to keep are counted in ls[i].toolong and
 * named on stderr, strace lines in ls[i].found.  Returns 0, 2 after a
 * read error (named on stderr; the file ends there), or -ENOMEM. */
int strace_read(struct lines *ls, int n, struct strace_import *imp, int threads);

#endif
