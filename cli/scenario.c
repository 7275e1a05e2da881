/* SPDX-License-Identifier: MIT */
/* storlab scenario run: loads a scenario file (lib/scenario) and runs it,
 * with the io steps on the same engines as `storlab io verify` and
 * `storlab perf`. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/conform_hotplug.h"
#include "cli/io.h"
#include "conformance/report.h"
#include "conformance/runner.h"
#include "endpoint/endpoint.h"
#include "initiator/verify.h"
#include "perf/bs.h"
#include "perf/compare.h"
#include "perf/perf.h"
#include "perf/report.h"
#include "scenario/scenario.h"
#include "util/common.h"
#include "util/log.h"
#include "util/parse.h"

#define SC_MAX_DEFINES 64

/* What the hooks share while a scenario runs. */
struct sc_cli {
	const struct scenario *sc;
	json_t *steps; /* --results: one entry per step ended; NULL: not asked */
	/* Of the io perf step that just ran, for its results entry (owned). */
	json_t *params;	   /* the workload as it ran: rw, bs, iodepth, ... */
	json_t *histogram; /* perf_histogram_json() */
	int title_width;   /* of the step lines: the longest title, at most TITLE_MAX */
	int index_width;
	volatile sig_atomic_t *stop; /* Ctrl-C: a perf step ends its window early */
};

#define TITLE_MAX 48

static void scenario_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: storlab scenario run FILE [-D name=value]... [--dry-run]\n"
	    "                            [--results OUT.json]\n\n"
	    "Runs the steps of a scenario file (docs/scenarios.md) against its endpoints:\n"
	    "storlab-tgt (found beside this storlab), qemu-storage-daemon, or a socket.\n"
	    "  -D name=value      overrides a variable the file declares\n"
	    "  --dry-run          loads and checks the file, prints its steps, runs nothing\n"
	    "  --results OUT.json writes every step's result with its name, endpoint and\n"
	    "                     parameters (what `storlab perf compare` and ci/nightly read)\n\n"
	    "exit codes: 0 every step passed, 1 a step failed, 2 the file is malformed\n"
	    "or the endpoints could not be started\n");
}

/* Values of an io step: NULL keeps the default. */
static int opt_size(const char *s, uint64_t def, uint64_t *out)
{
	*out = def;
	return s ? util_parse_size(s, out) : 0;
}

static int opt_uint(const char *s, uint64_t def, uint64_t max, uint64_t *out)
{
	*out = def;
	return s ? util_parse_uint(s, 0, max, out) : 0;
}

static int io_dev_open(const char *uri, unsigned queues, unsigned qd, uint64_t buf_bytes,
		       struct storlab_dev **dev)
{
	struct io_args a = {.cmd = "scenario", .uri = uri};

	return io_open(&a, queues, qd, buf_bytes, dev) ? -ENODEV : 0;
}

static int io_info(const char *uri, json_t **result, char *detail, size_t len)
{
	struct storlab_dev_info info;
	struct storlab_dev *dev;
	int ret = io_dev_open(uri, 1, 1, 0, &dev);

	if (ret) {
		snprintf(detail, len, "cannot open %s", uri);
		return ret;
	}
	storlab_dev_get_info(dev, &info);
	*result = json_pack("{s:I, s:i, s:i, s:i, s:b}", "capacity", (json_int_t)info.capacity,
			    "block_size", (int)info.block_size, "max_queues", (int)info.max_queues,
			    "num_queues", (int)info.num_queues, "read_only", info.read_only);
	snprintf(detail, len, "%" PRIu64 " bytes, block size %u, %u queue(s)", info.capacity,
		 info.block_size, info.max_queues);
	storlab_dev_close(dev);
	return 0;
}

/* An io verify step's crash: the endpoint killed and restarted once, at a
 * point of the first write phase, from verify's progress callback (so the
 * requests in flight then are those of a busy device). */
struct io_crash {
	struct endpoint *ep;
	unsigned percent;
	bool done;
	uint64_t at_bytes; /* bytes of the phase done when it was killed */
	int ret;	   /* the restart's */
};

static void io_crash_progress(const struct verify_progress *p, void *arg)
{
	struct io_crash *c = arg;
	char err[1024];

	if (c->done || p->pass != 1 || p->phase != VERIFY_WRITE ||
	    p->bytes_done * 100 < (uint64_t)c->percent * p->bytes_total)
		return;
	c->done = true;
	c->at_bytes = p->bytes_done;
	log_notice("crash: SIGKILL to the back-end at %u%% of the first write phase (%" PRIu64
		   " of %" PRIu64 " bytes done), then a restart",
		   c->percent, p->bytes_done, p->bytes_total);
	c->ret = endpoint_restart(c->ep, err, sizeof(err));
	if (c->ret)
		log_err("crash: %s", err);
}

/* The step's result: what verify saw, with the crash's counts. */
static int io_verify_result(const struct verify_result *res, const struct io_crash *crash,
			    unsigned queues, json_t **result, char *detail, size_t len)
{
	*result = json_pack(
	    "{s:I, s:I, s:I, s:I, s:f}", "bytes_written", (json_int_t)res->bytes_written,
	    "bytes_read", (json_int_t)res->bytes_read, "bad_sectors", (json_int_t)res->bad_sectors,
	    "io_errors", (json_int_t)res->io_errors, "seconds", res->seconds);
	if (crash) {
		json_object_set_new(*result, "reconnects", json_integer(res->reconnects));
		json_object_set_new(*result, "resubmitted",
				    json_integer((json_int_t)res->resubmitted));
		json_object_set_new(*result, "lost", json_integer((json_int_t)res->lost));
		json_object_set_new(*result, "crash_at_bytes",
				    json_integer((json_int_t)crash->at_bytes));
		if (!crash->done || crash->ret || res->reconnects == 0) {
			snprintf(detail, len, "crash at %u%%: %s", crash->percent,
				 !crash->done ? "the write phase ended before that point"
				 : crash->ret ? "the back-end did not restart"
					      : "the device never reconnected");
			return 1;
		}
	}
	snprintf(detail, len,
		 "%" PRIu64 " MiB written and read back on %u queue(s), %" PRIu64
		 " bad sector(s), %" PRIu64 " I/O error(s)",
		 res->bytes_read >> 20, queues, res->bad_sectors, res->io_errors);
	if (crash) {
		size_t n = strlen(detail);

		snprintf(detail + n, len - n,
			 "; crash at %u%%: %" PRIu64 " request(s) in flight completed after the "
			 "restart, %" PRIu64 " lost",
			 crash->percent, res->resubmitted, res->lost);
	}
	return res->bad_sectors || res->io_errors || res->lost ? 1 : 0;
}

static int io_verify(const struct sc_io *io, const char *uri, struct endpoint *ep, json_t **result,
		     char *detail, size_t len)
{
	uint64_t queues, qd, bs, size, offset, passes, seed, pct = 0;
	struct storlab_dev_info info;
	struct verify_result *res;
	struct verify_opts o = {.io_timeout_ms = -1};
	struct io_crash crash = {.ep = ep};
	int ret;

	if (io->crash && (util_parse_uint(io->crash, 1, 99, &pct) || !endpoint_kind(ep)->spawns)) {
		snprintf(detail, len,
			 "crash: the endpoint must be one the scenario starts (to kill and restart "
			 "it)");
		return -EINVAL;
	}
	crash.percent = (unsigned)pct;
	if (opt_uint(io->queues, 1, VERIFY_MAX_QUEUES, &queues) || queues == 0 ||
	    opt_uint(io->qd, 32, 32768, &qd) || qd == 0 || opt_size(io->bs, 64 << 10, &bs) ||
	    bs == 0 || bs % 512 || bs > (1u << 30) || opt_size(io->size, 0, &size) ||
	    opt_size(io->offset, 0, &offset) || opt_uint(io->passes, 1, 1000, &passes) ||
	    opt_uint(io->seed, 1, UINT64_MAX, &seed)) {
		snprintf(detail, len, "bad io verify options");
		return -EINVAL;
	}
	ret = io_dev_open(uri, (unsigned)queues, (unsigned)qd, queues * qd * bs, &o.dev);
	if (ret) {
		snprintf(detail, len, "cannot open %s", uri);
		return ret;
	}
	storlab_dev_get_info(o.dev, &info);
	o = (struct verify_opts){.dev = o.dev,
				 .queues = (unsigned)queues,
				 .qd = (unsigned)qd,
				 .bs = (uint32_t)bs,
				 .offset = offset,
				 .seed = seed,
				 .passes = (unsigned)passes,
				 .io_timeout_ms = -1,
				 .length =
				     size ? size : info.capacity - MIN(offset, info.capacity)};
	if (io->crash) {
		/* The restart, the back-end's set-up calls and the reconnect. */
		o.reconnect_timeout = 30;
		o.progress = io_crash_progress;
		o.progress_ms = 2;
		o.arg = &crash;
	}
	res = calloc(1, sizeof(*res));
	ret = res ? verify_run(&o, res) : -ENOMEM;
	if (ret)
		snprintf(detail, len, "verify stopped: %s", strerror(-ret));
	else
		ret =
		    io_verify_result(res, io->crash ? &crash : NULL, o.queues, result, detail, len);
	free(res);
	storlab_dev_close(o.dev);
	return ret;
}

/* The workload as it ran, for the results file: what a comparison groups by. */
static json_t *perf_params(const struct perf_job *job, const struct sc_io *io)
{
	json_t *p = json_pack("{s:s, s:i, s:i, s:i, s:f}", "rw", perf_rw_name(job->rw), "bs",
			      (int)job->bs, "iodepth", (int)job->iodepth, "queues",
			      (int)job->queues, "seconds", job->seconds);

	/* bs is the smallest size; bs_spec says a range or a split (compare
	 * tells points apart by it). */
	if (p && job->bs_spec && job->bs_spec->kind != PERF_BS_FIXED) {
		char spec[512];

		perf_bs_format(job->bs_spec, spec, sizeof(spec));
		json_object_set_new(p, "bs_spec", json_string(spec));
	}
	if (p && perf_rw_reads(job->rw) && perf_rw_writes(job->rw))
		json_object_set_new(p, "rwmixread", json_integer(job->rwmixread));
	if (p && io->cpus)
		json_object_set_new(p, "cpus", json_string(io->cpus));
	return p;
}

static int io_perf(struct sc_cli *cli, const struct sc_io *io, const char *uri, json_t **result,
		   char *detail, size_t len)
{
	/* The step's keys are storlab perf's long options (perf_job_set()). */
	const char *const keys[] = {"rw",   "bs",   "bssplit", "iodepth", "queues",    "time",
				    "cpus", "size", "offset",  "seed",	  "rwmixread", "verify"};
	const char *const values[] = {io->rw,	  io->bs,   io->bssplit,   io->iodepth,
				      io->queues, io->time, io->cpus,	   io->size,
				      io->offset, io->seed, io->rwmixread, io->verify};
	const struct perf_dir_stats *d;
	struct perf_result *res;
	struct perf_job job;
	struct perf_bs bs;
	int ret;

	_Static_assert(ARRAY_SIZE(keys) == ARRAY_SIZE(values), "one value per key");
	perf_job_defaults(&job);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (values[i] && perf_job_set(&job, &bs, keys[i], values[i])) {
			snprintf(detail, len, "bad io perf option %s: '%s'", keys[i], values[i]);
			return -EINVAL;
		}
	}
	if (job.verify && !perf_job_writes(&job)) {
		snprintf(detail, len, "verify: the workload must write (rw)");
		return -EINVAL;
	}
	job.uri = uri;
	job.stop = cli->stop;
	res = calloc(1, sizeof(*res));
	ret = res ? perf_run(&job, res) : -ENOMEM;
	if (ret) {
		snprintf(detail, len, "perf: %s", strerror(-ret));
	} else {
		d = res->read.ios ? &res->read : &res->write;
		*result = perf_report_json(&job, res);
		if (cli->steps) {
			cli->params = perf_params(&job, io);
			cli->histogram = perf_histogram_json(res);
		}
		snprintf(detail, len, "%s %u B QD %u: %.0f IOPS, mean %.1f us, p99 %.1f us",
			 perf_rw_name(job.rw), job.bs, job.iodepth, perf_iops(d, res->seconds),
			 hist_mean(&d->clat) / 1000, (double)hist_percentile(&d->clat, 99) / 1000);
		ret = res->read.errors || res->write.errors ? 1 : 0;
		if (job.verify &&
		    (perf_verify_mismatches(&res->verify) || res->verify.readback.errors)) {
			snprintf(detail, len,
				 "verify: %" PRIu64 " blocks did not read back as written",
				 perf_verify_mismatches(&res->verify));
			ret = 1;
		}
	}
	if (res)
		perf_result_fini(res);
	free(res);
	return ret;
}

static int hook_io(void *arg, const struct sc_io *io, const char *uri, struct endpoint *ep,
		   json_t **result, char *detail, size_t len)
{
	switch (io->op) {
	case SC_IO_INFO:
		return io_info(uri, result, detail, len);
	case SC_IO_VERIFY:
		return io_verify(io, uri, ep, result, detail, len);
	case SC_IO_PERF:
		return io_perf(arg, io, uri, result, detail, len);
	}
	return -EINVAL;
}

/* A conform step: the runner of `storlab conform` on the endpoint's socket,
 * restarting an endpoint the scenario started when a case takes it down.
 * params: {timeout_ms: N, case_deadline_ms: N, fail_on: "SEV,...",
 * hotplug_bdev: NAME (the hot-plug cases add it as a LUN of the step's
 * vhost-user-scsi controller over the endpoint's JSON-RPC)}. */
static int hook_conform(void *arg, const struct sc_conform *c, const char *uri, struct endpoint *ep,
			json_t **result, char *detail, size_t len)
{
	char reproduce[4200] = "--target ";
	const char *address = NULL;
	struct conform_run_opts o = {
	    .transport = conform_transport_for_uri(uri, &address),
	    .socket_path = address,
	    .target = uri,
	    .reproduce = reproduce,
	    .timeout_ms = (int)json_integer_value(json_object_get(c->params, "timeout_ms")),
	    .case_deadline_ms =
		(int)json_integer_value(json_object_get(c->params, "case_deadline_ms")),
	    .suites = g_conform_suites,
	    .nsuites = g_conform_nsuites,
	    .suite_names = (const char *const *)c->suites,
	    .nsuite_names = c->suites_count,
	    .case_ids = (const char *const *)c->cases,
	    .ncase_ids = c->cases_count,
	    .restart = endpoint_kind(ep)->spawns ? endpoint_restart_logged : NULL,
	    .restart_arg = ep,
	    .restart_hint = "make it an endpoint the scenario starts, to restart it per case",
	};
	json_t *fail_on = json_object_get(c->params, "fail_on"), *cases;
	json_t *hp_bdev = json_object_get(c->params, "hotplug_bdev");
	struct conform_hotplug hotplug = {
	    .ep = ep, .ctrlr = c->controller, .bdev = json_string_value(hp_bdev)};
	struct conform_tally t, adv;
	struct conform_run *run;
	char msg[256] = "";
	int ret;

	conform_shell_word(reproduce, sizeof(reproduce), uri);
	(void)arg;
	if (fail_on && (!json_is_string(fail_on) ||
			conform_fail_on_parse(json_string_value(fail_on), &o.fail_on))) {
		snprintf(detail, len,
			 "conform: params.fail_on: severities (" CONFORM_FAIL_ON_NAMES ")");
		return -EINVAL;
	}
	if (hp_bdev && (!json_is_string(hp_bdev) || !c->controller)) {
		snprintf(detail, len, "conform: params.hotplug_bdev: a bdev name, with controller");
		return -EINVAL;
	}
	if (hp_bdev) {
		o.hotplug = conform_hotplug_run;
		o.hotplug_arg = &hotplug;
	}
	ret = conform_run_execute(&o, &run, msg, sizeof(msg));
	if (ret) {
		snprintf(detail, len, "conform: %s", msg[0] ? msg : strerror(-ret));
		return ret;
	}
	conform_run_tally(run, NULL, &t);
	cases = json_array();
	for (unsigned i = 0; i < run->nresults; i++)
		json_array_append_new(cases,
				      json_pack("{s:s, s:s, s:s}", "id", run->results[i].c->id,
						"verdict", conform_result_label(&run->results[i]),
						"reason", run->results[i].reason));
	*result = json_pack("{s:i, s:i, s:i, s:i, s:o}", "pass", t.pass, "fail", t.fail,
			    "not_applicable", t.not_applicable, "error", t.error, "cases", cases);
	conform_run_tally_advisories(run, NULL, &adv);
	snprintf(detail, len,
		 "%u case(s): %u pass, %u fail, %u n/a, %u error; %u advisories: %u met, %u not "
		 "met%s%s",
		 t.pass + t.fail + t.not_applicable + t.error, t.pass, t.fail, t.not_applicable,
		 t.error, adv.pass + adv.fail + adv.not_applicable + adv.error, adv.pass, adv.fail,
		 run->stopped ? "; " : "", run->stopped ? run->stopped : "");
	ret = conform_run_exit_code(run) ? 1 : 0;
	conform_run_free(run);
	return ret;
}

static void step_title(const struct sc_step *s, char *buf, size_t len)
{
	if (s->name)
		snprintf(buf, len, "%s", s->name);
	else if (s->kind == SC_STEP_RPC)
		snprintf(buf, len, "rpc %s", s->rpc->method);
	else if (s->kind == SC_STEP_IO)
		snprintf(buf, len, "io %s", sc_io_op_name(s->io->op));
	else
		snprintf(buf, len, "%s", sc_step_kind_name(s->kind));
}

/* A step's option and the command-line flag it becomes. */
struct step_flag {
	const char *flag, *value; /* value NULL: not given */
};

/* Appends "--flag value" for each option given; the new argc. */
static int push_flags(char **argv, int argc, const struct step_flag *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!f[i].value)
			continue;
		argv[argc++] = (char *)f[i].flag;
		argv[argc++] = (char *)f[i].value;
	}
	return argc;
}

static bool is_true(const char *v)
{
	return v && !strcmp(v, "true");
}

/* "vhost-user-blk:/path" -> "/path". */
static const char *uri_path(const char *uri)
{
	const char *colon = strchr(uri, ':');

	return colon ? colon + 1 : uri;
}

/* A migrate step: `storlab migrate run` from source to dest with the
 * step's options; ok when every invariant held in every migration. */
static int hook_migrate(void *arg, const struct sc_migrate *m, const char *source, const char *dest,
			json_t **result, char *detail, size_t len)
{
	const struct step_flag opts[] = {
	    {"--queues", m->queues},
	    {"--qd", m->qd},
	    {"--bs", m->bs},
	    {"--rw", m->rw},
	    {"--dirty-rate", m->dirty_rate},
	    {"--rounds", m->rounds},
	    {"--round-ms", m->round_ms},
	    {"--max-dirty", m->max_dirty},
	    {"--seed", m->seed},
	    {"--count", m->count},
	    {"--io-timeout", m->io_timeout},
	};
	char *argv[8 + 2 * ARRAY_SIZE(opts)];
	int argc = 0, rc;
	json_t *sum;

	(void)arg;
	char via[160];
	struct cli_recorder *rec = NULL;
	int rrc;

	/* record: both devices reached through a recorder, the source's
	 * connection first. */
	if (m->record) {
		const char *ups[] = {uri_path(source), uri_path(dest)};

		rrc = cli_recorder_start(m->record, ups, 2, 2, &rec);
		if (rrc) {
			snprintf(detail, len, "record: %s: %s", m->record, strerror(-rrc));
			return rrc;
		}
		snprintf(via, sizeof(via), "vhost-user-blk:%s", cli_recorder_socket(rec));
		source = dest = via;
	}
	argv[argc++] = "run";
	argv[argc++] = "--source";
	argv[argc++] = (char *)source;
	argv[argc++] = "--dest";
	argv[argc++] = (char *)dest;
	argc = push_flags(argv, argc, opts, ARRAY_SIZE(opts));
	if (is_true(m->stop_inflight))
		argv[argc++] = "--stop-inflight";
	argv[argc] = NULL;
	rc = cli_migrate_report(argc, argv, result);
	if (rec) {
		rrc = cli_recorder_finish(rec);
		if (*result)
			json_object_set_new(
			    *result, "record",
			    json_pack("{s:s, s:b}", "out", m->record, "written", !rrc));
		if (rrc && rc == CLI_EXIT_OK)
			rc = -rrc;
	}
	sum = *result ? json_object_get(*result, "summary") : NULL;
	if (sum)
		snprintf(detail, len, "%lld migration(s), %lld with violations, %lld not run",
			 json_integer_value(json_object_get(sum, "runs")),
			 json_integer_value(json_object_get(sum, "failed")),
			 json_integer_value(json_object_get(sum, "not_run")));
	else
		snprintf(detail, len, "migrate: bad options (see storlab migrate run --help)");
	if (rc == CLI_EXIT_OK || rc == 1)
		return rc;
	return -EIO;
}

/* A replay step: `storlab migrate replay TRACE --target URI` with the
 * step's options, the target's endpoint killed for the crashes; ok when
 * every invariant held (in every row of a crash matrix). */
static int hook_replay(void *arg, const struct sc_replay *p, const char *uri, struct endpoint *ep,
		       json_t **result, char *detail, size_t len)
{
	const struct step_flag opts[] = {
	    {"--target", uri},
	    {"--crash-after", p->crash_after},
	    {"--crash-stride", p->crash_stride},
	    {"--shrink", p->shrink},
	    {"--shrink-runs", p->shrink_runs},
	    {"--qd", p->qd},
	    {"--bs", p->bs},
	    {"--rw", p->rw},
	    {"--requests", p->requests},
	    {"--stop-inflight", p->stop_inflight},
	    {"--seed", p->seed},
	    {"--io-timeout", p->io_timeout},
	};
	char *argv[4 + 2 * ARRAY_SIZE(opts)];
	int argc = 0, rc;
	json_t *sum;

	(void)arg;
	argv[argc++] = "replay";
	argv[argc++] = p->trace;
	argc = push_flags(argv, argc, opts, ARRAY_SIZE(opts));
	if (is_true(p->crash_matrix))
		argv[argc++] = "--crash-matrix";
	argv[argc] = NULL;
	rc = cli_migrate_replay_report(argc, argv, ep, result);
	sum = *result ? json_object_get(*result, "summary") : NULL;
	if (sum)
		snprintf(detail, len,
			 "crash matrix: %lld boundaries, %lld ok, %lld with violations",
			 json_integer_value(json_object_get(sum, "boundaries")),
			 json_integer_value(json_object_get(sum, "ok")),
			 json_integer_value(json_object_get(sum, "failed")));
	else if (*result)
		snprintf(detail, len, "replay of %s: %lld requests, %s", p->trace,
			 json_integer_value(json_object_get(*result, "requests")),
			 json_is_true(json_object_get(*result, "ok")) ? "every invariant held"
								      : "violations");
	else
		snprintf(detail, len, "replay: could not run (see storlab migrate replay --help)");
	if (rc == CLI_EXIT_OK || rc == 1)
		return rc;
	return -EIO;
}

static const char *step_endpoint(const struct sc_step *s)
{
	switch (s->kind) {
	case SC_STEP_RPC:
		return s->rpc->endpoint;
	case SC_STEP_IO:
		return s->io->endpoint;
	case SC_STEP_CONFORM:
		return s->conform->endpoint;
	case SC_STEP_DISCONNECT:
		return s->disconnect->endpoint;
	case SC_STEP_RESTART:
		return s->restart->endpoint;
	case SC_STEP_MIGRATE:
		return s->migrate->source;
	case SC_STEP_REPLAY:
		return s->replay->target;
	case SC_STEP_EXPECT:
	case SC_STEP_SLEEP:
		break;
	}
	return NULL;
}

static const struct sc_endpoint *endpoint_named(const struct scenario *sc, const char *name)
{
	for (unsigned i = 0; name && i < sc->endpoints_count; i++)
		if (strcmp(sc->endpoints[i].name, name) == 0)
			return &sc->endpoints[i];
	return NULL;
}

/* The results entry of one step; takes the stashed perf params and histogram. */
static json_t *step_entry(struct sc_cli *cli, unsigned index, const struct sc_step *s,
			  const char *title, bool ok, const char *detail, json_t *result)
{
	const struct sc_endpoint *ep = endpoint_named(cli->sc, step_endpoint(s));
	json_t *e = json_pack("{s:i, s:i, s:s, s:s, s:b, s:s}", "index", (int)index + 1, "line",
			      (int)s->line, "name", title, "kind", sc_step_kind_name(s->kind), "ok",
			      ok, "detail", detail);

	if (!e)
		return NULL;
	if (s->kind == SC_STEP_IO)
		json_object_set_new(e, "op", json_string(sc_io_op_name(s->io->op)));
	if (ep) {
		json_object_set_new(e, "endpoint", json_string(ep->name));
		json_object_set_new(e, "endpoint_type",
				    json_string(sc_endpoint_type_name(ep->type)));
	}
	if (s->matrix)
		json_object_set(e, "matrix", s->matrix);
	if (cli->params)
		json_object_set_new(e, "params", cli->params);
	/* An expect step looks at the previous step's result: it has none of its own. */
	if (result && s->kind != SC_STEP_EXPECT)
		json_object_set(e, "result", result);
	if (cli->histogram)
		json_object_set_new(e, "histogram", cli->histogram);
	cli->params = cli->histogram = NULL;
	return e;
}

/* The widths of the step lines' columns, from every step of the file. */
static void columns(struct sc_cli *cli)
{
	char title[80];

	cli->index_width = snprintf(NULL, 0, "%u", cli->sc->steps_count);
	for (unsigned i = 0; i < cli->sc->steps_count; i++) {
		step_title(&cli->sc->steps[i], title, sizeof(title));
		if ((int)strlen(title) > cli->title_width)
			cli->title_width = (int)strlen(title);
	}
	if (cli->title_width > TITLE_MAX)
		cli->title_width = TITLE_MAX;
}

static void hook_report(void *arg, unsigned index, const struct sc_step *s, bool ok,
			const char *detail, json_t *result)
{
	struct sc_cli *cli = arg;
	char title[80];

	/* One line a step, in columns: index, verdict, title, what it did, and
	 * where the step is in the file. */
	step_title(s, title, sizeof(title));
	printf("[%*u] %-4s %-*s  %s  (%s:%u)\n", cli->index_width, index + 1, ok ? "ok" : "FAIL",
	       cli->title_width, title, detail, cli->sc->file, s->line);
	fflush(stdout);
	if (cli->steps)
		json_array_append_new(cli->steps,
				      step_entry(cli, index, s, title, ok, detail, result));
}

/* The whole run as one JSON file: written to PATH.tmp, then renamed. */
static int results_write(const struct sc_cli *cli, const char *path, bool ok)
{
	const struct scenario *sc = cli->sc;
	json_t *vars = json_object(), *eps = json_array(), *root;
	char tmp[PATH_MAX], when[32];
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	for (unsigned i = 0; vars && i < sc->nvars; i++)
		json_object_set_new(vars, sc->vars[i].name, json_string(sc->vars[i].value));
	for (unsigned i = 0; eps && i < sc->endpoints_count; i++)
		json_array_append_new(eps,
				      json_pack("{s:s, s:s}", "name", sc->endpoints[i].name, "type",
						sc_endpoint_type_name(sc->endpoints[i].type)));
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	root = json_pack("{s:s, s:s?, s:s, s:s, s:o, s:O?, s:o, s:b, s:O}", "scenario", sc->name,
			 "description", sc->description, "file", sc->file, "time", when,
			 "variables", vars, "thresholds", sc->thresholds, "endpoints", eps, "ok",
			 ok, "steps", cli->steps);
	if (!root || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		json_decref(root);
		fprintf(stderr, "storlab scenario: %s: cannot build the results\n", path);
		return -ENOMEM;
	}
	ret = json_dump_file(root, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (ret || rename(tmp, path)) {
		fprintf(stderr, "storlab scenario: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

/* Thresholds name `storlab perf compare`'s metrics: checked before anything runs. */
static int check_thresholds(const struct scenario *sc)
{
	struct perf_cmp_thresholds t;
	const char *name;
	char arg[96];
	json_t *v;

	json_object_foreach(sc->thresholds, name, v) {
		snprintf(arg, sizeof(arg), "%s=%g", name, json_number_value(v));
		if (perf_cmp_threshold_parse(&t, arg)) {
			fprintf(stderr,
				"storlab scenario: %s: thresholds: unknown metric '%s' (expected "
				"iops, bw, mean, p50, p99 or p99.9)\n",
				sc->file, name);
			return -EINVAL;
		}
	}
	return 0;
}

static int dry_run(const struct scenario *sc)
{
	char title[80];

	printf("%s: %s (%u endpoint(s), %u step(s))\n", sc->file, sc->name, sc->endpoints_count,
	       sc->steps_count);
	for (unsigned i = 0; i < sc->nvars; i++)
		printf("  ${%s} = %s\n", sc->vars[i].name, sc->vars[i].value);
	for (unsigned i = 0; i < sc->steps_count; i++) {
		step_title(&sc->steps[i], title, sizeof(title));
		printf("[%u] %s:%u %s\n", i + 1, sc->file, sc->steps[i].line, title);
	}
	return CLI_EXIT_OK;
}

int cli_scenario(int argc, char **argv)
{
	struct sc_define defs[SC_MAX_DEFINES];
	struct scenario_hooks hooks = {.io = hook_io,
				       .conform = hook_conform,
				       .migrate = hook_migrate,
				       .replay = hook_replay,
				       .report = hook_report};
	struct scenario_run_opts opts = {0};
	char err[512];
	const char *file = NULL, *results = NULL;
	struct sc_cli cli = {0};
	unsigned ndefs = 0, failed;
	struct scenario *sc;
	bool dry = false;
	int ret;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		scenario_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "run") != 0)
		return cli_usage_error("scenario", "expected 'run FILE'");
	for (int i = 2; i < argc; i++) {
		char *eq;

		if (strcmp(argv[i], "--dry-run") == 0) {
			dry = true;
		} else if (strcmp(argv[i], "--results") == 0) {
			if (i + 1 == argc)
				return cli_usage_error("scenario", "--results needs a file");
			results = argv[++i];
		} else if (strcmp(argv[i], "-D") == 0 || strncmp(argv[i], "-D", 2) == 0) {
			char *d = argv[i][2] ? argv[i] + 2 : (i + 1 < argc ? argv[++i] : NULL);

			if (!d || !(eq = strchr(d, '=')) || eq == d)
				return cli_usage_error("scenario", "-D needs name=value");
			if (ndefs == SC_MAX_DEFINES)
				return cli_usage_error("scenario", "at most %d -D", SC_MAX_DEFINES);
			*eq = '\0';
			defs[ndefs++] = (struct sc_define){d, eq + 1};
		} else if (argv[i][0] == '-' || file) {
			return cli_usage_error("scenario", "unexpected argument '%s'", argv[i]);
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return cli_usage_error("scenario", "no FILE given");
	ret = scenario_load_file(file, defs, ndefs, &sc, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "storlab scenario: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	if (check_thresholds(sc)) {
		scenario_free(sc);
		return CLI_EXIT_USAGE;
	}
	if (dry) {
		ret = dry_run(sc);
		scenario_free(sc);
		return ret;
	}
	cli.sc = sc;
	if (results && !(cli.steps = json_array())) {
		scenario_free(sc);
		return CLI_EXIT_USAGE;
	}
	hooks.arg = &cli;
	columns(&cli);
	/* Ctrl-C: the step under way ends, the endpoints are stopped (those an
	 * isolated step paused included), exit 130. */
	opts.stop = cli.stop = cli_catch_interrupts();
	printf("scenario %s: %s\n", sc->name, file);
	ret = scenario_run(sc, &opts, &hooks, err, sizeof(err));
	if (results && results_write(&cli, results, ret == 0) && ret == 0)
		ret = -EIO;
	json_decref(cli.steps);
	json_decref(cli.params);
	json_decref(cli.histogram);
	if (ret < 0) {
		fprintf(stderr, "storlab scenario: %s\n", err[0] ? err : strerror(-ret));
		ret = ret == -EINTR ? CLI_EXIT_INTERRUPTED : CLI_EXIT_USAGE;
	} else {
		failed = ret ? 1 : 0;
		printf("%s: %s\n", sc->name, failed ? "FAILED" : "all steps passed");
		ret = failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	}
	scenario_free(sc);
	return ret;
}
