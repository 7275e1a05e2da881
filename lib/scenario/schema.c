/* SPDX-License-Identifier: MIT */
/* The libcyaml schema of a scenario file (docs/scenarios.md). Free-form
 * values (variables, params, equals) are ignored here and read from the
 * libyaml document by load.c. */
#include <cyaml/cyaml.h>

#include "scenario/scenario.h"
#include "scenario/schema.h"

#define OPT		       (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)
#define STR(key, type, member) CYAML_FIELD_STRING_PTR(key, OPT, type, member, 0, CYAML_UNLIMITED)
#define STR_REQ(key, type, member)                                                                 \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER, type, member, 0, CYAML_UNLIMITED)
#define IGNORE(key) CYAML_FIELD_IGNORE(key, CYAML_FLAG_OPTIONAL)

const cyaml_strval_t g_sc_endpoint_types[] = {
    {"storlab-tgt", SC_EP_TGT},
    {"qemu-storage-daemon", SC_EP_QSD},
    {"socket", SC_EP_SOCKET},
};
const unsigned g_sc_endpoint_ntypes = CYAML_ARRAY_LEN(g_sc_endpoint_types);

const cyaml_strval_t g_sc_io_ops[] = {
    {"info", SC_IO_INFO},
    {"verify", SC_IO_VERIFY},
    {"perf", SC_IO_PERF},
};
const unsigned g_sc_io_nops = CYAML_ARRAY_LEN(g_sc_io_ops);

static const cyaml_schema_value_t g_string = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

/* An rpc call: a step (with endpoint) or an endpoint's set-up call. */
static const cyaml_schema_field_t g_rpc_fields[] = {
    STR("endpoint", struct sc_rpc, endpoint),
    STR_REQ("method", struct sc_rpc, method),
    IGNORE("params"),
    STR("expect_error", struct sc_rpc, expect_error),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t g_rpc_value = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct sc_rpc, g_rpc_fields),
};

static const cyaml_schema_field_t g_endpoint_fields[] = {
    STR_REQ("name", struct sc_endpoint, name),
    CYAML_FIELD_ENUM("type", CYAML_FLAG_STRICT, struct sc_endpoint, type, g_sc_endpoint_types,
		     CYAML_ARRAY_LEN(g_sc_endpoint_types)),
    STR("cpumask", struct sc_endpoint, cpumask),
    STR("mode", struct sc_endpoint, mode),
    STR("bin", struct sc_endpoint, bin),
    CYAML_FIELD_SEQUENCE("rpc", OPT, struct sc_endpoint, rpc, &g_rpc_value, 0, CYAML_UNLIMITED),
    STR("blockdev", struct sc_endpoint, blockdev),
    STR("num_queues", struct sc_endpoint, num_queues),
    STR("path", struct sc_endpoint, path),
    STR("scheme", struct sc_endpoint, scheme),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t g_endpoint_value = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct sc_endpoint, g_endpoint_fields),
};

static const cyaml_schema_field_t g_io_fields[] = {
    STR_REQ("endpoint", struct sc_io, endpoint),
    STR("controller", struct sc_io, controller),
    CYAML_FIELD_ENUM("op", CYAML_FLAG_STRICT, struct sc_io, op, g_sc_io_ops,
		     CYAML_ARRAY_LEN(g_sc_io_ops)),
    STR("queues", struct sc_io, queues),
    STR("qd", struct sc_io, qd),
    STR("bs", struct sc_io, bs),
    STR("size", struct sc_io, size),
    STR("offset", struct sc_io, offset),
    STR("passes", struct sc_io, passes),
    STR("seed", struct sc_io, seed),
    STR("rw", struct sc_io, rw),
    STR("iodepth", struct sc_io, iodepth),
    STR("time", struct sc_io, time),
    STR("cpus", struct sc_io, cpus),
    STR("rwmixread", struct sc_io, rwmixread),
    STR("isolate", struct sc_io, isolate),
    STR("bssplit", struct sc_io, bssplit),
    STR("verify", struct sc_io, verify),
    STR("crash", struct sc_io, crash),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t g_conform_fields[] = {
    STR_REQ("endpoint", struct sc_conform, endpoint),
    STR("controller", struct sc_conform, controller),
    CYAML_FIELD_SEQUENCE("suites", OPT, struct sc_conform, suites, &g_string, 0, CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE("cases", OPT, struct sc_conform, cases, &g_string, 0, CYAML_UNLIMITED),
    IGNORE("params"),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t g_migrate_fields[] = {
    STR_REQ("source", struct sc_migrate, source),
    STR("source_controller", struct sc_migrate, source_controller),
    STR_REQ("dest", struct sc_migrate, dest),
    STR("dest_controller", struct sc_migrate, dest_controller),
    STR("queues", struct sc_migrate, queues),
    STR("qd", struct sc_migrate, qd),
    STR("bs", struct sc_migrate, bs),
    STR("rw", struct sc_migrate, rw),
    STR("dirty_rate", struct sc_migrate, dirty_rate),
    STR("rounds", struct sc_migrate, rounds),
    STR("round_ms", struct sc_migrate, round_ms),
    STR("max_dirty", struct sc_migrate, max_dirty),
    STR("stop_inflight", struct sc_migrate, stop_inflight),
    STR("seed", struct sc_migrate, seed),
    STR("count", struct sc_migrate, count),
    STR("io_timeout", struct sc_migrate, io_timeout),
    STR("record", struct sc_migrate, record),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t g_replay_fields[] = {
    STR_REQ("trace", struct sc_replay, trace),
    STR_REQ("target", struct sc_replay, target),
    STR("target_controller", struct sc_replay, target_controller),
    STR("crash_matrix", struct sc_replay, crash_matrix),
    STR("crash_stride", struct sc_replay, crash_stride),
    STR("crash_after", struct sc_replay, crash_after),
    STR("shrink", struct sc_replay, shrink),
    STR("shrink_runs", struct sc_replay, shrink_runs),
    STR("qd", struct sc_replay, qd),
    STR("bs", struct sc_replay, bs),
    STR("rw", struct sc_replay, rw),
    STR("requests", struct sc_replay, requests),
    STR("stop_inflight", struct sc_replay, stop_inflight),
    STR("seed", struct sc_replay, seed),
    STR("io_timeout", struct sc_replay, io_timeout),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t g_target_fields[] = {
    STR_REQ("endpoint", struct sc_target, endpoint),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t g_expect_fields[] = {
    STR("status", struct sc_expect, status),
    STR("field", struct sc_expect, field),
    IGNORE("equals"),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t g_step_fields[] = {
    STR("name", struct sc_step, name),
    CYAML_FIELD_MAPPING_PTR("rpc", OPT, struct sc_step, rpc, g_rpc_fields),
    CYAML_FIELD_MAPPING_PTR("io", OPT, struct sc_step, io, g_io_fields),
    CYAML_FIELD_MAPPING_PTR("conform", OPT, struct sc_step, conform, g_conform_fields),
    CYAML_FIELD_MAPPING_PTR("disconnect", OPT, struct sc_step, disconnect, g_target_fields),
    CYAML_FIELD_MAPPING_PTR("restart", OPT, struct sc_step, restart, g_target_fields),
    CYAML_FIELD_MAPPING_PTR("expect", OPT, struct sc_step, expect, g_expect_fields),
    STR("sleep", struct sc_step, sleep),
    CYAML_FIELD_MAPPING_PTR("migrate", OPT, struct sc_step, migrate, g_migrate_fields),
    CYAML_FIELD_MAPPING_PTR("replay", OPT, struct sc_step, replay, g_replay_fields),
    IGNORE("matrix"),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t g_step_value = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct sc_step, g_step_fields),
};

static const cyaml_schema_field_t g_scenario_fields[] = {
    STR_REQ("name", struct scenario, name),
    STR("description", struct scenario, description),
    IGNORE("variables"),
    IGNORE("thresholds"),
    CYAML_FIELD_SEQUENCE("endpoints", CYAML_FLAG_POINTER, struct scenario, endpoints,
			 &g_endpoint_value, 1, CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE("steps", CYAML_FLAG_POINTER, struct scenario, steps, &g_step_value, 1,
			 CYAML_UNLIMITED),
    CYAML_FIELD_END,
};

const cyaml_schema_value_t g_sc_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct scenario, g_scenario_fields),
};
