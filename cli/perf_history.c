/* SPDX-License-Identifier: MIT */
/* storlab perf history: being written (issue 5); replaced in this session. */
#include <stdio.h>

#include "cli/cli.h"

int cli_perf_history(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "storlab perf history: not built yet\n");
	return CLI_EXIT_USAGE;
}
