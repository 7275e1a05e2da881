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
	assert_int_equal(perf_rw_parse("rw", &rw), -EINVAL);
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
	json_decref(root);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_report_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
