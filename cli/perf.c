/* SPDX-License-Identifier: MIT */
/* storlab perf: options and output around the perf/ engine. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "perf/perf.h"
#include "perf/report.h"

enum perf_output {
	PERF_OUTPUT_NORMAL,
	PERF_OUTPUT_JSON,
};

enum perf_opt {
	PERF_OPT_TARGET = 0x100,
	PERF_OPT_RW,
	PERF_OPT_BS,
	PERF_OPT_IODEPTH,
	PERF_OPT_QUEUES,
	PERF_OPT_TIME,
	PERF_OPT_CPUS,
	PERF_OPT_COMPLETION,
	PERF_OPT_OUTPUT_FORMAT,
	PERF_OPT_OFFSET,
	PERF_OPT_SIZE,
	PERF_OPT_SEED,
	PERF_OPT_RWMIXREAD,
	PERF_OPT_RAMP,
	PERF_OPT_RATE_IOPS,
	PERF_OPT_HISTOGRAM_OUT,
	PERF_OPT_BSSPLIT,
	PERF_OPT_VERIFY,
};

/* What the options ask of the CLI itself, beside the job. */
struct perf_cli {
	enum perf_output out;
	const char *histogram_out;
	struct perf_bs bs; /* --bs or --bssplit, job.bs_spec points here */
};

static const struct option g_perf_options[] = {
    {"target", required_argument, NULL, PERF_OPT_TARGET},
    {"rw", required_argument, NULL, PERF_OPT_RW},
    {"bs", required_argument, NULL, PERF_OPT_BS},
    {"iodepth", required_argument, NULL, PERF_OPT_IODEPTH},
    {"queues", required_argument, NULL, PERF_OPT_QUEUES},
    {"time", required_argument, NULL, PERF_OPT_TIME},
    {"cpus", required_argument, NULL, PERF_OPT_CPUS},
    {"completion", required_argument, NULL, PERF_OPT_COMPLETION},
    {"output-format", required_argument, NULL, PERF_OPT_OUTPUT_FORMAT},
    {"offset", required_argument, NULL, PERF_OPT_OFFSET},
    {"size", required_argument, NULL, PERF_OPT_SIZE},
    {"seed", required_argument, NULL, PERF_OPT_SEED},
    {"rwmixread", required_argument, NULL, PERF_OPT_RWMIXREAD},
    {"ramp", required_argument, NULL, PERF_OPT_RAMP},
    {"rate-iops", required_argument, NULL, PERF_OPT_RATE_IOPS},
    {"histogram-out", required_argument, NULL, PERF_OPT_HISTOGRAM_OUT},
    {"bssplit", required_argument, NULL, PERF_OPT_BSSPLIT},
    {"verify", no_argument, NULL, PERF_OPT_VERIFY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void perf_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: storlab perf --target URI [--rw randread|randwrite|read|write|rw|randrw]\n"
	    "                    [--rwmixread PCT] [--bs SIZE|MIN-MAX | --bssplit SIZE/PCT:...]\n"
	    "                    [--iodepth N] [--queues N] [--time SECONDS] [--ramp SECONDS]\n"
	    "                    [--rate-iops N] [--cpus LIST] [--completion poll|event]\n"
	    "                    [--verify] [--output-format normal|json]\n"
	    "                    [--histogram-out FILE] [--offset N] [--size N] [--seed S]\n\n"
	    "Keeps --iodepth requests in flight on each of --queues queues, from one pinned\n"
	    "thread per CPU of --cpus (queue i on the (i mod ncpus)-th), for --time seconds.\n"
	    "Defaults: randread, 4k, iodepth 32, 1 queue, 10 s, the current CPU, poll,\n"
	    "rwmixread 50, no ramp, no rate limit.\n"
	    "--bs 4k-64k: each request a random multiple of 4k up to 64k; --bssplit\n"
	    "4k/70:64k/30: sizes with percent weights. --verify stamps writes, checks reads\n"
	    "and reads back every block written (the workload must write); exit 1 on a\n"
	    "mismatch. --cpus: \"1\", \"0-3\", \"0,2\". JSON output uses fio's field names.\n");
}

/* opt: getopt's value, name: the long option. Returns -1 to go on, or an
 * exit code. */
static int perf_set(struct perf_job *job, struct perf_cli *cli, int opt, const char *name,
		    const char *arg)
{
	int ret;

	switch (opt) {
	case PERF_OPT_TARGET:
		job->uri = arg;
		return -1;
	case PERF_OPT_OUTPUT_FORMAT:
		if (strcmp(arg, "normal") == 0)
			cli->out = PERF_OUTPUT_NORMAL;
		else if (strcmp(arg, "json") == 0)
			cli->out = PERF_OUTPUT_JSON;
		else
			return cli_usage_error("perf", "bad value '%s'", arg);
		return -1;
	case PERF_OPT_HISTOGRAM_OUT:
		cli->histogram_out = arg;
		return -1;
	}
	/* The job's own options, as a scenario's perf step takes them too. */
	ret = perf_job_set(job, &cli->bs, name, opt == PERF_OPT_VERIFY ? "true" : arg);
	if (ret == -EEXIST)
		return cli_usage_error("perf", "--bs and --bssplit: give one of them once");
	if (ret == -ENOENT)
		return cli_usage_error("perf", "unknown option");
	if (ret)
		return cli_usage_error("perf", "bad value '%s' for --%s", arg, name);
	return -1;
}

static void print_dir(const char *name, const struct perf_dir_stats *d, double secs)
{
	const struct histogram *h = &d->clat;
	double bw = perf_bw_bytes(d, secs);

	if (d->ios == 0)
		return;
	printf("  %s: IOPS=%.0f, BW=%.1fMiB/s (%.1fMB/s), %" PRIu64 " ios, %" PRIu64 " errors\n",
	       name, perf_iops(d, secs), bw / (1 << 20), bw / 1e6, d->ios, d->errors);
	printf("    clat (ns): min=%" PRIu64 ", max=%" PRIu64 ", mean=%.0f, stddev=%.0f\n", h->min,
	       h->max, hist_mean(h), hist_stddev(h));
	printf("    percentiles (ns): p50=%" PRIu64 ", p90=%" PRIu64 ", p99=%" PRIu64
	       ", p99.9=%" PRIu64 ", p99.99=%" PRIu64 "\n",
	       hist_percentile(h, 50), hist_percentile(h, 90), hist_percentile(h, 99),
	       hist_percentile(h, 99.9), hist_percentile(h, 99.99));
}

/* --verify's line, and its first mismatch if any. */
static void print_verify(const struct perf_verify_result *v)
{
	bool in_run;
	const struct pattern_mismatch *m = perf_verify_first(v, &in_run);
	uint64_t bad = perf_verify_mismatches(v);

	printf("  verify: %s, %" PRIu64 " blocks written (%" PRIu64 " left unknown by overlapping "
	       "writes), %" PRIu64 " checked (%" PRIu64 " during the run), %" PRIu64
	       " mismatches, %" PRIu64 " read-back errors\n",
	       bad || v->readback.errors ? "FAILED" : "OK", v->written, v->unknown,
	       v->run.checked + v->readback.checked, v->run.checked, bad, v->readback.errors);
	if (!m)
		return;
	printf("    first mismatch %s at lba %" PRIu64 " (%s, byte %u): expected seq %" PRIu64,
	       in_run ? "during the run" : "in the read-back", m->lba, pattern_fault_name(m->fault),
	       m->byte, m->expected.seq);
	if (m->fault == PATTERN_NO_STAMP)
		printf(", found no stamp\n");
	else
		printf(", found lba %" PRIu64 " seq %" PRIu64 " seed 0x%" PRIx64 "\n", m->found.lba,
		       m->found.seq, m->found.seed);
}

static void print_normal(const struct perf_job *job, const struct perf_result *r)
{
	char bs[PERF_BS_MAX_SPLIT * 24];

	perf_job_bs_format(job, bs, sizeof(bs));
	printf("perf %s: %s, bs %s, iodepth %u, %u queue(s), %u thread(s), %s, %.2f s\n", job->uri,
	       perf_rw_name(job->rw), bs, job->iodepth, job->queues, r->threads,
	       perf_completion_name(job->completion), r->seconds);
	print_dir("read", &r->read, r->seconds);
	print_dir("write", &r->write, r->seconds);
	printf("  cpu: usr=%.1f%%, sys=%.1f%%, %.0f ns per I/O\n", r->usr_cpu, r->sys_cpu,
	       r->cpu_ns_per_io);
	if (job->verify)
		print_verify(&r->verify);
}

/* The live line on a terminal: IOPS over the last interval, rewritten in place. */
struct perf_live {
	struct perf_progress last;
	double total; /* ramp + time */
};

static void progress_line(void *arg, const struct perf_progress *p)
{
	struct perf_live *live = arg;
	/* The counts restart with each phase (ramp, window): the first report of
	 * a phase averages over the phase so far, later ones over the interval. */
	bool same = live->last.elapsed > 0 && live->last.ramping == p->ramping;
	double dt = same ? p->elapsed - live->last.elapsed : p->phase_elapsed;
	uint64_t r0 = same ? live->last.ios[0] : 0, w0 = same ? live->last.ios[1] : 0;

	if (dt > 0)
		fprintf(stderr, "\r[%s %.0f/%.0f s] read %.0f IOPS, write %.0f IOPS   ",
			p->ramping ? "ramp" : "run", p->elapsed, live->total,
			(double)(p->ios[0] - r0) / dt, (double)(p->ios[1] - w0) / dt);
	live->last = *p;
}

static int write_histogram(const char *path, const struct perf_result *r)
{
	json_t *h = perf_histogram_json(r);
	int ret = h ? json_dump_file(h, path, JSON_COMPACT) : -1;

	json_decref(h);
	if (ret) {
		fprintf(stderr, "storlab perf: cannot write %s\n", path);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static int print_json(const struct perf_job *job, const struct perf_result *r)
{
	json_t *root = perf_report_json(job, r);

	if (root)
		json_object_set_new(root, "storlab version", json_string(STORLAB_VERSION));
	return cli_print_json("perf", root);
}

int cli_perf(int argc, char **argv)
{
	struct perf_job job;
	struct perf_cli cli = {.out = PERF_OUTPUT_NORMAL};
	struct perf_live live = {0};
	struct perf_result *res;
	int opt, idx = 0, ret;

	perf_job_defaults(&job);
	if (argc > 1 && strcmp(argv[1], "compare") == 0)
		return cli_perf_compare(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "history") == 0)
		return cli_perf_history(argc - 1, argv + 1);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", g_perf_options, &idx)) != -1) {
		if (opt == 'h') {
			perf_usage(stdout);
			return CLI_EXIT_OK;
		}
		if (opt == '?')
			return cli_usage_error("perf", "unknown option '%s'", argv[optind - 1]);
		ret = perf_set(&job, &cli, opt, g_perf_options[idx].name, optarg);
		if (ret >= 0)
			return ret;
	}
	if (optind != argc)
		return cli_usage_error("perf", "unexpected argument '%s'", argv[optind]);
	if (!job.uri)
		return cli_usage_error("perf", "--target URI is required");
	if (job.ncpus > job.queues)
		return cli_usage_error("perf", "%u CPUs need at least as many --queues", job.ncpus);
	/* fio's verify can read back what an earlier job wrote; storlab perf
	 * checks only what its own run wrote. */
	if (job.verify && !perf_job_writes(&job))
		return cli_usage_error("perf", "--verify checks what the run writes: give a --rw "
					       "that writes (write, randwrite, rw, randrw with "
					       "--rwmixread below 100)");
	if (isatty(STDERR_FILENO)) {
		live.total = job.ramp + job.seconds;
		job.progress = progress_line;
		job.progress_arg = &live;
	}
	res = calloc(1, sizeof(*res));
	if (!res)
		return CLI_EXIT_USAGE;
	/* Ctrl-C ends the window early; the report covers what ran. */
	job.stop = cli_catch_interrupts();
	ret = perf_run(&job, res);
	if (job.progress)
		fputs("\r\033[K", stderr); /* the live line gives way to the report */
	if (ret) {
		fprintf(stderr, "storlab perf: %s: %s\n", job.uri,
			ret == -ECONNRESET ? "the back-end went away" : strerror(-ret));
		ret = ret == -ECONNRESET ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
	} else if (cli.out == PERF_OUTPUT_JSON) {
		ret = print_json(&job, res);
	} else {
		print_normal(&job, res);
	}
	if (!ret && cli.histogram_out)
		ret = write_histogram(cli.histogram_out, res);
	if (!ret && (res->read.errors || res->write.errors))
		ret = CLI_EXIT_FAIL;
	if (!ret && job.verify &&
	    (perf_verify_mismatches(&res->verify) || res->verify.readback.errors))
		ret = CLI_EXIT_FAIL;
	if (!ret && *job.stop) {
		fprintf(stderr, "storlab perf: interrupted after %.1f s of the %.1f asked\n",
			res->seconds, job.seconds);
		ret = CLI_EXIT_INTERRUPTED;
	}
	perf_result_fini(res);
	free(res);
	return ret;
}
