/* SPDX-License-Identifier: MIT */
/* The methods `storlab rpc` knows, and how their arguments become params
 * (SPDK scripts/rpc.py conventions: positionals in order, options anywhere). */
#include "cli/rpc_args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"

/* clang-format off */
#define POS(key, type, help) { NULL, NULL, key, type, false, help }
#define POS_OPT(key, type, help) { NULL, NULL, key, type, true, help }
#define OPT(s, l, key, type, help) { s, l, key, type, true, help }
#define CMD(m, s, a, f) { m, s, a, ARRAY_SIZE(a), f }
#define CMD0(m, s) { m, s, NULL, 0, NULL }
/* clang-format on */

static int fixup_size_to_blocks(json_t *params, char *err, size_t err_len);
static int fixup_namespace(json_t *params, char *err, size_t err_len);
static int fixup_listen_address(json_t *params, char *err, size_t err_len);

static const struct rpc_arg g_malloc_create[] = {
    OPT("-b", "--name", "name", RPC_ARG_STRING, "bdev name"),
    OPT("-u", "--uuid", "uuid", RPC_ARG_STRING, "bdev UUID"),
    POS("total_size", RPC_ARG_MB, "TOTAL_SIZE_MB"),
    POS("block_size", RPC_ARG_INT, "BLOCK_SIZE"),
};
static const struct rpc_arg g_null_create[] = {
    OPT("-u", "--uuid", "uuid", RPC_ARG_STRING, "bdev UUID"),
    POS("name", RPC_ARG_STRING, "NAME"),
    POS("total_size", RPC_ARG_MB, "TOTAL_SIZE_MB"),
    POS("block_size", RPC_ARG_INT, "BLOCK_SIZE"),
};
static const struct rpc_arg g_null_resize[] = {
    POS("name", RPC_ARG_STRING, "NAME"),
    POS("new_size", RPC_ARG_INT, "NEW_SIZE_MB"),
};
static const struct rpc_arg g_file_create[] = {
    POS("filename", RPC_ARG_STRING, "FILENAME"),
    POS("name", RPC_ARG_STRING, "NAME"),
    POS_OPT("block_size", RPC_ARG_INT, "BLOCK_SIZE"),
};
static const struct rpc_arg g_delay_create[] = {
    OPT("-b", "--base-bdev-name", "base_bdev_name", RPC_ARG_STRING, "the bdev to delay"),
    OPT("-d", "--name", "name", RPC_ARG_STRING, "name of the delay bdev"),
    OPT("-r", "--avg-read-latency", "avg_read_latency", RPC_ARG_INT, "us, most reads"),
    OPT("-t", "--nine-nine-read-latency", "p99_read_latency", RPC_ARG_INT, "us, 1% of reads"),
    OPT("-w", "--avg-write-latency", "avg_write_latency", RPC_ARG_INT, "us, most writes"),
    OPT("-n", "--nine-nine-write-latency", "p99_write_latency", RPC_ARG_INT,
	"us, 1% of writes"),
    OPT("-u", "--uuid", "uuid", RPC_ARG_STRING, "bdev UUID"),
};
static const struct rpc_arg g_nvmf_transport[] = {
    OPT("-t", "--trtype", "trtype", RPC_ARG_STRING, "transport type (VFIOUSER)"),
    OPT("-q", "--max-queue-depth", "max_queue_depth", RPC_ARG_INT, "entries of an I/O queue"),
    OPT("-a", "--max-aq-depth", "max_aq_depth", RPC_ARG_INT, "entries of the admin queue"),
    OPT("-m", "--max-io-qpairs-per-ctrlr", "max_io_qpairs_per_ctrlr", RPC_ARG_INT,
	"I/O queue pairs of a controller"),
    OPT("-i", "--max-io-size", "max_io_size", RPC_ARG_INT, "bytes of one I/O"),
};
static const struct rpc_arg g_nvmf_subsys_create[] = {
    POS("nqn", RPC_ARG_STRING, "NQN"),
    OPT("-s", "--serial-number", "serial_number", RPC_ARG_STRING, "serial number (20 ASCII)"),
    OPT("-d", "--model-number", "model_number", RPC_ARG_STRING, "model number (40 ASCII)"),
    OPT("-a", "--allow-any-host", "allow_any_host", RPC_ARG_FLAG, "any host may connect"),
    OPT("-m", "--max-namespaces", "max_namespaces", RPC_ARG_INT, "NSIDs 1 to this"),
    OPT("-i", "--min_cntlid", "min_cntlid", RPC_ARG_INT, "lowest controller ID"),
    OPT("-I", "--max_cntlid", "max_cntlid", RPC_ARG_INT, "highest controller ID"),
};
static const struct rpc_arg g_nqn[] = {
    POS("nqn", RPC_ARG_STRING, "NQN"),
};
static const struct rpc_arg g_nvmf_add_ns[] = {
    POS("nqn", RPC_ARG_STRING, "NQN"),
    POS("bdev_name", RPC_ARG_STRING, "BDEV_NAME"),
    OPT("-n", "--nsid", "nsid", RPC_ARG_INT, "namespace ID (default: the lowest free)"),
    OPT("-g", "--nguid", "nguid", RPC_ARG_STRING, "NGUID, 32 hex digits"),
    OPT("-e", "--eui64", "eui64", RPC_ARG_STRING, "EUI-64, 16 hex digits"),
    OPT("-u", "--uuid", "uuid", RPC_ARG_STRING, "UUID (default: the bdev's)"),
};
static const struct rpc_arg g_nvmf_remove_ns[] = {
    POS("nqn", RPC_ARG_STRING, "NQN"),
    POS("nsid", RPC_ARG_INT, "NSID"),
};
static const struct rpc_arg g_nvmf_listener[] = {
    POS("nqn", RPC_ARG_STRING, "NQN"),
    OPT("-t", "--trtype", "trtype", RPC_ARG_STRING, "transport type (VFIOUSER)"),
    OPT("-a", "--traddr", "traddr", RPC_ARG_STRING, "the directory of the socket DIR/cntrl"),
    OPT("-s", "--trsvcid", "trsvcid", RPC_ARG_STRING, "service ID (0 for VFIOUSER)"),
    OPT("-f", "--adrfam", "adrfam", RPC_ARG_STRING, "address family"),
};
static const struct rpc_arg g_name[] = {
    POS("name", RPC_ARG_STRING, "NAME"),
};
static const struct rpc_arg g_get_bdevs[] = {
    OPT("-b", "--name", "name", RPC_ARG_STRING, "only this bdev"),
    OPT("-t", "--timeout", "timeout", RPC_ARG_INT, "ms to wait for the bdev"),
};
static const struct rpc_arg g_get_iostat[] = {
    OPT("-b", "--name", "name", RPC_ARG_STRING, "only this bdev"),
};
static const struct rpc_arg g_create_blk[] = {
    POS("ctrlr", RPC_ARG_STRING, "CTRLR"),
    POS("dev_name", RPC_ARG_STRING, "DEV_NAME"),
    OPT(NULL, "--cpumask", "cpumask", RPC_ARG_STRING, "cores of the controller's queues"),
    OPT("-r", "--readonly", "readonly", RPC_ARG_FLAG, "read-only device"),
    OPT("-p", "--packed-ring", "packed_ring", RPC_ARG_FLAG, "offer the packed ring"),
    OPT(NULL, "--num-queues", "num_queues", RPC_ARG_INT, "queues offered"),
};
static const struct rpc_arg g_create_scsi[] = {
    POS("ctrlr", RPC_ARG_STRING, "CTRLR"),
    OPT(NULL, "--cpumask", "cpumask", RPC_ARG_STRING, "cores of the controller's queues"),
    OPT(NULL, "--delay", "delay", RPC_ARG_FLAG, "wait for a start (refused)"),
    OPT(NULL, "--num-queues", "num_queues", RPC_ARG_INT, "request queues offered"),
};
#define SCSI_TARGET POS("ctrlr", RPC_ARG_STRING, "CTRLR"), \
	POS("scsi_target_num", RPC_ARG_INT, "SCSI_TARGET_NUM")
static const struct rpc_arg g_scsi_add_target[] = {
    SCSI_TARGET,
    POS("bdev_name", RPC_ARG_STRING, "BDEV_NAME"),
};
static const struct rpc_arg g_scsi_target[] = {
    SCSI_TARGET,
};
static const struct rpc_arg g_scsi_add_lun[] = {
    SCSI_TARGET,
    POS("lun", RPC_ARG_INT, "LUN"),
    POS("bdev_name", RPC_ARG_STRING, "BDEV_NAME"),
    OPT(NULL, "--descriptor-sense", "descriptor_sense", RPC_ARG_FLAG,
	"sense data in descriptor format"),
};
static const struct rpc_arg g_scsi_lun[] = {
    SCSI_TARGET,
    POS("lun", RPC_ARG_INT, "LUN"),
};
static const struct rpc_arg g_ctrlr_filter[] = {
    OPT("-n", "--name", "name", RPC_ARG_STRING, "only this controller"),
};
static const struct rpc_arg g_ctrlr[] = {
    POS("ctrlr", RPC_ARG_STRING, "CTRLR"),
};
static const struct rpc_arg g_get_methods[] = {
    OPT("-c", "--current", "current", RPC_ARG_FLAG, "only methods callable now"),
    OPT("-i", "--include-aliases", "include_aliases", RPC_ARG_FLAG, "list aliases too"),
};

static const struct rpc_cmd g_rpc_cmds[] = {
    CMD("bdev_malloc_create", "create a RAM bdev", g_malloc_create, fixup_size_to_blocks),
    CMD("bdev_malloc_delete", "delete a RAM bdev", g_name, NULL),
    CMD("bdev_null_create", "create a bdev that reads zeroes and drops writes", g_null_create,
	fixup_size_to_blocks),
    CMD("bdev_null_delete", "delete a null bdev", g_name, NULL),
    CMD("bdev_null_resize", "resize a null bdev (in use: grow only)", g_null_resize, NULL),
    CMD("bdev_uring_create", "create a file bdev on io_uring", g_file_create, NULL),
    CMD("bdev_uring_delete", "delete an io_uring bdev", g_name, NULL),
    CMD("bdev_uring_rescan", "read an io_uring bdev's file size again", g_name, NULL),
    CMD("bdev_aio_create", "create a file bdev (AIO)", g_file_create, NULL),
    CMD("bdev_aio_delete", "delete an AIO bdev", g_name, NULL),
    CMD("bdev_aio_rescan", "read an AIO bdev's file size again", g_name, NULL),
    CMD("bdev_delay_create", "create a bdev that holds another's I/O for a latency",
	g_delay_create, NULL),
    CMD("bdev_delay_delete", "delete a delay bdev", g_name, NULL),
    CMD("bdev_get_bdevs", "list bdevs", g_get_bdevs, NULL),
    CMD("bdev_get_iostat", "I/O statistics of bdevs", g_get_iostat, NULL),
    CMD("vhost_create_blk_controller", "export a bdev as a vhost-user-blk controller", g_create_blk,
	NULL),
    CMD("vhost_create_scsi_controller", "create a vhost-user-scsi controller", g_create_scsi,
	NULL),
    CMD("vhost_scsi_controller_add_target", "add a target with a bdev as its LUN 0",
	g_scsi_add_target, NULL),
    CMD("vhost_scsi_controller_remove_target", "remove a target and its LUNs", g_scsi_target,
	NULL),
    CMD("vhost_scsi_controller_add_lun", "add a LUN to a target", g_scsi_add_lun, NULL),
    CMD("vhost_scsi_controller_remove_lun", "remove a LUN of a target", g_scsi_lun, NULL),
    CMD("vhost_get_controllers", "list vhost controllers", g_ctrlr_filter, NULL),
    CMD("vhost_delete_controller", "delete a vhost controller", g_ctrlr, NULL),
    CMD("vhost_get_controller_stats", "per-queue statistics of vhost controllers", g_ctrlr_filter,
	NULL),
    CMD("nvmf_create_transport", "create an NVMe-oF transport (VFIOUSER)", g_nvmf_transport,
	NULL),
    CMD0("nvmf_get_transports", "list NVMe-oF transports"),
    CMD("nvmf_create_subsystem", "create an NVM subsystem", g_nvmf_subsys_create, NULL),
    CMD("nvmf_delete_subsystem", "delete an NVM subsystem", g_nqn, NULL),
    CMD0("nvmf_get_subsystems", "list NVM subsystems and their namespaces"),
    CMD0("nvmf_get_stats", "per poll group (reactor) queue pair and I/O counters"),
    CMD("nvmf_subsystem_add_ns", "add a namespace over a bdev; prints its NSID", g_nvmf_add_ns,
	fixup_namespace),
    CMD("nvmf_subsystem_remove_ns", "remove a namespace", g_nvmf_remove_ns, NULL),
    CMD("nvmf_subsystem_add_listener", "serve a subsystem as a controller at traddr",
	g_nvmf_listener, fixup_listen_address),
    CMD("nvmf_subsystem_remove_listener", "stop a subsystem's controller at traddr",
	g_nvmf_listener, fixup_listen_address),
    CMD0("framework_get_reactors", "list reactors and what runs on them"),
    CMD("rpc_get_methods", "list the methods the server has", g_get_methods, NULL),
};

const struct rpc_cmd *rpc_cmd_find(const char *method)
{
	for (size_t i = 0; i < ARRAY_SIZE(g_rpc_cmds); i++) {
		if (strcmp(g_rpc_cmds[i].method, method) == 0)
			return &g_rpc_cmds[i];
	}
	return NULL;
}

size_t rpc_cmd_count(void)
{
	return ARRAY_SIZE(g_rpc_cmds);
}

const struct rpc_cmd *rpc_cmd_at(size_t index)
{
	return index < ARRAY_SIZE(g_rpc_cmds) ? &g_rpc_cmds[index] : NULL;
}

static int arg_error(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int arg_error(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* rpc.py: num_blocks = total_size * 1 MiB // block_size (truncation is the
 * floor: both are positive). */
static int fixup_size_to_blocks(json_t *params, char *err, size_t err_len)
{
	double mb = json_real_value(json_object_get(params, "total_size"));
	json_int_t bs = json_integer_value(json_object_get(params, "block_size"));

	if (bs <= 0)
		return arg_error(err, err_len, "BLOCK_SIZE must be > 0");
	json_object_set_new(params, "num_blocks",
			    json_integer((json_int_t)(mb * 1048576.0 / (double)bs)));
	json_object_del(params, "total_size");
	return 0;
}

/* Moves params' keys (those present) into one object params[name]. */
static int nest_params(json_t *params, const char *name, const char *const *keys, size_t n,
		       char *err, size_t err_len)
{
	json_t *obj = json_object();

	if (!obj)
		return arg_error(err, err_len, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(params, keys[i]);

		if (v) {
			json_object_set(obj, keys[i], v);
			json_object_del(params, keys[i]);
		}
	}
	json_object_set_new(params, name, obj);
	return 0;
}

/* rpc.py: nvmf_subsystem_add_ns sends the namespace's fields as one
 * "namespace" object. */
static int fixup_namespace(json_t *params, char *err, size_t err_len)
{
	static const char *const keys[] = {"bdev_name", "nsid", "nguid", "eui64", "uuid"};

	return nest_params(params, "namespace", keys, ARRAY_SIZE(keys), err, err_len);
}

/* rpc.py: nvmf_subsystem_add/remove_listener send the address as one
 * "listen_address" object. */
static int fixup_listen_address(json_t *params, char *err, size_t err_len)
{
	static const char *const keys[] = {"trtype", "traddr", "trsvcid", "adrfam"};

	return nest_params(params, "listen_address", keys, ARRAY_SIZE(keys), err, err_len);
}

static json_t *arg_value(const struct rpc_arg *arg, const char *text, char *err, size_t len)
{
	char *end;

	switch (arg->type) {
	case RPC_ARG_STRING:
		return json_string(text);
	case RPC_ARG_INT: {
		long long v;

		errno = 0;
		v = strtoll(text, &end, 0);
		if (errno || end == text || *end) {
			arg_error(err, len, "%s: '%s' is not an integer", arg->help, text);
			return NULL;
		}
		return json_integer(v);
	}
	case RPC_ARG_MB: {
		double v = strtod(text, &end);

		if (end == text || *end || !isfinite(v) || v < 0) {
			arg_error(err, len, "%s: '%s' is not a size in MiB", arg->help, text);
			return NULL;
		}
		return json_real(v);
	}
	case RPC_ARG_FLAG:
		return json_true();
	}
	return NULL;
}

/* rpc.py option names use '-' or '_' alike (--packed-ring, --packed_ring). */
static bool long_opt_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	}
	return *a == *b;
}

static const struct rpc_arg *find_option(const struct rpc_cmd *cmd, const char *word)
{
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct rpc_arg *a = &cmd->args[i];

		if ((a->short_opt && strcmp(a->short_opt, word) == 0) ||
		    (a->long_opt && long_opt_eq(a->long_opt, word)))
			return a;
	}
	return NULL;
}

static const struct rpc_arg *next_positional(const struct rpc_cmd *cmd, size_t *cursor)
{
	for (; *cursor < cmd->nargs; (*cursor)++) {
		if (!cmd->args[*cursor].short_opt && !cmd->args[*cursor].long_opt)
			return &cmd->args[(*cursor)++];
	}
	return NULL;
}

static int set_arg(json_t *params, const struct rpc_arg *arg, const char *text, char *err,
		   size_t len)
{
	json_t *v = arg_value(arg, text, err, len);

	if (!v)
		return -EINVAL;
	json_object_set_new(params, arg->key, v);
	return 0;
}

static bool is_negative_number(const char *word)
{
	char *end;

	errno = 0;
	(void)strtoll(word, &end, 0);
	return errno == 0 && end != word && *end == '\0';
}

int rpc_cmd_params(const struct rpc_cmd *cmd, int argc, char **argv, json_t **out, char *err,
		   size_t err_len)
{
	json_t *params;
	const struct rpc_arg *arg;
	size_t cursor = 0;
	int ret = 0;

	/* `storlab rpc METHOD '{json params}'` works for every method, those
	 * with flags too (the usage promises it): one argument that is a JSON
	 * object is the params as they are. */
	if (argc == 1 && argv[0][0] == '{')
		return rpc_raw_params(argc, argv, out, err, err_len);
	params = json_object();
	for (int i = 0; i < argc && !ret; i++) {
		const char *word = argv[i], *eq = NULL, *value;
		char name[64];

		/* A negative number is a positional, as argparse takes it when no
		 * option looks like one (rpc.py's scsi_target_num -1). */
		if (word[0] == '-' && word[1] != '\0' && !is_negative_number(word)) {
			/* --opt=value, as argparse takes it */
			eq = strchr(word, '=');
			if (eq && (size_t)(eq - word) < sizeof(name)) {
				memcpy(name, word, (size_t)(eq - word));
				name[eq - word] = '\0';
				word = name;
			}
			arg = find_option(cmd, word);
			if (!arg) {
				ret = arg_error(err, err_len, "unknown option '%s'", argv[i]);
				break;
			}
			if (arg->type == RPC_ARG_FLAG) {
				ret = eq ? arg_error(err, err_len, "%s takes no value", word)
					 : set_arg(params, arg, "", err, err_len);
				continue;
			}
			value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!value)
				ret = arg_error(err, err_len, "%s needs a value", word);
			else
				ret = set_arg(params, arg, value, err, err_len);
			continue;
		}
		arg = next_positional(cmd, &cursor);
		if (!arg)
			ret = arg_error(err, err_len, "unexpected argument '%s'", word);
		else
			ret = set_arg(params, arg, word, err, err_len);
	}
	while (!ret && (arg = next_positional(cmd, &cursor)) != NULL) {
		if (!arg->optional)
			ret = arg_error(err, err_len, "missing %s", arg->help);
	}
	if (!ret && cmd->fixup)
		ret = cmd->fixup(params, err, err_len);
	if (ret || json_object_size(params) == 0) {
		json_decref(params);
		params = NULL;
	}
	*out = params;
	return ret;
}

int rpc_raw_params(int argc, char **argv, json_t **params, char *err, size_t err_len)
{
	json_error_t jerr;

	*params = NULL;
	if (argc == 0)
		return 0;
	if (argc > 1)
		return arg_error(err, err_len, "expected one JSON argument with the params, got %d",
				 argc);
	*params = json_loads(argv[0], JSON_DECODE_ANY, &jerr);
	if (!*params)
		return arg_error(err, err_len, "params are not JSON: %s", jerr.text);
	if (!json_is_object(*params) && !json_is_array(*params)) {
		json_decref(*params);
		*params = NULL;
		return arg_error(err, err_len, "params must be a JSON object or array");
	}
	return 0;
}

void rpc_cmd_usage(const struct rpc_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: storlab rpc [-s SOCKET] %s", cmd->method);
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct rpc_arg *a = &cmd->args[i];
		const char *opt = a->short_opt ? a->short_opt : a->long_opt;

		if (!opt)
			fprintf(f, a->optional ? " [%s]" : " %s", a->help);
		else if (a->type == RPC_ARG_FLAG)
			fprintf(f, " [%s]", opt);
		else
			fprintf(f, " [%s %s]", opt, a->key);
	}
	fprintf(f, "\n\n%s.\n", cmd->summary);
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct rpc_arg *a = &cmd->args[i];

		if (a->short_opt || a->long_opt)
			fprintf(f, "  %-3s %-20s %s (\"%s\")\n", a->short_opt ? a->short_opt : "",
				a->long_opt ? a->long_opt : "", a->help, a->key);
		else
			fprintf(f, "  %-24s \"%s\"\n", a->help, a->key);
	}
}
