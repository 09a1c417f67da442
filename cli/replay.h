/* replay.h - `nstrace replay` and `nstrace check`: recordings and strace
 * logs through the same session and analyzers as a live trace. */
#ifndef NST_REPLAY_H
#define NST_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct replay_opts {
	const char *const *files; /* "-" is stdin */
	int nfiles;
	bool events, json;
	int fail_on;
	uint64_t dns_timeout_us;
	const char *expect, *write_expect;
	const char *pcap;             /* -w FILE, or NULL */
	const char *report;           /* --report FILE, or NULL: stdout */
	const char *const *containers; /* --container NAMEs */
	int ncontainers;
};

/* Exit status: 0, 1 (--fail-on hit), 2 (bad input or usage, a --container
 * NAME that names nothing in the input, or a -w FILE not written). */
int replay_main(const struct replay_opts *o);
/* Exit status: 0 findings match, 1 they differ (a diff on stdout), 2 bad
 * input or a bad expectation file. */
int check_main(const struct replay_opts *o);

#endif
