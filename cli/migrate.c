/* SPDX-License-Identifier: MIT */
/*
 * `storlab migrate`: live-migration tools, one subcommand each: `run`
 * (migrate_run.c, the VMM emulator of emu/), `record` and `show`
 * (migrate_record.c, migrate_show.c, traces of lib/trace), `replay`
 * (migrate_replay.c, migrate_crash.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/common.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} g_migrate_commands[] = {
    {"run", cli_migrate_run, "migrate the initiator's device between two back-ends, checked"},
    {"record", cli_migrate_record, "record a front-end's vhost-user conversation (a proxy)"},
    {"show", cli_migrate_show, "print a recorded trace"},
    {"replay", cli_migrate_replay, "replay a trace against a back-end, checked; crash matrix, shrink"},
};

static void migrate_usage(FILE *f)
{
	fprintf(f, "usage: storlab migrate <subcommand> [args...]\n"
		   "       storlab migrate <subcommand> --help\n\nsubcommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(g_migrate_commands); i++)
		fprintf(f, "  %-8s %s\n", g_migrate_commands[i].name,
			g_migrate_commands[i].summary);
	fprintf(f, "\nSee storlab-migrate(1) and storlab-migrate-record(1) (docs/man/).\n");
}

int cli_migrate(int argc, char **argv)
{
	if (argc < 2) {
		migrate_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		migrate_usage(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(g_migrate_commands); i++) {
		if (strcmp(argv[1], g_migrate_commands[i].name) == 0)
			return g_migrate_commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "storlab migrate: unknown subcommand '%s'\n", argv[1]);
	migrate_usage(stderr);
	return CLI_EXIT_USAGE;
}
