/* SPDX-License-Identifier: MIT */
/* lib/scenario: the loader on good files, every kind of malformed input with
 * its exact position, and variable substitution. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/scenario.h"
#include "tests/unit/scenario/load_util.h"

#define GOOD                                                                                       \
	"name: t\n"                                                                                \
	"variables:\n"                                                                             \
	"  ctrlr: vhost.0\n"                                                                       \
	"  blocks: 2048\n"                                                                         \
	"endpoints:\n"                                                                             \
	"  - name: tgt\n"                                                                          \
	"    type: storlab-tgt\n"                                                                  \
	"steps:\n"                                                                                 \
	"  - rpc:\n"                                                                               \
	"      endpoint: tgt\n"                                                                    \
	"      method: bdev_malloc_create\n"                                                       \
	"      params: {name: M0, num_blocks: \"${blocks}\", q: \"${blocks}\", s: "                \
	"\"x${blocks}\"}\n"                                                                        \
	"  - io: {endpoint: tgt, controller: \"${ctrlr}\", op: verify, size: 1M}\n"                \
	"  - expect: {field: bad_sectors, equals: 0}\n"                                            \
	"  - sleep: 10\n"

static void test_good(void **state)
{
	struct scenario *sc;
	char err[512];

	(void)state;
	assert_int_equal(load(GOOD, NULL, 0, &sc, err, sizeof(err)), 0);
	assert_string_equal(sc->name, "t");
	assert_int_equal(sc->endpoints_count, 1);
	assert_int_equal(sc->endpoints[0].type, SC_EP_TGT);
	assert_int_equal(sc->steps_count, 4);
	assert_int_equal(sc->steps[0].kind, SC_STEP_RPC);
	assert_int_equal(sc->steps[0].line, 9);
	/* plain ${blocks} becomes a number, quoted stays a string */
	assert_int_equal(
	    json_integer_value(json_object_get(sc->steps[0].rpc->params, "num_blocks")), 2048);
	assert_int_equal(json_integer_value(json_object_get(sc->steps[0].rpc->params, "q")), 2048);
	assert_string_equal(json_string_value(json_object_get(sc->steps[0].rpc->params, "s")),
			    "x2048");
	assert_int_equal(sc->steps[1].kind, SC_STEP_IO);
	assert_int_equal(sc->steps[1].io->op, SC_IO_VERIFY);
	assert_string_equal(sc->steps[1].io->controller, "vhost.0");
	assert_string_equal(sc->steps[1].io->size, "1M");
	assert_int_equal(sc->steps[2].kind, SC_STEP_EXPECT);
	assert_int_equal(json_integer_value(sc->steps[2].expect->equals), 0);
	assert_int_equal(sc->steps[3].kind, SC_STEP_SLEEP);
	scenario_free(sc);
}

static void test_define(void **state)
{
	struct sc_define d[] = {{"ctrlr", "vhost.7"}};
	struct sc_define bad[] = {{"nope", "1"}};
	struct scenario *sc;
	char err[512];

	(void)state;
	assert_int_equal(load(GOOD, d, 1, &sc, err, sizeof(err)), 0);
	assert_string_equal(sc->steps[1].io->controller, "vhost.7");
	scenario_free(sc);
	assert_int_equal(load(GOOD, bad, 1, &sc, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml: -D nope: the scenario has no variable 'nope'");
}

static void test_subst(void **state)
{
	struct sc_var vars[] = {{"a", "x"}, {"long_name", "yz"}};
	struct scenario sc = {.vars = vars, .nvars = 2};
	char err[128], *out;

	(void)state;
	assert_int_equal(sc_subst(&sc, "p${a}q${long_name}$${a}", &out, err, sizeof(err)), 0);
	assert_string_equal(out, "pxqyz${a}");
	free(out);
	assert_int_equal(sc_subst(&sc, "${b}", &out, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "undefined variable 'b'");
	assert_int_equal(sc_subst(&sc, "x${a", &out, err, sizeof(err)), -EINVAL);
}

static void test_syntax_error(void **state)
{
	(void)state;
	expect_error("name: t\nsteps:\n  - a: [1, 2\n  - b\n",
		     "t.yaml:5:1: did not find expected ',' or ']' while parsing a flow sequence");
}

static void test_wrong_type(void **state)
{
	(void)state;
	expect_error("name: t\nendpoints: 3\nsteps: []\n",
		     "t.yaml:2:12: expected a SEQUENCE for 'endpoints', got a scalar");
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error("name: t\nendpoints:\n  - name: a\n    type: socket\n    path: /x\n"
		     "    colour: red\nsteps:\n  - sleep: 1\n",
		     "t.yaml:6:5: unknown key 'colour'");
}

static void test_missing_key(void **state)
{
	(void)state;
	expect_error("name: t\nendpoints:\n  - type: socket\n    path: /x\nsteps:\n  - sleep: 1\n",
		     "t.yaml:3:5: missing required key 'name'");
	expect_error("name: t\nendpoints:\n  - name: q\n    type: qemu-storage-daemon\n"
		     "steps:\n  - sleep: 1\n",
		     "t.yaml:3:5: missing required key 'blockdev' for a qemu-storage-daemon "
		     "endpoint");
}

static void test_bad_enum(void **state)
{
	(void)state;
	expect_error("name: t\nendpoints:\n  - name: a\n    type: spdk\nsteps:\n  - sleep: 1\n",
		     "t.yaml:4:11: bad value 'spdk' for 'type': expected one of storlab-tgt, "
		     "qemu-storage-daemon, socket");
}

static void test_undefined_endpoint(void **state)
{
	(void)state;
	expect_error("name: t\nendpoints:\n  - {name: a, type: socket, path: /x}\nsteps:\n"
		     "  - sleep: 1\n  - rpc: {endpoint: b, method: m}\n",
		     "t.yaml:6:21: undefined endpoint 'b'");
}

static void test_undefined_variable(void **state)
{
	(void)state;
	expect_error("name: t\nendpoints:\n  - {name: a, type: socket, path: /x}\nsteps:\n"
		     "  - sleep: 1\n  - io: {endpoint: a, op: info, bs: \"${bs}\"}\n",
		     "t.yaml:6:37: undefined variable 'bs'");
	expect_error("name: t\nendpoints:\n  - {name: a, type: socket, path: /x}\nsteps:\n"
		     "  - rpc: {endpoint: a, method: m, params: {x: [1, \"${y}\"]}}\n",
		     "t.yaml:5:51: undefined variable 'y'");
}

static void test_step_kinds(void **state)
{
	(void)state;
	expect_error("name: t\nendpoints:\n  - {name: a, type: socket, path: /x}\nsteps:\n"
		     "  - sleep: 1\n    restart: {endpoint: a}\n",
		     "t.yaml:5:5: a step needs exactly one of rpc, io, conform, disconnect, "
		     "restart, expect, sleep, migrate, replay (found 2)");
}

#define TGT_AND_SOCKET                                                                             \
	"name: t\nendpoints:\n  - {name: a, type: socket, path: /x}\n"                             \
	"  - {name: g, type: storlab-tgt}\nsteps:\n"

static void test_migrate_step(void **state)
{
	struct scenario *sc;
	const char *doc = TGT_AND_SOCKET "  - migrate: {source: g, source_controller: v0, dest: a, "
					 "stop_inflight: true, qd: \"${n}\"}\n"
					 "variables: {n: 4}\n";
	char err[512];

	(void)state;
	assert_int_equal(load(doc, NULL, 0, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc->steps[0].kind, SC_STEP_MIGRATE);
	assert_string_equal(sc->steps[0].migrate->source_controller, "v0");
	assert_string_equal(sc->steps[0].migrate->qd, "4");
	assert_null(sc->steps[0].migrate->dest_controller);
	scenario_free(sc);
	/* Each end is checked as an io step's endpoint is, at its own key. */
	expect_error(TGT_AND_SOCKET "  - migrate: {source: a, dest: b}\n",
		     "t.yaml:6:32: undefined endpoint 'b'");
	expect_error(TGT_AND_SOCKET "  - migrate: {source: a, dest: g}\n",
		     "t.yaml:6:14: missing required key 'dest_controller' (endpoint 'g' is a "
		     "storlab-tgt)");
	expect_error(TGT_AND_SOCKET "  - migrate: {source: a, dest: a, record: t, count: 2}\n",
		     "t.yaml:6:14: 'record' records one migration: count must be 1");
	expect_error(TGT_AND_SOCKET "  - migrate: {source: a, dest: a, stop_inflight: 1}\n",
		     "t.yaml:6:50: bad value '1' for 'stop_inflight': expected true or false");
}

static void test_replay_step(void **state)
{
	struct scenario *sc;
	const char *doc = TGT_AND_SOCKET "  - replay: {trace: \"${t}\", target: g, "
					 "target_controller: v0, crash_after: GET_VRING_BASE:1}\n"
					 "variables: {t: m.pcapng}\n";
	char err[512];

	(void)state;
	assert_int_equal(load(doc, NULL, 0, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc->steps[0].kind, SC_STEP_REPLAY);
	assert_string_equal(sc->steps[0].replay->trace, "m.pcapng");
	assert_string_equal(sc->steps[0].replay->crash_after, "GET_VRING_BASE:1");
	assert_null(sc->steps[0].replay->crash_matrix);
	scenario_free(sc);
	/* Its crashes kill the target: not a socket the scenario did not start. */
	expect_error(TGT_AND_SOCKET "  - replay: {trace: m, target: a, crash_matrix: true}\n",
		     "t.yaml:6:13: crash_matrix and crash_after kill and restart 'a': a socket "
		     "endpoint is not spawned by the scenario");
	expect_error(TGT_AND_SOCKET "  - replay: {trace: m, target: a, crash_matrix: 1}\n",
		     "t.yaml:6:49: bad value '1' for 'crash_matrix': expected true or false");
	/* crash_stride samples a crash matrix: a count, with crash_matrix. */
	expect_error(TGT_AND_SOCKET "  - replay: {trace: m, target: g, target_controller: v0, "
				    "crash_stride: 0, crash_matrix: true}\n",
		     "t.yaml:6:72: bad value '0' for 'crash_stride': a count from 1");
	expect_error(TGT_AND_SOCKET "  - replay: {trace: m, target: g, target_controller: v0, "
				    "crash_stride: 4}\n",
		     "t.yaml:6:13: crash_stride samples a crash matrix: it needs crash_matrix: "
		     "true");
}

static void test_not_a_mapping(void **state)
{
	(void)state;
	expect_error("", "t.yaml:1:1: expected a mapping (name, endpoints, steps)");
	expect_error("- 1\n", "t.yaml:1:1: expected a mapping (name, endpoints, steps)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_define),
	    cmocka_unit_test(test_subst),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_wrong_type),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_missing_key),
	    cmocka_unit_test(test_bad_enum),
	    cmocka_unit_test(test_undefined_endpoint),
	    cmocka_unit_test(test_undefined_variable),
	    cmocka_unit_test(test_step_kinds),
	    cmocka_unit_test(test_not_a_mapping),
	    cmocka_unit_test(test_migrate_step),
	    cmocka_unit_test(test_replay_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
