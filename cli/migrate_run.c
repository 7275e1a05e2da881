/* SPDX-License-Identifier: MIT */
/*
 * `storlab migrate run`: the VMM emulator (emu/). It migrates the initiator's
 * device from one back-end to another while it does verified I/O, and
 * checks the invariants (docs/man/storlab-migrate.md).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cli/cli.h"
#include "emu/emu.h"
#include "endpoint/endpoint.h"
#include "storlab/initiator.h"
#include "util/common.h"
#include "util/log.h"

/* Exit codes of `storlab migrate run` (docs/man/storlab-migrate.md). */
enum {
	MIGRATE_EXIT_VIOLATION = 1,
	MIGRATE_EXIT_NOT_RUN = 3, /* a peer gone, a back-end that cannot migrate */
};

struct migrate_args {
	struct emu_mig_opts o;
	const char *dest_spawn;
	unsigned count;
	bool seed_given;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: storlab migrate run --source URI (--dest URI | --dest-spawn CMD) [options]\n"
	       "\nPlays the VMM: the initiator's device does verified I/O on the source\n"
	       "back-end, is migrated (pre-copy, dirty log) to the destination, goes on\n"
	       "there, and every invariant is checked per request.\n"
	       "\n  --source URI         the source back-end: vhost-user-blk:/path or\n"
	       "                       vhost-user-scsi:/path[?target=T&lun=L]\n"
	       "  --dest URI           the destination, of the source's scheme (same storage)\n"
	       "  --dest-spawn CMD     start the destination with /bin/sh -c CMD, {sock}\n"
	       "                       replaced by its socket (served as the source's scheme)\n"
	       "  --rw MIX             write | read | rw[:READ_PCT] (default rw:50)\n"
	       "  --bs SIZE            bytes per request (default 4k)\n"
	       "  --qd N               requests in flight per queue (default 8)\n"
	       "  --queues N           queues (default 1)\n"
	       "  --dirty-rate N       guest page writes per ms outside I/O (default 10)\n"
	       "  --rounds N           most pre-copy rounds (default 5)\n"
	       "  --round-ms MS        a round's mean length (default 20)\n"
	       "  --max-dirty PAGES    converged below this many dirty pages (default 64)\n"
	       "  --stop-inflight      stop the rings with requests in flight\n"
	       "  --seed S             the decisions' seed (printed; default random)\n"
	       "  --count N            N migrations with seeds S, S+1, ...; a summary\n"
	       "  --io-timeout MS      a request not done by then is lost (default 3000)\n"
	       "  --output FMT         table (default) or json\n"
	       "\nexit codes: 0 every invariant held, 1 a violation, 2 usage, 3 could not run\n");
}

int cli_migrate_parse_rw(const char *s, unsigned *read_pct)
{
	unsigned long pct;
	char *end;

	if (!strcmp(s, "write"))
		*read_pct = 0;
	else if (!strcmp(s, "read"))
		*read_pct = 100;
	else if (!strcmp(s, "rw"))
		*read_pct = 50;
	else if (!strncmp(s, "rw:", 3)) {
		pct = strtoul(s + 3, &end, 10);
		if (*end || end == s + 3 || pct > 100)
			return -EINVAL;
		*read_pct = (unsigned)pct;
	} else
		return -EINVAL;
	return 0;
}

int cli_migrate_shared_opt(const char *cmd, const char *name, const char *arg,
			   struct cli_migrate_shared *sh)
{
	uint64_t v;

	if (!strcmp(name, "bs")) {
		if (util_parse_size(arg, &v) || v == 0 || v % 512 || v > (1u << 20))
			return cli_usage_error(cmd, "--bs: a multiple of 512 up to 1M, not '%s'",
					       arg);
		sh->bs = (uint32_t)v;
	} else if (!strcmp(name, "rw")) {
		if (cli_migrate_parse_rw(arg, &sh->read_pct))
			return cli_usage_error(cmd, "--rw: write, read, rw or rw:PCT, not '%s'",
					       arg);
	} else if (!strcmp(name, "io-timeout")) {
		if (util_parse_uint(arg, 10, 600000, &v))
			return cli_usage_error(cmd, "--io-timeout: 10 to 600000, not '%s'", arg);
		sh->io_timeout_ms = (int)v;
	} else if (!strcmp(name, "output")) {
		if (strcmp(arg, "json") && strcmp(arg, "table"))
			return cli_usage_error(cmd, "--output: table or json");
		sh->json = !strcmp(arg, "json");
	} else {
		return cli_usage_error(cmd, "unknown option");
	}
	return 0;
}

static int parse_u(const char *opt, const char *s, unsigned min, unsigned max, unsigned *v)
{
	uint64_t x;

	if (util_parse_uint(s, min, max, &x))
		return cli_usage_error("migrate run", "%s: a whole number from %u to %u, not '%s'",
				       opt, min, max, s);
	*v = (unsigned)x;
	return 0;
}

static int parse_args(int argc, char **argv, struct migrate_args *a)
{
	static const struct option opts[] = {
	    {"source", required_argument, NULL, 's'},
	    {"dest", required_argument, NULL, 'd'},
	    {"dest-spawn", required_argument, NULL, 'D'},
	    {"rw", required_argument, NULL, 0},
	    {"bs", required_argument, NULL, 0},
	    {"qd", required_argument, NULL, 'q'},
	    {"queues", required_argument, NULL, 'Q'},
	    {"dirty-rate", required_argument, NULL, 'r'},
	    {"rounds", required_argument, NULL, 'R'},
	    {"round-ms", required_argument, NULL, 'm'},
	    {"max-dirty", required_argument, NULL, 'x'},
	    {"stop-inflight", no_argument, NULL, 'i'},
	    {"seed", required_argument, NULL, 'S'},
	    {"count", required_argument, NULL, 'c'},
	    {"io-timeout", required_argument, NULL, 0},
	    {"output", required_argument, NULL, 0},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct cli_migrate_shared sh = CLI_MIGRATE_SHARED_DEFAULTS;
	unsigned u = 0;
	int c, idx = 0;

	*a = (struct migrate_args){.count = 1};
	a->o = (struct emu_mig_opts){.queues = 1,
				     .qd = 8,
				     .queue_size = STORLAB_DEFAULT_QUEUE_SIZE,
				     .dirty_rate = 10,
				     .rounds = 5,
				     .round_ms = 20,
				     .max_dirty = 64,
				     .mem_size = STORLAB_DEFAULT_MEM_SIZE};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		int bad = 0;

		switch (c) {
		case 's':
			a->o.source = optarg;
			break;
		case 'd':
			a->o.dest = optarg;
			break;
		case 'D':
			a->dest_spawn = optarg;
			break;
		case 'q':
			bad = parse_u("--qd", optarg, 1, 1024, &a->o.qd);
			break;
		case 'Q':
			bad = parse_u("--queues", optarg, 1, EMU_MAX_QUEUES, &a->o.queues);
			break;
		case 'r':
			bad = parse_u("--dirty-rate", optarg, 0, 100000, &a->o.dirty_rate);
			break;
		case 'R':
			bad = parse_u("--rounds", optarg, 1, EMU_MAX_ROUNDS, &a->o.rounds);
			break;
		case 'm':
			bad = parse_u("--round-ms", optarg, 2, 60000, &a->o.round_ms);
			break;
		case 'x':
			bad = parse_u("--max-dirty", optarg, 1, UINT32_MAX, &u);
			a->o.max_dirty = u;
			break;
		case 'i':
			a->o.stop_inflight = true;
			break;
		case 'S':
			if (util_parse_uint(optarg, 0, INT64_MAX, &a->o.seed))
				return cli_usage_error("migrate run",
						       "--seed: a whole number, not "
						       "'%s'",
						       optarg);
			a->seed_given = true;
			break;
		case 'c':
			bad = parse_u("--count", optarg, 1, 1000000, &a->count);
			break;
		case 0:
			bad = cli_migrate_shared_opt("migrate run", opts[idx].name, optarg, &sh);
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return cli_usage_error("migrate run", "unknown option");
		}
		if (bad)
			return bad;
	}
	a->o.bs = sh.bs;
	a->o.read_pct = sh.read_pct;
	a->o.io_timeout_ms = sh.io_timeout_ms;
	a->json = sh.json;
	if (optind < argc)
		return cli_usage_error("migrate run", "unexpected argument '%s'", argv[optind]);
	if (!a->o.source)
		return cli_usage_error("migrate run", "--source URI is required");
	if (!!a->o.dest + !!a->dest_spawn != 1)
		return cli_usage_error("migrate run", "give one of --dest URI, --dest-spawn CMD");
	if (a->dest_spawn && !strstr(a->dest_spawn, "{sock}"))
		return cli_usage_error("migrate run", "--dest-spawn: no {sock} in '%s'",
				       a->dest_spawn);
	if (a->o.qd > a->o.queue_size)
		return cli_usage_error("migrate run", "--qd: at most the queue size %u",
				       a->o.queue_size);
	if (!a->seed_given && getrandom(&a->o.seed, sizeof(a->o.seed), 0) != sizeof(a->o.seed))
		return cli_usage_error("migrate run", "no random seed: give --seed");
	/* Printed as JSON integers: keep seeds in their positive range. */
	a->o.seed &= INT64_MAX;
	return 0;
}

/* ---- reports ---- */

json_t *cli_migrate_run_json(const struct emu_mig_result *r, int ret)
{
	json_t *rounds = json_array(), *plan_rounds = json_array(), *v = json_array();
	json_t *bases = json_array(), *published = json_array(), *counts = json_object();
	const struct emu_track *t = &r->track;

	for (unsigned i = 0; i < r->plan.rounds; i++)
		json_array_append_new(plan_rounds, json_integer(r->plan.round_ms[i]));
	for (unsigned i = 0; i < r->rounds_done; i++)
		json_array_append_new(rounds,
				      json_pack("{s:i, s:i}", "pages_copied", r->round[i].copied,
						"dirty_after", r->round[i].dirty_after));
	for (unsigned i = 0; r->switched && i < r->nrings; i++)
		json_array_append_new(bases, json_integer(r->bases[i]));
	for (unsigned i = 0; r->switched && i < t->nqueues; i++)
		json_array_append_new(published, json_integer(r->published[i]));
	for (unsigned k = 0; k < EMU_V_COUNT; k++)
		json_object_set_new(counts, emu_vkind_name(k), json_integer(t->counts[k]));
	for (uint32_t i = 0; i < t->nv; i++) {
		const struct emu_violation *x = &t->v[i];
		json_t *o = json_pack("{s:s, s:i, s:s}", "kind", emu_vkind_name(x->kind), "queue",
				      x->queue, "detail", x->detail);

		if (x->req != EMU_NO_REQ) {
			const struct emu_req *q = &t->reqs[x->req];

			json_object_set_new(
			    o, "request",
			    json_pack("{s:i, s:i, s:i, s:s, s:I, s:I, s:b}", "serial", x->req, "id",
				      q->id, "head", q->head, "op",
				      q->op == STORLAB_OP_READ ? "read" : "write", "lba",
				      (json_int_t)q->lba, "generation", (json_int_t)q->gen,
				      "to_source", q->to_source));
		}
		if (x->kind == EMU_V_STALE_PAGE || x->kind == EMU_V_LATE_WRITE)
			json_object_set_new(o, "page", json_integer((json_int_t)x->page));
		if (x->kind == EMU_V_INDEX_REGRESSION)
			json_object_set_new(o, "index",
					    json_pack("{s:i, s:i}", "seen", x->index_seen, "floor",
						      x->index_floor));
		json_array_append_new(v, o);
	}
	return json_pack(
	    "{s:I, s:{s:i, s:o, s:i}, s:o, s:b, s:i, s:i, s:o, s:o, s:o, s:i, s:i, s:o, s:o, s:b, "
	    "s:s}",
	    "seed", (json_int_t)r->plan.seed, "decisions", "warmup_ms", r->plan.warmup_ms,
	    "round_ms", plan_rounds, "post_ms", r->plan.post_ms, "rounds", rounds, "converged",
	    r->converged, "final_pages_copied", r->final_copied, "inflight_at_stop",
	    r->inflight_at_stop, "bases", bases, "source_used_idx", published, "switch_ms",
	    r->switch_ms >= 0 ? json_real(r->switch_ms) : json_null(), "requests", t->nreqs,
	    "reconnects", r->reconnects, "violation_counts", counts, "violations", v, "ok",
	    ret == 0 && emu_mig_ok(r), "error", ret ? r->error : "");
}

void cli_migrate_run_table(const struct emu_mig_result *r, int ret)
{
	const struct emu_track *t = &r->track;

	printf("seed %" PRIu64 ": ", r->plan.seed);
	if (ret) {
		printf("could not run: %s\n", r->error);
		return;
	}
	printf("%u round(s)%s, %u in flight at the stop, ", r->rounds_done,
	       r->converged ? " converged" : "", r->inflight_at_stop);
	if (r->switch_ms >= 0)
		printf("switch %.3f ms", r->switch_ms);
	else
		printf("no completion at the destination");
	printf(", %u requests: %s\n", t->nreqs, emu_mig_ok(r) ? "ok" : "VIOLATIONS");
	for (uint32_t i = 0; i < t->nv; i++) {
		const struct emu_violation *x = &t->v[i];

		printf("  %-16s queue %u", emu_vkind_name(x->kind), x->queue);
		if (x->req != EMU_NO_REQ) {
			const struct emu_req *q = &t->reqs[x->req];

			printf(" request %u (id %u head %u %s LBA %" PRIu64 ")", x->req, q->id,
			       q->head, q->op == STORLAB_OP_READ ? "read" : "write", q->lba);
		}
		if (x->kind == EMU_V_STALE_PAGE || x->kind == EMU_V_LATE_WRITE)
			printf(" page 0x%" PRIx64, x->page);
		printf(": %s\n", x->detail);
	}
}

static json_t *summary_json(const struct emu_summary *s)
{
	json_t *counts = json_object();

	for (unsigned k = 0; k < EMU_V_COUNT; k++)
		json_object_set_new(counts, emu_vkind_name(k),
				    json_integer((json_int_t)s->counts[k]));
	return json_pack("{s:i, s:i, s:i, s:o, s:{s:o, s:o}}", "runs", s->runs, "failed", s->failed,
			 "not_run", s->not_run, "violation_counts", counts, "switch_ms", "median",
			 s->switch_median_ms >= 0 ? json_real(s->switch_median_ms) : json_null(),
			 "p99", s->switch_p99_ms >= 0 ? json_real(s->switch_p99_ms) : json_null());
}

static void summary_table(const struct emu_summary *s)
{
	printf("%u migration(s): %u with violations, %u not run; lost %" PRIu64
	       ", duplicated %" PRIu64 ", stale %" PRIu64 ", regressions %" PRIu64
	       "; switch median %.3f ms, p99 %.3f ms\n",
	       s->runs, s->failed, s->not_run, s->counts[EMU_V_LOST], s->counts[EMU_V_DUPLICATE],
	       s->counts[EMU_V_STALE_DATA] + s->counts[EMU_V_STALE_PAGE],
	       s->counts[EMU_V_INDEX_REGRESSION], s->switch_median_ms, s->switch_p99_ms);
}

int cli_migrate_spawn(const char *what, const char *cmd, const char *scheme,
		      struct endpoint_config *cfg, struct endpoint **ep, char *uri, size_t len)
{
	char err[1024];
	int ret;

	*cfg = (struct endpoint_config){.name = "dest", .command = cmd, .scheme = scheme};
	ret = endpoint_create(&g_endpoint_command, cfg, ep, err, sizeof(err));
	ret = ret ?: endpoint_start(*ep, err, sizeof(err));
	ret = ret ?: endpoint_uri(*ep, NULL, uri, len, err, sizeof(err));
	if (ret)
		fprintf(stderr, "storlab migrate %s: %s\n", what, err);
	return ret;
}

/*
 * Runs what argv asks (parsed already into a): every migration, each
 * reported as it ends (a table line; JSON into *report's runs). *report
 * gets {"seed", "runs", "summary"}, also without JSON output (NULL: it could
 * not be built). The exit code.
 */
static int migrate_exec(struct migrate_args *a, json_t **report)
{
	struct endpoint_config cfg;
	struct endpoint *ep = NULL;
	struct emu_summary s = {0};
	json_t *runs = json_array();
	char uri[4200];
	double *values = NULL;
	int ret, rc = CLI_EXIT_OK;

	*report = NULL;
	if (a->dest_spawn) {
		/* The destination serves a device of the source's kind. */
		char scheme[64];

		snprintf(scheme, sizeof(scheme), "%.*s", (int)strcspn(a->o.source, ":"),
			 a->o.source);
		if (cli_migrate_spawn("run: --dest-spawn", a->dest_spawn, scheme, &cfg, &ep, uri,
				      sizeof(uri))) {
			rc = MIGRATE_EXIT_NOT_RUN;
			goto out;
		}
		a->o.dest = uri;
	}
	values = calloc(a->count, sizeof(*values));
	if (!values) {
		rc = MIGRATE_EXIT_NOT_RUN;
		goto out;
	}
	if (!a->json)
		printf("seed %" PRIu64 "%s\n", a->o.seed, a->count > 1 ? " (then +1 per run)" : "");
	for (unsigned i = 0; i < a->count; i++) {
		struct emu_mig_opts o = a->o;
		struct emu_mig_result r;

		o.seed = (a->o.seed + i) & INT64_MAX;
		ret = emu_mig_run(&o, &r);
		r.plan.seed = o.seed;
		json_array_append_new(runs, cli_migrate_run_json(&r, ret));
		if (!a->json)
			cli_migrate_run_table(&r, ret);
		emu_summary_add(&s, &r, ret, values);
		if (ret)
			rc = MIGRATE_EXIT_NOT_RUN;
		else if (!emu_mig_ok(&r) && rc == CLI_EXIT_OK)
			rc = MIGRATE_EXIT_VIOLATION;
		emu_mig_result_fini(&r);
	}
	emu_summary_finish(&s, values, s.runs - s.not_run);
	if (!a->json && a->count > 1)
		summary_table(&s);
	*report = json_pack("{s:I, s:O, s:o}", "seed", (json_int_t)a->o.seed, "runs", runs,
			    "summary", summary_json(&s));
out:
	json_decref(runs);
	free(values);
	if (ep) {
		endpoint_stop(ep);
		endpoint_destroy(ep);
	}
	return rc;
}

int cli_migrate_run(int argc, char **argv)
{
	struct migrate_args a;
	json_t *report;
	int ret = parse_args(argc, argv, &a);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	ret = migrate_exec(&a, &report);
	if (a.json && report)
		cli_print_json("migrate run", report);
	else
		json_decref(report);
	return ret;
}

int cli_migrate_report(int argc, char **argv, json_t **report)
{
	struct migrate_args a;
	int ret = parse_args(argc, argv, &a);

	*report = NULL;
	if (ret)
		return ret < 0 ? CLI_EXIT_USAGE : ret;
	a.json = true;
	return migrate_exec(&a, report);
}
