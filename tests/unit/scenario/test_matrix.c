/* SPDX-License-Identifier: MIT */
/* lib/scenario: steps with a `matrix` (one copy per combination, the last key
 * fastest, values from sequences, ranges and lists), `thresholds`, `isolate`,
 * and the errors of each with their positions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/scenario.h"
#include "tests/unit/scenario/load_util.h"

#define HEAD                                                                                       \
	"name: m\n"                                                                                \
	"variables:\n"                                                                             \
	"  rounds: 2\n"                                                                            \
	"  qds: \"1,32\"\n"                                                                        \
	"endpoints:\n"                                                                             \
	"  - {name: tgt, type: storlab-tgt}\n"                                                     \
	"  - {name: qsd, type: qemu-storage-daemon, blockdev: \"driver=null-co,node-name=d0\"}\n"

static void test_expand(void **state)
{
	static const char text[] = HEAD "steps:\n"
					"  - sleep: 1\n"
					"  - name: \"r${round} qd${qd} ${ep}\"\n"
					"    matrix:\n"
					"      round: \"1..${rounds}\"\n"
					"      qd: \"${qds}\"\n"
					"      ep: [tgt, qsd]\n"
					"    io: {endpoint: \"${ep}\", controller: c, op: perf,\n"
					"         iodepth: \"${qd}\", isolate: true}\n"
					"  - expect: {status: ok}\n";
	static const char *const names[] = {"r1 qd1 tgt",  "r1 qd1 qsd", "r1 qd32 tgt",
					    "r1 qd32 qsd", "r2 qd1 tgt", "r2 qd1 qsd",
					    "r2 qd32 tgt", "r2 qd32 qsd"};
	struct sc_define d[] = {{"rounds", "2"}};
	struct scenario *sc;
	char err[512];

	(void)state;
	assert_int_equal(load(text, d, 1, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc->steps_count, 1 + 8 + 1);
	assert_int_equal(sc->steps[0].kind, SC_STEP_SLEEP);
	for (unsigned i = 0; i < 8; i++) {
		const struct sc_step *s = &sc->steps[1 + i];

		assert_int_equal(s->kind, SC_STEP_IO);
		assert_int_equal(s->line, 10);
		assert_int_equal(s->src, 1);
		assert_string_equal(s->name, names[i]);
		assert_string_equal(s->io->endpoint, i % 2 ? "qsd" : "tgt");
		assert_string_equal(s->io->iodepth, i % 4 < 2 ? "1" : "32");
		assert_string_equal(s->io->isolate, "true");
		assert_string_equal(json_string_value(json_object_get(s->matrix, "round")),
				    i < 4 ? "1" : "2");
	}
	assert_null(sc->steps[0].matrix);
	assert_int_equal(sc->steps[9].kind, SC_STEP_EXPECT);
	assert_int_equal(sc->steps[9].src, 2);
	/* The matrix's names are not variables of the scenario. */
	assert_int_equal(sc->nvars, 2);
	scenario_free(sc);
}

static void test_define_list(void **state)
{
	static const char text[] = HEAD "steps:\n"
					"  - matrix: {qd: \"${qds}\"}\n"
					"    io: {endpoint: qsd, op: perf, iodepth: \"${qd}\"}\n";
	struct sc_define d[] = {{"qds", "4,8,16"}};
	struct scenario *sc;
	char err[512];

	(void)state;
	assert_int_equal(load(text, d, 1, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc->steps_count, 3);
	assert_string_equal(sc->steps[2].io->iodepth, "16");
	scenario_free(sc);
}

static void test_thresholds(void **state)
{
	static const char text[] = HEAD "thresholds: {iops: 5, p99: 12.5}\n"
					"steps:\n"
					"  - sleep: 1\n";
	struct scenario *sc;
	char err[512];

	(void)state;
	assert_int_equal(load(text, NULL, 0, &sc, err, sizeof(err)), 0);
	assert_float_equal(json_number_value(json_object_get(sc->thresholds, "p99")), 12.5, 1e-9);
	scenario_free(sc);
	expect_error(HEAD "thresholds: {iops: fast}\nsteps:\n  - sleep: 1\n",
		     "t.yaml:8:20: expected a percent >= 0 for threshold 'iops'");
	expect_error(HEAD "thresholds: [iops]\nsteps:\n  - sleep: 1\n",
		     "t.yaml:8:13: expected a mapping of metric: percent for 'thresholds'");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(HEAD "steps:\n  - matrix: {rounds: [1]}\n    sleep: 1\n",
		     "t.yaml:9:14: matrix key 'rounds' is also a variable");
	expect_error(HEAD "steps:\n  - matrix: {x: \"3..1\"}\n    sleep: 1\n",
		     "t.yaml:9:17: expected a sequence, \"A..B\" or \"a,b,...\" for matrix key "
		     "'x' (at most 1024 values)");
	expect_error(HEAD "steps:\n  - matrix: {x: \"1,,2\"}\n    sleep: 1\n",
		     "t.yaml:9:17: expected a sequence, \"A..B\" or \"a,b,...\" for matrix key "
		     "'x' (at most 1024 values)");
	expect_error(HEAD "steps:\n  - matrix: {x: [[1]]}\n    sleep: 1\n",
		     "t.yaml:9:18: expected a scalar in matrix key 'x'");
	expect_error(HEAD "steps:\n  - matrix: [x]\n    sleep: 1\n",
		     "t.yaml:9:13: expected a mapping of name: values for 'matrix'");
	expect_error(HEAD "steps:\n  - matrix: {x: [a]}\n    expect: {status: ok}\n",
		     "t.yaml:9:13: 'matrix' applies to rpc, io and sleep steps");
	expect_error(HEAD "steps:\n  - matrix: {x: \"0..99\", y: \"0..99\"}\n    sleep: 1\n",
		     "t.yaml:9:13: a matrix makes at most 4096 steps");
	expect_error(HEAD "steps:\n  - matrix: {x: [a]}\n    sleep: \"${y}\"\n",
		     "t.yaml:10:12: undefined variable 'y'");
	/* An error in a copy is reported at the step's line, and nothing leaks. */
	expect_error(HEAD "steps:\n  - matrix: {ep: [tgt, nope]}\n"
			  "    io: {endpoint: \"${ep}\", controller: c, op: info}\n",
		     "t.yaml:10:20: undefined endpoint 'nope'");
	expect_error(HEAD "steps:\n  - io: {endpoint: qsd, op: perf, isolate: yes}\n",
		     "t.yaml:9:44: bad value 'yes' for 'isolate': expected true or false");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_define_list),
	    cmocka_unit_test(test_thresholds),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
