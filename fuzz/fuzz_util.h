/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FUZZ_FUZZ_UTIL_H
#define STORLAB_FUZZ_FUZZ_UTIL_H

/* What the fuzzers that drive lib/ code over sockets share. Each fuzzer is
 * its own binary, so these are static inline. */

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"

#define FUZZ_FD_SCAN_LIMIT 1024

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

/* Open fds of this process: the same before and after an input, or one
 * leaked. */
static inline int fuzz_open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < FUZZ_FD_SCAN_LIMIT; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

#endif
