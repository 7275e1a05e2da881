/* SPDX-License-Identifier: MIT */
/* storlab nvme: the dispatcher, the options the admin subcommands share,
 * running one admin command and the two output forms. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "cli/cli.h"
#include "cli/nvme.h"
#include "util/common.h"

enum { OPT_NS = 'n', OPT_LOG_ID = 'i', OPT_LOG_LEN = 'l', OPT_FID = 'f', OPT_SEL = 's' };

static const struct {
	const char *name;
	int (*fn)(const struct nvme_args *a);
	const char *opts; /* the short options it takes */
	const char *usage;
	const char *summary;
} g_nvme_cmds[] = {
    {"identify", nvme_cmd_identify, "", "URI", "Identify Controller (nvme-cli id-ctrl)"},
    {"id-ns", nvme_cmd_id_ns, "n", "URI [-n NSID]",
     "Identify Namespace (default: the first active one)"},
    {"get-log", nvme_cmd_get_log, "nil", "URI --log-id N --log-len N [-n NSID]",
     "Get Log Page as a hex dump; log 2 (SMART) decoded too"},
    {"get-feature", nvme_cmd_get_feature, "nfs", "URI -f FID [-s SEL] [-n NSID]",
     "Get Features: the value in Dword 0 of the completion"},
};

static const struct option g_options[] = {
    {"namespace-id", required_argument, NULL, OPT_NS},
    {"log-id", required_argument, NULL, OPT_LOG_ID},
    {"log-len", required_argument, NULL, OPT_LOG_LEN},
    {"feature-id", required_argument, NULL, OPT_FID},
    {"sel", required_argument, NULL, OPT_SEL},
    {"output-format", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {0},
};

static void nvme_usage(FILE *f)
{
	fprintf(f, "usage: storlab nvme <command> URI [options]\n"
		   "       storlab nvme <command> --help\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(g_nvme_cmds); i++)
		fprintf(f, "  %-12s %s\n", g_nvme_cmds[i].name, g_nvme_cmds[i].summary);
	fprintf(f, "\nURI: nvme-vfio-user:/path/to/cntrl\n"
		   "options:\n"
		   "  -n, --namespace-id NSID  the namespace (NSID field)\n"
		   "  -i, --log-id N           get-log: the Log Page Identifier\n"
		   "  -l, --log-len N          get-log: bytes to read (4 .. 4096, multiple of 4)\n"
		   "  -f, --feature-id FID     get-feature: the Feature Identifier\n"
		   "  -s, --sel SEL            get-feature: 0 current, 1 default, 2 saved,\n"
		   "                           3 supported capabilities\n"
		   "  -o, --output-format FMT  normal (default) or json\n"
		   "\nexit codes: 0 ok, 1 the controller answered an error status (its name\n"
		   "printed), 2 usage error or could not run\n");
}

static int parse_u32(const char *cmd, const char *what, const char *s, uint32_t max, uint32_t *v)
{
	uint64_t x;

	if (util_parse_uint(s, 0, max, &x))
		return cli_usage_error(cmd, "%s: a number 0 .. %u", what, max);
	*v = (uint32_t)x;
	return 0;
}

static int parse_opt(struct nvme_args *a, int opt, const char *arg)
{
	switch (opt) {
	case OPT_NS:
		a->nsid_given = true;
		return parse_u32(a->cmd, "--namespace-id", arg, UINT32_MAX, &a->nsid);
	case OPT_LOG_ID:
		return parse_u32(a->cmd, "--log-id", arg, 0xff, &a->log_id);
	case OPT_LOG_LEN:
		return parse_u32(a->cmd, "--log-len", arg, 4096, &a->log_len);
	case OPT_FID:
		return parse_u32(a->cmd, "--feature-id", arg, 0xff, &a->fid);
	case OPT_SEL:
		return parse_u32(a->cmd, "--sel", arg, 3, &a->sel);
	case 'o':
		if (strcmp(arg, "json") && strcmp(arg, "normal"))
			return cli_usage_error(a->cmd, "--output-format: normal or json");
		a->json = !strcmp(arg, "json");
		return 0;
	}
	return cli_usage_error(a->cmd, "unknown option (see --help)");
}

int cli_nvme(int argc, char **argv)
{
	struct nvme_args a = {.log_id = UINT32_MAX, .fid = UINT32_MAX};
	char cmd[32];
	size_t c = 0;
	int opt, ret;

	if (argc < 2) {
		nvme_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		nvme_usage(stdout);
		return CLI_EXIT_OK;
	}
	while (c < ARRAY_SIZE(g_nvme_cmds) && strcmp(argv[1], g_nvme_cmds[c].name))
		c++;
	if (c == ARRAY_SIZE(g_nvme_cmds)) {
		fprintf(stderr, "storlab nvme: unknown command '%s'\n", argv[1]);
		nvme_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	snprintf(cmd, sizeof(cmd), "nvme %s", g_nvme_cmds[c].name);
	a.cmd = cmd;
	optind = 1;
	while ((opt = getopt_long(argc - 1, argv + 1, "n:i:l:f:s:o:h", g_options, NULL)) != -1) {
		if (opt == 'h') {
			printf("usage: storlab nvme %s %s [-o normal|json]\n  %s\n"
			       "(options: storlab nvme --help)\n",
			       g_nvme_cmds[c].name, g_nvme_cmds[c].usage, g_nvme_cmds[c].summary);
			return CLI_EXIT_OK;
		}
		if (opt != 'o' && (opt == '?' || !strchr(g_nvme_cmds[c].opts, opt)))
			return cli_usage_error(cmd, "usage: storlab nvme %s %s",
					       g_nvme_cmds[c].name, g_nvme_cmds[c].usage);
		ret = parse_opt(&a, opt, optarg);
		if (ret)
			return ret;
	}
	if (optind != argc - 2)
		return cli_usage_error(cmd, "one URI expected (usage: storlab nvme %s %s)",
				       g_nvme_cmds[c].name, g_nvme_cmds[c].usage);
	a.uri = argv[optind + 1];
	return g_nvme_cmds[c].fn(&a);
}

int nvme_run(const struct nvme_args *a, struct storlab_nvme_cmd *cmd, bool use_default_ns,
	     void *buf, uint32_t len, uint32_t *cdw0)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct storlab_nvme_info info;
	struct storlab_dev *dev;
	uint16_t status = 0;
	uint32_t dw0 = 0;
	int ret;

	ret = storlab_dev_open(a->uri, NULL, &dev);
	if (ret) {
		fprintf(stderr, "storlab %s: %s: %s\n", a->cmd, a->uri, strerror(-ret));
		return CLI_EXIT_USAGE;
	}
	if (storlab_nvme_get_info(dev, &info)) {
		storlab_dev_close(dev);
		return cli_usage_error(a->cmd, "%s is not an NVMe controller", a->uri);
	}
	if (use_default_ns && !a->nsid_given)
		cmd->nsid = info.nsid;
	cmd->iov = len ? &iov : NULL;
	cmd->iovcnt = len ? 1 : 0;
	ret = storlab_nvme_admin(dev, cmd, &status, &dw0);
	storlab_dev_close(dev);
	if (ret) {
		fprintf(stderr, "storlab %s: %s\n", a->cmd, strerror(-ret));
		return CLI_EXIT_USAGE;
	}
	if (status) {
		/* Base §4.2.3: SCT 10:8 and SC 7:0 of the status field */
		fprintf(stderr, "storlab %s: NVMe status: %s (SCT %#x SC %#x)\n", a->cmd,
			storlab_nvme_status_name(status), status >> 8, status & 0xff);
		return CLI_EXIT_FAIL;
	}
	if (cdw0)
		*cdw0 = dw0;
	return CLI_EXIT_OK;
}

void nvme_out_uint(struct nvme_out *o, const char *name, uint64_t v, bool hex)
{
	if (o->obj)
		json_object_set_new(o->obj, name, json_integer((json_int_t)v));
	else if (hex)
		printf("%-9s : 0x%" PRIx64 "\n", name, v);
	else
		printf("%-9s : %" PRIu64 "\n", name, v);
}

void nvme_out_str(struct nvme_out *o, const char *name, const char *s)
{
	if (o->obj)
		json_object_set_new(o->obj, name, json_string(s));
	else
		printf("%-9s : %s\n", name, s);
}

void nvme_out_hex(struct nvme_out *o, const char *name, const uint8_t *b, unsigned len)
{
	char s[2 * 4096 + 1];

	len = MIN(len, 4096u);
	for (unsigned i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	s[2 * len] = '\0';
	nvme_out_str(o, name, s);
}

int nvme_out_finish(const struct nvme_args *a, struct nvme_out *o)
{
	return o->obj ? cli_print_json(a->cmd, o->obj) : CLI_EXIT_OK;
}
