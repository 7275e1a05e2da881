/* SPDX-License-Identifier: MIT */
/* storlab perf compare: a verdict per metric between two run sets (perf/compare.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "perf/compare.h"

static const struct option g_compare_options[] = {
    {"threshold", required_argument, NULL, 't'},
    {"json", no_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void compare_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: storlab perf compare NEW.json BASELINE.json [--threshold METRIC=PCT]...\n"
	    "                            [--json]\n\n"
	    "Per metric: the medians of NEW's and BASELINE's runs, the change, the noise\n"
	    "(the larger of the metric's threshold and %.0f x the runs' combined spread, MAD)\n"
	    "and a verdict: regressed, improved or within noise.\n"
	    "A file is one `storlab perf --output-format json` result, an array of them,\n"
	    "{\"runs\": [...], \"peer\": [...]}, scripts/bench's results, or the results of\n"
	    "`storlab scenario run --results` (whose thresholds apply unless --threshold says).\n"
	    "METRIC: iops, bw, mean, p50, p99, p99.9 (defaults 5, 5, 5, 5, 10, 15 %%).\n"
	    "Exit 0: nothing regressed; 1: something regressed; 2: could not compare.\n",
	    PERF_CMP_NOISE_K);
}

static void print_table(const struct perf_cmp_report *rep, const struct perf_cmp_set *nw,
			const struct perf_cmp_set *base, const char *nw_path, const char *base_path)
{
	char b[32], n[32];
	int w = 40;

	/* Scenario labels are long: the column fits the longest. */
	for (size_t i = 0; i < rep->nrows; i++)
		w = (int)strlen(rep->rows[i].label) > w ? (int)strlen(rep->rows[i].label) : w;

	printf("NEW %s: %zu run(s); BASELINE %s: %zu run(s)\n", nw_path, nw->nruns, base_path,
	       base->nruns);
	if (!rep->spread)
		printf("one run on each side: no spread to measure, the thresholds alone decide\n");
	printf("\n%-*s %14s %14s %9s %8s  %s\n", w, "metric", "base", "new", "change", "noise",
	       "verdict");
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct perf_cmp_row *r = &rep->rows[i];

		perf_cmp_format_value(b, sizeof(b), r->base.median);
		perf_cmp_format_value(n, sizeof(n), r->new.median);
		printf("%-*s %14s %14s %+8.2f%% %7.2f%%  %s%s\n", w, r->label, b, n, r->change_pct,
		       r->noise_pct, perf_cmp_verdict_name(r->verdict),
		       r->counted ? "" : " (peer: not counted)");
	}
	printf("\n%zu regressed, %zu improved (a peer's own figures not counted)\n",
	       rep->nregressed, rep->nimproved);
}

static int print_json(const struct perf_cmp_report *rep, const char *nw_path, const char *base_path)
{
	json_t *root = perf_cmp_report_json(rep);

	if (root) {
		json_object_set_new(root, "new", json_string(nw_path));
		json_object_set_new(root, "baseline", json_string(base_path));
	}
	return cli_print_json("perf compare", root);
}

int cli_perf_compare(int argc, char **argv)
{
	struct perf_cmp_set nw = {0}, base = {0};
	struct perf_cmp_thresholds t;
	struct perf_cmp_report rep;
	char err[PERF_CMP_ERR_LEN];
	bool json = false;
	int opt, ret;

	perf_cmp_thresholds_default(&t);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", g_compare_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			compare_usage(stdout);
			return CLI_EXIT_OK;
		case 't':
			if (perf_cmp_threshold_parse(&t, optarg))
				return cli_usage_error("perf compare", "bad --threshold '%s'",
						       optarg);
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_usage_error("perf compare", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("perf compare", "NEW.json and BASELINE.json are required");
	ret = perf_cmp_set_load(&nw, argv[optind], err);
	if (!ret)
		ret = perf_cmp_set_load(&base, argv[optind + 1], err);
	if (!ret)
		ret = perf_cmp_compare(&nw, &base, &t, &rep, err);
	if (ret) {
		fprintf(stderr, "storlab perf compare: %s\n", err);
		ret = CLI_EXIT_USAGE;
		goto out;
	}
	if (json)
		ret = print_json(&rep, argv[optind], argv[optind + 1]);
	else
		print_table(&rep, &nw, &base, argv[optind], argv[optind + 1]);
	if (!ret && rep.nregressed)
		ret = CLI_EXIT_FAIL;
	perf_cmp_report_free(&rep);
out:
	perf_cmp_set_free(&nw);
	perf_cmp_set_free(&base);
	return ret;
}
