/* SPDX-License-Identifier: MIT */
/* Several migrations summed up (emu.h): violations by kind, and the device
 * switch time's median and p99. */
#include <math.h>
#include <stdlib.h>

#include "emu/emu.h"

void emu_summary_add(struct emu_summary *s, const struct emu_mig_result *r, int ret, double *values)
{
	s->runs++;
	if (ret) {
		s->not_run++;
		return;
	}
	if (!emu_mig_ok(r))
		s->failed++;
	for (unsigned k = 0; k < EMU_V_COUNT; k++)
		s->counts[k] += r->track.counts[k];
	/* One value per run that ran; NAN: no completion at the destination. */
	values[s->runs - s->not_run - 1] = r->switch_ms >= 0 ? r->switch_ms : NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double emu_percentile(const double *sorted, unsigned n, unsigned pct)
{
	/* Nearest rank: the smallest value with at least pct % of the values
	 * at or below it. */
	unsigned rank = (unsigned)(((uint64_t)pct * n + 99) / 100);

	if (n == 0)
		return -1;
	return sorted[rank ? rank - 1 : 0];
}

void emu_summary_finish(struct emu_summary *s, double *values, unsigned n)
{
	unsigned m = 0;

	/* Runs without a completion at the destination have no switch time. */
	for (unsigned i = 0; i < n; i++)
		if (!isnan(values[i]))
			values[m++] = values[i];
	qsort(values, m, sizeof(*values), cmp_double);
	s->switch_median_ms = emu_percentile(values, m, 50);
	s->switch_p99_ms = emu_percentile(values, m, 99);
}
