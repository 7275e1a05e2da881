/* SPDX-License-Identifier: MIT */
/* Request sizes: --bs sizes and ranges, --bssplit weights, and their pick table. */
#define LOG_COMPONENT "perf"

#include "perf/bs.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/parse.h"

#define BS_TOKEN 64 /* longest size or weight text taken */

/* virtio 1.2 §5.2.6: data is whole 512-byte sectors. */
static int size_take(const char *s, size_t len, uint32_t *out)
{
	char tok[BS_TOKEN];
	uint64_t v;

	if (len == 0 || len >= sizeof(tok))
		return -EINVAL;
	memcpy(tok, s, len);
	tok[len] = '\0';
	if (util_parse_size(tok, &v) || v == 0 || v % 512 || v > PERF_BS_MAX) {
		log_err("bad block size '%s': a multiple of 512 bytes up to 1 GiB", tok);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* A weight: a whole percent, 0 to 100. */
static int pct_take(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 3)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 100)
		return -EINVAL;
	*out = v;
	return 0;
}

int perf_bs_fixed(struct perf_bs *bs, uint32_t size)
{
	if (size == 0 || size % 512 || size > PERF_BS_MAX)
		return -EINVAL;
	memset(bs, 0, sizeof(*bs));
	bs->kind = PERF_BS_FIXED;
	bs->min = bs->max = size;
	bs->nslots = 1;
	return 0;
}

int perf_bs_parse(const char *s, struct perf_bs *bs)
{
	const char *dash = strchr(s, '-');
	uint32_t min, max;

	if (!dash) {
		if (size_take(s, strlen(s), &min))
			return -EINVAL;
		return perf_bs_fixed(bs, min);
	}
	if (size_take(s, (size_t)(dash - s), &min) || size_take(dash + 1, strlen(dash + 1), &max))
		return -EINVAL;
	if (max < min) {
		log_err("bad block size range '%s': the maximum is below the minimum", s);
		return -EINVAL;
	}
	memset(bs, 0, sizeof(*bs));
	bs->kind = min == max ? PERF_BS_FIXED : PERF_BS_RANGE;
	bs->min = min;
	bs->max = max;
	/* fio's bsrange: the multiples of the minimum up to the maximum. */
	bs->nslots = max / min;
	return 0;
}

/* The weights not given share what the given ones leave, the remainder
 * going one percent each to the first of them, so that they sum to 100. */
static int split_weights(struct perf_bs *bs, const bool *given, const char *s)
{
	unsigned sum = 0, missing = 0, share, extra;

	for (unsigned i = 0; i < bs->nsizes; i++) {
		sum += given[i] ? bs->pct[i] : 0;
		missing += !given[i];
	}
	if (sum > 100 || (!missing && sum != 100)) {
		log_err("bad --bssplit '%s': the weights sum to %u, not 100", s, sum);
		return -EINVAL;
	}
	share = missing ? (100 - sum) / missing : 0;
	extra = missing ? (100 - sum) % missing : 0;
	for (unsigned i = 0; i < bs->nsizes; i++) {
		if (given[i])
			continue;
		bs->pct[i] = share + (extra ? 1 : 0);
		extra -= extra ? 1 : 0;
	}
	return 0;
}

/* One slot per percent, in the order given; the sizes in multiples of the
 * minimum (set-up is the place for the divide). */
static void split_table(struct perf_bs *bs)
{
	unsigned n = 0;

	for (unsigned i = 0; i < bs->nsizes; i++) {
		for (unsigned p = 0; p < bs->pct[i]; p++)
			bs->slot[n++] = bs->size[i] / bs->min;
	}
	bs->nslots = PERF_BS_SLOTS;
}

int perf_bssplit_parse(const char *s, struct perf_bs *bs)
{
	bool given[PERF_BS_MAX_SPLIT] = {false};
	const char *p = s;

	memset(bs, 0, sizeof(*bs));
	bs->kind = PERF_BS_SPLIT;
	for (;;) {
		size_t len = strcspn(p, ":");
		const char *slash = memchr(p, '/', len);
		unsigned i = bs->nsizes;

		if (i == PERF_BS_MAX_SPLIT) {
			log_err("bad --bssplit '%s': more than %u sizes", s, PERF_BS_MAX_SPLIT);
			return -EINVAL;
		}
		if (size_take(p, slash ? (size_t)(slash - p) : len, &bs->size[i]))
			return -EINVAL;
		if (slash && pct_take(slash + 1, len - (size_t)(slash + 1 - p), &bs->pct[i])) {
			log_err("bad --bssplit '%s': a weight is a whole percent, 0 to 100", s);
			return -EINVAL;
		}
		given[i] = slash != NULL;
		bs->nsizes++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	bs->min = bs->max = bs->size[0];
	for (unsigned i = 1; i < bs->nsizes; i++) {
		bs->min = bs->size[i] < bs->min ? bs->size[i] : bs->min;
		bs->max = bs->size[i] > bs->max ? bs->size[i] : bs->max;
	}
	for (unsigned i = 0; i < bs->nsizes; i++) {
		/* Offsets are multiples of the minimum: so must every size be. */
		if (bs->size[i] % bs->min) {
			log_err("bad --bssplit '%s': %u is not a multiple of the smallest size %u",
				s, bs->size[i], bs->min);
			return -EINVAL;
		}
	}
	if (split_weights(bs, given, s))
		return -EINVAL;
	split_table(bs);
	return 0;
}

int perf_bs_format(const struct perf_bs *bs, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	if (bs->kind == PERF_BS_FIXED)
		return snprintf(buf, len, "%u", bs->min);
	if (bs->kind == PERF_BS_RANGE)
		return snprintf(buf, len, "%u-%u", bs->min, bs->max);
	for (unsigned i = 0; i < bs->nsizes; i++) {
		n = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0, "%s%u/%u",
			     i ? ":" : "", bs->size[i], bs->pct[i]);
		used += (size_t)n;
	}
	return (int)used;
}
