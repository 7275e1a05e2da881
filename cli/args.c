/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ctype.h>

#include <jansson.h>

#include "cli/cli.h"
#include "util/common.h"

static const struct {
	const char *suffix;
	unsigned shift;
} g_size_suffixes[] = {
    {"", 0},	 {"b", 0},  {"k", 10},	{"kb", 10},  {"kib", 10}, {"m", 20},  {"mb", 20},
    {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}, {"t", 40},	  {"tb", 40}, {"tib", 40},
};

/* Decimal, or hex with 0x; never octal ("010" is ten). No sign, no spaces. */
static int parse_u64(const char *s, uint64_t *v, char **end)
{
	int base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, end, base);
	return errno || *end == s ? -EINVAL : 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;

	if (!s || parse_u64(s, &v, &end))
		return -EINVAL;
	/* Sizes are binary multiples, as fio and rpc.py take them. */
	for (size_t i = 0; i < ARRAY_SIZE(g_size_suffixes); i++) {
		unsigned shift = g_size_suffixes[i].shift;

		if (strcasecmp(end, g_size_suffixes[i].suffix) != 0)
			continue;
		if (shift && v > (UINT64_MAX >> shift))
			return -EINVAL;
		*out = v << shift;
		return 0;
	}
	return -EINVAL;
}

int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	uint64_t v;

	if (!s || parse_u64(s, &v, &end) || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || *s == '\0')
		return -EINVAL;
	v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0)
		return -EINVAL;
	if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return -EINVAL;
	*out = v;
	return 0;
}

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
