/* SPDX-License-Identifier: MIT */
/* Steps with a `matrix` (docs/scenarios.md): one copy of the step per
 * combination of the values, the first key outermost, each copy substituted
 * with the matrix's names set as variables. Sweeps and interleaved rounds
 * then need one step in the file, not one per point. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load_internal.h"

#define SC_MATRIX_MAX_KEYS   8
#define SC_MATRIX_MAX_VALUES 1024
#define SC_MATRIX_MAX_COPIES 4096

struct matrix {
	unsigned nkeys;
	const char *names[SC_MATRIX_MAX_KEYS]; /* scalars of the document */
	char **vals[SC_MATRIX_MAX_KEYS];
	unsigned nvals[SC_MATRIX_MAX_KEYS];
	size_t ncopies;
};

static void matrix_free(struct matrix *m)
{
	for (unsigned k = 0; k < m->nkeys; k++) {
		for (unsigned j = 0; j < m->nvals[k]; j++)
			free(m->vals[k][j]);
		free(m->vals[k]);
	}
}

static int value_add(struct matrix *m, unsigned k, const char *text, size_t len)
{
	char **grown;

	if (m->nvals[k] == SC_MATRIX_MAX_VALUES)
		return -E2BIG;
	grown = realloc(m->vals[k], (m->nvals[k] + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	m->vals[k] = grown;
	grown[m->nvals[k]] = strndup(text, len);
	if (!grown[m->nvals[k]])
		return -ENOMEM;
	m->nvals[k]++;
	return 0;
}

/* A scalar after substitution: "A..B" (whole numbers, A <= B) or "a,b,c". */
static int values_from_text(struct matrix *m, unsigned k, const char *text)
{
	long long a, b;
	char num[32];
	int n = 0, ret = 0;

	if (sscanf(text, "%lld..%lld%n", &a, &b, &n) == 2 && text[n] == '\0') {
		if (a > b || b - a >= SC_MATRIX_MAX_VALUES)
			return -ERANGE;
		for (long long v = a; v <= b && !ret; v++) {
			snprintf(num, sizeof(num), "%lld", v);
			ret = value_add(m, k, num, strlen(num));
		}
		return ret;
	}
	for (const char *p = text; !ret; p++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0)
			return -EINVAL;
		ret = value_add(m, k, p, len);
		if (!end)
			break;
		p = end;
	}
	return ret;
}

/* One key of the matrix: its name and values, ${} substituted. */
static int matrix_key(struct sc_load *ld, struct matrix *m, yaml_node_t *kn, yaml_node_t *vn)
{
	const char *name = ydoc_scalar(kn);
	unsigned k = m->nkeys;
	char msg[160], *text;
	int ret = 0;

	if (!name || !*name) {
		sc_errorf_node(ld, kn, "expected a name for a matrix key");
		return -EINVAL;
	}
	for (unsigned i = 0; i < ld->sc->nvars; i++)
		if (strcmp(ld->sc->vars[i].name, name) == 0) {
			sc_errorf_node(ld, kn, "matrix key '%s' is also a variable", name);
			return -EINVAL;
		}
	if (k == SC_MATRIX_MAX_KEYS) {
		sc_errorf_node(ld, kn, "at most %d matrix keys", SC_MATRIX_MAX_KEYS);
		return -EINVAL;
	}
	m->names[m->nkeys++] = name;
	for (unsigned i = 0; !ret; i++) {
		yaml_node_t *item =
		    vn->type == YAML_SEQUENCE_NODE ? ydoc_item(&ld->doc, vn, i) : vn;

		if (!item || (vn->type != YAML_SEQUENCE_NODE && i > 0))
			break;
		if (!ydoc_scalar(item)) {
			sc_errorf_node(ld, item, "expected a scalar in matrix key '%s'", name);
			return -EINVAL;
		}
		ret = sc_subst(ld->sc, ydoc_scalar(item), &text, msg, sizeof(msg));
		if (ret) {
			sc_errorf_node(ld, item, "%s", msg);
			return ret == -ENOMEM ? ret : -EINVAL;
		}
		ret = vn->type == YAML_SEQUENCE_NODE ? value_add(m, k, text, strlen(text))
						     : values_from_text(m, k, text);
		free(text);
	}
	if (ret == -ENOMEM)
		return ret;
	if (ret || m->nvals[k] == 0) {
		sc_errorf_node(ld, vn,
			       "expected a sequence, \"A..B\" or \"a,b,...\" for matrix key '%s' "
			       "(at most %d values)",
			       name, SC_MATRIX_MAX_VALUES);
		return -EINVAL;
	}
	return 0;
}

static int matrix_parse(struct sc_load *ld, const struct sc_step *s, yaml_node_t *mn,
			struct matrix *m)
{
	yaml_node_t *kn, *vn;
	int ret = 0;

	if (s->conform || s->disconnect || s->restart || s->expect || s->migrate || s->replay) {
		sc_errorf_node(ld, mn, "'matrix' applies to rpc, io and sleep steps");
		return -EINVAL;
	}
	if (mn->type != YAML_MAPPING_NODE || ydoc_pair(&ld->doc, mn, 0, &kn, &vn)) {
		sc_errorf_node(ld, mn, "expected a mapping of name: values for 'matrix'");
		return -EINVAL;
	}
	m->ncopies = 1;
	for (unsigned i = 0; !ret && ydoc_pair(&ld->doc, mn, i, &kn, &vn) == 0; i++) {
		ret = matrix_key(ld, m, kn, vn);
		if (!ret)
			m->ncopies *= m->nvals[m->nkeys - 1];
		if (!ret && m->ncopies > SC_MATRIX_MAX_COPIES) {
			sc_errorf_node(ld, mn, "a matrix makes at most %d steps",
				       SC_MATRIX_MAX_COPIES);
			ret = -EINVAL;
		}
	}
	return ret;
}

static char *dup_opt(const char *s, int *ret)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*ret = -ENOMEM;
	return d;
}

/* What a matrix step may own (matrix_parse allows rpc, io and sleep only). */
static void step_free_parts(struct sc_step *s)
{
	free(s->name);
	free(s->sleep);
	if (s->rpc) {
		free(s->rpc->endpoint);
		free(s->rpc->method);
		free(s->rpc->expect_error);
		json_decref(s->rpc->params);
		free(s->rpc);
	}
	if (s->io) {
		char **fields[SC_IO_NSTRINGS];

		sc_io_strings(s->io, fields);
		for (size_t i = 0; i < SC_IO_NSTRINGS; i++)
			free(*fields[i]);
		free(s->io);
	}
	json_decref(s->matrix);
	memset(s, 0, sizeof(*s));
}

/* The step as loaded, before substitution; free-form values are read later. */
static int step_copy(const struct sc_step *t, struct sc_step *c)
{
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->src = t->src;
	c->name = dup_opt(t->name, &ret);
	c->sleep = dup_opt(t->sleep, &ret);
	if (t->rpc) {
		c->rpc = calloc(1, sizeof(*c->rpc));
		if (!c->rpc)
			return -ENOMEM;
		c->rpc->endpoint = dup_opt(t->rpc->endpoint, &ret);
		c->rpc->method = dup_opt(t->rpc->method, &ret);
		c->rpc->expect_error = dup_opt(t->rpc->expect_error, &ret);
	}
	if (t->io) {
		char **from[SC_IO_NSTRINGS], **to[SC_IO_NSTRINGS];

		c->io = calloc(1, sizeof(*c->io));
		if (!c->io)
			return -ENOMEM;
		c->io->op = t->io->op;
		sc_io_strings((struct sc_io *)t->io, from);
		sc_io_strings(c->io, to);
		for (size_t i = 0; i < SC_IO_NSTRINGS; i++)
			*to[i] = dup_opt(*from[i], &ret);
	}
	return ret;
}

/* Copy `copy` of the matrix: its values as variables (not owned by sc) while
 * it is substituted. */
static int expand_copy(struct sc_load *ld, const struct matrix *m, size_t copy,
		       const struct sc_step *t, struct sc_step *c, yaml_node_t *node)
{
	struct scenario *sc = ld->sc;
	struct sc_var *grown = realloc(sc->vars, (sc->nvars + m->nkeys) * sizeof(*grown));
	unsigned nvars = sc->nvars;
	size_t idx[SC_MATRIX_MAX_KEYS];
	int ret;

	if (!grown)
		return -ENOMEM;
	sc->vars = grown;
	ret = step_copy(t, c);
	c->matrix = json_object();
	if (!c->matrix)
		ret = -ENOMEM;
	/* The last key varies fastest. */
	for (unsigned k = m->nkeys; k-- > 0;) {
		idx[k] = copy % m->nvals[k];
		copy /= m->nvals[k];
	}
	for (unsigned k = 0; k < m->nkeys && !ret; k++) {
		const char *v = m->vals[k][idx[k]];

		sc->vars[sc->nvars++] = (struct sc_var){(char *)m->names[k], (char *)v};
		if (json_object_set_new(c->matrix, m->names[k], json_string(v)))
			ret = -ENOMEM;
	}
	ret = ret ?: sc_subst_step(ld, c, node);
	sc->nvars = nvars;
	return ret;
}

static int steps_reserve(struct sc_step **out, size_t *cap, size_t need)
{
	struct sc_step *grown;

	if (need <= *cap)
		return 0;
	grown = realloc(*out, need * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	*out = grown;
	*cap = need;
	return 0;
}

int sc_expand_steps(struct sc_load *ld, yaml_node_t *steps)
{
	struct scenario *sc = ld->sc;
	size_t cap = 0, nout = 0;
	struct sc_step *out = NULL;
	int ret = steps_reserve(&out, &cap, sc->steps_count);

	if (ret)
		return ret;
	/* Every step ends up in out, substituted or (after an error) as loaded,
	 * so that scenario_free() frees each exactly once. */
	for (unsigned i = 0; i < sc->steps_count; i++) {
		yaml_node_t *node = ydoc_item(&ld->doc, steps, i);
		yaml_node_t *mn = ydoc_get(&ld->doc, node, "matrix");
		struct sc_step *t = &sc->steps[i];
		struct matrix m = {0};

		t->src = i;
		if (ret || !mn) {
			out[nout] = *t;
			ret = ret ?: sc_subst_step(ld, &out[nout], node);
			nout++;
			continue;
		}
		ret = matrix_parse(ld, t, mn, &m);
		ret = ret ?: steps_reserve(&out, &cap, nout + m.ncopies + sc->steps_count - i);
		for (size_t c = 0; c < m.ncopies && !ret; c++) {
			ret = expand_copy(ld, &m, c, t, &out[nout], node);
			nout++;
		}
		matrix_free(&m);
		/* On an error the step as loaded stays too (room was kept for it). */
		if (ret)
			out[nout++] = *t;
		else
			step_free_parts(t);
	}
	free(sc->steps);
	sc->steps = out;
	sc->steps_count = (unsigned)nout;
	return ret;
}
