/* SPDX-License-Identifier: MIT */
/* perf compare on the results of scenario runs (`storlab scenario run
 * --results`): points grouped from the perf steps, the first endpoint the
 * subject, peers paired run by run, and the scenario's thresholds reaching
 * the verdict unless the command line overrides them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "perf/compare.h"

#define EPS 1e-9

/* One `storlab perf` result of reads (fio's layout) with these figures, on
 * the device at uri. */
static json_t *perf_result_on(const char *uri, double iops, double mean)
{
	return json_pack("{s:[{s:{s:s, s:s, s:s, s:s, s:s}, s:{s:I, s:f, s:f, s:{s:f, s:{s:f, "
			 "s:f, s:f}}}, s:{s:I}}]}",
			 "jobs", "job options", "filename", uri, "rw", "randread", "bs", "4096",
			 "iodepth", "32", "queues", "1", "read", "total_ios", (json_int_t)1000,
			 "iops", iops, "bw_bytes", iops * 4096, "clat_ns", "mean", mean,
			 "percentile", "50.000000", mean, "99.000000", 2 * mean, "99.900000",
			 3 * mean, "write", "total_ios", (json_int_t)0);
}

static json_t *perf_result(double iops, double mean)
{
	return perf_result_on("vhost-user-blk:/tmp/vhost.0", iops, mean);
}

static json_t *perf_step_on(const char *ep, const char *uri, int qd, double iops, double mean)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:i, s:i, s:i, s:f}, s:o}", "kind", "io",
			 "op", "perf", "endpoint", ep, "ok", 1, "params", "rw", "randread", "bs",
			 4096, "iodepth", qd, "queues", 1, "seconds", 1.0, "result",
			 perf_result_on(uri, iops, mean));
}

static json_t *perf_step(const char *ep, int qd, double iops, double mean)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:i, s:i, s:i, s:f}, s:o}", "kind", "io",
			 "op", "perf", "endpoint", ep, "ok", 1, "params", "rw", "randread", "bs",
			 4096, "iodepth", qd, "queues", 1, "seconds", 1.0, "result",
			 perf_result(iops, mean));
}

/* Two rounds, two queue depths, tgt then qsd; tgt's IOPS scaled by k, qsd's by g_peer_k. */
static double g_peer_k = 1;

static json_t *scenario(double k, json_t *thresholds)
{
	json_t *steps = json_array();

	for (int round = 0; round < 2; round++) {
		for (int qd = 1; qd <= 32; qd += 31) {
			json_array_append_new(steps, perf_step("tgt", qd, k * (1000 + round), 10));
			json_array_append_new(steps,
					      perf_step("qsd", qd, g_peer_k * (500 + round), 20));
		}
	}
	/* A step that is not a perf run is not a point. */
	json_array_append_new(steps, json_pack("{s:s, s:b}", "kind", "rpc", "ok", 1));
	return json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:o*, s:o}", "scenario", "sweep",
			 "endpoints", "name", "tgt", "type", "storlab-tgt", "name", "qsd", "type",
			 "qemu-storage-daemon", "thresholds", thresholds, "steps", steps);
}

static const struct perf_cmp_series *find(const struct perf_cmp_set *s, const char *label)
{
	for (size_t i = 0; i < s->nseries; i++)
		if (strcmp(s->series[i].label, label) == 0)
			return &s->series[i];
	return NULL;
}

static void test_points(void **state)
{
	const struct perf_cmp_series *s;
	char err[PERF_CMP_ERR_LEN];
	struct perf_cmp_set set;
	json_t *root = scenario(1, NULL);

	(void)state;
	assert_int_equal(perf_cmp_set_from_json(&set, root, "r.json", err), 0);
	assert_int_equal(set.nruns, 2);
	/* 2 points x 6 metrics x (subject, peer, ratio). */
	assert_int_equal(set.nseries, 2 * 6 * 3);
	s = find(&set, "sweep randread 4k qd32 q1 read iops");
	assert_non_null(s);
	assert_float_equal(s->v[0], 1000, EPS);
	assert_float_equal(s->v[1], 1001, EPS);
	assert_true(s->threshold_pct < 0);
	s = find(&set, "sweep randread 4k qd1 q1 read iops [qsd]");
	assert_non_null(s);
	assert_float_equal(s->v[1], 501, EPS);
	/* Round i of the subject over round i of the peer. */
	s = find(&set, "sweep randread 4k qd1 q1 read mean [vs qsd]");
	assert_non_null(s);
	assert_float_equal(s->v[0], 0.5, EPS);
	assert_null(find(&set, "sweep randread 4k qd1 q1 write iops"));
	perf_cmp_set_free(&set);
	json_decref(root);
}

/* A 10% drop in IOPS: regressed at the default 5%, not at the scenario's 20%,
 * regressed again when the command line says 5. */
static void test_thresholds(void **state)
{
	json_t *nw = scenario(0.9, json_pack("{s:f}", "iops", 20.0));
	json_t *base = scenario(1, NULL);
	struct perf_cmp_set sn, sb;
	struct perf_cmp_thresholds t;
	struct perf_cmp_report rep;
	char err[PERF_CMP_ERR_LEN];
	const char *label = "sweep randread 4k qd32 q1 read iops";

	(void)state;
	assert_int_equal(perf_cmp_set_from_json(&sn, nw, "new", err), 0);
	assert_int_equal(perf_cmp_set_from_json(&sb, base, "base", err), 0);
	assert_float_equal(find(&sn, label)->threshold_pct, 20, EPS);
	perf_cmp_thresholds_default(&t);
	assert_int_equal(perf_cmp_compare(&sn, &sb, &t, &rep, err), 0);
	for (size_t i = 0; i < rep.nrows; i++) {
		if (strcmp(rep.rows[i].label, label) != 0)
			continue;
		assert_float_equal(rep.rows[i].threshold_pct, 20, EPS);
		assert_int_equal(rep.rows[i].verdict, PERF_CMP_WITHIN_NOISE);
	}
	perf_cmp_report_free(&rep);
	assert_int_equal(perf_cmp_threshold_parse(&t, "iops=5"), 0);
	assert_int_equal(perf_cmp_compare(&sn, &sb, &t, &rep, err), 0);
	for (size_t i = 0; i < rep.nrows; i++)
		if (strcmp(rep.rows[i].label, label) == 0)
			assert_int_equal(rep.rows[i].verdict, PERF_CMP_REGRESSED);
	assert_true(rep.nregressed > 0);
	perf_cmp_report_free(&rep);
	perf_cmp_set_free(&sn);
	perf_cmp_set_free(&sb);
	json_decref(nw);
	json_decref(base);
}

/* The peer 20% slower, the subject unchanged: the peer's own rows regress but
 * are not counted; the ratio to it improved. */
/* new compared with base at the default thresholds; the sets live as long
 * as the report's rows. compare_free frees all, the documents too. */
struct cmp {
	json_t *nw, *base;
	struct perf_cmp_set sn, sb;
	struct perf_cmp_report rep;
};

static void compare_docs(struct cmp *c)
{
	struct perf_cmp_thresholds t;
	char err[PERF_CMP_ERR_LEN];

	assert_int_equal(perf_cmp_set_from_json(&c->sn, c->nw, "new", err), 0);
	assert_int_equal(perf_cmp_set_from_json(&c->sb, c->base, "base", err), 0);
	perf_cmp_thresholds_default(&t);
	assert_int_equal(perf_cmp_compare(&c->sn, &c->sb, &t, &c->rep, err), 0);
}

static void compare_free(struct cmp *c)
{
	perf_cmp_report_free(&c->rep);
	perf_cmp_set_free(&c->sn);
	perf_cmp_set_free(&c->sb);
	json_decref(c->nw);
	json_decref(c->base);
}

static void test_peer_not_counted(void **state)
{
	struct cmp c = {.base = scenario(1, NULL)};
	const struct perf_cmp_report *rep = &c.rep;

	(void)state;
	g_peer_k = 0.8;
	c.nw = scenario(1, NULL);
	g_peer_k = 1;
	compare_docs(&c);
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct perf_cmp_row *r = &rep->rows[i];

		if (strcmp(r->label, "sweep randread 4k qd1 q1 read iops [qsd]") == 0) {
			assert_int_equal(r->verdict, PERF_CMP_REGRESSED);
			assert_false(r->counted);
		}
		if (strcmp(r->label, "sweep randread 4k qd1 q1 read iops [vs qsd]") == 0) {
			assert_int_equal(r->verdict, PERF_CMP_IMPROVED);
			assert_true(r->counted);
		}
	}
	assert_int_equal(rep->nregressed, 0);
	assert_true(rep->nimproved > 0);
	compare_free(&c);
}

static void test_several(void **state)
{
	json_t *a = scenario(1, NULL), *b = scenario(1, NULL), *root;
	char err[PERF_CMP_ERR_LEN];
	struct perf_cmp_set set;

	(void)state;
	json_object_set_new(b, "scenario", json_string("other"));
	root = json_pack("{s:[o, o]}", "scenarios", a, b);
	assert_int_equal(perf_cmp_set_from_json(&set, root, "all.json", err), 0);
	assert_int_equal(set.nseries, 2 * 2 * 6 * 3);
	assert_non_null(find(&set, "other randread 4k qd1 q1 read iops"));
	perf_cmp_set_free(&set);
	json_decref(root);
}

/* The QD sweep with vhost-user-scsi: tgt (blk), scsi, qsd (blk) in each
 * round; scsi's IOPS k times tgt's. */
static json_t *scsi_scenario(double k)
{
	json_t *steps = json_array();

	for (int round = 0; round < 2; round++) {
		for (int qd = 1; qd <= 32; qd += 31) {
			double tgt = 1000 + 10 * round;

			json_array_append_new(steps, perf_step("tgt", qd, tgt, 10));
			json_array_append_new(
			    steps, perf_step_on("scsi", "vhost-user-scsi:/tmp/s", qd, k * tgt, 10));
			json_array_append_new(steps, perf_step("qsd", qd, 500, 20));
		}
	}
	return json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}], s:o}", "scenario", "sweep",
			 "endpoints", "name", "tgt", "type", "storlab-tgt", "name", "scsi", "type",
			 "storlab-tgt", "name", "qsd", "type", "qemu-storage-daemon", "steps",
			 steps);
}

/* vhost-user-scsi's runs are points of their own, keyed by the device
 * kind: the blk points keep their labels and have no scsi peer; the scsi
 * points have scsi as their subject and its ratio to tgt's vhost-user-blk,
 * round by round. */
static void test_scsi_points(void **state)
{
	const struct perf_cmp_series *s;
	char err[PERF_CMP_ERR_LEN];
	struct perf_cmp_set set;
	json_t *root = scsi_scenario(0.9);

	(void)state;
	assert_int_equal(perf_cmp_set_from_json(&set, root, "r.json", err), 0);
	/* 2 blk points x 6 metrics x (tgt, qsd, vs qsd) + 2 scsi points x 6 x (scsi, vs tgt). */
	assert_int_equal(set.nseries, 2 * 6 * 3 + 2 * 6 * 2);
	s = find(&set, "sweep randread 4k qd32 q1 read iops");
	assert_non_null(s);
	assert_float_equal(s->v[1], 1010, EPS);
	assert_null(find(&set, "sweep randread 4k qd32 q1 read iops [scsi]"));
	assert_null(find(&set, "sweep randread 4k qd32 q1 read iops [vs scsi]"));
	s = find(&set, "sweep randread 4k qd32 q1 scsi read iops");
	assert_non_null(s);
	assert_false(s->peer);
	assert_float_equal(s->v[0], 900, EPS);
	assert_float_equal(s->v[1], 909, EPS);
	s = find(&set, "sweep randread 4k qd1 q1 scsi read iops [vs tgt]");
	assert_non_null(s);
	assert_false(s->peer);
	assert_float_equal(s->v[0], 0.9, EPS);
	assert_float_equal(s->v[1], 0.9, EPS);
	assert_null(find(&set, "sweep randread 4k qd1 q1 scsi read iops [vs qsd]"));
	perf_cmp_set_free(&set);
	json_decref(root);
}

/* scsi 20% slower next to an unchanged vhost-user-blk: its own IOPS and its
 * ratio to blk regress, and both count. */
static void test_scsi_regressed(void **state)
{
	struct cmp c = {.base = scsi_scenario(0.95), .nw = scsi_scenario(0.76)};
	int seen = 0;

	(void)state;
	compare_docs(&c);
	for (size_t i = 0; i < c.rep.nrows; i++) {
		const struct perf_cmp_row *r = &c.rep.rows[i];

		if (strcmp(r->label, "sweep randread 4k qd32 q1 scsi read iops") == 0 ||
		    strcmp(r->label, "sweep randread 4k qd32 q1 scsi read iops [vs tgt]") == 0) {
			assert_int_equal(r->verdict, PERF_CMP_REGRESSED);
			assert_true(r->counted);
			seen++;
		}
		if (strcmp(r->label, "sweep randread 4k qd32 q1 read iops") == 0)
			assert_int_equal(r->verdict, PERF_CMP_WITHIN_NOISE);
	}
	assert_int_equal(seen, 2);
	compare_free(&c);
}

static void test_errors(void **state)
{
	char err[PERF_CMP_ERR_LEN];
	struct perf_cmp_set set;
	json_t *root = scenario(1, NULL);

	(void)state;
	/* The peer one round short: its runs cannot be paired. */
	json_array_remove(json_object_get(root, "steps"), 3);
	assert_int_equal(perf_cmp_set_from_json(&set, root, "r.json", err), -EINVAL);
	assert_string_equal(err, "r.json: sweep randread 4k qd32 q1 2 run(s) on tgt, 1 on qsd: "
				 "cannot pair them");
	json_decref(root);
	root = scenario(1, NULL);
	json_object_set_new(json_array_get(json_object_get(root, "steps"), 2), "ok", json_false());
	assert_int_equal(perf_cmp_set_from_json(&set, root, "r.json", err), -EINVAL);
	assert_string_equal(err, "r.json: step 3 failed: its run has no figures");
	json_decref(root);
	root = json_pack("{s:s, s:[{s:s}], s:[]}", "scenario", "x", "endpoints", "name", "tgt",
			 "steps");
	assert_int_equal(perf_cmp_set_from_json(&set, root, "r.json", err), -EINVAL);
	assert_string_equal(err, "r.json: scenario x: no io perf step");
	json_decref(root);
	/* scsi one round short at QD 32: every point needs a run per round. */
	root = scsi_scenario(1);
	json_array_remove(json_object_get(root, "steps"), 10);
	assert_int_equal(perf_cmp_set_from_json(&set, root, "r.json", err), -EINVAL);
	assert_string_equal(err, "r.json: sweep randread 4k qd32 q1 scsi 1 run(s), other points 2: "
				 "one run per round each");
	json_decref(root);
	/* Measured before vhost-user-blk (its point comes first) and a round
	 * short: its runs do not pair with tgt's vhost-user-blk ones. */
	root = scsi_scenario(1);
	json_array_remove(json_object_get(root, "steps"), 7);
	json_array_insert_new(json_object_get(root, "steps"), 0,
			      perf_step_on("scsi", "vhost-user-scsi:/tmp/s", 1, 900, 10));
	json_array_remove(json_object_get(root, "steps"), 2);
	assert_int_equal(perf_cmp_set_from_json(&set, root, "r.json", err), -EINVAL);
	assert_string_equal(err, "r.json: sweep randread 4k qd1 q1 scsi 1 run(s), 2 on tgt's "
				 "vhost-user-blk: cannot pair them");
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_points),	     cmocka_unit_test(test_thresholds),
	    cmocka_unit_test(test_peer_not_counted), cmocka_unit_test(test_several),
	    cmocka_unit_test(test_scsi_points),	     cmocka_unit_test(test_scsi_regressed),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
