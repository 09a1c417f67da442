/* catalog.h - the diagnoses nstrace makes, one row each.
 *
 * Every finding is one row of finding_rows: its name, what it is about (a
 * DNS query's fate, a lookup, or a thread), whether the rcode is part of its
 * key, whether a firewall rule can explain it, and four functions: when it
 * applies, how severe it is, and its message and fix.  The aggregation
 * (findings.h) offers each outcome to every row of its subject; the outputs
 * print any finding from its row.  Adding a finding is adding a row and its
 * functions.  Pure: the wording reads only the finding and the names. */
#ifndef NST_CATALOG_H
#define NST_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzers/finding.h"
#include "model/containers.h"

struct finding_row {
	const char *name; /* "dns-foreign-netns" */
	enum finding_subject subject;
	bool rcode_in_key; /* the rcode is the finding: one per rcode */
	bool fw_explains;  /* a firewall rule on the query's path can cause this
	                      result (analyzers/fwexplain.c names it) */
	bool (*when)(const struct finding *f);
	enum severity (*severity)(const struct finding *f);
	/* Plain language, from the finding's own fields; names may be NULL. */
	void (*message)(const struct finding *f, const struct containers *names, char *buf,
			size_t n);
	void (*fix)(const struct finding *f, char *buf, size_t n);
};

extern const struct finding_row finding_rows[FIND_COUNT];

static inline const struct finding_row *finding_row(const struct finding *f)
{
	return &finding_rows[f->id];
}

/* The row's fix for f, with the commands of the server's family: for an
 * IPv6 upstream, ip6tables where the row says iptables. */
void finding_fix(const struct finding *f, char *buf, size_t n);

#endif
