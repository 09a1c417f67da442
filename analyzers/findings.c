/* findings.c - the aggregation of findings; see findings.h. */
#include "analyzers/findings.h"
#include "model/print.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS 1024

struct findings {
	struct finding f[MAX_FINDINGS];
	size_t n;
	unsigned long dropped;
	finding_new_cb on_new;
	finding_outcome_cb on_outcome;
	void *ctx;
};

struct findings *findings_new(finding_new_cb on_new, void *ctx)
{
	struct findings *fs = calloc(1, sizeof(*fs));

	if (fs) {
		fs->on_new = on_new;
		fs->ctx = ctx;
	}
	return fs;
}

void findings_on_outcome(struct findings *fs, finding_outcome_cb cb)
{
	fs->on_outcome = cb;
}

void findings_free(struct findings *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++)
		free((void *)fs->f[i].stack);
	free(fs);
}

static bool same_key(const struct finding *a, const struct finding *b)
{
	return a->id == b->id && a->pid == b->pid && ns_ref_same(&a->netns, &b->netns) &&
	       ns_ref_same(&a->asker, &b->asker) && !strcmp(a->upstream, b->upstream) &&
	       a->result == b->result && a->rcode == b->rcode && a->tid == b->tid &&
	       a->client_rcode == b->client_rcode && addr_same(&a->client, &b->client);
}

static void add(struct findings *fs, const struct finding *f)
{
	struct finding *e;

	for (size_t i = 0; i < fs->n; i++) {
		e = &fs->f[i];
		if (same_key(e, f)) {
			e->count++;
			if (f->last_ts > e->last_ts)
				e->last_ts = f->last_ts;
			if (f->first_ts < e->first_ts)
				e->first_ts = f->first_ts;
			e->extra += f->extra;
			return;
		}
	}
	if (fs->n == MAX_FINDINGS) {
		fs->dropped++;
		return;
	}
	e = &fs->f[fs->n++];
	*e = *f;
	e->count = 1;
	if (f->stack) {
		struct saved_stack *copy = malloc(sizeof(*copy));
		if (copy)
			memcpy(copy, f->stack, sizeof(*copy));
		e->stack = copy;
	}
	if (fs->on_new)
		fs->on_new(e, fs->ctx);
}

uint32_t findings_offer(struct findings *fs, enum finding_subject subject,
			const struct finding *base)
{
	uint32_t rows = 0;

	for (int id = 0; id < FIND_COUNT; id++) {
		const struct finding_row *r = &finding_rows[id];
		if (r->subject != subject || !r->when(base))
			continue; /* most offers match no row: copy only for those that do */
		struct finding f = *base;
		f.id = (enum finding_id)id;
		f.sev = r->severity(&f);
		if (!r->rcode_in_key)
			f.rcode = -1; /* the rcode is part of the key only where it is the finding */
		add(fs, &f);
		rows |= 1u << id;
	}
	if (base->xid && fs->on_outcome)
		fs->on_outcome(base->xid, rows, fs->ctx);
	return rows;
}

size_t findings_count(const struct findings *fs) { return fs->n; }
const struct finding *findings_get(const struct findings *fs, size_t i) { return &fs->f[i]; }
struct finding *findings_get_mut(struct findings *fs, size_t i) { return &fs->f[i]; }
unsigned long findings_dropped(const struct findings *fs) { return fs->dropped; }

enum severity findings_max_severity(const struct findings *fs, bool *any)
{
	enum severity m = SEV_INFO;

	*any = fs->n > 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].sev > m)
			m = fs->f[i].sev;
	return m;
}
