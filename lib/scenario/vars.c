/* SPDX-License-Identifier: MIT */
/* Variables: defaults from the file, -D overrides, ${name} substitution in
 * every string and in the free-form values read from the document. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load_internal.h"

int sc_subst(const struct scenario *sc, const char *s, char **out, char *err, size_t err_len)
{
	size_t cap = strlen(s) + 1, len = 0;
	char *buf = malloc(cap), *tmp;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	while (*s) {
		const char *val = NULL, *end;
		char one[2] = {*s, '\0'};

		if (s[0] == '$' && s[1] == '$') {
			val = "$";
			s += 2;
		} else if (s[0] == '$' && s[1] == '{') {
			end = strchr(s + 2, '}');
			if (!end) {
				snprintf(err, err_len, "unterminated '${' in '%s'", s);
				free(buf);
				return -EINVAL;
			}
			for (unsigned i = 0; i < sc->nvars && !val; i++)
				if (strlen(sc->vars[i].name) == (size_t)(end - s - 2) &&
				    strncmp(sc->vars[i].name, s + 2, (size_t)(end - s - 2)) == 0)
					val = sc->vars[i].value;
			if (!val) {
				snprintf(err, err_len, "undefined variable '%.*s'",
					 (int)(end - s - 2), s + 2);
				free(buf);
				return -ENOENT;
			}
			s = end + 1;
		} else {
			val = one;
			s++;
		}
		if (len + strlen(val) + 1 > cap) {
			cap = (len + strlen(val) + 1) * 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
		}
		memcpy(buf + len, val, strlen(val));
		len += strlen(val);
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Substitutes in place; an error points at the first node using the name. */
static int subst_field(struct sc_load *ld, char **field)
{
	char msg[160], *out, *name;
	yaml_node_t *n;
	int ret;

	if (!*field || !strchr(*field, '$'))
		return 0;
	ret = sc_subst(ld->sc, *field, &out, msg, sizeof(msg));
	if (ret) {
		name = strchr(msg, '\'');
		n = name ? ydoc_find_text(&ld->doc, *field, 1, 1) : NULL;
		sc_errorf_node(ld, n, "%s", msg);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	free(*field);
	*field = out;
	return 0;
}

struct subst_ctx {
	struct sc_load *ld;
	yaml_node_t *at;
};

static int subst_json_fn(void *arg, const char *in, char **out)
{
	struct subst_ctx *c = arg;
	char msg[160];
	int ret = sc_subst(c->ld->sc, in, out, msg, sizeof(msg));

	if (ret) {
		yaml_node_t *n = ydoc_find_text(&c->ld->doc, in, 1, 1);

		sc_errorf_node(c->ld, n ? n : c->at, "%s", msg);
	}
	return ret == -ENOMEM || !ret ? ret : -EINVAL;
}

/* A free-form value from the document (NULL node: stays NULL). */
static int doc_json(struct sc_load *ld, yaml_node_t *n, json_t **out)
{
	struct subst_ctx c = {ld, n};
	int ret;

	if (!n)
		return 0;
	*out = ydoc_to_json(&ld->doc, n, subst_json_fn, &c, &ret);
	if (ret)
		sc_errorf_node(ld, n, "%s", ret == -E2BIG ? "nested too deeply" : strerror(-ret));
	return ret;
}

static int subst_rpc(struct sc_load *ld, struct sc_rpc *r, yaml_node_t *node)
{
	int ret = subst_field(ld, &r->endpoint);

	ret = ret ?: subst_field(ld, &r->method);
	ret = ret ?: subst_field(ld, &r->expect_error);
	ret = ret ?: doc_json(ld, ydoc_get(&ld->doc, node, "params"), &r->params);
	return ret;
}

static int subst_endpoint(struct sc_load *ld, struct sc_endpoint *e, yaml_node_t *node)
{
	yaml_node_t *rpcs = ydoc_get(&ld->doc, node, "rpc");
	int ret = 0;

	e->line = node ? (unsigned)node->start_mark.line + 1 : 0;
	char **fields[] = {&e->name,	 &e->cpumask,	 &e->mode, &e->bin,
			   &e->blockdev, &e->num_queues, &e->path, &e->scheme};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !ret; i++)
		ret = subst_field(ld, fields[i]);
	for (unsigned i = 0; i < e->rpc_count && !ret; i++) {
		yaml_node_t *rn = ydoc_item(&ld->doc, rpcs, i);

		e->rpc[i].line = rn ? (unsigned)rn->start_mark.line + 1 : 0;
		ret = subst_rpc(ld, &e->rpc[i], rn);
	}
	return ret;
}

void sc_io_strings(struct sc_io *io, char **out[SC_IO_NSTRINGS])
{
	char **fields[SC_IO_NSTRINGS] = {
	    &io->endpoint, &io->controller, &io->queues,  &io->qd,	&io->bs,      &io->size,
	    &io->offset,   &io->passes,	    &io->seed,	  &io->rw,	&io->iodepth, &io->time,
	    &io->cpus,	   &io->rwmixread,  &io->isolate, &io->bssplit, &io->verify,  &io->crash,
	};

	memcpy(out, fields, sizeof(fields));
}

int sc_subst_step(struct sc_load *ld, struct sc_step *s, yaml_node_t *node)
{
	int ret = subst_field(ld, &s->name);

	s->line = node ? (unsigned)node->start_mark.line + 1 : 0;
	ret = ret ?: subst_field(ld, &s->sleep);
	if (!ret && s->rpc)
		ret = subst_rpc(ld, s->rpc, ydoc_get(&ld->doc, node, "rpc"));
	if (!ret && s->io) {
		char **fields[SC_IO_NSTRINGS];

		sc_io_strings(s->io, fields);
		for (size_t i = 0; i < SC_IO_NSTRINGS && !ret; i++)
			ret = subst_field(ld, fields[i]);
	}
	if (!ret && s->conform) {
		struct sc_conform *c = s->conform;

		ret = subst_field(ld, &c->endpoint);
		ret = ret ?: subst_field(ld, &c->controller);
		for (unsigned i = 0; i < c->suites_count && !ret; i++)
			ret = subst_field(ld, &c->suites[i]);
		for (unsigned i = 0; i < c->cases_count && !ret; i++)
			ret = subst_field(ld, &c->cases[i]);
		ret = ret
			  ?: doc_json(
				 ld,
				 ydoc_get(&ld->doc, ydoc_get(&ld->doc, node, "conform"), "params"),
				 &c->params);
	}
	if (!ret && s->migrate) {
		struct sc_migrate *m = s->migrate;
		char **fields[] = {&m->source,
				   &m->source_controller,
				   &m->dest,
				   &m->dest_controller,
				   &m->queues,
				   &m->qd,
				   &m->bs,
				   &m->rw,
				   &m->dirty_rate,
				   &m->rounds,
				   &m->round_ms,
				   &m->max_dirty,
				   &m->stop_inflight,
				   &m->seed,
				   &m->count,
				   &m->io_timeout,
				   &m->record};

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !ret; i++)
			ret = subst_field(ld, fields[i]);
	}
	if (!ret && s->replay) {
		struct sc_replay *p = s->replay;
		char **fields[] = {&p->trace,	     &p->target,       &p->target_controller,
				   &p->crash_matrix, &p->crash_stride, &p->crash_after,
				   &p->shrink,	     &p->shrink_runs,  &p->qd,
				   &p->bs,	     &p->rw,	       &p->requests,
				   &p->stop_inflight, &p->seed,	       &p->io_timeout};

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !ret; i++)
			ret = subst_field(ld, fields[i]);
	}
	if (!ret && s->disconnect)
		ret = subst_field(ld, &s->disconnect->endpoint);
	if (!ret && s->restart)
		ret = subst_field(ld, &s->restart->endpoint);
	if (!ret && s->expect) {
		ret = subst_field(ld, &s->expect->status);
		ret = ret ?: subst_field(ld, &s->expect->field);
		ret =
		    ret
			?: doc_json(
			       ld, ydoc_get(&ld->doc, ydoc_get(&ld->doc, node, "expect"), "equals"),
			       &s->expect->equals);
	}
	return ret;
}

static int var_set(struct scenario *sc, const char *name, const char *value)
{
	struct sc_var *v = NULL, *tmp;

	for (unsigned i = 0; i < sc->nvars && !v; i++)
		if (strcmp(sc->vars[i].name, name) == 0)
			v = &sc->vars[i];
	if (!v) {
		tmp = realloc(sc->vars, (sc->nvars + 1) * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		sc->vars = tmp;
		v = &sc->vars[sc->nvars++];
		v->name = strdup(name);
		v->value = NULL;
		if (!v->name)
			return -ENOMEM;
	}
	free(v->value);
	v->value = strdup(value);
	return v->value ? 0 : -ENOMEM;
}

int sc_load_vars(struct sc_load *ld, const struct sc_define *defs, unsigned ndefs)
{
	yaml_node_t *vars = ydoc_get(&ld->doc, ld->doc.root, "variables"), *k, *v;
	yaml_node_t *eps = ydoc_get(&ld->doc, ld->doc.root, "endpoints");
	yaml_node_t *steps = ydoc_get(&ld->doc, ld->doc.root, "steps");
	struct scenario *sc = ld->sc;
	int ret = 0;

	if (vars && vars->type != YAML_MAPPING_NODE) {
		sc_errorf_node(ld, vars, "expected a mapping of name: default for 'variables'");
		return -EINVAL;
	}
	for (unsigned i = 0; ydoc_pair(&ld->doc, vars, i, &k, &v) == 0; i++) {
		if (!ydoc_scalar(k) || !ydoc_scalar(v)) {
			sc_errorf_node(ld, ydoc_scalar(k) ? v : k,
				       "expected a scalar for a variable's %s",
				       ydoc_scalar(k) ? "default value" : "name");
			return -EINVAL;
		}
		ret = var_set(sc, ydoc_scalar(k), ydoc_scalar(v));
		if (ret)
			return ret;
	}
	for (unsigned i = 0; i < ndefs; i++) {
		bool known = false;

		for (unsigned j = 0; j < sc->nvars; j++)
			known |= strcmp(sc->vars[j].name, defs[i].name) == 0;
		if (!known) {
			snprintf(ld->err, ld->err_len,
				 "%s: -D %s: the scenario has no variable '%s'", ld->file,
				 defs[i].name, defs[i].name);
			ld->err_set = true;
			return -EINVAL;
		}
		ret = var_set(sc, defs[i].name, defs[i].value);
		if (ret)
			return ret;
	}
	ret = subst_field(ld, &sc->name);
	ret = ret ?: subst_field(ld, &sc->description);
	for (unsigned i = 0; i < sc->endpoints_count && !ret; i++)
		ret = subst_endpoint(ld, &sc->endpoints[i], ydoc_item(&ld->doc, eps, i));
	ret = ret ?: doc_json(ld, ydoc_get(&ld->doc, ld->doc.root, "thresholds"), &sc->thresholds);
	return ret ?: sc_expand_steps(ld, steps);
}
