/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_RUNNER_H
#define STORLAB_CONFORMANCE_RUNNER_H

/*
 * The conformance runner: selects the cases of the suites that talk to the
 * run's transport, probes the back-end once through it, runs each case in a
 * child process of its own with a deadline, checks after each case that the
 * back-end still serves, and collects verdicts, reasons and traces for the
 * reports (report.h).
 *
 * A library: it never prints or exits. Progress goes to a callback; the
 * caller (cli/conform.c) decides what to show. Every wait has a deadline.
 * The runner forks: call it from a single-threaded process.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "conformance/conform.h"

struct conform_result {
	const struct conform_suite *suite;
	const struct conform_case *c;
	enum conform_verdict verdict;
	char *reason; /* "" for PASS; valid UTF-8 without control characters */
	char *trace;  /* lines separated by '\n' (no trailing one); "" if none */
	/* What the case observed (conform_info), cleaned as the trace is:
	 * lines separated by '\n'; NULL or "" if none. */
	char *info;
	double seconds;
	/* The run ended before this case could run (the back-end was gone for
	 * good: conform_run.stopped says why): verdict ERROR, reason "not run:
	 * ...", no trace. */
	bool not_run;
};

struct conform_run_opts {
	/* What the back-end talks (conform_transport_for_uri picks it from a
	 * target URI), and its address in that transport's terms (vhost-user:
	 * the socket's path). */
	const struct conform_transport *transport;
	const char *socket_path;
	/* How reports name the target, and the `storlab conform` options that
	 * run one case again, ready for a POSIX shell (conform_shell_word quotes
	 * a word): e.g. "vhost-user-blk:/tmp/vhost.0" and "--target
	 * vhost-user-blk:/tmp/vhost.0". */
	const char *target;
	const char *reproduce;
	int timeout_ms;	      /* per reply; <= 0: 1000 */
	int case_deadline_ms; /* per case; <= 0: max(10 * timeout_ms, 5000) */
	const struct conform_suite *const *suites;
	unsigned nsuites;
	/* Selection: suite names and case IDs (NULL / 0: all). A case runs if
	 * its suite talks the run's transport and is selected and, when IDs are
	 * given, its ID is one of them. Naming a suite or case of another
	 * transport is an error. */
	const char *const *suite_names;
	unsigned nsuite_names;
	const char *const *case_ids;
	unsigned ncase_ids;
	/* The back-end stopped serving after a case: bring it back (a back-end
	 * the caller spawned: lib/endpoint's endpoint_restart). 0 when it
	 * serves again. NULL: it is external; the rest of the run is not run
	 * (conform_run.stopped). */
	int (*restart)(void *arg);
	void *restart_arg;
	/* Without restart: how the caller's user gets one, for the line that
	 * says cases were not run ("use --spawn-cmd to restart it per case");
	 * NULL: none. */
	const char *restart_hint;
	/* Called before each case (r NULL) and after it (r its result). */
	void (*progress)(void *arg, unsigned i, unsigned n, const struct conform_case *c,
			 const struct conform_result *r);
	void *progress_arg;
	/* Severities (bit 1 << enum conform_severity) whose advisories fail
	 * the run when not met or errored, as a MUST case does (`storlab
	 * conform --fail-on`): for a vendor's CI that gates on data safety.
	 * 0, the default: advisories never fail a run. */
	unsigned fail_on;
	/* Hot-plug on the back-end, for the cases about its events
	 * (conform_hotplug): adds (add) or removes LUN lun of target, returning
	 * 0 once done or a negative errno with err set. Called in the case's
	 * process (the runner forks one per case). NULL: no hook, and those
	 * cases are N/A. */
	int (*hotplug)(void *arg, bool add, unsigned target, unsigned lun, char *err,
		       size_t err_len);
	void *hotplug_arg;
	/* Non-zero (a signal handler sets it): no further case starts, and
	 * conform_run_execute() returns -EINTR. NULL: never. */
	volatile sig_atomic_t *stop;
};

struct conform_run {
	struct conform_run_opts opts; /* as given (strings borrowed) */
	struct conform_offer offered; /* the transport's probe, before the first case */
	struct conform_result *results; /* [nresults], in suite then case order */
	unsigned nresults;
	/* NULL, or why the run ended early, once for all the cases it could not
	 * run ("back-end gone after VHOST-MEM-003, 57 cases not run (...: use
	 * --spawn-cmd to restart it per case)"); not_run counts them. */
	char *stopped;
	unsigned not_run;
	int64_t started_unix; /* seconds since the epoch */
	double seconds;
};

/* Checks the selection (-ENOENT: a named suite or case ID does not exist,
 * -EPROTOTYPE: it talks another transport; msg says which), probes the
 * back-end (its errno: unreachable) and runs the cases. *run is set on
 * success only. */
int conform_run_execute(const struct conform_run_opts *opts, struct conform_run **run, char *msg,
			unsigned msg_len);
void conform_run_free(struct conform_run *run);

/* The three parts of every report (conform.h enum conform_level): the spec
 * verdicts (MUST / SHOULD / MAY), the advisories, the observations (INFO). */
enum conform_section {
	CONFORM_SECTION_SPEC,
	CONFORM_SECTION_ADVISORY,
	CONFORM_SECTION_OBSERVATION,
};
enum conform_section conform_case_section(const struct conform_case *c);

struct conform_tally {
	unsigned pass, fail, not_applicable, error;
};
/* Whether suite talks the run's transport: the reports show those suites
 * only (a vhost-user-scsi run has no virtio-blk part). A run without a
 * transport (a report's tests) has them all. */
bool conform_run_has_suite(const struct conform_run *run, const struct conform_suite *suite);
/* The spec verdicts, per suite (suite NULL: the whole run). */
void conform_run_tally(const struct conform_run *run, const struct conform_suite *suite,
		       struct conform_tally *t);
/* Likewise of the advisories: pass counts "met", fail "not met". */
void conform_run_tally_advisories(const struct conform_run *run, const struct conform_suite *suite,
				  struct conform_tally *t);
/* How many cases of the run are in section (of the whole run). */
unsigned conform_run_count(const struct conform_run *run, enum conform_section section);
/* Whether r fails the run: a MUST case, or an advisory of a severity
 * opts.fail_on names, that failed (was not met) or errored. */
bool conform_result_fails_run(const struct conform_run *run, const struct conform_result *r);
/* "data-safety,memory-safety" or "all" (--fail-on, a conform step's
 * params.fail_on) ORed into *bits as 1 << enum conform_severity; 0, or
 * -EINVAL for a name that is no severity (or none at all). */
int conform_fail_on_parse(const char *list, unsigned *bits);
/* What conform_fail_on_parse() takes, for the messages that refuse a list. */
#define CONFORM_FAIL_ON_NAMES "memory-safety, data-safety, robustness, comma-separated, or all"
/* 0 when every applicable MUST case passed, 1 when one failed or errored
 * (SHOULD and MAY results are reported, never fatal; advisories count only
 * as opts.fail_on says, observations never), 2 when cases were not run
 * (conform_run.stopped): the run could not be done. */
int conform_run_exit_code(const struct conform_run *run);

const char *conform_verdict_name(enum conform_verdict v); /* "PASS", "FAIL", "N/A", "ERROR" */
const char *conform_level_name(enum conform_level l);	  /* "MUST", ..., "ADVISORY", "INFO" */
/* "memory-safety", "data-safety", "robustness"; "" for CONFORM_SEV_NONE. */
const char *conform_severity_name(enum conform_severity s);
/* The verdict in words right for the case's section: a spec case's
 * conform_verdict_name(); an advisory's "met", "advisory not met", "N/A",
 * "ERROR"; an observation's "observed", "N/A", "ERROR", "FAIL" (the
 * back-end stopped serving after it). */
const char *conform_result_label(const struct conform_result *r);
/* "VIRTIO_BLK_F_DISCARD, VHOST_USER_PROTOCOL_F_MQ" (or "bit 42") into buf,
 * device bits named by t's feature_name (t NULL: virtio-blk's names). */
void conform_feature_names(const struct conform_transport *t, uint64_t features,
			   uint64_t protocol_features, char *buf, unsigned len);

#endif
