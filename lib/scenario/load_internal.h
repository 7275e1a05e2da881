/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCENARIO_LOAD_INTERNAL_H
#define STORLAB_SCENARIO_LOAD_INTERNAL_H

/* Shared by load.c, vars.c and check.c while one file is loaded. */

#include <stdbool.h>

#include "scenario/scenario.h"
#include "scenario/ydoc.h"

struct sc_load {
	const char *file;
	struct ydoc doc;
	struct scenario *sc;
	char *err;
	size_t err_len;
	bool err_set; /* the first error wins */
};

void sc_node_pos(const yaml_node_t *n, unsigned *line, unsigned *col);
void sc_errorf_at(struct sc_load *ld, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* At n's position (1:1 if n is NULL). */
void sc_errorf_node(struct sc_load *ld, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* vars.c: the variables (document, then -D), then ${} in every string. */
int sc_load_vars(struct sc_load *ld, const struct sc_define *defs, unsigned ndefs);
/* vars.c: ${} in one step's strings and free-form values (node: its mapping). */
int sc_subst_step(struct sc_load *ld, struct sc_step *s, yaml_node_t *node);
/* matrix.c: each step substituted; a step with a `matrix` becomes one copy per
 * combination of its values (docs/scenarios.md), in order. */
int sc_expand_steps(struct sc_load *ld, yaml_node_t *steps);
/* check.c: step kinds, references, required fields per type; free-form parts. */
int sc_check(struct sc_load *ld);

#endif
