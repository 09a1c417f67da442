/* samples.h - bounded latency samples with exact small-n quantiles.
 * Up to SAMPLES_CAP values are kept exactly; beyond that a deterministic
 * reservoir keeps a uniform subset, and max stays exact. */
#ifndef NST_SAMPLES_H
#define NST_SAMPLES_H

#include <stdint.h>

#define SAMPLES_CAP 512

struct samples {
	uint32_t n;    /* values kept */
	uint64_t seen; /* values offered */
	uint64_t max;
	uint64_t v[SAMPLES_CAP];
};

void samples_add(struct samples *s, uint64_t v);
/* Nearest-rank quantile (q in [0,1]) of the kept values; q=1 is the exact
 * max.  0 when empty. */
double samples_quantile(const struct samples *s, double q);

#endif
