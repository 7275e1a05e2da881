/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCENARIO_YDOC_H
#define STORLAB_SCENARIO_YDOC_H

/*
 * The scenario file as a libyaml document: node positions for messages, and
 * the free-form parts (variables, rpc params, expected values) that a
 * libcyaml schema cannot describe. libcyaml gives no position for syntax
 * errors and none for checks made after loading, so the file is also parsed
 * with libyaml (libcyaml's own parser) for those.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct ydoc {
	yaml_document_t doc;
	yaml_node_t *root; /* NULL for an empty document */
	bool loaded;	   /* doc holds a parsed document to delete */
};

/* 0, or -EINVAL / -ENOMEM with "FILE:LINE:COLUMN: problem" in err. */
int ydoc_load(struct ydoc *d, const char *file, const char *data, size_t len, char *err,
	      size_t err_len);
void ydoc_free(struct ydoc *d);

/* The value of key in a mapping node, or NULL. */
yaml_node_t *ydoc_get(struct ydoc *d, yaml_node_t *map, const char *key);
/* The key node of key in a mapping node, or NULL. */
yaml_node_t *ydoc_key(struct ydoc *d, yaml_node_t *map, const char *key);
/* Item i of a sequence node, or NULL. */
yaml_node_t *ydoc_item(struct ydoc *d, yaml_node_t *seq, unsigned i);
/* Pair i of a mapping node (key and value), 0 or -ENOENT. */
int ydoc_pair(struct ydoc *d, yaml_node_t *map, unsigned i, yaml_node_t **key, yaml_node_t **value);
/* A scalar's text (NUL-terminated by libyaml), or NULL. */
const char *ydoc_scalar(yaml_node_t *n);
/* The first scalar at or after (line, column), 1-based, whose text contains
 * needle, or NULL. */
yaml_node_t *ydoc_find_text(struct ydoc *d, const char *needle, unsigned line, unsigned column);

/* Plain scalars become numbers, booleans and null as YAML 1.1 reads them;
 * quoted ones stay strings. Every string passes through subst (which returns
 * 0 with a malloc'd string or a negative errno); NULL on error with *ret set. */
typedef int (*ydoc_subst_fn)(void *arg, const char *in, char **out);
json_t *ydoc_to_json(struct ydoc *d, yaml_node_t *n, ydoc_subst_fn subst, void *arg, int *ret);

#endif
