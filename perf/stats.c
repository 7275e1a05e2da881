/* SPDX-License-Identifier: MIT */
#include "perf/stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of a sorted array. */
static double sorted_median(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* A sorted copy (caller frees), or NULL: -EINVAL for n == 0 or a NaN (which
 * has no place in an order, so a median of it would mean nothing). */
static int sorted_copy(const double *v, size_t n, double **out)
{
	double *s;

	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (v[i] != v[i])
			return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	*out = s;
	return 0;
}

int stats_summarize(const double *v, size_t n, struct stats_summary *st)
{
	double *s;
	int ret = sorted_copy(v, n, &s);

	if (ret)
		return ret;
	st->n = n;
	st->min = s[0];
	st->max = s[n - 1];
	st->median = sorted_median(s, n);
	/* The deviations, reusing the copy: their median is the MAD. */
	for (size_t i = 0; i < n; i++)
		s[i] = s[i] > st->median ? s[i] - st->median : st->median - s[i];
	qsort(s, n, sizeof(*s), cmp_double);
	st->mad = STATS_MAD_SIGMA * sorted_median(s, n);
	free(s);
	return 0;
}

int stats_median(const double *v, size_t n, double *median)
{
	struct stats_summary s;
	int ret = stats_summarize(v, n, &s);

	if (!ret)
		*median = s.median;
	return ret;
}

int stats_mad(const double *v, size_t n, double *mad)
{
	struct stats_summary s;
	int ret = stats_summarize(v, n, &s);

	if (!ret)
		*mad = s.mad;
	return ret;
}

double stats_sqrt(double x)
{
	double r, next;

	if (!(x > 0))
		return 0;
	if (x - x != 0) /* infinity: the iteration below would reach NaN */
		return x;
	/* Newton's iteration from above decreases monotonically to sqrt(x);
	 * it stops when rounding makes it stop decreasing. Starting at
	 * max(x, 1) is above the root for every x > 0. */
	r = x > 1 ? x : 1;
	for (;;) {
		next = (r + x / r) / 2;
		if (next >= r)
			return r;
		r = next;
	}
}
