/* findings.h - aggregated diagnoses and the DNS summary.
 *
 * A finding is keyed by (id, pid, socket netns, upstream, result, rcode);
 * repeats bump its count and last time.  Messages and fixes are written
 * when printed, from the finding's own fields. */
#ifndef NST_FINDINGS_H
#define NST_FINDINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/event.h"

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

enum dns_result { RES_OK, RES_REFUSED, RES_UNREACHABLE, RES_TIMEOUT, RES_PENDING };

/* One side of the story: a namespace reference as findings print it. */
struct ns_ref {
	uint64_t ino; /* 0 = unknown (printed as null) */
	char path[128];
	char label[64]; /* what identifies it when ino and path are unknown */
};

/* A stack copied out of an event (whose strings do not outlive it). */
#define SAVED_FRAMES 32
struct saved_stack {
	uint32_t n;
	struct {
		uint64_t addr, offset;
		char module[64];
		char function[160]; /* "" when unknown */
	} f[SAVED_FRAMES];
};

void stack_save(struct saved_stack *dst, const struct nst_stack *src);

struct finding {
	const char *id;
	enum severity sev;
	unsigned long count;
	int pid, tid;
	char comm[NST_COMM_LEN];
	struct ns_ref netns, home;
	char upstream[64];
	char proto[4];
	enum dns_result result;
	int rcode; /* -1 when no answer */
	char ex_qname[256];
	uint16_t ex_qtype, ex_id;
	uint64_t first_ts, last_ts;
	unsigned long extra; /* netns-thread-stuck: calls made while stuck */
	bool foreign;        /* the socket was foreign (for the wording) */
	const struct saved_stack *stack; /* -k: the socket's creation; in the
	                                    table a copy owned by it */
	uint64_t timeout_us;
};

struct findings;

typedef void (*finding_new_cb)(const struct finding *f, void *ctx);

/* NULL on ENOMEM.  on_new runs once per new key (live printing). */
struct findings *findings_new(finding_new_cb on_new, void *ctx);
void findings_free(struct findings *fs);

/* Add one occurrence; f->count is ignored, f->stack is copied for a new
 * finding (the first occurrence's stack is the one shown).  At most 1024 distinct keys:
 * later new keys are counted in findings_dropped(). */
void findings_add(struct findings *fs, const struct finding *f);
size_t findings_count(const struct findings *fs);
const struct finding *findings_get(const struct findings *fs, size_t i);
unsigned long findings_dropped(const struct findings *fs);
enum severity findings_max_severity(const struct findings *fs, bool *any);

const char *severity_name(enum severity s);
const char *result_name(enum dns_result r);

/* Plain-language text (pure: built from the finding). */
void finding_message(const struct finding *f, char *buf, size_t n);
void finding_fix(const struct finding *f, char *buf, size_t n);

json_t *finding_to_json(const struct finding *f);
void finding_print_text(FILE *out, const struct finding *f, bool full);

#endif
