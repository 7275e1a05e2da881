/* SPDX-License-Identifier: MIT */
/* What the report writers share: markup escaping, the reproduce command, and
 * writing the three reports into a directory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conformance/report.h"
#include "util/common.h"

void conform_report_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void conform_shell_word(char *buf, size_t len, const char *word)
{
	size_t n = strlen(buf);

	if (word[strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			      "/._:=,+@%-")] == 0 &&
	    *word) {
		snprintf(buf + n, len - n, "%s", word);
		return;
	}
	n += snprintf(buf + n, len - n, "'");
	for (; *word && n + 5 < len; word++) {
		if (*word == '\'')
			n += snprintf(buf + n, len - n, "'\\''");
		else
			buf[n++] = *word;
	}
	snprintf(buf + n, len - n, "'");
}

char *conform_report_reproduce(const struct conform_run *run, const struct conform_case *c)
{
	const char *rep = run->opts.reproduce ? run->opts.reproduce : "";
	char buf[2048] = "storlab conform ";

	/* reproduce is shell-ready already (struct conform_run_opts). */
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s --case ", rep);
	conform_shell_word(buf, sizeof(buf), c->id);
	return strdup(buf);
}

static int write_file(const struct conform_run *run, const char *dir, const char *name,
		      int (*writer)(const struct conform_run *, FILE *))
{
	char path[4096];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = writer(run, f);
	if (ferror(f) && !ret)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static int write_json(const struct conform_run *run, FILE *f)
{
	json_t *j = conform_report_json(run);
	int ret;

	if (!j)
		return -ENOMEM;
	ret = json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ? -EIO : 0;
	fputc('\n', f);
	json_decref(j);
	return ret;
}

int conform_report_write_dir(const struct conform_run *run, const char *dir)
{
	int ret;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return -errno;
	ret = write_file(run, dir, "report.json", write_json);
	if (!ret)
		ret = write_file(run, dir, "junit.xml", conform_report_junit);
	if (!ret)
		ret = write_file(run, dir, "report.html", conform_report_html);
	return ret;
}
