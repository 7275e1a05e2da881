/* SPDX-License-Identifier: MIT */
/*
 * `storlab migrate replay`: re-executes the front-end side of a recorded
 * trace against a back-end with the VMM emulator's engine (emu/, the
 * trace's script as its schedule, emu_script.h), checks the invariants of
 * `storlab migrate run`, and with --shrink reduces a failing trace to a
 * minimal one (emu_shrink.h). docs/man/storlab-migrate.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "emu/emu.h"
#include "emu/emu_script.h"
#include "emu/emu_shrink.h"
#include "endpoint/endpoint.h"
#include "storlab/initiator.h"
#include "util/common.h"
#include "vhost/vhost_msg.h"

/* Exit codes: those of `storlab migrate run`. */
enum {
	REPLAY_EXIT_VIOLATION = 1,
	REPLAY_EXIT_NOT_RUN = 3,
};

#define MAX_UNITS 512

struct replay_args {
	const char *trace;
	const char *target;
	const char *spawn_cmd;
	const char *scheme; /* what --spawn-cmd's back-end serves */
	const char *shrink;
	bool crash_matrix;
	unsigned crash_stride;	/* --crash-stride: 1, every message */
	uint32_t crash_request; /* --crash-after: 0 for none */
	unsigned crash_nth;
	unsigned shrink_runs;
	unsigned qd, requests, stop_inflight;
	uint64_t seed;
	struct cli_migrate_shared sh; /* --bs, --rw, --io-timeout, --output */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: storlab migrate replay TRACE (--target URI | --spawn-cmd CMD) [options]\n"
		"\nRe-executes the front-end side of a recorded trace against a back-end:\n"
		"the same memory size, rings, connections and migration, as many verified\n"
		"requests per ring and phase as the trace's ring states say, and checks\n"
		"the invariants of `storlab migrate run`.\n"
		"\n  --target URI         the back-end: vhost-user-blk:/path or\n"
		"                       vhost-user-scsi:/path[?target=T&lun=L] (rings 0\n"
		"                       and 1 of the trace are its controlq and eventq)\n"
		"  --spawn-cmd CMD      start the back-end with /bin/sh -c CMD, {sock}\n"
		"                       replaced by its socket\n"
		"  --scheme SCHEME      what the spawned back-end serves: vhost-user-blk\n"
		"                       (default) or vhost-user-scsi\n"
		"  --shrink OUT         if the replay fails: the smallest trace that still\n"
		"                       fails the same way, written to OUT\n"
		"  --shrink-runs N      a smaller trace counts as failing only if each of\n"
		"                       N replays fails the same way (default 3), so that\n"
		"                       OUT fails every time, not by chance of timing\n"
		"  --crash-matrix       replay once per front-end message with the back-end\n"
		"                       killed after it (needs --spawn-cmd)\n"
		"  --crash-stride N     with --crash-matrix: a sample, the kill after\n"
		"                       messages 1, 1+N, 1+2N, ... and the last (default 1:\n"
		"                       every message)\n"
		"  --crash-after REQ[:N]  one replay, the back-end killed after the Nth\n"
		"                       (default 1st) REQ message (GET_VRING_BASE or\n"
		"                       VHOST_USER_GET_VRING_BASE) and restarted, as a\n"
		"                       matrix row names it; with --shrink too (needs\n"
		"                       --spawn-cmd)\n"
		"  --qd N               requests in flight per ring (default 8; at least\n"
		"                       what the trace had in flight at a stop)\n"
		"  --bs SIZE            bytes per request (default 4k)\n"
		"  --rw MIX             write | read | rw[:READ_PCT] (default rw:50)\n"
		"  --requests N         per ring, for a trace whose ring states do not say\n"
		"                       (default 64)\n"
		"  --stop-inflight N    requests in flight at the stop on a ring that ran\n"
		"                       requests at the source (default: the --qd)\n"
		"  --seed S             the guest's choices (default 1: a replay repeats)\n"
		"  --io-timeout MS      a request not done by then is lost (default 3000)\n"
		"  --output FMT         table (default) or json\n"
		"\nexit codes: 0 every invariant held, 1 a violation, 2 usage, 3 could not run\n");
}

/* "GET_VRING_BASE" or "VHOST_USER_GET_VRING_BASE", then ":N" or nothing. */
static int parse_crash_after(const char *arg, struct replay_args *a)
{
	char name[64];
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
	uint64_t n = 1;

	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, arg, len);
	name[len] = '\0';
	if (vhost_msg_request_code(name, &a->crash_request) ||
	    (colon && util_parse_uint(colon + 1, 1, 1000000, &n)))
		return -EINVAL;
	a->crash_nth = (unsigned)n;
	return 0;
}

static int parse_args(int argc, char **argv, struct replay_args *a)
{
	static const struct option opts[] = {
	    {"target", required_argument, NULL, 't'},
	    {"spawn-cmd", required_argument, NULL, 'p'},
	    {"scheme", required_argument, NULL, 's'},
	    {"shrink", required_argument, NULL, 'k'},
	    {"shrink-runs", required_argument, NULL, 'R'},
	    {"crash-matrix", no_argument, NULL, 'C'},
	    {"crash-after", required_argument, NULL, 'A'},
	    {"crash-stride", required_argument, NULL, 'T'},
	    {"qd", required_argument, NULL, 'q'},
	    {"bs", required_argument, NULL, 0},
	    {"rw", required_argument, NULL, 0},
	    {"requests", required_argument, NULL, 'n'},
	    {"stop-inflight", required_argument, NULL, 'i'},
	    {"seed", required_argument, NULL, 'S'},
	    {"io-timeout", required_argument, NULL, 0},
	    {"output", required_argument, NULL, 0},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	uint64_t v;
	int c, idx = 0;

	*a = (struct replay_args){.qd = 8,
				  .scheme = "vhost-user-blk",
				  .requests = 64,
				  .shrink_runs = 3,
				  .crash_stride = 1,
				  .stop_inflight = UINT_MAX,
				  .seed = 1,
				  .sh = CLI_MIGRATE_SHARED_DEFAULTS};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 't':
			a->target = optarg;
			break;
		case 'p':
			a->spawn_cmd = optarg;
			break;
		case 's':
			if (strcmp(optarg, "vhost-user-blk") && strcmp(optarg, "vhost-user-scsi"))
				return cli_usage_error(
				    "migrate replay",
				    "--scheme: vhost-user-blk or vhost-user-scsi");
			a->scheme = optarg;
			break;
		case 'k':
			a->shrink = optarg;
			break;
		case 'C':
			a->crash_matrix = true;
			break;
		case 'A':
			if (parse_crash_after(optarg, a))
				return cli_usage_error(
				    "migrate replay",
				    "--crash-after: a request name and an optional "
				    ":N from 1, e.g. GET_VRING_BASE:2, not '%s'",
				    optarg);
			break;
		case 'T':
			if (util_parse_uint(optarg, 1, 1000000, &v))
				return cli_usage_error("migrate replay",
						       "--crash-stride: 1 to 1000000");
			a->crash_stride = (unsigned)v;
			break;
		case 'R':
			if (util_parse_uint(optarg, 1, 100, &v))
				return cli_usage_error("migrate replay", "--shrink-runs: 1 to 100");
			a->shrink_runs = (unsigned)v;
			break;
		case 'q':
			if (util_parse_uint(optarg, 1, 1024, &v))
				return cli_usage_error("migrate replay", "--qd: 1 to 1024");
			a->qd = (unsigned)v;
			break;
		case 'n':
			if (util_parse_uint(optarg, 0, 65535, &v))
				return cli_usage_error("migrate replay", "--requests: 0 to 65535");
			a->requests = (unsigned)v;
			break;
		case 'i':
			if (util_parse_uint(optarg, 0, 1024, &v))
				return cli_usage_error("migrate replay",
						       "--stop-inflight: 0 to 1024");
			a->stop_inflight = (unsigned)v;
			break;
		case 'S':
			if (util_parse_uint(optarg, 0, INT64_MAX, &a->seed))
				return cli_usage_error("migrate replay", "--seed: a whole number");
			break;
		case 0:
			if (cli_migrate_shared_opt("migrate replay", opts[idx].name, optarg,
						   &a->sh))
				return CLI_EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return cli_usage_error("migrate replay", "unknown option");
		}
	}
	if (a->stop_inflight == UINT_MAX)
		a->stop_inflight = a->qd;
	if (optind != argc - 1)
		return cli_usage_error("migrate replay", "give one TRACE");
	a->trace = argv[optind];
	if (!!a->target + !!a->spawn_cmd != 1)
		return cli_usage_error("migrate replay",
				       "give one of --target URI, --spawn-cmd CMD");
	if (a->spawn_cmd && !strstr(a->spawn_cmd, "{sock}"))
		return cli_usage_error("migrate replay", "--spawn-cmd: no {sock} in '%s'",
				       a->spawn_cmd);
	if (a->crash_matrix && a->crash_request)
		return cli_usage_error("migrate replay",
				       "give one of --crash-matrix, --crash-after");
	if (a->crash_stride > 1 && !a->crash_matrix)
		return cli_usage_error("migrate replay", "--crash-stride samples --crash-matrix");
	return 0;
}

/* A kill needs a process of ours to kill: lib/endpoint's, one the replay
 * starts (--spawn-cmd) or, in a scenario, the step's endpoint. */
static int check_kills(const struct replay_args *a, bool killable)
{
	if ((a->crash_matrix || a->crash_request) && !killable)
		return cli_usage_error(
		    "migrate replay",
		    "--crash-matrix and --crash-after kill the back-end: they "
		    "need a back-end the replay starts itself (--spawn-cmd), not --target");
	return 0;
}

/* ---- one replay ---- */

struct replay {
	const struct replay_args *a;
	const char *uri;
	const struct emu_crash *crash; /* --crash-after, or NULL */
};

/* The engine's options for script s. */
/*
 * The engine's options for a replay of s, its schedule in *sched. A
 * virtio-scsi device's request queues are the trace's rings from 2 on
 * (virtio 1.2 §5.6.2): the controlq and eventq carry none of the guest's
 * I/O, and the device sets them up itself.
 */
static void replay_opts(const struct replay *rp, struct emu_script *s, struct emu_mig_opts *o,
			struct emu_schedule *sched)
{
	const struct replay_args *a = rp->a;
	unsigned first = strncmp(rp->uri, "vhost-user-scsi:", 16) ? 0 : 2;

	for (unsigned q = 0; q < s->queues; q++) {
		uint32_t *io = s->sched.io[EMU_PHASE_INFLIGHT];

		if (!s->counted)
			s->sched.io[EMU_PHASE_WARMUP][q] = a->requests;
		/* A ring busy up to its stop had requests in flight when
		 * GET_VRING_BASE went out; a back-end that drains before its
		 * answer leaves the recorder none to see ("Ring states"). */
		if (s->sched.io[EMU_PHASE_WARMUP][q] + s->sched.io[EMU_PHASE_PRECOPY][q])
			io[q] = MAX(io[q], a->stop_inflight);
	}
	*sched = s->sched;
	for (unsigned p = 0; p < EMU_PHASES; p++)
		for (unsigned q = 0; q < EMU_MAX_QUEUES; q++)
			sched->io[p][q] =
			    q + first < EMU_MAX_QUEUES ? s->sched.io[p][q + first] : 0;
	*o = (struct emu_mig_opts){
	    .source = rp->uri,
	    .dest = rp->uri,
	    /* 0 (a trace without request queues): the engine says so. */
	    .queues = s->queues > first ? s->queues - first : 0,
	    .queue_size = s->queues > first ? s->ring_size[first] : s->queue_size,
	    .qd = MIN(MAX(a->qd, (unsigned)s->max_inflight), (unsigned)s->queue_size),
	    .bs = a->sh.bs,
	    .read_pct = a->sh.read_pct,
	    .rounds = 1,
	    .round_ms = 20,
	    .max_dirty = 64,
	    .seed = a->seed,
	    .mem_size = s->mem_size,
	    .features_mask = s->features,
	    .ranges = s->ranges,
	    .nranges = s->nranges,
	    .io_timeout_ms = a->sh.io_timeout_ms,
	    .schedule = sched,
	    .crash = rp->crash,
	};
}

/* The way a run fails, for --shrink: the first kind it counted in this
 * order, the most telling first. A broken back-end often loses requests
 * as a consequence of what it broke first (a used index gone back hides
 * the completions past it), so lost and io-error come last. */
static enum emu_vkind failure_kind(const struct emu_mig_result *r)
{
	static const enum emu_vkind order[] = {
	    EMU_V_STALE_PAGE, EMU_V_LATE_WRITE, EMU_V_INDEX_REGRESSION,
	    EMU_V_DUPLICATE,  EMU_V_STALE_DATA, EMU_V_IO_ERROR,
	    EMU_V_LOST,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(order); i++)
		if (r->track.counts[order[i]])
			return order[i];
	return EMU_V_COUNT;
}

static void print_script(const struct emu_script *s, const struct emu_trace *t)
{
	static const char *const phase[EMU_PHASES] = {"warm-up", "pre-copy", "in flight at stop",
						      "destination"};

	printf("trace: %u records, %u front-end messages, %u connection(s), %u ring(s) of %u, "
	       "%" PRIu64 " bytes of memory in %u region(s)%s\n",
	       t->n, s->fe_msgs, s->conns, s->queues, s->queue_size, s->mem_size, s->nregions,
	       s->sched.migrate ? ", a migration" : "");
	if (s->nregions > 1 && s->nranges)
		printf("  layout: the trace's %u regions, the pages between them unused\n",
		       s->nranges);
	else if (s->nregions > 1)
		printf("  layout: the replay's memory is one region of that size (the trace's "
		       "regions overlap, are off pages or too many)\n");
	if (!s->counted) {
		printf("  no ring was stopped: no count of requests in the trace (--requests)\n");
		return;
	}
	for (unsigned q = 0; q < s->queues; q++) {
		printf("  ring %u requests:", q);
		for (unsigned p = 0; p < EMU_PHASES; p++)
			printf(" %s %u%s", phase[p], s->sched.io[p][q],
			       p + 1 < EMU_PHASES ? "," : "");
		printf("\n");
	}
}

/* "(features 0x...; the trace's 0x...)" when they differ. */
static void print_negotiation(const struct emu_script *s, const struct emu_mig_result *r)
{
	if (r->features != s->features)
		printf("  features differ: the trace acknowledged 0x%" PRIx64
		       ", the replay 0x%" PRIx64 " (what this back-end and our driver share)\n",
		       s->features, r->features);
	if (r->protocol_features != s->protocol_features)
		printf("  protocol features differ: the trace 0x%" PRIx64 ", the replay 0x%" PRIx64
		       "\n",
		       s->protocol_features, r->protocol_features);
}

static void print_crash(const struct replay_args *a, const struct emu_mig_result *r)
{
	if (r->crashed)
		printf("crash: the back-end killed after %s #%u and restarted; %u reconnect(s)\n",
		       vhost_msg_request_name(a->crash_request), a->crash_nth, r->reconnects);
}

/* ---- --shrink ---- */

/* The front-end messages of t (0 for a trace with no set-up). */
static unsigned fe_msgs(const struct emu_trace *t)
{
	struct emu_script s;
	char why[160];

	return emu_script_make(t, &s, why, sizeof(why)) ? 0 : s.fe_msgs;
}

/* One replay of s: *fails says whether it counted a violation of kind. */
static int replay_fails(const struct replay *rp, struct emu_script *s, enum emu_vkind kind,
			int *fails)
{
	struct emu_mig_opts o;
	struct emu_schedule sched;
	struct emu_mig_result r;
	int ret;

	replay_opts(rp, s, &o, &sched);
	ret = emu_mig_run(&o, &r);
	/* With --crash-after, a trace whose replay never sent that message
	 * had no crash: it does not fail the same way. */
	*fails = ret == 0 && r.track.counts[kind] > 0 && (!rp->crash || r.crashed);
	emu_mig_result_fini(&r);
	return ret;
}

struct shrink {
	const struct replay *rp;
	const struct emu_trace *t;
	const struct emu_unit *units;
	unsigned n;
	enum emu_vkind kind;
	unsigned step;
	bool *removed;
};

static int shrink_test(void *ctx, const bool *keep)
{
	struct shrink *sh = ctx;
	struct emu_trace smaller;
	struct emu_script s;
	unsigned kept = 0, runs = 0;
	char why[160];
	int ret, fails;

	for (unsigned i = 0; i < sh->n; i++) {
		sh->removed[i] = !keep[i];
		kept += keep[i];
	}
	ret = emu_trace_without(sh->t, sh->units, sh->n, sh->removed, &smaller);
	if (ret)
		return ret;
	ret = emu_script_make(&smaller, &s, why, sizeof(why));
	if (ret) {
		emu_trace_free(&smaller);
		return 0;
	}
	do
		ret = replay_fails(sh->rp, &s, sh->kind, &fails);
	while (!ret && fails && ++runs < sh->rp->a->shrink_runs);
	printf("  step %u: %u of %u units, %u records: %s\n", ++sh->step, kept, sh->n, smaller.n,
	       ret     ? "could not run"
	       : fails ? "fails the same way"
		       : "does not");
	if (!ret && !fails && runs)
		printf("    (on replay %u; the %u before it failed the same way)\n", runs + 1,
		       runs);
	emu_trace_free(&smaller);
	return !ret && fails;
}

static int do_shrink(const struct replay *rp, const struct emu_trace *t, const struct emu_script *s,
		     enum emu_vkind kind)
{
	struct emu_unit *units = calloc(MAX_UNITS, sizeof(*units));
	bool *keep = calloc(MAX_UNITS, sizeof(*keep));
	bool *removed = calloc(MAX_UNITS, sizeof(*removed));
	struct shrink sh = {.rp = rp, .t = t, .units = units, .kind = kind, .removed = removed};
	struct emu_trace out = {0};
	unsigned kept = 0;
	int ret = -ENOMEM;

	if (!units || !keep || !removed)
		goto out;
	sh.n = emu_script_units(t, s, units, MAX_UNITS);
	printf("shrink: %u removable units, keeping the failure %s\n", sh.n, emu_vkind_name(kind));
	for (unsigned i = 0; i < sh.n; i++)
		keep[i] = true;
	ret = emu_ddmin(sh.n, shrink_test, &sh, keep);
	if (ret < 0)
		goto out;
	for (unsigned i = 0; i < sh.n; i++) {
		removed[i] = !keep[i];
		kept += keep[i];
	}
	ret = emu_trace_without(t, units, sh.n, removed, &out);
	ret = ret ?: emu_trace_save(&out, rp->a->shrink);
	if (ret)
		goto out;
	printf("shrink: %u units -> %u, %u records -> %u (front-end messages %u -> %u); "
	       "written to %s\n",
	       sh.n, kept, t->n, out.n, s->fe_msgs, fe_msgs(&out), rp->a->shrink);
	for (unsigned i = 0; i < sh.n; i++) {
		char name[96];

		emu_unit_name(&units[i], t, name, sizeof(name));
		printf("  %s %s\n", keep[i] ? "kept   " : "removed", name);
	}
out:
	emu_trace_free(&out);
	free(units);
	free(keep);
	free(removed);
	return ret;
}

/* given: the back-end's endpoint where the caller (a scenario) has one,
 * for the kills; report: where the caller takes the JSON document instead
 * of its being printed (NULL: printed as --output says). */
static int replay_exec(const struct replay_args *a, struct endpoint *given, json_t **report)
{
	struct endpoint_config cfg;
	struct endpoint *ep = given;
	json_t *run = NULL;
	struct emu_trace t;
	struct emu_script s;
	struct emu_mig_opts o;
	struct emu_schedule sched;
	struct emu_mig_result r;
	struct replay rp = {.a = a, .uri = a->target};
	struct emu_crash crash;
	char uri[4200], why[160];
	int ret, rc;

	ret = emu_trace_load(a->trace, &t);
	if (ret) {
		fprintf(stderr, "storlab migrate replay: %s: not a trace to replay (%s)\n",
			a->trace, strerror(-ret));
		return REPLAY_EXIT_NOT_RUN;
	}
	ret = emu_script_make(&t, &s, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "storlab migrate replay: %s: %s\n", a->trace, why);
		emu_trace_free(&t);
		return REPLAY_EXIT_NOT_RUN;
	}
	if (a->spawn_cmd) {
		if (cli_migrate_spawn("replay: --spawn-cmd", a->spawn_cmd, a->scheme, &cfg, &ep,
				      uri, sizeof(uri))) {
			rc = REPLAY_EXIT_NOT_RUN;
			goto out;
		}
		rp.uri = uri;
	}
	if (a->crash_request) {
		cli_migrate_crash_init(&crash, ep);
		crash.request = a->crash_request;
		crash.nth = a->crash_nth;
		rp.crash = &crash;
	}
	replay_opts(&rp, &s, &o, &sched);
	if (!a->sh.json)
		print_script(&s, &t);
	if (a->crash_matrix) {
		rc = cli_migrate_crash_matrix(&o, ep, a->crash_stride, a->sh.json || report,
					      report);
		goto out;
	}
	ret = emu_mig_run(&o, &r);
	if (a->sh.json || report) {
		run = cli_migrate_run_json(&r, ret);
		json_object_set_new(
		    run, "trace",
		    json_pack("{s:s, s:i, s:i, s:i, s:b, s:I, s:I}", "path", a->trace, "records",
			      t.n, "frontend_messages", s.fe_msgs, "connections", s.conns,
			      "migration", s.sched.migrate, "features", (json_int_t)s.features,
			      "protocol_features", (json_int_t)s.protocol_features));
		json_object_set_new(run, "features", json_integer((json_int_t)r.features));
		if (rp.crash)
			json_object_set_new(run, "crash",
					    json_pack("{s:s, s:i, s:b}", "after",
						      vhost_msg_request_name(a->crash_request),
						      "nth", a->crash_nth, "happened", r.crashed));
	} else {
		print_negotiation(&s, &r);
		if (rp.crash)
			print_crash(a, &r);
		cli_migrate_run_table(&r, ret);
	}
	rc = ret ? REPLAY_EXIT_NOT_RUN : emu_mig_ok(&r) ? CLI_EXIT_OK : REPLAY_EXIT_VIOLATION;
	/* A crash asked for and not made: not the run that was asked. */
	if (rp.crash && !r.crashed && !ret) {
		fprintf(stderr,
			"storlab migrate replay: the replay sent no %s #%u: the back-end was "
			"not killed\n",
			vhost_msg_request_name(a->crash_request), a->crash_nth);
		rc = REPLAY_EXIT_NOT_RUN;
	}
	if (rc == REPLAY_EXIT_VIOLATION && a->shrink) {
		ret = do_shrink(&rp, &t, &s, failure_kind(&r));
		if (ret)
			rc = REPLAY_EXIT_NOT_RUN;
		if (run)
			json_object_set_new(
			    run, "shrink",
			    json_pack("{s:s, s:b}", "out", a->shrink, "written", !ret));
	} else if (a->shrink && rc == CLI_EXIT_OK && !run) {
		printf("shrink: the replay held: nothing to shrink\n");
	}
	if (run && report)
		*report = run;
	else if (run)
		cli_print_json("migrate replay", run);
	emu_mig_result_fini(&r);
out:
	if (ep && ep != given) {
		endpoint_stop(ep);
		endpoint_destroy(ep);
	}
	emu_trace_free(&t);
	return rc;
}

int cli_migrate_replay(int argc, char **argv)
{
	struct replay_args a;
	int ret = parse_args(argc, argv, &a);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	ret = check_kills(&a, a.spawn_cmd != NULL);
	return ret ?: replay_exec(&a, NULL, NULL);
}

int cli_migrate_replay_report(int argc, char **argv, struct endpoint *ep, json_t **report)
{
	struct replay_args a;
	int ret = parse_args(argc, argv, &a);

	*report = NULL;
	if (ret)
		return ret < 0 ? CLI_EXIT_USAGE : ret;
	ret = check_kills(&a, a.spawn_cmd || ep);
	return ret ?: replay_exec(&a, a.spawn_cmd ? NULL : ep, report);
}
