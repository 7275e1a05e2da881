/* SPDX-License-Identifier: MIT */
/* Loading a scenario: libyaml document (syntax, positions, free-form parts),
 * libcyaml (typed structure), variables, then checks (check.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/load_internal.h"
#include "scenario/schema.h"

#define SC_MAX_FILE (4u << 20)

/* libcyaml reports through its log callback: an error line, then a backtrace
 * whose lines carry "(line: N, column: M)" of the nodes being read. */
struct cyaml_log {
	char msg[256];
	char field[64];
	unsigned line, column;
	bool have_pos;
	/* The innermost mapping or sequence entry: where a missing key belongs. */
	unsigned map_line, map_column;
	bool have_map;
};

static void cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct cyaml_log *l = ctx;
	char text[512];
	const char *pos;
	unsigned line, col;
	size_t n;

	if (level < CYAML_LOG_ERROR)
		return;
	vsnprintf(text, sizeof(text), fmt, args);
	n = strlen(text);
	if (n && text[n - 1] == '\n')
		text[n - 1] = '\0';
	pos = strstr(text, "(line: ");
	if (!pos) {
		if (!l->msg[0] && strncmp(text, "Load: Backtrace", 15) != 0)
			snprintf(l->msg, sizeof(l->msg), "%.255s",
				 strncmp(text, "Load: ", 6) == 0 ? text + 6 : text);
		return;
	}
	if (sscanf(pos, "(line: %u, column: %u)", &line, &col) != 2)
		return;
	if (!l->have_map && (strstr(text, "in mapping (") || strstr(text, "in sequence entry"))) {
		l->map_line = line;
		l->map_column = col;
		l->have_map = true;
	}
	if (l->have_pos)
		return;
	l->line = line;
	l->column = col;
	l->have_pos = true;
	if (sscanf(text, "  in mapping field '%63[^']'", l->field) != 1)
		l->field[0] = '\0';
}

static void enum_names(const char *field, char *buf, size_t len)
{
	const cyaml_strval_t *v = strcmp(field, "op") == 0 ? g_sc_io_ops : g_sc_endpoint_types;
	unsigned n = strcmp(field, "op") == 0 ? g_sc_io_nops : g_sc_endpoint_ntypes;
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", v[i].str);
}

/* Turns libcyaml's message into "FILE:LINE:COLUMN: expected ...". */
static void cyaml_error(struct sc_load *ld, struct cyaml_log *l, cyaml_err_t e)
{
	unsigned line = l->have_pos ? l->line : 1, col = l->have_pos ? l->column : 1;
	char what[64], names[128];
	yaml_node_t *key;

	if (sscanf(l->msg, "Unexpected key: %63s", what) == 1) {
		key = ydoc_find_text(&ld->doc, what, line, col);
		if (key)
			sc_node_pos(key, &line, &col);
		sc_errorf_at(ld, line, col, "unknown key '%s'", what);
	} else if (sscanf(l->msg, "Missing required mapping field: %63s", what) == 1) {
		if (l->have_map) {
			line = l->map_line;
			col = l->map_column;
		}
		sc_errorf_at(ld, line, col, "missing required key '%s'", what);
	} else if (sscanf(l->msg, "Invalid ENUM value: %63s", what) == 1) {
		enum_names(l->field, names, sizeof(names));
		sc_errorf_at(ld, line, col, "bad value '%s' for '%s': expected one of %s", what,
			     l->field, names);
	} else if (sscanf(l->msg, "Expecting %63[^,], got event: ", what) == 1) {
		const char *got = strstr(l->msg, "event: ") + 7;

		sc_errorf_at(ld, line, col, "expected a %s%s%s%s, got %s", what,
			     l->field[0] ? " for '" : "", l->field, l->field[0] ? "'" : "",
			     strncmp(got, "SCALAR", 6) == 0	? "a scalar"
			     : strncmp(got, "SEQUENCE", 8) == 0 ? "a sequence"
			     : strncmp(got, "MAPPING", 7) == 0	? "a mapping"
								: got);
	} else {
		sc_errorf_at(ld, line, col, "%s", l->msg[0] ? l->msg : cyaml_strerror(e));
	}
}

void sc_node_pos(const yaml_node_t *n, unsigned *line, unsigned *col)
{
	*line = (unsigned)n->start_mark.line + 1;
	*col = (unsigned)n->start_mark.column + 1;
}

void sc_errorf_at(struct sc_load *ld, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ld->err_set)
		return;
	ld->err_set = true;
	n = snprintf(ld->err, ld->err_len, "%s:%u:%u: ", ld->file, line, col);
	if (n < 0 || (size_t)n >= ld->err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->err_len - (size_t)n, fmt, ap);
	va_end(ap);
}

void sc_errorf_node(struct sc_load *ld, const yaml_node_t *n, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	va_list ap;
	char msg[256];

	if (n)
		sc_node_pos(n, &line, &col);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sc_errorf_at(ld, line, col, "%s", msg);
}

static const cyaml_config_t g_cyaml_base = {
    .log_level = CYAML_LOG_ERROR,
    .mem_fn = cyaml_mem,
    .flags = CYAML_CFG_DEFAULT,
};

void scenario_free(struct scenario *sc)
{
	cyaml_config_t cfg = g_cyaml_base;

	if (!sc)
		return;
	for (unsigned i = 0; i < sc->nvars; i++) {
		free(sc->vars[i].name);
		free(sc->vars[i].value);
	}
	free(sc->vars);
	free(sc->file);
	json_decref(sc->thresholds);
	for (unsigned i = 0; i < sc->endpoints_count; i++)
		for (unsigned j = 0; j < sc->endpoints[i].rpc_count; j++)
			json_decref(sc->endpoints[i].rpc[j].params);
	for (unsigned i = 0; i < sc->steps_count; i++) {
		struct sc_step *s = &sc->steps[i];

		if (s->rpc)
			json_decref(s->rpc->params);
		if (s->conform)
			json_decref(s->conform->params);
		if (s->expect)
			json_decref(s->expect->equals);
		json_decref(s->matrix);
	}
	cyaml_free(&cfg, &g_sc_schema, sc, 0);
}

int scenario_load_data(const char *file, const char *data, size_t len, const struct sc_define *defs,
		       unsigned ndefs, struct scenario **out, char *err, size_t err_len)
{
	struct sc_load ld = {.file = file, .err = err, .err_len = err_len};
	struct cyaml_log log = {0};
	cyaml_config_t cfg = g_cyaml_base;
	struct scenario *sc = NULL;
	cyaml_err_t e;
	int ret;

	*out = NULL;
	err[0] = '\0';
	ret = ydoc_load(&ld.doc, file, data, len, err, err_len);
	if (ret)
		return ret;
	if (!ld.doc.root || ld.doc.root->type != YAML_MAPPING_NODE) {
		sc_errorf_node(&ld, ld.doc.root, "expected a mapping (name, endpoints, steps)");
		ret = -EINVAL;
		goto out;
	}
	cfg.log_fn = cyaml_log_fn;
	cfg.log_ctx = &log;
	e = cyaml_load_data((const uint8_t *)data, len, &cfg, &g_sc_schema, (void **)&sc, NULL);
	if (e != CYAML_OK) {
		if (e == CYAML_ERR_OOM) {
			ret = -ENOMEM;
			snprintf(err, err_len, "%s: out of memory", file);
		} else {
			ret = -EINVAL;
			cyaml_error(&ld, &log, e);
		}
		goto out;
	}
	sc->file = strdup(file);
	ld.sc = sc;
	ret = sc->file ? sc_load_vars(&ld, defs, ndefs) : -ENOMEM;
	if (!ret)
		ret = sc_check(&ld);
	if (ret) {
		if (!err[0])
			snprintf(err, err_len, "%s: %s", file, strerror(-ret));
		scenario_free(sc);
		goto out;
	}
	*out = sc;
out:
	ydoc_free(&ld.doc);
	return ret;
}

int scenario_load_file(const char *path, const struct sc_define *defs, unsigned ndefs,
		       struct scenario **sc, char *err, size_t err_len)
{
	char *buf = malloc(SC_MAX_FILE);
	ssize_t n;
	size_t len = 0;
	int fd, ret;

	*sc = NULL;
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	while ((n = read(fd, buf + len, SC_MAX_FILE - len)) > 0)
		len += (size_t)n;
	ret = n < 0 ? -errno : len == SC_MAX_FILE ? -EFBIG : 0;
	close(fd);
	if (ret)
		goto fail;
	ret = scenario_load_data(path, buf, len, defs, ndefs, sc, err, err_len);
	free(buf);
	return ret;
fail:
	snprintf(err, err_len, "%s: %s", path, strerror(-ret));
	free(buf);
	return ret;
}
