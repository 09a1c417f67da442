/* strtab.h - interned strings: each distinct string is stored once and
 * kept until strtab_free, so a pointer can stand for it (unix socket
 * paths, which tens of thousands of sockets may share).  Allocates only on
 * a string's first sight.  Bounded: at most STRTAB_MAX strings; past that,
 * interning gives NULL (the caller shows the value as unknown). */
#ifndef NST_STRTAB_H
#define NST_STRTAB_H

#include "model/idmap.h"

#define STRTAB_MAX 65536

struct strtab {
	struct idmap by_hash; /* hash (probed past collisions) -> the string */
};

/* The stored copy of s; NULL for NULL or "", when full, or on ENOMEM. */
const char *strtab_intern(struct strtab *t, const char *s);
void strtab_free(struct strtab *t);

#endif
