/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_ENDPOINT_PIDFILE_H
#define STORLAB_TESTS_UNIT_ENDPOINT_PIDFILE_H

/* The shells the endpoint tests start write their pid ($$) to a file, one a
 * line: the last one is the process group of what runs now. Include after
 * <cmocka.h>. */

#include <stdio.h>
#include <sys/types.h>

static inline pid_t pidfile_last(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0, p;

	assert_non_null(f);
	while (fscanf(f, "%d", &p) == 1)
		pid = p;
	fclose(f);
	assert_true(pid > 0);
	return pid;
}

#endif
