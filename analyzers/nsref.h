/* nsref.h - a namespace as a finding keeps it: the inode, path and label of
 * an event's nst_ns, copied (an event's strings do not outlive it), compared
 * and printed with the container it belongs to. */
#ifndef NST_NSREF_H
#define NST_NSREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/containers.h"
#include "model/event.h"

/* One side of the story: a namespace reference as findings print it. */
struct ns_ref {
	uint64_t ino; /* 0 = unknown (printed as null) */
	char path[128];
	char label[64]; /* what identifies it when ino and path are unknown */
};

/* One namespace: by inode when either side has one (a path may be learned
 * late), else by path and label. */
bool ns_ref_same(const struct ns_ref *a, const struct ns_ref *b);
/* Known at all (an inode, a path or a label). */
bool ns_ref_known(const struct ns_ref *ns);
/* A copy of an event's namespace (whose strings do not outlive it). */
void ns_ref_from(struct ns_ref *r, const struct nst_ns *ns);
/* ns_ref_same(r, the copy ns_ref_from would make of ns), without a copy. */
bool ns_ref_is(const struct ns_ref *r, const struct nst_ns *ns);

/* "net:[X] (/run/docker/netns/Y) of container web (abc, 172.18.0.2)" */
void ns_ref_text(const struct ns_ref *ns, const struct containers *names, char *buf, size_t n);

#endif
