/* SPDX-License-Identifier: MIT */
/* storlab rpc: argv -> JSON params for every method of the table, compared
 * with what SPDK's rpc.py sends (cli/rpc_args.c compiled in). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cli/rpc_args.c"

#define MAX_ARGS 16

struct rpc_case {
	const char *argv[MAX_ARGS]; /* method, then its arguments */
	const char *params;	    /* expected JSON, "null" for none, NULL: an error */
};

static const struct rpc_case g_cases[] = {
    {{"bdev_malloc_create", "-b", "Malloc0", "64", "512"},
     "{\"name\": \"Malloc0\", \"num_blocks\": 131072, \"block_size\": 512}"},
    {{"bdev_malloc_create", "1.5", "4096", "-u", "u-1"},
     "{\"uuid\": \"u-1\", \"num_blocks\": 384, \"block_size\": 4096}"},
    {{"bdev_malloc_create", "--name=M1", "1", "4096"},
     "{\"name\": \"M1\", \"num_blocks\": 256, \"block_size\": 4096}"},
    {{"bdev_malloc_delete", "Malloc0"}, "{\"name\": \"Malloc0\"}"},
    {{"bdev_null_create", "Null0", "1024", "4096"},
     "{\"name\": \"Null0\", \"num_blocks\": 262144, \"block_size\": 4096}"},
    {{"bdev_null_delete", "Null0"}, "{\"name\": \"Null0\"}"},
    {{"bdev_null_resize", "Null0", "128"}, "{\"name\": \"Null0\", \"new_size\": 128}"},
    {{"bdev_uring_create", "/tmp/f.img", "U0"}, "{\"filename\": \"/tmp/f.img\", \"name\": \"U0\"}"},
    {{"bdev_uring_create", "/tmp/f.img", "U0", "4096"},
     "{\"filename\": \"/tmp/f.img\", \"name\": \"U0\", \"block_size\": 4096}"},
    {{"bdev_uring_delete", "U0"}, "{\"name\": \"U0\"}"},
    {{"bdev_uring_rescan", "U0"}, "{\"name\": \"U0\"}"},
    {{"bdev_aio_create", "/tmp/f.img", "A0", "512"},
     "{\"filename\": \"/tmp/f.img\", \"name\": \"A0\", \"block_size\": 512}"},
    {{"bdev_aio_delete", "A0"}, "{\"name\": \"A0\"}"},
    {{"bdev_aio_rescan", "A0"}, "{\"name\": \"A0\"}"},
    /* rpc.py's example: -b -d -r -t -w -n */
    {{"bdev_delay_create", "-b", "Null0", "-d", "delay0", "-r", "10", "-t", "50", "-w", "30",
      "-n", "90"},
     "{\"base_bdev_name\": \"Null0\", \"name\": \"delay0\", \"avg_read_latency\": 10, "
     "\"p99_read_latency\": 50, \"avg_write_latency\": 30, \"p99_write_latency\": 90}"},
    {{"bdev_delay_create", "--base-bdev-name", "M0", "--name", "d1", "--avg-read-latency",
      "1", "--nine-nine-read-latency", "2", "--avg-write-latency", "3",
      "--nine-nine-write-latency", "4"},
     "{\"base_bdev_name\": \"M0\", \"name\": \"d1\", \"avg_read_latency\": 1, "
     "\"p99_read_latency\": 2, \"avg_write_latency\": 3, \"p99_write_latency\": 4}"},
    {{"bdev_delay_delete", "delay0"}, "{\"name\": \"delay0\"}"},
    {{"bdev_get_bdevs"}, "null"},
    {{"bdev_get_bdevs", "-b", "Malloc0", "-t", "100"}, "{\"name\": \"Malloc0\", \"timeout\": 100}"},
    {{"bdev_get_iostat", "-b", "Malloc0"}, "{\"name\": \"Malloc0\"}"},
    {{"bdev_get_iostat"}, "null"},
    {{"vhost_create_blk_controller", "vhost.0", "Malloc0"},
     "{\"ctrlr\": \"vhost.0\", \"dev_name\": \"Malloc0\"}"},
    {{"vhost_create_blk_controller", "--cpumask", "0x3", "vhost.0", "Malloc0", "-r", "-p",
      "--num-queues", "4"},
     "{\"ctrlr\": \"vhost.0\", \"dev_name\": \"Malloc0\", \"cpumask\": \"0x3\", "
     "\"readonly\": true, \"packed_ring\": true, \"num_queues\": 4}"},
    {{"vhost_create_blk_controller", "v", "d", "--readonly", "--packed_ring"},
     "{\"ctrlr\": \"v\", \"dev_name\": \"d\", \"readonly\": true, \"packed_ring\": true}"},
    {{"vhost_create_scsi_controller", "scsi.0", "--cpumask", "0x1", "--num-queues", "2"},
     "{\"ctrlr\": \"scsi.0\", \"cpumask\": \"0x1\", \"num_queues\": 2}"},
    {{"vhost_scsi_controller_add_target", "scsi.0", "0", "Malloc0"},
     "{\"ctrlr\": \"scsi.0\", \"scsi_target_num\": 0, \"bdev_name\": \"Malloc0\"}"},
    /* rpc.py: -1, the first free target */
    {{"vhost_scsi_controller_add_target", "scsi.0", "-1", "Malloc0"},
     "{\"ctrlr\": \"scsi.0\", \"scsi_target_num\": -1, \"bdev_name\": \"Malloc0\"}"},
    {{"vhost_scsi_controller_remove_target", "scsi.0", "3"},
     "{\"ctrlr\": \"scsi.0\", \"scsi_target_num\": 3}"},
    {{"vhost_scsi_controller_add_lun", "scsi.0", "1", "2", "Malloc1", "--descriptor-sense"},
     "{\"ctrlr\": \"scsi.0\", \"scsi_target_num\": 1, \"lun\": 2, \"bdev_name\": "
     "\"Malloc1\", \"descriptor_sense\": true}"},
    {{"vhost_scsi_controller_remove_lun", "scsi.0", "1", "2"},
     "{\"ctrlr\": \"scsi.0\", \"scsi_target_num\": 1, \"lun\": 2}"},
    {{"vhost_get_controllers"}, "null"},
    {{"vhost_get_controllers", "-n", "vhost.0"}, "{\"name\": \"vhost.0\"}"},
    {{"vhost_delete_controller", "vhost.0"}, "{\"ctrlr\": \"vhost.0\"}"},
    {{"vhost_get_controller_stats", "--name", "vhost.0"}, "{\"name\": \"vhost.0\"}"},
    {{"vhost_get_controller_stats"}, "null"},
    /* rpc.py's names for the nvmf methods */
    {{"nvmf_create_transport", "-t", "VFIOUSER", "-q", "64", "-a", "16", "-m", "2", "-i",
      "65536"},
     "{\"trtype\": \"VFIOUSER\", \"max_queue_depth\": 64, \"max_aq_depth\": 16, "
     "\"max_io_qpairs_per_ctrlr\": 2, \"max_io_size\": 65536}"},
    {{"nvmf_get_transports"}, "null"},
    {{"nvmf_create_subsystem", "nqn.2016-06.io.spdk:cnode1", "-a", "-s", "SPDK001", "-d",
      "Model", "-m", "8", "-i", "1", "-I", "100"},
     "{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\", \"allow_any_host\": true, "
     "\"serial_number\": \"SPDK001\", \"model_number\": \"Model\", \"max_namespaces\": 8, "
     "\"min_cntlid\": 1, \"max_cntlid\": 100}"},
    {{"nvmf_delete_subsystem", "nqn.2016-06.io.spdk:cnode1"},
     "{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\"}"},
    {{"nvmf_get_subsystems"}, "null"},
    {{"nvmf_get_stats"}, "null"},
    /* the namespace's fields go in one "namespace" object */
    {{"nvmf_subsystem_add_ns", "nqn.2016-06.io.spdk:cnode1", "Malloc0", "-n", "2", "-g",
      "00112233445566778899AABBCCDDEEFF", "-e", "0011223344556677", "-u",
      "11111111-2222-3333-4444-555555555555"},
     "{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\", \"namespace\": {\"bdev_name\": \"Malloc0\", "
     "\"nsid\": 2, \"nguid\": \"00112233445566778899AABBCCDDEEFF\", \"eui64\": "
     "\"0011223344556677\", \"uuid\": \"11111111-2222-3333-4444-555555555555\"}}"},
    {{"nvmf_subsystem_add_ns", "nqn.2016-06.io.spdk:cnode1", "Malloc0"},
     "{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\", \"namespace\": {\"bdev_name\": "
     "\"Malloc0\"}}"},
    {{"nvmf_subsystem_remove_ns", "nqn.2016-06.io.spdk:cnode1", "2"},
     "{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\", \"nsid\": 2}"},
    /* rpc.py's listener: the address goes in one "listen_address" object */
    {{"nvmf_subsystem_add_listener", "nqn.2016-06.io.spdk:cnode1", "-t", "VFIOUSER", "-a",
      "/var/run/vfu", "-s", "0"},
     "{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\", \"listen_address\": {\"trtype\": "
     "\"VFIOUSER\", \"traddr\": \"/var/run/vfu\", \"trsvcid\": \"0\"}}"},
    {{"nvmf_subsystem_remove_listener", "nqn.2016-06.io.spdk:cnode1", "-t", "VFIOUSER", "-a",
      "/var/run/vfu", "-f", "IPv4"},
     "{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\", \"listen_address\": {\"trtype\": "
     "\"VFIOUSER\", \"traddr\": \"/var/run/vfu\", \"adrfam\": \"IPv4\"}}"},
    {{"framework_get_reactors"}, "null"},
    {{"rpc_get_methods"}, "null"},
    {{"rpc_get_methods", "-c", "--include-aliases"},
     "{\"current\": true, \"include_aliases\": true}"},
    /* errors */
    {{"bdev_malloc_create", "64"}, NULL},	      /* missing BLOCK_SIZE */
    {{"bdev_malloc_create", "64", "512", "9"}, NULL}, /* one too many */
    {{"bdev_malloc_create", "64", "big"}, NULL},      /* not an integer */
    {{"bdev_malloc_create", "x", "512"}, NULL},	      /* not a size */
    {{"bdev_malloc_create", "64", "0"}, NULL},	      /* block size 0 */
    {{"bdev_malloc_create", "-b"}, NULL},	      /* option without value */
    {{"bdev_malloc_delete"}, NULL},
    {{"bdev_get_bdevs", "-x", "1"}, NULL},		       /* unknown option */
    {{"vhost_create_blk_controller", "v", "d", "-r=1"}, NULL}, /* a flag's value */
    {{"framework_get_reactors", "extra"}, NULL},
};

static int case_params(const struct rpc_case *c, json_t **params, char *err, size_t len)
{
	const struct rpc_cmd *cmd = rpc_cmd_find(c->argv[0]);
	int argc = 0;

	assert_non_null(cmd);
	while (argc + 1 < MAX_ARGS && c->argv[argc + 1])
		argc++;
	return rpc_cmd_params(cmd, argc, (char **)&c->argv[1], params, err, len);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(g_cases); i++) {
		const struct rpc_case *c = &g_cases[i];
		json_t *params = (json_t *)0x1, *want;
		char err[128] = "";
		int ret = case_params(c, &params, err, sizeof(err));

		if (!c->params) {
			if (ret != -EINVAL)
				fail_msg("case %zu (%s): accepted, want an error", i, c->argv[0]);
			assert_null(params);
			assert_true(err[0] != '\0');
			continue;
		}
		if (ret)
			fail_msg("case %zu (%s): %s", i, c->argv[0], err);
		want = json_loads(c->params, JSON_DECODE_ANY, NULL);
		assert_non_null(want);
		if (json_is_null(want)) {
			assert_null(params);
		} else if (!json_equal(params, want)) {
			char *got = json_dumps(params, JSON_SORT_KEYS);

			fail_msg("case %zu (%s): got %s, want %s", i, c->argv[0], got, c->params);
		}
		json_decref(want);
		json_decref(params);
	}
}

/* A method added to the table without a case here fails this test. */
static void test_every_method_has_cases(void **state)
{
	(void)state;
	assert_true(rpc_cmd_count() > 0);
	for (size_t m = 0; m < rpc_cmd_count(); m++) {
		const char *method = rpc_cmd_at(m)->method;
		bool ok = false;

		for (size_t i = 0; i < ARRAY_SIZE(g_cases) && !ok; i++)
			ok = g_cases[i].params && strcmp(g_cases[i].argv[0], method) == 0;
		if (!ok)
			fail_msg("no passing case for %s", method);
	}
	assert_null(rpc_cmd_find("nvmf_subsystem_add_host"));
	assert_null(rpc_cmd_at(rpc_cmd_count()));
}

static void test_raw_params(void **state)
{
	char *argv1[] = {"{\"nqn\": \"nqn.2016-06.io.spdk:cnode1\", \"allow_any_host\": true}"};
	char *argv_arr[] = {"[1, 2]"};
	char *argv_str[] = {"\"x\""};
	char *argv_bad[] = {"{nope"};
	char *argv_two[] = {"{}", "{}"};
	char err[128];
	json_t *p;

	(void)state;
	assert_int_equal(rpc_raw_params(0, NULL, &p, err, sizeof(err)), 0);
	assert_null(p);
	assert_int_equal(rpc_raw_params(1, argv1, &p, err, sizeof(err)), 0);
	assert_true(json_is_true(json_object_get(p, "allow_any_host")));
	assert_string_equal(json_string_value(json_object_get(p, "nqn")),
			    "nqn.2016-06.io.spdk:cnode1");
	json_decref(p);
	assert_int_equal(rpc_raw_params(1, argv_arr, &p, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(p), 2);
	json_decref(p);
	assert_int_equal(rpc_raw_params(1, argv_str, &p, err, sizeof(err)), -EINVAL);
	assert_null(p);
	assert_int_equal(rpc_raw_params(1, argv_bad, &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(rpc_raw_params(2, argv_two, &p, err, sizeof(err)), -EINVAL);
}

/* A method with flags takes its params as one JSON object too, not as its
 * first positional (the controller would be named after the JSON). */
static void test_json_params_for_known_method(void **state)
{
	char *argv[] = {"{\"ctrlr\": \"scsi0\", \"num_queues\": 2}"};
	char err[128];
	json_t *p;

	(void)state;
	assert_int_equal(rpc_cmd_params(rpc_cmd_find("vhost_create_scsi_controller"), 1, argv, &p,
				       err, sizeof(err)),
			 0);
	assert_string_equal(json_string_value(json_object_get(p, "ctrlr")), "scsi0");
	assert_int_equal(json_integer_value(json_object_get(p, "num_queues")), 2);
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_every_method_has_cases),
	    cmocka_unit_test(test_raw_params),
	    cmocka_unit_test(test_json_params_for_known_method),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
