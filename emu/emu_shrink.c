/* SPDX-License-Identifier: MIT */
/* ddmin over a set of units (emu_shrink.h). */
#include "emu/emu_shrink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Tests the units of c[from, to) (subset) or of c without them
 * (complement); 1 and keep set to them when it still fails. */
static int try_set(const unsigned *c, unsigned nc, unsigned from, unsigned to, bool complement,
		   emu_ddmin_test_fn test, void *ctx, bool *keep, unsigned n, bool *trial)
{
	int ret;

	memset(trial, 0, n * sizeof(*trial));
	for (unsigned i = 0; i < nc; i++)
		trial[c[i]] = (i >= from && i < to) != complement;
	ret = test(ctx, trial);
	if (ret == 1)
		memcpy(keep, trial, n * sizeof(*keep));
	return ret;
}

/* The kept units in order: c gets their indices; the count. */
static unsigned kept(const bool *keep, unsigned n, unsigned *c)
{
	unsigned nc = 0;

	for (unsigned i = 0; i < n; i++)
		if (keep[i])
			c[nc++] = i;
	return nc;
}

int emu_ddmin(unsigned n, emu_ddmin_test_fn test, void *ctx, bool *keep)
{
	unsigned *c = malloc((n ? n : 1) * sizeof(*c));
	bool *trial = malloc((n ? n : 1) * sizeof(*trial));
	unsigned nc, gran = 2;
	int tests = 0, ret = 0;

	if (!c || !trial) {
		ret = -ENOMEM;
		goto out;
	}
	nc = kept(keep, n, c);
	while (nc >= 2) {
		unsigned chunk = (nc + gran - 1) / gran;
		int by = -1; /* what reduced it: 0 a subset, 1 a complement */

		/* Reduce to a subset (one chunk alone still fails), then to a
		 * complement (without one chunk it still fails); at two chunks
		 * the complements are the subsets. */
		for (int complement = 0; complement < 2 && by < 0; complement++) {
			for (unsigned from = 0; from < nc && by < 0 && !(complement && gran <= 2);
			     from += chunk) {
				ret = try_set(c, nc, from, from + chunk, complement, test, ctx,
					      keep, n, trial);
				tests++;
				if (ret < 0)
					goto out;
				if (ret == 1)
					by = complement;
			}
		}
		if (by >= 0) {
			gran = by && gran > 3 ? gran - 1 : 2;
			nc = kept(keep, n, c);
			continue;
		}
		/* Finer: every unit its own chunk is the last granularity. */
		if (gran >= nc)
			break;
		gran = gran * 2 < nc ? gran * 2 : nc;
	}
	/* One unit left: does the input fail without any? */
	if (nc == 1) {
		ret = try_set(c, nc, 0, 0, false, test, ctx, keep, n, trial);
		tests++;
		if (ret < 0)
			goto out;
	}
	ret = tests;
out:
	free(c);
	free(trial);
	return ret;
}
