/* SPDX-License-Identifier: MIT */
/* perf compare's verdicts (perf/compare.h) on synthetic run sets: a real
 * regression must be flagged, noise must not be. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "perf/compare.h"

#define EPS 1e-9
#define NRUNS 5

/* Relative wobble of +-0.5%: what a quiet machine gives. */
static const double g_quiet[NRUNS] = {1.000, 1.005, 0.995, 1.002, 0.998};

static void scaled(double *out, double median, const double *shape)
{
	for (size_t i = 0; i < NRUNS; i++)
		out[i] = median * shape[i];
}

/* One series per side, compared with the default thresholds (or t). */
static enum perf_cmp_verdict judge(enum perf_cmp_metric m, const double *nw, size_t nn,
				   const double *base, size_t nb,
				   const struct perf_cmp_thresholds *t, struct perf_cmp_row *out)
{
	struct perf_cmp_set sn = {0}, sb = {0};
	struct perf_cmp_thresholds def;
	struct perf_cmp_report rep;
	char err[PERF_CMP_ERR_LEN];
	enum perf_cmp_verdict v;

	perf_cmp_thresholds_default(&def);
	assert_int_equal(perf_cmp_set_add(&sn, "read x", m, nw, nn), 0);
	assert_int_equal(perf_cmp_set_add(&sb, "read x", m, base, nb), 0);
	assert_int_equal(perf_cmp_compare(&sn, &sb, t ? t : &def, &rep, err), 0);
	assert_int_equal(rep.nrows, 1);
	v = rep.rows[0].verdict;
	if (out)
		*out = rep.rows[0];
	assert_int_equal(rep.nregressed, v == PERF_CMP_REGRESSED);
	assert_int_equal(rep.nimproved, v == PERF_CMP_IMPROVED);
	perf_cmp_report_free(&rep);
	perf_cmp_set_free(&sn);
	perf_cmp_set_free(&sb);
	return v;
}

static void test_regression_flagged(void **state)
{
	double base[NRUNS], nw[NRUNS];
	struct perf_cmp_row row;

	(void)state;
	scaled(base, 100000, g_quiet);
	scaled(nw, 80000, g_quiet);
	assert_int_equal(judge(PERF_CMP_IOPS, nw, NRUNS, base, NRUNS, NULL, &row),
			 PERF_CMP_REGRESSED);
	assert_float_equal(row.change_pct, -20, EPS);
	assert_true(row.spread);
	assert_float_equal(row.noise_pct, 5, EPS); /* the spread is below the threshold */
}

static void test_noise_not_flagged(void **state)
{
	/* +-3% around the same median, in another order on each side. */
	const double b[NRUNS] = {97000, 100000, 103000, 99000, 101000};
	const double n[NRUNS] = {103000, 97500, 100000, 101000, 99000};
	struct perf_cmp_row row;

	(void)state;
	assert_int_equal(judge(PERF_CMP_IOPS, n, NRUNS, b, NRUNS, NULL, &row),
			 PERF_CMP_WITHIN_NOISE);
	assert_float_equal(row.change_pct, 0, EPS);
	/* Latency made of the same wobble: also noise. */
	assert_int_equal(judge(PERF_CMP_P99, n, NRUNS, b, NRUNS, NULL, NULL),
			 PERF_CMP_WITHIN_NOISE);
}

static void test_big_spread_hides_ten_percent(void **state)
{
	const double b[NRUNS] = {80, 100, 120, 90, 110};
	const double n[NRUNS] = {88, 110, 132, 99, 121}; /* the same runs, 10% better */
	struct perf_cmp_row row;

	(void)state;
	assert_int_equal(judge(PERF_CMP_IOPS, n, NRUNS, b, NRUNS, NULL, &row),
			 PERF_CMP_WITHIN_NOISE);
	assert_float_equal(row.change_pct, 10, EPS);
	assert_true(row.noise_pct > 10);
	/* And 10% worse is noise as well. */
	assert_int_equal(judge(PERF_CMP_IOPS, b, NRUNS, n, NRUNS, NULL, NULL),
			 PERF_CMP_WITHIN_NOISE);
}

static void test_improvement(void **state)
{
	double base[NRUNS], nw[NRUNS];

	(void)state;
	scaled(base, 100000, g_quiet);
	scaled(nw, 120000, g_quiet);
	assert_int_equal(judge(PERF_CMP_IOPS, nw, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_IMPROVED);
	assert_int_equal(judge(PERF_CMP_BW, nw, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_IMPROVED);
}

static void test_lower_is_better(void **state)
{
	double base[NRUNS], up[NRUNS], down[NRUNS], slight[NRUNS];

	(void)state;
	assert_false(perf_cmp_higher_is_better(PERF_CMP_P99));
	assert_true(perf_cmp_higher_is_better(PERF_CMP_IOPS));
	scaled(base, 100000, g_quiet);
	scaled(up, 125000, g_quiet);
	scaled(down, 80000, g_quiet);
	scaled(slight, 108000, g_quiet);
	/* Latency up is worse, down is better. */
	assert_int_equal(judge(PERF_CMP_P99, up, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_REGRESSED);
	assert_int_equal(judge(PERF_CMP_MEAN, up, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_REGRESSED);
	assert_int_equal(judge(PERF_CMP_P99, down, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_IMPROVED);
	/* +8% is inside p99's 10% but outside p50's 5%. */
	assert_int_equal(judge(PERF_CMP_P99, slight, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_WITHIN_NOISE);
	assert_int_equal(judge(PERF_CMP_P50, slight, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_REGRESSED);
}

static void test_threshold_override(void **state)
{
	struct perf_cmp_thresholds t;
	double base[NRUNS], nw[NRUNS];

	(void)state;
	perf_cmp_thresholds_default(&t);
	assert_float_equal(t.pct[PERF_CMP_IOPS], 5, EPS);
	assert_float_equal(t.pct[PERF_CMP_P99], 10, EPS);
	assert_int_equal(perf_cmp_threshold_parse(&t, "p99=30"), 0);
	assert_int_equal(perf_cmp_threshold_parse(&t, "iops=2.5%"), 0);
	assert_float_equal(t.pct[PERF_CMP_P99], 30, EPS);
	assert_float_equal(t.pct[PERF_CMP_IOPS], 2.5, EPS);
	assert_int_equal(perf_cmp_threshold_parse(&t, "p99.9=1"), 0);
	assert_float_equal(t.pct[PERF_CMP_P999], 1, EPS);
	assert_float_equal(t.pct[PERF_CMP_P99], 30, EPS); /* "p99.9" is not "p99" */
	assert_int_equal(perf_cmp_threshold_parse(&t, "p99"), -EINVAL);
	assert_int_equal(perf_cmp_threshold_parse(&t, "p99="), -EINVAL);
	assert_int_equal(perf_cmp_threshold_parse(&t, "p9=5"), -EINVAL);
	assert_int_equal(perf_cmp_threshold_parse(&t, "p99=-1"), -EINVAL);
	assert_int_equal(perf_cmp_threshold_parse(&t, "p99=5x"), -EINVAL);
	assert_int_equal(perf_cmp_threshold_parse(&t, "p99=nan"), -EINVAL);

	scaled(base, 100000, g_quiet);
	scaled(nw, 125000, g_quiet);
	assert_int_equal(judge(PERF_CMP_P99, nw, NRUNS, base, NRUNS, &t, NULL),
			 PERF_CMP_WITHIN_NOISE);
	/* -4% IOPS: noise by default, a regression at 2.5%. */
	scaled(nw, 96000, g_quiet);
	assert_int_equal(judge(PERF_CMP_IOPS, nw, NRUNS, base, NRUNS, NULL, NULL),
			 PERF_CMP_WITHIN_NOISE);
	assert_int_equal(judge(PERF_CMP_IOPS, nw, NRUNS, base, NRUNS, &t, NULL),
			 PERF_CMP_REGRESSED);
}

static void test_one_run_each(void **state)
{
	const double b = 1000, n1 = 1060, n2 = 1040;
	struct perf_cmp_row row;

	(void)state;
	assert_int_equal(judge(PERF_CMP_MEAN, &n1, 1, &b, 1, NULL, &row), PERF_CMP_REGRESSED);
	assert_false(row.spread);
	assert_float_equal(row.noise_pct, 5, EPS);
	assert_int_equal(judge(PERF_CMP_MEAN, &n2, 1, &b, 1, NULL, &row),
			 PERF_CMP_WITHIN_NOISE);
}

/* ---- from JSON: the layout `storlab perf --output-format json` writes ---- */

static json_t *perf_result(const char *bs, double iops, double p99)
{
	return json_pack("{s:[{s:{s:s, s:s, s:s, s:s}, s:{s:I, s:f, s:I, s:{s:f, s:{s:I, s:I, "
			 "s:I}}}, s:{s:I}}]}",
			 "jobs", "job options", "rw", "randread", "bs", bs, "iodepth", "32",
			 "queues", "1", "read", "total_ios", (json_int_t)1000, "iops", iops,
			 "bw_bytes", (json_int_t)(iops * 4096), "clat_ns", "mean", p99 / 2,
			 "percentile", "50.000000", (json_int_t)(p99 / 2), "99.000000",
			 (json_int_t)p99, "99.900000", (json_int_t)(p99 * 2), "write", "total_ios",
			 (json_int_t)0);
}

static json_t *runs(const char *bs, double iops, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, perf_result(bs, iops * g_quiet[i], 20000));
	return a;
}

static void test_json_layouts(void **state)
{
	struct perf_cmp_set one, many, other;
	struct perf_cmp_thresholds t;
	struct perf_cmp_report rep;
	char err[PERF_CMP_ERR_LEN];
	json_t *j;

	(void)state;
	perf_cmp_thresholds_default(&t);
	j = perf_result("4096", 1000, 20000);
	assert_int_equal(perf_cmp_set_from_json(&one, j, "one.json", err), 0);
	json_decref(j);
	assert_int_equal(one.nruns, 1);
	assert_int_equal(one.nseries, PERF_CMP_NMETRICS); /* reads only: no writes were done */
	assert_string_equal(one.series[0].label, "read iops");
	assert_string_equal(one.workload[1], "4096");

	j = runs("4096", 800, 5);
	assert_int_equal(perf_cmp_set_from_json(&many, j, "new.json", err), 0);
	json_decref(j);
	assert_int_equal(many.nruns, 5);
	/* A 20% IOPS drop against one run: regressed, exit 1 in the CLI. */
	assert_int_equal(perf_cmp_compare(&many, &one, &t, &rep, err), 0);
	assert_int_equal(rep.rows[0].verdict, PERF_CMP_REGRESSED);
	assert_int_equal(rep.nregressed, 2); /* iops and bw */
	j = perf_cmp_report_json(&rep);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "metrics"), 0), "verdict")),
			    "regressed");
	json_decref(j);
	perf_cmp_report_free(&rep);

	/* Different block sizes: an error naming the field. */
	j = runs("8192", 800, 3);
	assert_int_equal(perf_cmp_set_from_json(&other, j, "old.json", err), 0);
	json_decref(j);
	assert_int_equal(perf_cmp_compare(&many, &other, &t, &rep, err), -EINVAL);
	assert_non_null(strstr(err, "bs is 4096 in NEW, 8192 in BASELINE"));
	perf_cmp_set_free(&other);
	perf_cmp_set_free(&many);
	perf_cmp_set_free(&one);
}

static void test_json_errors(void **state)
{
	struct perf_cmp_set s;
	char err[PERF_CMP_ERR_LEN];
	json_t *j;

	(void)state;
	/* Runs of one set must be one workload. */
	j = runs("4096", 800, 2);
	json_array_append_new(j, perf_result("512", 800, 20000));
	assert_int_equal(perf_cmp_set_from_json(&s, j, "x.json", err), -EINVAL);
	assert_non_null(strstr(err, "x.json: run 2: bs is 512, run 0 has 4096"));
	json_decref(j);
	assert_int_equal(s.nseries, 0);

	j = json_pack("{s:i}", "foo", 1);
	assert_int_equal(perf_cmp_set_from_json(&s, j, "y.json", err), -EINVAL);
	assert_non_null(strstr(err, "y.json"));
	json_decref(j);

	j = json_array();
	assert_int_equal(perf_cmp_set_from_json(&s, j, "z.json", err), -EINVAL);
	json_decref(j);
	assert_int_equal(perf_cmp_set_load(&s, "/nonexistent/a.json", err), -ENOENT);
}

/* A peer measured in the same runs: the ratio cancels what hit both. */
static void test_peer_ratio(void **state)
{
	struct perf_cmp_set nw, base;
	struct perf_cmp_thresholds t;
	struct perf_cmp_report rep;
	char err[PERF_CMP_ERR_LEN];
	json_t *j;
	size_t found = 0;

	(void)state;
	perf_cmp_thresholds_default(&t);
	/* Baseline on a fast machine: subject 1000, peer 500. */
	j = json_pack("{s:o, s:o}", "runs", runs("4096", 1000, 3), "peer", runs("4096", 500, 3));
	assert_int_equal(perf_cmp_set_from_json(&base, j, "base.json", err), 0);
	json_decref(j);
	/* New on a machine 30% slower for everyone: subject 700, peer 350. */
	j = json_pack("{s:o, s:o}", "runs", runs("4096", 700, 3), "peer", runs("4096", 350, 3));
	assert_int_equal(perf_cmp_set_from_json(&nw, j, "new.json", err), 0);
	json_decref(j);
	assert_int_equal(nw.nseries, 3 * PERF_CMP_NMETRICS);
	assert_int_equal(perf_cmp_compare(&nw, &base, &t, &rep, err), 0);
	for (size_t i = 0; i < rep.nrows; i++) {
		if (strcmp(rep.rows[i].label, "read iops [vs peer]") == 0) {
			assert_float_equal(rep.rows[i].new.median, 2, 1e-6);
			assert_int_equal(rep.rows[i].verdict, PERF_CMP_WITHIN_NOISE);
			found++;
		}
		if (strcmp(rep.rows[i].label, "read iops") == 0) {
			assert_int_equal(rep.rows[i].verdict, PERF_CMP_REGRESSED);
			found++;
		}
	}
	assert_int_equal(found, 2);
	perf_cmp_report_free(&rep);
	perf_cmp_set_free(&nw);
	perf_cmp_set_free(&base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_regression_flagged),
	    cmocka_unit_test(test_noise_not_flagged),
	    cmocka_unit_test(test_big_spread_hides_ten_percent),
	    cmocka_unit_test(test_improvement),
	    cmocka_unit_test(test_lower_is_better),
	    cmocka_unit_test(test_threshold_override),
	    cmocka_unit_test(test_one_run_each),
	    cmocka_unit_test(test_json_layouts),
	    cmocka_unit_test(test_json_errors),
	    cmocka_unit_test(test_peer_ratio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
