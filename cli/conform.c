/* SPDX-License-Identifier: MIT */
/* storlab conform: run the conformance suites against a vhost-user-blk or
 * vhost-user-scsi back-end, or an NVMe controller over vfio-user, and
 * report (docs/man/storlab-conform.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/conform_hotplug.h"
#include "conformance/report.h"
#include "conformance/runner.h"
#include "endpoint/endpoint.h"
#include "scenario/scenario.h"
#include "util/common.h"

/* What --spawn-cmd back-ends serve (--spawn-tgt's: spawn_transport). */
#define SPAWN_SCHEME "vhost-user-blk"
#define MAX_SELECT   256
#define MAX_DEFINES  64

struct conform_args {
	const char *target;
	bool spawn, json, list;
	const char *spawn_cmd;
	const char *hotplug_cmd; /* --hotplug-cmd */
	const char *report_dir;
	uint64_t timeout_ms;  /* 0: the scenario's, else 1000 */
	int case_deadline_ms; /* 0: the runner's default */
	const char *suites[MAX_SELECT], *cases[MAX_SELECT];
	unsigned nsuites, ncases;
	const char *scenario; /* --scenario FILE */
	unsigned fail_on;     /* --fail-on: 1 << enum conform_severity */
	struct sc_define defs[MAX_DEFINES];
	unsigned ndefs;
};

static void conform_usage(FILE *f)
{
	fprintf(f, "usage: storlab conform --target vhost-user-blk:/path.sock [options]\n"
		   "       storlab conform --target vhost-user-scsi:/path.sock [options]\n"
		   "       storlab conform --target nvme-vfio-user:DIR/cntrl [options]\n"
		   "       storlab conform --spawn-tgt [options]\n"
		   "       storlab conform --spawn-cmd 'COMMAND {sock}' [options]\n"
		   "       storlab conform --list [--json] [--suite S]...\n\n"
		   "  --target URI      the back-end under test; the scheme picks the suites:\n"
		   "                    vhost-user-blk: vhost-user and virtio-blk,\n"
		   "                    vhost-user-scsi: virtio-scsi, nvme-vfio-user: (an\n"
		   "                    NVMe controller's vfio-user socket) nvme\n"
		   "  --spawn-tgt       start storlab-tgt (next to this binary) with a malloc\n"
		   "                    bdev and test it, restarting it when a case kills it:\n"
		   "                    a vhost-user-blk controller, or the controller of the\n"
		   "                    transport every --suite and --case chosen shares\n"
		   "                    (vhost-user-scsi: 2 targets, 3 LUNs; an NVMe\n"
		   "                    controller over vfio-user: --suite nvme)\n"
		   "  --spawn-cmd CMD   likewise with /bin/sh -c CMD, {sock} replaced by the\n"
		   "                    socket path it must listen on (vhost-user-blk)\n"
		   "  --hotplug-cmd CMD how the back-end adds and removes a LUN, for the\n"
		   "                    hot-plug cases: /bin/sh -c CMD with {action} (add,\n"
		   "                    remove), {target} and {lun} replaced; exit 0 when done.\n"
		   "                    NVMe: a namespace, {target} 0 and {lun} its NSID.\n"
		   "                    (--spawn-tgt's vhost-user-scsi and NVMe need none)\n"
		   "  --suite S         run suite S only (repeatable)\n"
		   "  --case ID         run case ID only (repeatable)\n"
		   "  --scenario FILE   run the suites, cases and params of FILE's conform steps\n"
		   "                    (docs/scenarios.md) against this back-end\n"
		   "  -D name=value     set a variable of the scenario file (repeatable)\n"
		   "  --report-dir D    write D/report.json, D/junit.xml, D/report.html\n"
		   "  --timeout MS      per reply (default 1000, or the scenario's timeout_ms);\n"
		   "                    a case gets max(10x, 5 s)\n"
		   "  --fail-on SEV     advisories of these severities fail the run when not\n"
		   "                    met, as a MUST case does: memory-safety, data-safety,\n"
		   "                    robustness, comma-separated, or all (default: none)\n"
		   "  --json            print report.json's content instead of the summary\n"
		   "  --list            list the cases (id, level, suite, spec, title, and the\n"
		   "                    sentence each enforces); with --json as JSON\n\n"
		   "exit codes: 0 every applicable MUST case passed, 1 a MUST case (or a\n"
		   "--fail-on advisory) failed or errored, 2 the run could not be done.\n");
}

static int add_name(const char **list, unsigned *n, const char *name)
{
	if (*n >= MAX_SELECT)
		return cli_usage_error("conform", "more than %d --suite or --case", MAX_SELECT);
	list[(*n)++] = name;
	return 0;
}

static int parse(int argc, char **argv, struct conform_args *a)
{
	static const struct option opts[] = {
	    {"target", required_argument, NULL, 't'},
	    {"spawn-tgt", no_argument, NULL, 'S'},
	    {"spawn-cmd", required_argument, NULL, 'C'},
	    {"hotplug-cmd", required_argument, NULL, 'H'},
	    {"suite", required_argument, NULL, 's'},
	    {"case", required_argument, NULL, 'c'},
	    {"report-dir", required_argument, NULL, 'd'},
	    {"scenario", required_argument, NULL, 'F'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"fail-on", required_argument, NULL, 'f'},
	    {"json", no_argument, NULL, 'j'},
	    {"list", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *address;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hD:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			a->target = optarg;
			break;
		case 'S':
			a->spawn = true;
			break;
		case 'C':
			a->spawn_cmd = optarg;
			break;
		case 'H':
			a->hotplug_cmd = optarg;
			break;
		case 's':
			if (add_name(a->suites, &a->nsuites, optarg))
				return CLI_EXIT_USAGE;
			break;
		case 'c':
			if (add_name(a->cases, &a->ncases, optarg))
				return CLI_EXIT_USAGE;
			break;
		case 'd':
			a->report_dir = optarg;
			break;
		case 'F':
			a->scenario = optarg;
			break;
		case 'D':
			if (a->ndefs >= MAX_DEFINES || !strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("conform",
						       "bad -D '%s' (name=value, at most %d)",
						       optarg, MAX_DEFINES);
			/* Split in place: argv is ours to change. */
			a->defs[a->ndefs].name = optarg;
			a->defs[a->ndefs].value = strchr(optarg, '=') + 1;
			*strchr(optarg, '=') = 0;
			a->ndefs++;
			break;
		case 'T':
			if (util_parse_uint(optarg, 1, 600000, &a->timeout_ms))
				return cli_usage_error("conform",
						       "bad --timeout '%s' (milliseconds)", optarg);
			break;
		case 'f':
			if (conform_fail_on_parse(optarg, &a->fail_on))
				return cli_usage_error("conform",
						       "bad --fail-on '%s' (" CONFORM_FAIL_ON_NAMES ")",
						       optarg);
			break;
		case 'j':
			a->json = true;
			break;
		case 'l':
			a->list = true;
			break;
		case 'h':
			conform_usage(stdout);
			return -1;
		default:
			return cli_usage_error("conform", "unknown option or missing value: '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("conform", "unexpected argument '%s'", argv[optind]);
	if (a->ndefs && !a->scenario)
		return cli_usage_error("conform", "-D sets a variable of --scenario FILE");
	if (!a->list && !!a->target + a->spawn + !!a->spawn_cmd != 1)
		return cli_usage_error("conform",
				       "give one of --target URI, --spawn-tgt, --spawn-cmd CMD");
	/* Without {sock} we would not know where the back-end listens. */
	if (a->spawn_cmd && !strstr(a->spawn_cmd, "{sock}"))
		return cli_usage_error("conform", "--spawn-cmd: no {sock} in '%s'", a->spawn_cmd);
	if (a->target && (!conform_transport_for_uri(a->target, &address) || !*address))
		return cli_usage_error("conform", "not a target URI (" SPAWN_SCHEME ":/path.sock): %s",
				       a->target);
	return 0;
}

static int add_unique(const char **list, unsigned *n, const char *name)
{
	for (unsigned i = 0; i < *n; i++) {
		if (!strcmp(list[i], name))
			return 0;
	}
	return add_name(list, n, name);
}

/* A conform step's params value KEY in milliseconds into *ms, unless set. */
static int scenario_ms(const struct scenario *sc, unsigned line, json_t *params, const char *key,
		       uint64_t *ms)
{
	json_t *v = json_object_get(params, key);

	if (!v || *ms)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 600000)
		return cli_usage_error("conform", "%s:%u: params.%s: milliseconds (1..600000)",
				       sc->file, line, key);
	*ms = (uint64_t)json_integer_value(v);
	return 0;
}

/* A conform step's params.fail_on ORed into *bits. */
static int scenario_fail_on(const struct scenario *sc, unsigned line, json_t *params,
			    unsigned *bits)
{
	json_t *v = json_object_get(params, "fail_on");

	if (v && (!json_is_string(v) || conform_fail_on_parse(json_string_value(v), bits)))
		return cli_usage_error("conform",
				       "%s:%u: params.fail_on: severities (" CONFORM_FAIL_ON_NAMES ")",
				       sc->file, line);
	return 0;
}

/*
 * --scenario: the suites and cases of FILE's conform steps (a step naming
 * neither means every suite), unless --suite or --case chose already; and
 * their params (timeout_ms, case_deadline_ms; fail_on, those of every step)
 * where the command line set none. The scenario's endpoints are not
 * started: the back-end is the one this command was given. *sc owns the
 * strings a now points to.
 */
static int apply_scenario(struct conform_args *a, struct scenario **sc)
{
	bool chosen = a->nsuites || a->ncases, all = false;
	unsigned steps = 0, fail_on = 0;
	uint64_t deadline = 0;
	char err[512];

	if (scenario_load_file(a->scenario, a->defs, a->ndefs, sc, err, sizeof(err))) {
		fprintf(stderr, "storlab conform: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	for (unsigned i = 0; i < (*sc)->steps_count; i++) {
		const struct sc_step *st = &(*sc)->steps[i];
		const struct sc_conform *c = st->conform;

		if (!c)
			continue;
		steps++;
		all |= !c->suites_count && !c->cases_count;
		for (unsigned k = 0; !chosen && k < c->suites_count; k++) {
			if (add_unique(a->suites, &a->nsuites, c->suites[k]))
				return CLI_EXIT_USAGE;
		}
		for (unsigned k = 0; !chosen && k < c->cases_count; k++) {
			if (add_unique(a->cases, &a->ncases, c->cases[k]))
				return CLI_EXIT_USAGE;
		}
		if (scenario_ms(*sc, st->line, c->params, "timeout_ms", &a->timeout_ms) ||
		    scenario_ms(*sc, st->line, c->params, "case_deadline_ms", &deadline) ||
		    scenario_fail_on(*sc, st->line, c->params, &fail_on))
			return CLI_EXIT_USAGE;
	}
	if (!steps)
		return cli_usage_error("conform", "%s has no conform step", a->scenario);
	if (all && !chosen)
		a->nsuites = a->ncases = 0;
	if (!a->case_deadline_ms)
		a->case_deadline_ms = (int)deadline;
	if (!a->fail_on)
		a->fail_on = fail_on;
	return 0;
}

static json_t *case_json(const struct conform_suite *suite, const struct conform_case *c)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", c->id, "suite", suite->name,
			      "level", conform_level_name(c->level), "spec", c->spec, "quote",
			      c->quote ? c->quote : "", "title", c->title, "description",
			      c->description ? c->description : "");

	if (j && c->level == CONFORM_ADVISORY)
		json_object_set_new(j, "severity", json_string(conform_severity_name(c->severity)));
	return j;
}

/* One line a case, then indented the sentence it enforces (an advisory's
 * severity first): lines that start with a space belong to the case above. */
static void case_lines(const struct conform_suite *suite, const struct conform_case *c)
{
	printf("%-18s %-8s %-11s %s: %s\n", c->id, conform_level_name(c->level), suite->name,
	       c->spec, c->title);
	printf("    %s%s%s", c->level == CONFORM_ADVISORY ? "[" : "",
	       c->level == CONFORM_ADVISORY ? conform_severity_name(c->severity) : "",
	       c->level == CONFORM_ADVISORY ? "] " : "");
	if (c->quote && c->quote[0])
		printf("\"%s\"\n", c->quote);
	else
		printf("(no quote)\n");
}

static int list_cases(const struct conform_args *a)
{
	json_t *cases = a->json ? json_array() : NULL;

	for (unsigned s = 0; s < g_conform_nsuites; s++) {
		const struct conform_suite *suite = g_conform_suites[s];
		bool want = !a->nsuites;

		for (unsigned i = 0; i < a->nsuites; i++)
			want |= strcmp(a->suites[i], suite->name) == 0;
		for (unsigned k = 0; want && k < suite->ncases; k++) {
			if (cases)
				json_array_append_new(cases, case_json(suite, &suite->cases[k]));
			else
				case_lines(suite, &suite->cases[k]);
		}
	}
	if (cases)
		return cli_print_json("conform", json_pack("{s:o}", "cases", cases));
	return CLI_EXIT_OK;
}

/* The live line on a terminal: the case being run, overwritten by the next;
 * a case that did not pass keeps its line. */
static void progress(void *arg, unsigned i, unsigned n, const struct conform_case *c,
		     const struct conform_result *r)
{
	(void)arg;
	if (!r) {
		fprintf(stderr, "\r\033[K[%u/%u] %s ...", i + 1, n, c->id);
	} else if (r->verdict == CONFORM_FAIL || r->verdict == CONFORM_ERROR) {
		fprintf(stderr, "\r\033[K[%u/%u] %s %s: %s\n", i + 1, n, c->id,
			conform_result_label(r), r->reason);
	} else if (i + 1 == n) {
		fprintf(stderr, "\r\033[K");
	}
	fflush(stderr);
}

/*
 * The back-end we start ourselves (--spawn-tgt, --spawn-cmd), through
 * lib/endpoint: restarted by the runner when a case takes it down, stopped
 * at the end. Its log goes into the report directory, next to the reports
 * that refer to it.
 */
#define SPAWN_SETUP_MAX 8
struct spawned {
	const char *label; /* for messages */
	struct endpoint_config cfg;
	struct endpoint_call setup[SPAWN_SETUP_MAX];
	unsigned nsetup;
	char log[4200];
	struct endpoint *ep;
	struct conform_hotplug hotplug; /* vhost-user-scsi, NVMe: over RPC */
};

/* --spawn-tgt: a malloc bdev behind one vhost-user-blk controller. */
#define TGT_CTRLR  "vhost.0"
#define TGT_BDEV   "Malloc0"
#define TGT_BLOCKS 65536 /* 32 MiB of 512-byte blocks */
#define TGT_QUEUES 2
/* Or a vhost-user-scsi controller: target 0 with LUN 0 (the suite's LU
 * under test, TGT_BDEV) and LUN 2 (REPORT LUNS lists two, with a gap),
 * target 1 with LUN 0; the small LUNs are 1 MiB, and one more bdev is what
 * the hot-plug cases add. */
#define TGT_SCSI_CTRLR	 "scsi.0"
#define TGT_SMALL_BLOCKS 2048
#define TGT_HOTPLUG_BDEV "Malloc3"
/* Or an NVMe controller over vfio-user: subsystem TGT_NQN with TGT_BDEV as
 * namespace 1, listening in the endpoint's directory ("{dir}", its socket
 * {dir}/cntrl); the hot-plug hook makes each namespace it adds from a fresh
 * bdev TGT_HOTPLUG_NS<NSID>. */
#define TGT_NQN	       "nqn.2016-06.io.spdk:cnode1"
#define TGT_SERIAL     "STORLAB-CONFORM1"
#define TGT_MODEL      "storlab conform --spawn-tgt"
#define TGT_HOTPLUG_NS "HotNs"

/* The transport of the suite named suite, or of the one holding case id
 * (suite NULL); NULL when there is none. */
static const struct conform_transport *suite_transport(const char *suite, const char *id)
{
	for (unsigned s = 0; s < g_conform_nsuites; s++) {
		const struct conform_suite *cs = g_conform_suites[s];

		if (suite && !strcmp(cs->name, suite))
			return cs->transport;
		for (unsigned k = 0; !suite && k < cs->ncases; k++) {
			if (!strcmp(cs->cases[k].id, id))
				return cs->transport;
		}
	}
	return NULL;
}

/* What --spawn-tgt serves: a controller of the transport that every suite
 * and case named shares (vhost-user-scsi, vfio-user NVMe); else, and when
 * none is named, vhost-user-blk (a suite of another transport is then
 * refused by name, by the runner). */
static const struct conform_transport *spawn_transport(const struct conform_args *a)
{
	const struct conform_transport *t = NULL;

	for (unsigned i = 0; i < a->nsuites + a->ncases; i++) {
		const struct conform_transport *u =
		    i < a->nsuites ? suite_transport(a->suites[i], NULL)
				   : suite_transport(NULL, a->cases[i - a->nsuites]);

		if (!u || (t && u != t))
			return &g_conform_transport_vhost_user;
		t = u;
	}
	return t ?: &g_conform_transport_vhost_user;
}

static void setup_add(struct spawned *b, const char *method, json_t *params)
{
	b->setup[b->nsetup++] = (struct endpoint_call){.method = method, .params = params};
}

static json_t *malloc_params(const char *name, int blocks)
{
	return json_pack("{s:s,s:i,s:i}", "name", name, "num_blocks", blocks, "block_size", 512);
}

static json_t *lun_params(int target, int lun, const char *bdev)
{
	return json_pack("{s:s,s:i,s:i,s:s}", "ctrlr", TGT_SCSI_CTRLR, "scsi_target_num", target,
			 "lun", lun, "bdev_name", bdev);
}

static const char *tgt_setup_scsi(struct spawned *b)
{
	setup_add(b, "bdev_malloc_create", malloc_params("Malloc1", TGT_SMALL_BLOCKS));
	setup_add(b, "bdev_malloc_create", malloc_params("Malloc2", TGT_SMALL_BLOCKS));
	setup_add(b, "bdev_malloc_create", malloc_params(TGT_HOTPLUG_BDEV, TGT_SMALL_BLOCKS));
	setup_add(b, "vhost_create_scsi_controller",
		  json_pack("{s:s,s:s,s:i}", "ctrlr", TGT_SCSI_CTRLR, "cpumask", "0x1",
			    "num_queues", TGT_QUEUES));
	setup_add(b, "vhost_scsi_controller_add_lun", lun_params(0, 0, TGT_BDEV));
	setup_add(b, "vhost_scsi_controller_add_lun", lun_params(0, 2, "Malloc1"));
	setup_add(b, "vhost_scsi_controller_add_lun", lun_params(1, 0, "Malloc2"));
	b->hotplug = (struct conform_hotplug){.ctrlr = TGT_SCSI_CTRLR, .bdev = TGT_HOTPLUG_BDEV};
	return TGT_SCSI_CTRLR;
}

/* The endpoint names the controller by its subsystem's NQN and finds the
 * listener's socket itself (lib/endpoint/kind_tgt.c). */
static const char *tgt_setup_nvme(struct spawned *b)
{
	setup_add(b, "nvmf_create_transport", json_pack("{s:s}", "trtype", "VFIOUSER"));
	setup_add(b, "nvmf_create_subsystem",
		  json_pack("{s:s,s:b,s:s,s:s}", "nqn", TGT_NQN, "allow_any_host", 1,
			    "serial_number", TGT_SERIAL, "model_number", TGT_MODEL));
	setup_add(b, "nvmf_subsystem_add_ns",
		  json_pack("{s:s,s:{s:s,s:i}}", "nqn", TGT_NQN, "namespace", "bdev_name", TGT_BDEV,
			    "nsid", 1));
	setup_add(b, "nvmf_subsystem_add_listener",
		  json_pack("{s:s,s:{s:s,s:s,s:s}}", "nqn", TGT_NQN, "listen_address", "trtype",
			    "VFIOUSER", "traddr", "{dir}", "trsvcid", "0"));
	b->hotplug = (struct conform_hotplug){.ctrlr = TGT_NQN, .bdev = TGT_HOTPLUG_NS};
	return TGT_NQN;
}

/* The set-up calls of --spawn-tgt's controller of transport t, and its
 * hot-plug hook where it has one; the controller's name. */
static const char *tgt_setup(struct spawned *b, const struct conform_transport *t)
{
	setup_add(b, "bdev_malloc_create", malloc_params(TGT_BDEV, TGT_BLOCKS));
	if (t == &g_conform_transport_vhost_user_scsi)
		return tgt_setup_scsi(b);
	if (t == &g_conform_transport_vfio_user)
		return tgt_setup_nvme(b);
	setup_add(b, "vhost_create_blk_controller",
		  json_pack("{s:s,s:s,s:s,s:i}", "ctrlr", TGT_CTRLR, "dev_name", TGT_BDEV,
			    "cpumask", "0x1", "num_queues", TGT_QUEUES));
	return TGT_CTRLR;
}

/* --spawn-cmd: serving means answering, as the runner's check after each
 * case defines it (a socket may accept before its back-end reads). */
static int probe_ready(void *arg, struct endpoint *ep, int timeout_ms)
{
	const struct conform_transport *t;
	struct conform_offer offer;
	const char *address;
	char uri[4200], err[256];
	int ret = endpoint_uri(ep, NULL, uri, sizeof(uri), err, sizeof(err));

	(void)arg;
	if (ret)
		return ret;
	t = conform_transport_for_uri(uri, &address);
	return t ? t->probe(address, timeout_ms, &offer) : -EPROTONOSUPPORT;
}

static int spawn_backend(const struct conform_args *a, struct spawned *b, char *uri, size_t len)
{
	const char *ctrlr = a->spawn ? tgt_setup(b, spawn_transport(a)) : NULL;
	char err[1024];
	int ret;

	b->label = a->spawn ? "storlab-tgt" : "the --spawn-cmd back-end";
	if (a->report_dir)
		snprintf(b->log, sizeof(b->log), "%s/%s", a->report_dir,
			 a->spawn ? "storlab-tgt.log" : "backend.log");
	b->cfg = (struct endpoint_config){
	    .name = a->spawn ? "storlab-tgt" : "backend",
	    .log = a->report_dir ? b->log : NULL,
	    .start_timeout_ms = (int)MAX(a->timeout_ms, 10000),
	    .setup = b->setup,
	    .nsetup = b->nsetup,
	    .command = a->spawn_cmd,
	    .scheme = SPAWN_SCHEME,
	    .ready = a->spawn ? NULL : probe_ready,
	};
	ret = endpoint_create(a->spawn ? &g_endpoint_tgt : &g_endpoint_command, &b->cfg, &b->ep,
			      err, sizeof(err));
	ret = ret ?: endpoint_start(b->ep, err, sizeof(err));
	ret = ret ?: endpoint_uri(b->ep, ctrlr, uri, len, err, sizeof(err));
	if (ret)
		fprintf(stderr, "storlab conform: %s: cannot start the back-end: %s\n",
			a->spawn ? "--spawn-tgt" : "--spawn-cmd", err);
	b->hotplug.ep = b->hotplug.ctrlr ? b->ep : NULL;
	return ret;
}

static void unspawn(struct spawned *b)
{
	char how[64];
	int status;

	for (unsigned i = 0; i < b->nsetup; i++)
		json_decref(b->setup[i].params);
	if (!b->ep)
		return;
	if (endpoint_restarts(b->ep))
		fprintf(stderr, "storlab conform: %s was restarted %u times\n", b->label,
			endpoint_restarts(b->ep));
	/* -1: not running (it never started, or a restart failed and said so). */
	status = endpoint_stop(b->ep);
	endpoint_status_text(status, how, sizeof(how));
	if (status > 0)
		fprintf(stderr, "storlab conform: %s did not stop cleanly (%s)\n", b->label, how);
	endpoint_destroy(b->ep);
}

/* The options that run one case again (reports show them): the command in
 * single quotes for a shell, a quote inside it as '\''. */
static void reproduce_args(const struct conform_args *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 a->spawn	? "--spawn-tgt"
		 : a->spawn_cmd ? "--spawn-cmd "
				: "--target ");
	if (!a->spawn)
		conform_shell_word(buf, len, a->spawn_cmd ? a->spawn_cmd : a->target);
	if (a->hotplug_cmd) {
		strncat(buf, " --hotplug-cmd ", len - strlen(buf) - 1);
		conform_shell_word(buf, len, a->hotplug_cmd);
	}
	if (a->scenario) {
		strncat(buf, " --scenario ", len - strlen(buf) - 1);
		conform_shell_word(buf, len, a->scenario);
	}
	for (unsigned i = 0; i < a->ndefs; i++) {
		char def[4096];

		snprintf(def, sizeof(def), "%s=%s", a->defs[i].name, a->defs[i].value);
		strncat(buf, " -D ", len - strlen(buf) - 1);
		conform_shell_word(buf, len, def);
	}
}

static int report(const struct conform_args *a, const struct conform_run *run)
{
	int ret;

	if (a->report_dir) {
		ret = conform_report_write_dir(run, a->report_dir);
		if (ret) {
			fprintf(stderr, "storlab conform: cannot write reports to %s: %s\n",
				a->report_dir, strerror(-ret));
			return CLI_EXIT_USAGE;
		}
	}
	if (a->json) {
		if (cli_print_json("conform", conform_report_json(run)) != CLI_EXIT_OK)
			return CLI_EXIT_USAGE;
	} else {
		conform_report_summary(run, stdout);
	}
	if (run->stopped)
		fprintf(stderr, "storlab conform: %s\n", run->stopped);
	ret = conform_run_exit_code(run);
	return ret == 2 ? CLI_EXIT_USAGE : ret ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int cli_conform(int argc, char **argv)
{
	struct conform_args a = {0};
	struct spawned b = {0};
	struct conform_run *run = NULL;
	struct scenario *sc = NULL;
	volatile sig_atomic_t *stop;
	const char *address = NULL;
	char reproduce[8192], target[4200], uri[4200], msg[512];
	int ret = parse(argc, argv, &a);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	if (a.list)
		return list_cases(&a);
	if (a.scenario && (ret = apply_scenario(&a, &sc)) != 0) {
		scenario_free(sc);
		return ret;
	}
	if (!a.timeout_ms)
		a.timeout_ms = 1000;
	/* A back-end that closes mid-send must be an error code, not our death. */
	signal(SIGPIPE, SIG_IGN);
	/* Ctrl-C: the back-end we spawned runs in a process group of its own,
	 * which a terminal's Ctrl-C does not reach; it is stopped on the way
	 * out. */
	stop = cli_catch_interrupts();
	ret = CLI_EXIT_USAGE;
	if (a.report_dir && mkdir(a.report_dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "storlab conform: %s: %s\n", a.report_dir, strerror(errno));
		goto out;
	}
	if (a.spawn || a.spawn_cmd) {
		if (spawn_backend(&a, &b, uri, sizeof(uri)))
			goto out;
	} else {
		snprintf(uri, sizeof(uri), "%s", a.target);
	}
	reproduce_args(&a, reproduce, sizeof(reproduce));
	if (a.spawn_cmd)
		snprintf(target, sizeof(target), "%s (--spawn-cmd)", a.spawn_cmd);
	else
		snprintf(target, sizeof(target), "%s",
			 a.spawn ? "storlab-tgt (--spawn-tgt)" : a.target);
	struct conform_hotplug shell_hotplug = {.cmd = a.hotplug_cmd};
	struct conform_hotplug *hotplug = a.hotplug_cmd	 ? &shell_hotplug
					  : b.hotplug.ep ? &b.hotplug
							 : NULL;
	struct conform_run_opts o = {
	    .transport = conform_transport_for_uri(uri, &address),
	    .socket_path = address,
	    .target = target,
	    .reproduce = reproduce,
	    .timeout_ms = a.timeout_ms,
	    .case_deadline_ms = a.case_deadline_ms,
	    .fail_on = a.fail_on,
	    .suites = g_conform_suites,
	    .nsuites = g_conform_nsuites,
	    .suite_names = a.suites,
	    .nsuite_names = a.nsuites,
	    .case_ids = a.cases,
	    .ncase_ids = a.ncases,
	    .restart = b.ep ? endpoint_restart_logged : NULL,
	    .restart_arg = b.ep,
	    .restart_hint = "use --spawn-cmd to restart it per case",
	    .progress = isatty(STDERR_FILENO) ? progress : NULL,
	    .hotplug = hotplug ? conform_hotplug_run : NULL,
	    .hotplug_arg = hotplug,
	    .stop = stop,
	};
	ret = conform_run_execute(&o, &run, msg, sizeof(msg));
	if (ret == -EINTR) {
		fprintf(stderr, "\nstorlab conform: interrupted; no report written\n");
		ret = CLI_EXIT_INTERRUPTED;
	} else if (ret) {
		fprintf(stderr, "storlab conform: %s\n", msg);
		ret = CLI_EXIT_USAGE;
	} else {
		ret = report(&a, run);
	}
out:
	unspawn(&b);
	conform_run_free(run);
	scenario_free(sc);
	return ret;
}
