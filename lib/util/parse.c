/* SPDX-License-Identifier: MIT */
/* Sizes and numbers as users write them (util/parse.h). */
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

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

int util_parse_size(const char *s, uint64_t *out)
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

int util_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	uint64_t v;

	if (!s || parse_u64(s, &v, &end) || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int util_parse_seconds(const char *s, double *out)
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

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int util_parse_hex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (out)
			out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int util_parse_uuid(const char *s, uint8_t *out)
{
	char hex[33];
	size_t n = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash != (s[i] == '-'))
			return -EINVAL;
		if (!dash)
			hex[n++] = s[i];
	}
	hex[n] = '\0';
	return util_parse_hex(hex, out, 16);
}
