/* report.h - what nstrace concludes, for people and for scripts: the
 * findings (from their rows, analyzers/findings.h), the per-upstream table,
 * the relays and the foreign sockets, as text or as JSON objects.
 *
 * It reads the analyzer's tables and analyzes nothing; the text forms write
 * to the FILE given, the JSON forms build objects.  names may be NULL
 * (namespaces are then shown by inode or path). */
#ifndef NST_REPORT_H
#define NST_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "analyzers/analyzer.h"
#include "analyzers/findings.h"
#include "model/containers.h"
#include "model/fwfacts.h"
#include "output/select.h"

/* "[error] dns-foreign-netns: dockerd[7041] udp 1.2.3.4:53 result refused in
 * ..." and, with full, the example, why, fix and stack lines. */
void finding_print_text(FILE *out, const struct finding *f, const struct containers *names,
			bool full);
/* {"type":"finding", ...}; the caller owns it.  NULL on ENOMEM. */
json_t *finding_to_json(const struct finding *f, const struct containers *names);

/* The closing text report: counts, every finding in full, the upstream
 * table, the relays, and the sockets used outside their home netns.  sel
 * (NULL: all) keeps the findings and rows of its namespaces; relays, which
 * are not per namespace, are then left out. */
void report_print_text(FILE *out, const struct analyzer *a, const struct containers *names,
		       struct select *sel);
/* {"type":"summary", "version":..., ...}; the caller owns it.  NULL on
 * ENOMEM.  sel as for report_print_text. */
json_t *report_summary_json(const struct analyzer *a, const struct containers *names,
			    struct select *sel);

/* The blocking firewall rules that counted packets while traced, or why
 * the counters were not compared. */
void report_print_firewall(FILE *out, const struct fw_facts *ff);

#endif
