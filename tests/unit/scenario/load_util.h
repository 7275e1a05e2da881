/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_SCENARIO_LOAD_UTIL_H
#define STORLAB_TESTS_UNIT_SCENARIO_LOAD_UTIL_H

/* Loading scenario text as "t.yaml" in the scenario unit tests; include after
 * <cmocka.h>. */

#include <errno.h>
#include <string.h>

#include "scenario/scenario.h"

static inline int load(const char *text, const struct sc_define *defs, unsigned ndefs,
		       struct scenario **sc, char *err, size_t len)
{
	return scenario_load_data("t.yaml", text, strlen(text), defs, ndefs, sc, err, len);
}

/* The text must fail to load with exactly this message. */
static inline void expect_error(const char *text, const char *want)
{
	struct scenario *sc = (void *)1;
	char err[512];
	int ret = load(text, NULL, 0, &sc, err, sizeof(err));

	assert_int_equal(ret, -EINVAL);
	assert_null(sc);
	assert_string_equal(err, want);
}

#endif
