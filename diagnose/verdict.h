/* verdict.h - diagnose's answer, verdict first: for each name, whether the
 * target resolved it and, when not, the finding that says why, the rule
 * and the fix; then each nameserver's story.  Reads the probe's results
 * and the analyzer's findings; pure (no I/O but the FILE it prints to). */
#ifndef NST_VERDICT_H
#define NST_VERDICT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "analyzers/analyzer.h"
#include "diagnose/listeners.h"
#include "diagnose/probe.h"
#include "diagnose/resolvconf.h"
#include "diagnose/target.h"

struct diag {
	const struct target *t;
	const struct resolv_conf *rc;
	struct nst_addr servers[PROBE_SERVERS]; /* the ones asked, in order */
	struct ns_server served[PROBE_SERVERS];
	unsigned nservers;
	bool default_server;     /* no nameserver line: libc's 127.0.0.1 */
	int probe_pid;
	struct probe_result res[PROBE_NAMES];
	unsigned nres;
	const char *names[PROBE_NAMES]; /* asked, for names the probe did not report */
	unsigned nnames;
	uint64_t host_ino;       /* nstrace's own netns: "the host's" */
	struct nst_addr addrs[16]; /* the target's addresses: a client by them */
	int naddrs;
	const struct analyzer *an;
	const struct containers *names_tab;
	bool stacks;             /* -k: the findings' stacks in the evidence */
};

/* Did the probe get an answer that resolves it (records, or NODATA)? */
bool verdict_resolved(const struct probe_result *r);
/* Did every name asked resolve (slowly or not)?  The exit status's. */
bool verdict_ok(const struct diag *d);

/* The finding that explains r's failure (or, resolved slowly, its first
 * server's): one of the probe's own attempts, or one made for it by the
 * resolver that served it (the target's netns asking), about r's name
 * first; NULL when none does. */
const struct finding *verdict_cause(const struct diag *d, const struct probe_result *r);

/* The one-screen report. */
void verdict_print_text(FILE *out, const struct diag *d);
/* The same as one JSON object {"type":"diagnosis", ...} (caller owns). */
json_t *verdict_json(const struct diag *d);

#endif
