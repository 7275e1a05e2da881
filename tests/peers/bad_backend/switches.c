/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's switches: setting them by name and listing them, over the
 * two tables (switches_vhost.c, switches_blk.c). docs/peers.md says the same
 * at more length; test_conform_proof.py reads `bad_backend --list --json` and
 * checks that exactly the targets fail.
 */
#include <stdio.h>
#include <string.h>

#include "bad_backend.h"

bool g_break[BRK_MAX];

/* The two tables, vhost-user first: the order of --list. */
static const struct brk_switch *brk_at(unsigned i)
{
	return i < g_switches_vhost_count ? &g_switches_vhost[i]
					  : &g_switches_blk[i - g_switches_vhost_count];
}

static unsigned brk_count(void)
{
	return g_switches_vhost_count + g_switches_blk_count;
}

int brk_set(const char *name)
{
	for (unsigned i = 0; i < brk_count(); i++) {
		if (!strcmp(name, brk_at(i)->name)) {
			g_break[brk_at(i)->id] = true;
			return 0;
		}
	}
	fprintf(stderr, "bad_backend: no switch %s (--list shows them)\n", name);
	return -1;
}

/* The tables' strings are plain ASCII and UTF-8 without quotes or
 * backslashes, so they go into JSON as they are. A space-separated list
 * becomes an array of strings. */
static void print_words_json(const char *t)
{
	const char *sep = "";

	printf("[");
	while (t && *t) {
		size_t n = strcspn(t, " ");

		if (n)
			printf("%s\"%.*s\"", sep, (int)n, t);
		sep = ", ";
		t += n;
		t += strspn(t, " ");
	}
	printf("]");
}

void brk_list(bool json)
{
	unsigned n = brk_count();

	if (!json) {
		for (unsigned i = 0; i < n; i++)
			printf("%-28s %s\n", brk_at(i)->name, brk_at(i)->breaks);
		return;
	}
	printf("[\n");
	for (unsigned i = 0; i < n; i++) {
		const struct brk_switch *s = brk_at(i);

		printf("  {\"name\": \"%s\", \"targets\": ", s->name);
		print_words_json(s->targets);
		printf(", \"args\": ");
		print_words_json(s->args);
		printf(", \"breaks\": \"%s\"}%s\n", s->breaks, i + 1 < n ? "," : "");
	}
	printf("]\n");
}
