/* nsthreads.h - threads that entered another network namespace and stayed.
 *
 * A thread that setns()/unshare()s away from its home netns is followed
 * until it comes back; the calls it makes there that are not setting up
 * sockets in that namespace (socket, connect, bind, close, ...) are counted:
 * code that entered a namespace and forgot to come back.  A thread whose
 * process's home becomes that netns (it exec'd there: ip netns exec,
 * nsenter, runc init) has moved, and is no longer followed.  At the end,
 * each thread still away while another thread of its process was seen at
 * home (Go's LockOSThread bug class) is offered to the findings
 * (SUBJECT_THREAD); a process wholly elsewhere is not.  At most 1024
 * threads away at once; more are not followed. */
#ifndef NST_NSTHREADS_H
#define NST_NSTHREADS_H

#include <stddef.h>
#include <stdint.h>

#include "analyzers/findings.h"
#include "model/event.h"

struct ns_threads;

/* NULL on ENOMEM. */
struct ns_threads *nsthreads_new(void);
void nsthreads_free(struct ns_threads *t);

void nsthreads_feed(struct ns_threads *t, const struct nst_event *ev);
/* The trace ended at end_ts: offer every thread still away to fs. */
void nsthreads_finish(const struct ns_threads *t, struct findings *fs, uint64_t end_ts);

#endif
