/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_STATS_H
#define STORLAB_PERF_STATS_H

/*
 * Robust statistics of a few repeated measurements: the median and the
 * median absolute deviation. Benchmark runs have outliers (a run that met a
 * timer storm, a migrated thread); mean and standard deviation follow them,
 * median and MAD do not (MAD's breakdown point is 50%).
 *
 * No libm: the build does not link it, and none of this needs it.
 */

#include <stddef.h>

/* MAD times this estimates the standard deviation of normally distributed
 * data: 1 / Phi^-1(3/4). */
#define STATS_MAD_SIGMA 1.4826

struct stats_summary {
	size_t n;
	double median;
	double mad; /* scaled by STATS_MAD_SIGMA: a sigma estimate; 0 when n == 1 */
	double min;
	double max;
};

/*
 * Of v[0..n), which is not changed. The median of an even count is the mean
 * of the two middle values. Returns 0, -EINVAL (n == 0, or a NaN in v) or
 * -ENOMEM.
 */
int stats_median(const double *v, size_t n, double *median);
int stats_mad(const double *v, size_t n, double *mad);
int stats_summarize(const double *v, size_t n, struct stats_summary *s);

/* The square root of x >= 0 (0 for x <= 0), to the last bit or so. */
double stats_sqrt(double x);

#endif
