/* fwsnap.h - reading the firewall counters of the traced processes' network
 * namespaces at attach and again after detach, to name the rules that
 * dropped or rejected their traffic meanwhile.
 *
 * The counters come from the tools a person would run: `iptables-save -c`,
 * `ip6tables-save -c` and `nft -j list ruleset`, started as children that
 * enter the netns first.  Each gets 30 s; its output is read as it comes
 * (memory follows the rules, not the text).  A tool that fails leaves
 * nothing of its reading.
 *
 * Never call these while a traced thread sits in a ptrace stop: the tools
 * are quick, but a dockerd stopped by nstrace could be what they wait on
 * (a lock, the xtables lock held by dockerd itself). */
#ifndef NST_FWSNAP_H
#define NST_FWSNAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "firewall/fwrules.h"
#include "model/fwfacts.h"

#define FW_WATCH_NS 8

struct fw_watch {
	int n;                      /* namespaces watched */
	int fd[FW_WATCH_NS];        /* each netns, held open from the start */
	uint64_t ino[FW_WATCH_NS];
	struct fw_ruleset before[FW_WATCH_NS];
	char why[160];              /* why nothing is watched, when n is 0 */
};

/* Read the counters of the netns of each pid (pid 0: nstrace's own), each
 * netns once.  0, or -errno with w->why set when nothing could be read
 * (no tool found, not root).  w is to be passed to fw_watch_finish. */
int fw_watch_start(struct fw_watch *w, const pid_t *pids, int npids);

/* The same for the netns files at paths (each netns once). */
int fw_watch_start_paths(struct fw_watch *w, const char *const *paths, int n);

/* Read them again and put the blocking rules that counted packets since
 * into out (out->checked false, with why, when they could not be read).
 * Frees what w holds. */
void fw_watch_finish(struct fw_watch *w, struct fw_facts *out);

/* One reading of the netns behind nsfd (-1: nstrace's own): every tool
 * that is there.  0, or -errno with why set when none was. */
int fw_read(int nsfd, struct fw_ruleset *s, char *why, size_t n);

#endif
