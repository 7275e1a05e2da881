/* SPDX-License-Identifier: MIT */
/*
 * `storlab migrate replay --crash-matrix`: the trace replayed once as it is,
 * then once per message the front-end sends in it, with the back-end killed
 * (SIGKILL, lib/endpoint) right after that message and started again, the
 * front-end reconnecting and going on (emu.h, struct emu_crash); or, with
 * --crash-stride N, a sample: after messages 1, 1+N, 1+2N, ... and the
 * last. A verdict per boundary and a summary. docs/man/storlab-migrate.md.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "emu/emu.h"
#include "emu/emu_guest.h"
#include "endpoint/endpoint.h"
#include "util/log.h"
#include "vhost/vhost_msg.h"

static int crash_kill(void *ctx)
{
	char err[1024];
	int ret = endpoint_restart(ctx, err, sizeof(err));

	if (ret)
		log_err("crash: the back-end did not come back: %s", err);
	return ret;
}

void cli_migrate_crash_init(struct emu_crash *c, struct endpoint *ep)
{
	*c = (struct emu_crash){.kill = crash_kill, .ctx = ep};
}

struct matrix {
	unsigned boundaries, ok, failed, not_run;
	unsigned by_kind[EMU_V_COUNT]; /* boundaries with a violation of each kind */
};

static json_t *boundary_json(unsigned k, const struct emu_mig_result *r, int ret)
{
	json_t *counts = json_object();

	for (unsigned v = 0; v < EMU_V_COUNT; v++)
		json_object_set_new(counts, emu_vkind_name(v), json_integer(r->track.counts[v]));
	return json_pack("{s:i, s:s, s:i, s:b, s:o, s:i, s:i, s:s}", "k", k, "after",
			 r->crashed ? vhost_msg_request_name(r->crash_request) : "", "nth",
			 r->crashed ? r->crash_nth : 0, "ok", ret == 0 && emu_mig_ok(r),
			 "violation_counts", counts, "reconnects", r->reconnects, "requests",
			 r->track.nreqs, "error", ret ? r->error : "");
}

static void boundary_line(unsigned k, const struct emu_mig_result *r, int ret)
{
	char at[64] = "(no message)";

	if (r->crashed)
		snprintf(at, sizeof(at), "%s #%u", vhost_msg_request_name(r->crash_request),
			 r->crash_nth);
	printf("  %4u after %-36s ", k, at);
	if (ret) {
		printf("could not run: %s\n", r->error);
		return;
	}
	printf("%s", emu_mig_ok(r) ? "ok" : "VIOLATIONS");
	for (unsigned v = 0; v < EMU_V_COUNT; v++)
		if (r->track.counts[v])
			printf(" %s %u", emu_vkind_name(v), r->track.counts[v]);
	printf(" (%u requests, %u reconnect(s))\n", r->track.nreqs, r->reconnects);
}

static void matrix_add(struct matrix *mx, const struct emu_mig_result *r, int ret)
{
	mx->boundaries++;
	if (ret) {
		mx->not_run++;
		return;
	}
	if (emu_mig_ok(r)) {
		mx->ok++;
		return;
	}
	mx->failed++;
	for (unsigned v = 0; v < EMU_V_COUNT; v++)
		mx->by_kind[v] += r->track.counts[v] > 0;
}

static json_t *matrix_json(const struct matrix *mx, unsigned msgs, unsigned stride,
			   double seconds)
{
	json_t *kinds = json_object();

	for (unsigned v = 0; v < EMU_V_COUNT; v++)
		json_object_set_new(kinds, emu_vkind_name(v), json_integer(mx->by_kind[v]));
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:f}", "messages", msgs, "stride",
			 stride, "boundaries", mx->boundaries, "ok", mx->ok, "failed", mx->failed,
			 "not_run", mx->not_run, "boundaries_by_kind", kinds, "seconds", seconds);
}

static void matrix_table(const struct matrix *mx, double seconds)
{
	printf("crash matrix: %u boundaries in %.1f s: %u ok, %u with violations, %u not run\n",
	       mx->boundaries, seconds, mx->ok, mx->failed, mx->not_run);
	for (unsigned v = 0; v < EMU_V_COUNT; v++)
		if (mx->by_kind[v])
			printf("  %-16s at %u boundaries\n", emu_vkind_name(v), mx->by_kind[v]);
}

/* The message of n after which the matrix kills next, after the kill after
 * k: k + stride, or the last where that passes it; 0: none left. */
static unsigned next_boundary(unsigned k, unsigned n, unsigned stride)
{
	if (k >= n)
		return 0;
	return k + stride < n ? k + stride : n;
}

int cli_migrate_crash_matrix(const struct emu_mig_opts *base, struct endpoint *ep,
			     unsigned stride, bool json, json_t **report)
{
	struct emu_mig_opts o = *base;
	struct emu_crash crash;
	struct emu_mig_result r;
	struct matrix mx = {0};
	json_t *rows = json_array(), *baseline;
	int64_t t0 = emu_now_ns();
	unsigned n;
	int ret;

	if (!rows)
		return 3;
	/* The trace as it is: how many messages there are to crash after. */
	ret = emu_mig_run(&o, &r);
	n = ret ? 0 : r.fe_msgs;
	baseline = cli_migrate_run_json(&r, ret);
	if (!json) {
		printf("crash matrix: without a crash ");
		cli_migrate_run_table(&r, ret);
		if (stride > 1)
			printf("crash matrix: %u front-end messages, a kill after the "
			       "first, then every %u messages, and after the last\n",
			       n, stride);
		else
			printf("crash matrix: %u front-end messages, a kill after each\n", n);
	}
	emu_mig_result_fini(&r);
	cli_migrate_crash_init(&crash, ep);
	o.crash = &crash;
	for (unsigned k = n ? 1 : 0; k; k = next_boundary(k, n, stride)) {
		crash.after_msg = k;
		ret = emu_mig_run(&o, &r);
		json_array_append_new(rows, boundary_json(k, &r, ret));
		if (!json)
			boundary_line(k, &r, ret);
		matrix_add(&mx, &r, ret);
		emu_mig_result_fini(&r);
	}
	if (json) {
		json_t *doc =
		    json_pack("{s:o, s:o, s:o}", "baseline", baseline, "boundaries", rows,
			      "summary",
			      matrix_json(&mx, n, stride, (double)(emu_now_ns() - t0) / 1e9));

		if (report)
			*report = doc;
		else
			cli_print_json("migrate replay", doc);
	} else {
		matrix_table(&mx, (double)(emu_now_ns() - t0) / 1e9);
		json_decref(baseline);
		json_decref(rows);
	}
	if (mx.not_run || !n)
		return 3;
	return mx.failed ? 1 : CLI_EXIT_OK;
}
