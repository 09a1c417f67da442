/* findings.h - the aggregation of findings.
 *
 * An outcome offered is matched against every row of its subject
 * (catalog.h); each row that takes it adds one occurrence.  A finding is
 * aggregated by (row, pid, socket netns, asking netns, upstream, result,
 * rcode, tid, client rcode); repeats bump its count and its first/last
 * times. */
#ifndef NST_FINDINGS_H
#define NST_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/catalog.h"
#include "analyzers/finding.h"

struct findings;

typedef void (*finding_new_cb)(const struct finding *f, void *ctx);
/* The rows an exchange's outcome was counted in: bit 1 << enum finding_id
 * (0: none of them). */
typedef void (*finding_outcome_cb)(uint64_t xid, uint32_t rows, void *ctx);

/* NULL on ENOMEM.  on_new runs once per new key (live printing). */
struct findings *findings_new(finding_new_cb on_new, void *ctx);
void findings_free(struct findings *fs);
/* After each offer of an occurrence with an exchange (base->xid), cb tells
 * which rows took it.  NULL: no such calls. */
void findings_on_outcome(struct findings *fs, finding_outcome_cb cb);

/* Offer one outcome (the facts in *base, id and severity unset) to every
 * row of its subject: each row whose when() holds adds one occurrence.
 * base->stack is copied for a new finding (the first occurrence's stack is
 * the one shown).  At most 1024 distinct keys: later new keys are counted
 * in findings_dropped().  Returns the rows that took it (as on_outcome). */
uint32_t findings_offer(struct findings *fs, enum finding_subject subject,
			const struct finding *base);
size_t findings_count(const struct findings *fs);
const struct finding *findings_get(const struct findings *fs, size_t i);
/* The same, to add what is learned after the trace (firewall rules). */
struct finding *findings_get_mut(struct findings *fs, size_t i);
unsigned long findings_dropped(const struct findings *fs);
enum severity findings_max_severity(const struct findings *fs, bool *any);

#endif
