/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "util/common.h"

void cli_format_bytes(uint64_t bytes, char *buf, unsigned len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "storlab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see storlab %s --help)\n", cmd);
	return CLI_EXIT_USAGE;
}

int cli_print_json(const char *cmd, json_t *root)
{
	int bad = !root || json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0;

	json_decref(root);
	if (bad) {
		fprintf(stderr, "storlab %s: cannot write the JSON report\n", cmd);
		return CLI_EXIT_USAGE;
	}
	putchar('\n');
	return CLI_EXIT_OK;
}

static volatile sig_atomic_t g_interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	g_interrupted = 1;
}

volatile sig_atomic_t *cli_catch_interrupts(void)
{
	struct sigaction sa = {.sa_handler = on_interrupt};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return &g_interrupted;
}
