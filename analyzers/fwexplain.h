/* fwexplain.h - which firewall rules explain the failed attempts: the
 * blocking rules whose counters grew while nstrace traced (model/fwfacts.h),
 * matched to the findings about refused, unreachable, blocked and timed
 * out queries.
 *
 * A rule explains a finding when it lies on the path the query took (the
 * OUTPUT path for a socket in the process's own netns; the host's FORWARD
 * path for one in a container's), its verdict gives that result (REJECT:
 * refused or unreachable; DROP: a timeout; either: EPERM), and it is for
 * the upstream's address family.  Rules that name port 53 or the
 * upstream's address are preferred; a rule that names neither, or whose
 * counter grew by more than the failures it explains, is "likely" only:
 * other traffic could have counted there.  Pure. */
#ifndef NST_FWEXPLAIN_H
#define NST_FWEXPLAIN_H

#include "analyzers/findings.h"
#include "model/fwfacts.h"

/* Set each failed finding's fw hits from ff (which must outlive fs's
 * report).  Nothing when ff is NULL or was not checked. */
void fw_explain(struct findings *fs, const struct fw_facts *ff);

#endif
