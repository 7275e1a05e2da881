/* SPDX-License-Identifier: MIT */
/* A job's options as users write them (perf_job_set, perf/job.c): the one
 * parser behind storlab perf's options and a scenario's perf step. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perf/bs.h"
#include "perf/perf.h"

static void test_sets_each_option(void **state)
{
	struct perf_job job;
	struct perf_bs bs;

	(void)state;
	perf_job_defaults(&job);
	assert_int_equal(job.iodepth, 32);
	assert_null(job.bs_spec);
	assert_int_equal(perf_job_set(&job, &bs, "rw", "randrw"), 0);
	assert_int_equal(job.rw, PERF_RW_RANDRW);
	assert_int_equal(perf_job_set(&job, &bs, "bs", "4k-16k"), 0);
	assert_ptr_equal(job.bs_spec, &bs);
	assert_int_equal(job.bs, 4096);
	assert_int_equal(bs.max, 16384);
	assert_int_equal(perf_job_set(&job, &bs, "iodepth", "128"), 0);
	assert_int_equal(job.iodepth, 128);
	assert_int_equal(perf_job_set(&job, &bs, "queues", "4"), 0);
	assert_int_equal(job.queues, 4);
	assert_int_equal(perf_job_set(&job, &bs, "time", "250ms"), 0);
	assert_true(job.seconds > 0.249 && job.seconds < 0.251);
	assert_int_equal(perf_job_set(&job, &bs, "ramp", "0"), 0);
	assert_int_equal(perf_job_set(&job, &bs, "size", "1M"), 0);
	assert_int_equal(job.size, 1 << 20);
	assert_int_equal(perf_job_set(&job, &bs, "rwmixread", "70"), 0);
	assert_int_equal(job.rwmixread, 70);
	assert_int_equal(perf_job_set(&job, &bs, "verify", "true"), 0);
	assert_true(job.verify);
	assert_int_equal(perf_job_set(&job, &bs, "verify", "false"), 0);
	assert_false(job.verify);
	assert_int_equal(perf_job_set(&job, &bs, "rate-iops", "1000"), 0);
	assert_int_equal(job.rate_iops, 1000);
}

/* A bad value is refused and leaves the field as it was. */
static void test_refuses_bad_values(void **state)
{
	struct perf_job job;
	struct perf_bs bs;

	(void)state;
	perf_job_defaults(&job);
	assert_int_equal(perf_job_set(&job, &bs, "iodepth", "0"), -EINVAL);
	assert_int_equal(perf_job_set(&job, &bs, "iodepth", "32769"), -EINVAL);
	assert_int_equal(job.iodepth, 32);
	assert_int_equal(perf_job_set(&job, &bs, "queues", "65"), -EINVAL);
	assert_int_equal(job.queues, 1);
	assert_int_equal(perf_job_set(&job, &bs, "rwmixread", "101"), -EINVAL);
	assert_int_equal(job.rwmixread, 50);
	assert_int_equal(perf_job_set(&job, &bs, "time", "0"), -EINVAL);
	assert_int_equal(perf_job_set(&job, &bs, "time", "-1"), -EINVAL);
	assert_int_equal(perf_job_set(&job, &bs, "verify", "yes"), -EINVAL);
	assert_int_equal(perf_job_set(&job, &bs, "rw", "readwrite"), -EINVAL);
	assert_int_equal(perf_job_set(&job, &bs, "bs", "3000"), -EINVAL);
	assert_null(job.bs_spec);
	assert_int_equal(perf_job_set(&job, &bs, "depth", "1"), -ENOENT);
}

/* One of bs and bssplit, once. */
static void test_one_size_option(void **state)
{
	struct perf_job job;
	struct perf_bs bs;

	(void)state;
	perf_job_defaults(&job);
	assert_int_equal(perf_job_set(&job, &bs, "bssplit", "4k/70:16k/30"), 0);
	assert_int_equal(perf_job_set(&job, &bs, "bs", "4k"), -EEXIST);
	assert_int_equal(perf_job_set(&job, &bs, "bssplit", "4k/100"), -EEXIST);
	assert_int_equal(bs.kind, PERF_BS_SPLIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sets_each_option),
	    cmocka_unit_test(test_refuses_bad_values),
	    cmocka_unit_test(test_one_size_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
