/* SPDX-License-Identifier: MIT */
/* The step engine: endpoints up, steps in order, endpoints down. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scenario/endpoint.h"
#include "scenario/scenario.h"
#include "util/fs.h"

#define SC_DETAIL_LEN 512

struct sc_run {
	const struct scenario *sc;
	const struct scenario_hooks *hooks;
	struct sc_ep *eps;
	json_t *last_result; /* of the previous step, for expect */
	int last_status;     /* 0 ok, else failed */
	volatile sig_atomic_t *stop;
};

static struct sc_ep *run_ep(struct sc_run *r, const char *name)
{
	for (unsigned i = 0; i < r->sc->endpoints_count; i++)
		if (strcmp(r->sc->endpoints[i].name, name) == 0)
			return &r->eps[i];
	return NULL; /* the loader checked every reference */
}

/* Compact JSON, cut to fit a report line (--results keeps it whole). */
static void json_brief(json_t *j, char *out, size_t len)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;

	snprintf(out, len, "%s", s ? s : "");
	if (s && strlen(s) >= len && len > 4)
		strcpy(out + len - 4, "...");
	free(s);
}

/* A step on an endpoint that exited meanwhile fails saying so, not with
 * whatever a dead socket answers. */
static int ep_running(struct sc_ep *e, char *detail, size_t len)
{
	char how[64];
	int status;

	if (!endpoint_exited(e->ep, &status))
		return 0;
	endpoint_status_text(status, how, sizeof(how));
	snprintf(detail, len, "endpoint '%s' exited (%s); its log: %s", e->def->name, how,
		 endpoint_log(e->ep));
	return -ECHILD;
}

static int step_rpc(struct sc_run *r, const struct sc_rpc *rpc, char *detail, size_t len)
{
	struct sc_ep *e = run_ep(r, rpc->endpoint);
	json_t *result = NULL, *error = NULL;
	char brief[100];
	int ret = ep_running(e, detail, len);

	if (ret)
		return ret;
	ret = endpoint_rpc_call(e->ep, rpc->method, json_incref(rpc->params), &result, &error);

	if (ret == -EREMOTEIO) {
		json_t *code = json_object_get(error, "code");

		json_brief(error, brief, sizeof(brief));
		r->last_result = error;
		if (!rpc->expect_error) {
			snprintf(detail, len, "%s: error %s", rpc->method, brief);
			return 1;
		}
		if (strcmp(rpc->expect_error, "any") != 0 &&
		    json_integer_value(code) != strtoll(rpc->expect_error, NULL, 10)) {
			snprintf(detail, len, "%s: expected error %s, got %s", rpc->method,
				 rpc->expect_error, brief);
			return 1;
		}
		snprintf(detail, len, "%s: error as expected: %s", rpc->method, brief);
		return 0;
	}
	if (ret) {
		snprintf(detail, len, "%s: %s", rpc->method, strerror(-ret));
		return ret;
	}
	r->last_result = result;
	json_brief(result, brief, sizeof(brief));
	if (rpc->expect_error) {
		snprintf(detail, len, "%s: expected an error, got %s", rpc->method, brief);
		return 1;
	}
	snprintf(detail, len, "%s: %s", rpc->method, brief);
	return 0;
}

/* An io step; with isolate, the other endpoints sleep meanwhile (a polled
 * target would otherwise spin on the cores the measured one runs on). */
static int step_io(struct sc_run *r, const struct sc_io *io, const char *uri, char *detail,
		   size_t len)
{
	const struct scenario_hooks *h = r->hooks;
	struct sc_ep *self = run_ep(r, io->endpoint);
	bool isolate = io->isolate && strcmp(io->isolate, "true") == 0;
	int ret;

	if (!h->io)
		return -ENOSYS;
	for (unsigned i = 0; isolate && i < r->sc->endpoints_count; i++)
		if (&r->eps[i] != self)
			endpoint_pause(r->eps[i].ep, true);
	ret = h->io(h->arg, io, uri, self->ep, &r->last_result, detail, len);
	for (unsigned i = 0; isolate && i < r->sc->endpoints_count; i++)
		if (&r->eps[i] != self)
			endpoint_pause(r->eps[i].ep, false);
	return ret;
}

static int step_device(struct sc_run *r, const struct sc_step *s, char *detail, size_t len)
{
	const char *name = s->io ? s->io->endpoint : s->conform->endpoint;
	const char *ctrlr = s->io ? s->io->controller : s->conform->controller;
	const struct scenario_hooks *h = r->hooks;
	struct sc_ep *e = run_ep(r, name);
	char uri[PATH_MAX + 32];
	int ret =
	    ep_running(e, detail, len) ?: endpoint_uri(e->ep, ctrlr, uri, sizeof(uri), detail, len);

	if (ret)
		return ret;
	if (s->io)
		return step_io(r, s->io, uri, detail, len);
	return h->conform ? h->conform(h->arg, s->conform, uri, e->ep, &r->last_result, detail, len)
			  : -ENOSYS;
}

/* A migrate step: the URIs of both devices, then the hook. */
static int step_migrate(struct sc_run *r, const struct sc_migrate *m, char *detail, size_t len)
{
	const struct scenario_hooks *h = r->hooks;
	struct sc_ep *src = run_ep(r, m->source), *dst = run_ep(r, m->dest);
	char src_uri[PATH_MAX + 32], dst_uri[PATH_MAX + 32];
	int ret = ep_running(src, detail, len) ?: ep_running(dst, detail, len);

	ret = ret
		  ?: endpoint_uri(src->ep, m->source_controller, src_uri, sizeof(src_uri), detail,
				  len);
	ret =
	    ret ?: endpoint_uri(dst->ep, m->dest_controller, dst_uri, sizeof(dst_uri), detail, len);
	if (ret)
		return ret;
	return h->migrate ? h->migrate(h->arg, m, src_uri, dst_uri, &r->last_result, detail, len)
			  : -ENOSYS;
}

/* A replay step: its target's URI, then the hook (with the endpoint, which
 * a crash kills and restarts). */
static int step_replay(struct sc_run *r, const struct sc_replay *p, char *detail, size_t len)
{
	const struct scenario_hooks *h = r->hooks;
	struct sc_ep *e = run_ep(r, p->target);
	char uri[PATH_MAX + 32];
	int ret = ep_running(e, detail, len)
		      ?: endpoint_uri(e->ep, p->target_controller, uri, sizeof(uri), detail, len);

	if (ret)
		return ret;
	return h->replay ? h->replay(h->arg, p, uri, e->ep, &r->last_result, detail, len) : -ENOSYS;
}

/* "a.0.b": members by name, array items by index. */
static json_t *json_path(json_t *j, const char *path)
{
	char *copy = strdup(path), *save = NULL, *tok;

	for (tok = copy ? strtok_r(copy, ".", &save) : NULL; j && tok;
	     tok = strtok_r(NULL, ".", &save)) {
		char *end;
		unsigned long i = strtoul(tok, &end, 10);

		j = json_is_array(j) && *end == '\0' ? json_array_get(j, i)
						     : json_object_get(j, tok);
	}
	free(copy);
	return copy ? j : NULL;
}

static int step_expect(struct sc_run *r, const struct sc_expect *e, char *detail, size_t len)
{
	char want[160], got[160];
	json_t *v;

	if (e->status && (strcmp(e->status, "ok") == 0) != (r->last_status == 0)) {
		snprintf(detail, len, "the previous step %s, expected %s",
			 r->last_status ? "failed" : "passed", e->status);
		return 1;
	}
	if (!e->field) {
		snprintf(detail, len, "the previous step %s", r->last_status ? "failed" : "passed");
		return 0;
	}
	v = json_path(r->last_result, e->field);
	json_brief(e->equals, want, sizeof(want));
	json_brief(v, got, sizeof(got));
	if (!v || !json_equal(v, e->equals)) {
		snprintf(detail, len, "%s is %s, expected %s", e->field, v ? got : "missing", want);
		return 1;
	}
	snprintf(detail, len, "%s == %s", e->field, want);
	return 0;
}

static int step_restart(struct sc_run *r, const char *name, char *detail, size_t len)
{
	struct endpoint *ep = run_ep(r, name)->ep;
	int status = endpoint_stop(ep), ret = endpoint_start(ep, detail, len);
	char how[64];

	endpoint_status_text(status, how, sizeof(how));
	if (!ret)
		snprintf(detail, len, "%s stopped (%s) and started again", name, how);
	return ret;
}

static int run_step(struct sc_run *r, const struct sc_step *s, char *detail, size_t len)
{
	struct timespec ts;
	unsigned long ms;

	switch (s->kind) {
	case SC_STEP_RPC:
		return step_rpc(r, s->rpc, detail, len);
	case SC_STEP_IO:
	case SC_STEP_CONFORM:
		return step_device(r, s, detail, len);
	case SC_STEP_MIGRATE:
		return step_migrate(r, s->migrate, detail, len);
	case SC_STEP_REPLAY:
		return step_replay(r, s->replay, detail, len);
	case SC_STEP_DISCONNECT:
		endpoint_rpc_close(run_ep(r, s->disconnect->endpoint)->ep);
		snprintf(detail, len, "closed the connections to %s", s->disconnect->endpoint);
		return 0;
	case SC_STEP_RESTART:
		return step_restart(r, s->restart->endpoint, detail, len);
	case SC_STEP_EXPECT:
		return step_expect(r, s->expect, detail, len);
	case SC_STEP_SLEEP:
		ms = strtoul(s->sleep, NULL, 10);
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		nanosleep(&ts, NULL);
		snprintf(detail, len, "%lu ms", ms);
		return 0;
	}
	return -EINVAL;
}

static int run_steps(struct sc_run *r)
{
	char detail[SC_DETAIL_LEN];

	for (unsigned i = 0; i < r->sc->steps_count; i++) {
		const struct sc_step *s = &r->sc->steps[i];
		json_t *prev = r->last_result;
		int ret;

		if (r->stop && *r->stop)
			return -EINTR;
		/* An expect step looks at the previous step's result; others make a new one. */
		if (s->kind != SC_STEP_EXPECT)
			r->last_result = NULL;
		detail[0] = '\0';
		ret = run_step(r, s, detail, sizeof(detail));
		if (ret == -ENOSYS && !detail[0])
			snprintf(detail, sizeof(detail), "%s steps are not available in this build",
				 sc_step_kind_name(s->kind));
		if (s->kind != SC_STEP_EXPECT) {
			json_decref(prev);
			r->last_status = ret;
		}
		if (r->hooks->report)
			r->hooks->report(r->hooks->arg, i, s, ret == 0, detail, r->last_result);
		/* A failing step is fine when the next step expects it to fail. */
		if (ret &&
		    !(i + 1 < r->sc->steps_count && r->sc->steps[i + 1].kind == SC_STEP_EXPECT &&
		      r->sc->steps[i + 1].expect->status &&
		      strcmp(r->sc->steps[i + 1].expect->status, "fail") == 0))
			return 1;
	}
	return 0;
}

int scenario_run(const struct scenario *sc, const struct scenario_run_opts *opts,
		 const struct scenario_hooks *hooks, char *err, size_t err_len)
{
	struct sc_run r = {.sc = sc, .hooks = hooks, .stop = opts->stop};
	char tmpl[] = "/tmp/storlab-sc-XXXXXX";
	const char *workdir = opts->workdir;
	unsigned started = 0;
	int ret = 0;

	err[0] = '\0';
	if (!workdir && !(workdir = mkdtemp(tmpl))) {
		snprintf(err, err_len, "cannot create a work directory: %s", strerror(errno));
		return -errno;
	}
	r.eps = calloc(sc->endpoints_count, sizeof(*r.eps));
	if (!r.eps)
		return -ENOMEM;
	for (; started < sc->endpoints_count && !ret; started++) {
		ret = sc_ep_init(&r.eps[started], &sc->endpoints[started], opts, workdir, err,
				 err_len);
		if (!ret)
			ret = endpoint_start(r.eps[started].ep, err, err_len);
	}
	if (!ret)
		ret = run_steps(&r);
	if (ret == -EINTR)
		snprintf(err, err_len, "interrupted: no further step started");
	json_decref(r.last_result);
	while (started--)
		sc_ep_fini(&r.eps[started]);
	free(r.eps);
	/* A directory we made goes when the run passed; on failure its logs stay. */
	if (!opts->workdir && ret == 0)
		util_remove_tree(workdir);
	return ret;
}
