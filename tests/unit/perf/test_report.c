/* SPDX-License-Identifier: MIT */
/* perf's option parsing and its fio-shaped JSON report. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "perf/perf.h"
#include "perf/report.h"

static void test_parse(void **state)
{
	struct perf_job job = {0};
	enum perf_completion c;
	enum perf_rw rw;

	(void)state;
	assert_int_equal(perf_cpus_parse("1", &job), 0);
	assert_int_equal(job.ncpus, 1);
	assert_int_equal(job.cpus[0], 1);
	assert_int_equal(perf_cpus_parse("0,2,4-5", &job), 0);
	assert_int_equal(job.ncpus, 4);
	assert_int_equal(job.cpus[0], 0);
	assert_int_equal(job.cpus[1], 2);
	assert_int_equal(job.cpus[2], 4);
	assert_int_equal(job.cpus[3], 5);
	assert_int_equal(perf_cpus_parse("x", &job), -EINVAL);
	assert_int_equal(perf_cpus_parse("", &job), -EINVAL);
	assert_int_equal(job.ncpus, 4); /* unchanged on error */
	assert_int_equal(perf_rw_parse("randwrite", &rw), 0);
	assert_int_equal(rw, PERF_RW_RANDWRITE);
	assert_string_equal(perf_rw_name(rw), "randwrite");
	assert_int_equal(perf_rw_parse("randrw", &rw), 0);
	assert_int_equal(rw, PERF_RW_RANDRW);
	assert_true(perf_rw_reads(rw) && perf_rw_writes(rw) && perf_rw_random(rw));
	assert_int_equal(perf_rw_parse("rw", &rw), 0);
	assert_string_equal(perf_rw_name(rw), "rw");
	assert_false(perf_rw_random(rw));
	assert_false(perf_rw_writes(PERF_RW_RANDREAD));
	assert_false(perf_rw_reads(PERF_RW_WRITE));
	assert_int_equal(perf_rw_parse("trim", &rw), -EINVAL);
	assert_int_equal(perf_completion_parse("event", &c), 0);
	assert_int_equal(c, PERF_COMPLETION_EVENT);
	assert_int_equal(perf_completion_parse("irq", &c), -EINVAL);
}

static json_int_t int_at(json_t *obj, const char *k1, const char *k2)
{
	json_t *v = json_object_get(k2 ? json_object_get(obj, k1) : obj, k2 ? k2 : k1);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* 4000 reads of 4 KiB in 2 s, latencies 1..4000 us. */
static void test_report_fields(void **state)
{
	struct perf_job job = {.uri = "vhost-user-blk:/x",
			       .rw = PERF_RW_RANDREAD,
			       .bs = 4096,
			       .iodepth = 8,
			       .queues = 2,
			       .seconds = 2,
			       .ncpus = 2,
			       .cpus = {0, 1}};
	struct perf_result *res = calloc(1, sizeof(*res));
	json_t *root, *job0, *read, *clat, *pct;

	(void)state;
	hist_init(&res->read.clat);
	hist_init(&res->write.clat);
	for (uint64_t i = 1; i <= 4000; i++)
		hist_record(&res->read.clat, i * 1000);
	res->read.ios = 4000;
	res->read.bytes = 4000 * 4096;
	res->seconds = 2;
	res->usr_cpu = 150;
	res->cpu_ns_per_io = 750;
	res->series_len = 2;
	res->read.ios_series = (uint64_t[]){1500, 2500};
	res->read.bytes_series = (uint64_t[]){1500 * 4096, 2500 * 4096};
	res->threads = 2;
	root = perf_report_json(&job, res);
	assert_non_null(root);
	job0 = json_array_get(json_object_get(root, "jobs"), 0);
	assert_non_null(job0);
	read = json_object_get(job0, "read");
	assert_true(json_real_value(json_object_get(read, "iops")) == 2000.0);
	assert_int_equal(int_at(read, "bw_bytes", NULL), 2000 * 4096);
	assert_int_equal(int_at(read, "bw", NULL), 2000 * 4);
	assert_int_equal(int_at(read, "runtime", NULL), 2000);
	assert_int_equal(int_at(read, "total_ios", NULL), 4000);
	clat = json_object_get(read, "clat_ns");
	assert_int_equal(int_at(clat, "min", NULL), 1000);
	assert_int_equal(int_at(clat, "max", NULL), 4000000);
	assert_int_equal(int_at(clat, "N", NULL), 4000);
	assert_true(json_real_value(json_object_get(clat, "mean")) == 2000500.0);
	pct = json_object_get(clat, "percentile");
	assert_int_equal(json_object_size(pct), g_perf_npercentiles);
	assert_in_range(int_at(pct, "50.000000", NULL), 2000000 - 15625, 2000000 + 15625);
	assert_in_range(int_at(pct, "99.000000", NULL), 3960000 - 30938, 3960000 + 30938);
	assert_non_null(json_object_get(pct, "99.990000"));
	assert_int_equal(int_at(json_object_get(job0, "write"), "total_ios", NULL), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(job0, "job options"), "rw")),
	    "randread");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(job0, "job options"), "cpus")),
	    "0,1");
	assert_true(json_real_value(json_object_get(job0, "usr_cpu")) == 150.0);
	assert_true(json_real_value(json_object_get(job0, "cpu_ns_per_io")) == 750.0);
	assert_int_equal(int_at(clat, "min", NULL), 1000);
	assert_non_null(json_object_get(pct, "90.000000"));
	assert_int_equal(json_array_size(json_object_get(read, "iops_series")), 2);
	assert_int_equal(
	    json_integer_value(json_array_get(json_object_get(read, "iops_series"), 1)), 2500);
	assert_int_equal(
	    json_integer_value(json_array_get(json_object_get(read, "bw_bytes_series"), 0)),
	    1500 * 4096);
	/* A direction without series arrays (set by perf_run() only) prints an empty one. */
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(job0, "write"), "iops_series")), 0);
	json_decref(root);
	free(res);
}

/* --histogram-out: the non-empty buckets with their bounds, in order, adding
 * up to N; each recorded value inside its bucket. */
static void test_histogram_json(void **state)
{
	static const uint64_t values[] = {3, 100, 100, 5000, 1000000};
	struct perf_result *res = calloc(1, sizeof(*res));
	json_t *h, *b;
	uint64_t sum = 0;

	(void)state;
	hist_init(&res->read.clat);
	hist_init(&res->write.clat);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		hist_record(&res->read.clat, values[i]);
	h = perf_histogram_json(res);
	assert_non_null(h);
	assert_int_equal(int_at(h, "sub_bucket_bits", NULL), HIST_SUB_BITS);
	assert_int_equal(int_at(json_object_get(h, "read"), "N", NULL), 5);
	b = json_object_get(json_object_get(h, "read"), "buckets");
	assert_int_equal(json_array_size(b), 4);
	for (size_t i = 0; i < json_array_size(b); i++) {
		json_t *e = json_array_get(b, i);

		sum += (uint64_t)int_at(e, "count", NULL);
		assert_true(int_at(e, "low_ns", NULL) <= int_at(e, "high_ns", NULL));
	}
	assert_int_equal(sum, 5);
	assert_int_equal(int_at(json_array_get(b, 1), "count", NULL), 2);
	assert_true(int_at(json_array_get(b, 3), "low_ns", NULL) <= 1000000);
	assert_true(int_at(json_array_get(b, 3), "high_ns", NULL) >= 1000000);
	assert_int_equal(json_array_size(json_object_get(json_object_get(h, "write"), "buckets")),
			 0);
	json_decref(h);
	free(res);
}

/* Sizes as asked (fio's "bs" or "bssplit"), and --verify's object: the
 * counts, and the first mismatch of the run before the read-back's. */
static void test_bs_and_verify_json(void **state)
{
	struct perf_job job = {.uri = "vhost-user-blk:/x",
			       .rw = PERF_RW_RANDRW,
			       .iodepth = 8,
			       .queues = 1,
			       .seconds = 1,
			       .verify = true};
	struct perf_result *res = calloc(1, sizeof(*res));
	struct perf_bs bs;
	json_t *root, *job0, *opts, *v, *m;

	(void)state;
	assert_int_equal(perf_bs_fixed(&bs, 4096), 0);
	bs.kind = PERF_BS_SPLIT; /* as perf_bssplit_parse("4k/60:8k/40") leaves it */
	bs.nsizes = 2;
	bs.size[0] = 4096;
	bs.pct[0] = 60;
	bs.size[1] = 8192;
	bs.pct[1] = 40;
	job.bs_spec = &bs;
	res->verify = (struct perf_verify_result){
	    .seed = 0xfedcba9876543210ULL,
	    .written = 10,
	    .unknown = 2,
	    .run = {.checked = 30,
		    .mismatches = 1,
		    .have_first = true,
		    .first = {.lba = 24, .fault = PATTERN_NO_STAMP, .expected = {.seq = 3}}},
	    .readback = {.checked = 10,
			 .mismatches = 2,
			 .have_first = true,
			 .first = {.lba = 8, .fault = PATTERN_STALE_SEQ}}};
	hist_init(&res->read.clat);
	hist_init(&res->write.clat);
	root = perf_report_json(&job, res);
	job0 = json_array_get(json_object_get(root, "jobs"), 0);
	opts = json_object_get(job0, "job options");
	assert_string_equal(json_string_value(json_object_get(opts, "bssplit")), "4096/60:8192/40");
	assert_null(json_object_get(opts, "bs"));
	assert_string_equal(json_string_value(json_object_get(opts, "verify")), "pattern");
	v = json_object_get(job0, "verify");
	assert_string_equal(json_string_value(json_object_get(v, "seed")), "0xfedcba9876543210");
	assert_int_equal(int_at(v, "blocks_written", NULL), 10);
	assert_int_equal(int_at(v, "blocks_unknown", NULL), 2);
	assert_int_equal(int_at(v, "blocks_checked", NULL), 40);
	assert_int_equal(int_at(v, "checked_in_run", NULL), 30);
	assert_int_equal(int_at(v, "mismatches", NULL), 3);
	assert_int_equal(int_at(v, "errors", NULL), 0);
	m = json_object_get(v, "first_mismatch");
	assert_string_equal(json_string_value(json_object_get(m, "phase")), "run");
	assert_int_equal(int_at(m, "lba", NULL), 24);
	assert_string_equal(json_string_value(json_object_get(m, "fault")), "no-stamp");
	assert_int_equal(int_at(m, "expected_seq", NULL), 3);
	assert_true(json_is_null(json_object_get(m, "found")));
	json_decref(root);

	/* A range is "bs"; no verify, no object. */
	assert_int_equal(perf_bs_fixed(&bs, 4096), 0);
	bs.kind = PERF_BS_RANGE;
	bs.max = 65536;
	job.verify = false;
	root = perf_report_json(&job, res);
	job0 = json_array_get(json_object_get(root, "jobs"), 0);
	opts = json_object_get(job0, "job options");
	assert_string_equal(json_string_value(json_object_get(opts, "bs")), "4096-65536");
	assert_null(json_object_get(opts, "bssplit"));
	assert_null(json_object_get(job0, "verify"));
	json_decref(root);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_report_fields),
	    cmocka_unit_test(test_histogram_json),
	    cmocka_unit_test(test_bs_and_verify_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
