/* SPDX-License-Identifier: MIT */
/*
 * The run: which cases, the one probe of what the back-end offers, each case
 * in its own process (runner_child.c), and after each case the check that
 * the back-end still serves, with a restart of one we spawned.
 */
#define LOG_COMPONENT "conform"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conformance/runner_internal.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

#define DEFAULT_TIMEOUT_MS   1000
#define MIN_CASE_DEADLINE_MS 5000
/* How often the after-case check asks again while the back-end comes back
 * from a disconnect (a back-end may take a moment to listen again). */
#define ALIVE_RETRY_MS 50

static bool name_in(const char *name, const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static bool selected(const struct conform_run_opts *o, const struct conform_suite *s,
		     const struct conform_case *c)
{
	return s->transport == o->transport &&
	       (!o->nsuite_names || name_in(s->name, o->suite_names, o->nsuite_names)) &&
	       (!o->ncase_ids || name_in(c->id, o->case_ids, o->ncase_ids));
}

/* The suite named name, or holding case ID name; NULL if none. */
static const struct conform_suite *find_suite(const struct conform_run_opts *o, const char *name,
					      bool case_id)
{
	for (unsigned s = 0; s < o->nsuites; s++) {
		if (!case_id && strcmp(o->suites[s]->name, name) == 0)
			return o->suites[s];
		for (unsigned k = 0; case_id && k < o->suites[s]->ncases; k++)
			if (strcmp(o->suites[s]->cases[k].id, name) == 0)
				return o->suites[s];
	}
	return NULL;
}

/* Every name given must exist, and talk to the back-end's transport: a typo
 * must not turn into a run of nothing that exits 0. */
static int check_names(const struct conform_run_opts *o, const char *const *names, unsigned n,
		       bool case_id, char *msg, unsigned msg_len)
{
	const char *what = case_id ? "case" : "suite";

	for (unsigned i = 0; i < n; i++) {
		const struct conform_suite *s = find_suite(o, names[i], case_id);

		if (!s) {
			snprintf(msg, msg_len, "no %s '%s'", what, names[i]);
			return -ENOENT;
		}
		if (s->transport != o->transport) {
			snprintf(msg, msg_len, "%s '%s' talks %s, not the target's %s", what, names[i],
				 s->transport->name, o->transport->name);
			return -EPROTOTYPE;
		}
	}
	return 0;
}

static int check_selection(const struct conform_run_opts *o, char *msg, unsigned msg_len)
{
	if (!o->transport) {
		snprintf(msg, msg_len, "no transport for the target");
		return -EINVAL;
	}
	return check_names(o, o->suite_names, o->nsuite_names, false, msg, msg_len)
		   ?: check_names(o, o->case_ids, o->ncase_ids, true, msg, msg_len);
}

static int select_cases(struct conform_run *run)
{
	const struct conform_run_opts *o = &run->opts;
	unsigned n = 0;

	for (unsigned s = 0; s < o->nsuites; s++)
		for (unsigned k = 0; k < o->suites[s]->ncases; k++)
			n += selected(o, o->suites[s], &o->suites[s]->cases[k]);
	run->results = calloc(n ? n : 1, sizeof(*run->results));
	if (!run->results)
		return -ENOMEM;
	for (unsigned s = 0; s < o->nsuites; s++) {
		for (unsigned k = 0; k < o->suites[s]->ncases; k++) {
			struct conform_result *r = &run->results[run->nresults];

			if (!selected(o, o->suites[s], &o->suites[s]->cases[k]))
				continue;
			r->suite = o->suites[s];
			r->c = &o->suites[s]->cases[k];
			run->nresults++;
		}
	}
	return 0;
}

static int set_text(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_text(char **dst, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* The case's needs, judged by the transport (conform.h struct
 * conform_transport): not offered is N/A, with the transport's why. */
static int check_offered(const struct conform_run *run, struct conform_result *r, bool *na)
{
	char why[512];

	*na = !run->opts.transport->applicable(&run->offered, r->c, why, sizeof(why));
	if (!*na)
		return 0;
	r->verdict = CONFORM_NOT_APPLICABLE;
	return set_text(&r->reason, "%s", why);
}

static int probe_until(const struct conform_run *run, int64_t deadline)
{
	struct conform_offer offer;
	int ret;

	for (;;) {
		ret = run->opts.transport->probe(run->opts.socket_path, run->opts.timeout_ms,
						 &offer);
		if (ret == 0 || deadline_ms_left(deadline) == 0)
			return ret;
		nanosleep(&(struct timespec){.tv_nsec = ALIVE_RETRY_MS * 1000000L}, NULL);
	}
}

/* After case r: the back-end must still serve. A back-end that went away is
 * reported on the case that made it go; returns -EPIPE with *gone set when
 * the rest of the run cannot go on (skip_rest). */
static int after_case(struct conform_run *run, struct conform_result *r, char **gone)
{
	int ret = probe_until(run, deadline_from_timeout(run->opts.timeout_ms));
	const char *why = strerror(-ret);

	if (ret == 0)
		return 0;
	if (r->verdict == CONFORM_PASS || r->verdict == CONFORM_NOT_APPLICABLE) {
		r->verdict = CONFORM_FAIL;
		ret =
		    set_text(&r->reason, "the back-end stopped serving after this case (%s)", why);
	} else {
		ret = set_text(&r->reason, "%s; then the back-end stopped serving (%s)", r->reason,
			       why);
	}
	if (ret)
		return ret;
	if (run->opts.restart) {
		ret = run->opts.restart(run->opts.restart_arg);
		if (ret == 0)
			ret = probe_until(run, deadline_from_timeout(run->opts.timeout_ms));
		if (ret == 0) {
			log_info("back-end restarted after %s", r->c->id);
			return 0;
		}
		return set_text(gone, "back-end gone after %s (restart failed: %s)", r->c->id,
				strerror(-ret))
			   ?: -EPIPE;
	}
	return set_text(gone, "back-end gone after %s", r->c->id) ?: -EPIPE;
}

static int run_one(struct conform_run *run, struct conform_result *r)
{
	const struct conform_run_opts *o = &run->opts;
	struct conform_ctx tmpl = {
	    .transport = o->transport,
	    .address = o->socket_path,
	    .timeout_ms = o->timeout_ms,
	    .offered = run->offered,
	    .hotplug = o->hotplug,
	    .hotplug_arg = o->hotplug_arg,
	    .out_fd = -1,
	};
	bool na;
	int ret = check_offered(run, r, &na);

	if (ret || na)
		return ret;
	ret = conform_child_run(&tmpl, r->c, o->case_deadline_ms, r);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		r->verdict = CONFORM_ERROR;
		return set_text(&r->reason, "cannot start the case's process: %s", strerror(-ret));
	}
	return 0;
}

/* A result that has no reason or trace yet gets empty ones. */
static int fill_empty(struct conform_result *r)
{
	int ret = r->reason ? 0 : set_text(&r->reason, "%s", "");

	return ret ?: r->trace ? 0 : set_text(&r->trace, "%s", "");
}

/*
 * The back-end is gone for good (one we did not start, or its restart
 * failed) after the case before results[from]: no further case can run. A
 * case whose needs are not offered is N/A as ever; every other one is
 * ERROR, marked not_run, without a progress line of its own: the run says
 * once why (run->stopped), instead of a wall of identical errors.
 */
static int skip_rest(struct conform_run *run, unsigned from, const char *gone)
{
	int ret = 0;

	for (unsigned i = from; i < run->nresults && !ret; i++) {
		struct conform_result *r = &run->results[i];
		bool na;

		ret = check_offered(run, r, &na);
		if (!ret && !na) {
			r->verdict = CONFORM_ERROR;
			r->not_run = true;
			run->not_run++;
			ret = set_text(&r->reason, "not run: %s", gone);
		}
		ret = ret ?: fill_empty(r);
	}
	if (ret || !run->not_run)
		return ret;
	if (run->opts.restart)
		return set_text(&run->stopped, "%s, %u case%s not run", gone, run->not_run,
				run->not_run == 1 ? "" : "s");
	return set_text(&run->stopped,
			"%s, %u case%s not run: it was started outside this run, so it cannot be "
			"restarted%s%s%s",
			gone, run->not_run, run->not_run == 1 ? "" : "s",
			run->opts.restart_hint ? " (" : "",
			run->opts.restart_hint ? run->opts.restart_hint : "",
			run->opts.restart_hint ? ")" : "");
}

static int run_all(struct conform_run *run)
{
	const struct conform_run_opts *o = &run->opts;
	char *gone = NULL;
	unsigned i;
	int ret = 0;

	for (i = 0; i < run->nresults && ret == 0 && !gone; i++) {
		struct conform_result *r = &run->results[i];
		int64_t t0 = deadline_now_ms();

		if (o->stop && *o->stop) {
			ret = -EINTR;
			break;
		}
		if (o->progress)
			o->progress(o->progress_arg, i, run->nresults, r->c, NULL);
		ret = run_one(run, r);
		/* A case that ran (not N/A) may have taken the back-end down. */
		if (ret == 0 && r->trace) {
			ret = after_case(run, r, &gone);
			if (ret == -EPIPE)
				ret = 0;
		}
		r->seconds = (deadline_now_ms() - t0) / 1000.0;
		ret = ret ?: fill_empty(r);
		if (o->progress)
			o->progress(o->progress_arg, i, run->nresults, r->c, r);
	}
	if (ret == 0 && gone)
		ret = skip_rest(run, i, gone);
	free(gone);
	return ret;
}

int conform_run_execute(const struct conform_run_opts *opts, struct conform_run **out, char *msg,
			unsigned msg_len)
{
	struct conform_run *run = calloc(1, sizeof(*run));
	int64_t t0 = deadline_now_ms();
	int ret;

	if (!run)
		return -ENOMEM;
	run->opts = *opts;
	if (run->opts.timeout_ms <= 0)
		run->opts.timeout_ms = DEFAULT_TIMEOUT_MS;
	if (run->opts.case_deadline_ms <= 0)
		run->opts.case_deadline_ms = MAX(10 * run->opts.timeout_ms, MIN_CASE_DEADLINE_MS);
	run->started_unix = time(NULL);
	snprintf(msg, msg_len, "%s", "");
	ret = check_selection(&run->opts, msg, msg_len);
	if (ret == 0)
		ret = select_cases(run);
	if (ret == 0) {
		ret = run->opts.transport->probe(run->opts.socket_path, run->opts.timeout_ms,
						 &run->offered);
		if (ret)
			snprintf(msg, msg_len, "back-end %s does not answer the probe (%s): %s",
				 run->opts.socket_path, run->opts.transport->probe_what,
				 strerror(-ret));
	}
	if (ret == 0)
		ret = run_all(run);
	if (ret) {
		if (!msg[0])
			snprintf(msg, msg_len, "%s", strerror(-ret));
		conform_run_free(run);
		return ret;
	}
	run->seconds = (deadline_now_ms() - t0) / 1000.0;
	*out = run;
	return 0;
}

void conform_run_free(struct conform_run *run)
{
	if (!run)
		return;
	for (unsigned i = 0; i < run->nresults; i++) {
		free(run->results[i].reason);
		free(run->results[i].trace);
		free(run->results[i].info);
	}
	free(run->results);
	free(run->stopped);
	free(run);
}
