/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FUZZ_FUZZ_UTIL_H
#define STORLAB_FUZZ_FUZZ_UTIL_H

/* What the fuzzers that drive lib/ code over sockets share. Each fuzzer is
 * its own binary, so these are static inline. */

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_drop_log(enum log_level level, const char *component, const char *line,
				 void *arg)
{
	(void)level;
	(void)component;
	(void)line;
	(void)arg;
}

/* Every log line is formatted (and so checked by the sanitizers), then
 * dropped. */
static inline void fuzz_quiet_logs(void)
{
	log_set_level(LOG_LEVEL_DEBUG);
	log_set_sink(fuzz_drop_log, NULL);
}

/* Open fds of this process (the entries of /proc/self/fd: a few dozen
 * reads, where probing every possible fd took thousands of calls per
 * input): the same before and after an input, or one leaked. */
static inline int fuzz_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		__builtin_trap();
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#endif
