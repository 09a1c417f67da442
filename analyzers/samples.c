/* samples.c - see samples.h. */
#include "analyzers/samples.h"

#include <stdlib.h>
#include <string.h>

void samples_add(struct samples *s, uint64_t v)
{
	s->seen++;
	if (v > s->max)
		s->max = v;
	if (s->n < SAMPLES_CAP) {
		s->v[s->n++] = v;
		return;
	}
	/* Reservoir sampling with a fixed LCG: replays give the same answers. */
	uint64_t r = (s->seen * 6364136223846793005ull + 1442695040888963407ull) >> 33;
	if (r % s->seen < SAMPLES_CAP)
		s->v[r % SAMPLES_CAP] = v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

double samples_quantile(const struct samples *s, double q)
{
	uint64_t tmp[SAMPLES_CAP];
	size_t idx;

	if (!s->n)
		return 0;
	if (q >= 1.0)
		return (double)s->max;
	memcpy(tmp, s->v, s->n * sizeof(tmp[0]));
	qsort(tmp, s->n, sizeof(tmp[0]), cmp_u64);
	idx = (size_t)(q * s->n + 0.999999);
	if (idx > 0)
		idx--;
	if (idx >= s->n)
		idx = s->n - 1;
	return (double)tmp[idx];
}
