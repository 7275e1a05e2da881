/* SPDX-License-Identifier: MIT */
/* A scenario's endpoints as lib/endpoint runs them (lib/scenario/endpoint.c):
 * the type names the kind, the keys its options, and each kind names its
 * device URIs; nothing is started here (tests/unit/endpoint does that). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/endpoint.h"
#include "tests/unit/scenario/load_util.h"

#define EPS                                                                                        \
	"name: t\n"                                                                                \
	"variables: {scheme: nvme-tcp, sock: /run/x.sock}\n"                                       \
	"endpoints:\n"                                                                             \
	"  - {name: tgt, type: storlab-tgt, cpumask: '0x2',\n"                                     \
	"     rpc: [{method: bdev_malloc_create, params: {name: M0}}]}\n"                          \
	"  - {name: qsd, type: qemu-storage-daemon, blockdev: 'driver=null-co,node-name=d0'}\n"    \
	"  - {name: dut, type: socket, path: \"${sock}\"}\n"                                       \
	"  - {name: other, type: socket, path: /y.sock, scheme: \"${scheme}\"}\n"                  \
	"steps:\n"                                                                                 \
	"  - sleep: 1\n"

static void test_kinds_and_uris(void **state)
{
	const struct scenario_run_opts opts = {.start_timeout_ms = 1234};
	char dir[] = "/tmp/sl-ut-scep-XXXXXX", err[512], uri[PATH_MAX + 64], want[PATH_MAX + 64];
	struct sc_ep e[4];
	struct scenario *sc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(load(EPS, NULL, 0, &sc, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(sc_ep_init(&e[i], &sc->endpoints[i], &opts, dir, err, sizeof(err)),
				 0);
	assert_ptr_equal(endpoint_kind(e[0].ep), &g_endpoint_tgt);
	assert_ptr_equal(endpoint_kind(e[1].ep), &g_endpoint_qsd);
	assert_ptr_equal(endpoint_kind(e[2].ep), &g_endpoint_socket);
	/* The set-up calls and options reach the endpoint as the file has them. */
	assert_int_equal(e[0].cfg.nsetup, 1);
	assert_string_equal(e[0].cfg.setup[0].method, "bdev_malloc_create");
	assert_int_equal(e[0].cfg.setup[0].line, 5);
	assert_string_equal(e[0].cfg.cpumask, "0x2");
	assert_int_equal(e[0].cfg.start_timeout_ms, 1234);
	/* Logs next to their directories in the work directory. */
	snprintf(want, sizeof(want), "%s/tgt.log", dir);
	assert_string_equal(endpoint_log(e[0].ep), want);
	/* URIs: qemu-storage-daemon's socket in its directory; a socket's
	 * scheme is vhost-user-blk unless the file names another. */
	assert_int_equal(endpoint_uri(e[1].ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "vhost-user-blk:%s/qsd/qsd.sock", dir);
	assert_string_equal(uri, want);
	assert_int_equal(endpoint_uri(e[2].ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	assert_string_equal(uri, "vhost-user-blk:/run/x.sock");
	assert_int_equal(endpoint_uri(e[3].ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	assert_string_equal(uri, "nvme-tcp:/y.sock");
	/* storlab-tgt is asked which socket a controller has: without one
	 * running, that is an error, not a guessed path. */
	assert_int_equal(endpoint_uri(e[0].ep, "vhost.0", uri, sizeof(uri), err, sizeof(err)),
			 -ENOTCONN);
	for (unsigned i = 0; i < 4; i++)
		sc_ep_fini(&e[i]);
	scenario_free(sc);
	snprintf(want, sizeof(want), "rm -rf '%s'", dir);
	assert_int_equal(system(want), 0);
}

/* `bin` runs a build of one's own (tests/mutants runs mutated targets so):
 * it wins over the run's default program; a socket runs none. */
static void test_bin(void **state)
{
	const struct scenario_run_opts opts = {.tgt_path = "/usr/bin/storlab-tgt"};
	char dir[] = "/tmp/sl-ut-scep-XXXXXX", err[512], cmd[64];
	struct sc_ep e[3];
	struct scenario *sc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(load("name: t\n"
			      "variables: {tgt: /build/m7/storlab-tgt}\n"
			      "endpoints:\n"
			      "  - {name: mine, type: storlab-tgt, bin: \"${tgt}\"}\n"
			      "  - {name: stock, type: storlab-tgt}\n"
			      "  - {name: qsd, type: qemu-storage-daemon, bin: /opt/qsd,\n"
			      "     blockdev: 'driver=null-co,node-name=d0'}\n"
			      "steps:\n"
			      "  - sleep: 1\n",
			      NULL, 0, &sc, err, sizeof(err)),
			 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(sc_ep_init(&e[i], &sc->endpoints[i], &opts, dir, err, sizeof(err)),
				 0);
	assert_string_equal(e[0].cfg.bin, "/build/m7/storlab-tgt");
	assert_string_equal(e[1].cfg.bin, "/usr/bin/storlab-tgt");
	assert_string_equal(e[2].cfg.bin, "/opt/qsd");
	for (unsigned i = 0; i < 3; i++)
		sc_ep_fini(&e[i]);
	scenario_free(sc);
	expect_error("name: t\n"
		     "endpoints:\n"
		     "  - {name: dut, type: socket, path: /x.sock, bin: /opt/tgt}\n"
		     "steps:\n"
		     "  - sleep: 1\n",
		     "t.yaml:3:46: 'bin' needs an endpoint that runs a program, not a socket");
	expect_error("name: t\n"
		     "variables: {tgt: \"\"}\n"
		     "endpoints:\n"
		     "  - {name: base, type: storlab-tgt, bin: \"${tgt}\"}\n"
		     "steps:\n"
		     "  - sleep: 1\n",
		     "t.yaml:4:42: 'bin' is empty: give the program's path (with -D if it is a "
		     "variable)");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kinds_and_uris),
	    cmocka_unit_test(test_bin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
