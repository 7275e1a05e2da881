/* SPDX-License-Identifier: MIT */
/* The scenario file as a libyaml document (ydoc.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario/ydoc.h"

int ydoc_load(struct ydoc *d, const char *file, const char *data, size_t len, char *err,
	      size_t err_len)
{
	yaml_parser_t p;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, err_len, "%s: out of memory", file);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	if (!yaml_parser_load(&p, &d->doc)) {
		/* libyaml marks are 0-based. */
		snprintf(err, err_len, "%s:%zu:%zu: %s%s%s", file, p.problem_mark.line + 1,
			 p.problem_mark.column + 1, p.problem ? p.problem : "syntax error",
			 p.context ? " " : "", p.context ? p.context : "");
		ret = p.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
		yaml_parser_delete(&p);
		return ret;
	}
	yaml_parser_delete(&p);
	d->loaded = true;
	d->root = yaml_document_get_root_node(&d->doc);
	return 0;
}

void ydoc_free(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	memset(d, 0, sizeof(*d));
}

int ydoc_pair(struct ydoc *d, yaml_node_t *map, unsigned i, yaml_node_t **key, yaml_node_t **value)
{
	yaml_node_pair_t *pr;

	if (!map || map->type != YAML_MAPPING_NODE)
		return -ENOENT;
	pr = map->data.mapping.pairs.start + i;
	if (pr >= map->data.mapping.pairs.top)
		return -ENOENT;
	*key = yaml_document_get_node(&d->doc, pr->key);
	*value = yaml_document_get_node(&d->doc, pr->value);
	return *key && *value ? 0 : -ENOENT;
}

yaml_node_t *ydoc_key(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_t *k, *v;

	for (unsigned i = 0; ydoc_pair(d, map, i, &k, &v) == 0; i++) {
		const char *s = ydoc_scalar(k);

		if (s && strcmp(s, key) == 0)
			return k;
	}
	return NULL;
}

yaml_node_t *ydoc_get(struct ydoc *d, yaml_node_t *map, const char *key)
{
	yaml_node_t *k, *v;

	for (unsigned i = 0; ydoc_pair(d, map, i, &k, &v) == 0; i++) {
		const char *s = ydoc_scalar(k);

		if (s && strcmp(s, key) == 0)
			return v;
	}
	return NULL;
}

yaml_node_t *ydoc_item(struct ydoc *d, yaml_node_t *seq, unsigned i)
{
	yaml_node_item_t *it;

	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return NULL;
	it = seq->data.sequence.items.start + i;
	if (it >= seq->data.sequence.items.top)
		return NULL;
	return yaml_document_get_node(&d->doc, *it);
}

const char *ydoc_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *ydoc_find_text(struct ydoc *d, const char *needle, unsigned line, unsigned column)
{
	for (yaml_node_t *n = d->doc.nodes.start; n && n < d->doc.nodes.top; n++) {
		size_t l = n->start_mark.line + 1, c = n->start_mark.column + 1;
		const char *s = ydoc_scalar(n);

		if (s && (l > line || (l == line && c >= column)) && strstr(s, needle))
			return n;
	}
	return NULL;
}

/* A plain scalar as YAML 1.1 core types: null, booleans, integers, floats. */
static json_t *plain_to_json(const char *s)
{
	static const char *const trues[] = {"true", "yes", "on"};
	static const char *const falses[] = {"false", "no", "off"};
	char *end;

	if (*s == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0)
		return json_null();
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, trues[i]) == 0)
			return json_true();
		if (strcasecmp(s, falses[i]) == 0)
			return json_false();
	}
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (!errno && *end == '\0' && end != s)
		return json_integer(v);
	double f = strtod(s, &end);
	/* Not "inf", "nan": YAML spells those .inf, .nan, which stay strings. */
	if (*end == '\0' && end != s && strpbrk(s, "0123456789") && !strpbrk(s, "iInN"))
		return json_real(f);
	return json_string(s);
}

#define YDOC_MAX_DEPTH 64

/* "${name}" and nothing else: the value takes the variable's type even when
 * quoted (a flow mapping needs the quotes). */
static bool whole_var(const char *s)
{
	size_t n = strlen(s);

	return n > 3 && strncmp(s, "${", 2) == 0 && strchr(s, '}') == s + n - 1;
}

static json_t *to_json(struct ydoc *d, yaml_node_t *n, ydoc_subst_fn subst, void *arg, int *ret,
		       unsigned depth)
{
	yaml_node_t *k, *v;
	json_t *out, *child;
	char *s;

	*ret = 0;
	if (depth > YDOC_MAX_DEPTH) {
		*ret = -E2BIG;
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		*ret = subst(arg, ydoc_scalar(n), &s);
		if (*ret)
			return NULL;
		out = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || whole_var(ydoc_scalar(n))
			  ? plain_to_json(s)
			  : json_string(s);
		free(s);
		break;
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (unsigned i = 0; out && (k = ydoc_item(d, n, i)); i++) {
			child = to_json(d, k, subst, arg, ret, depth + 1);
			if (!child || json_array_append_new(out, child))
				goto fail;
		}
		break;
	case YAML_MAPPING_NODE:
		out = json_object();
		for (unsigned i = 0; out && ydoc_pair(d, n, i, &k, &v) == 0; i++) {
			if (!ydoc_scalar(k)) {
				*ret = -EINVAL;
				goto fail;
			}
			child = to_json(d, v, subst, arg, ret, depth + 1);
			if (!child || json_object_set_new(out, ydoc_scalar(k), child))
				goto fail;
		}
		break;
	default:
		out = json_null();
		break;
	}
	if (!out)
		*ret = -ENOMEM;
	return out;
fail:
	if (!*ret)
		*ret = -ENOMEM;
	json_decref(out);
	return NULL;
}

json_t *ydoc_to_json(struct ydoc *d, yaml_node_t *n, ydoc_subst_fn subst, void *arg, int *ret)
{
	return to_json(d, n, subst, arg, ret, 0);
}
