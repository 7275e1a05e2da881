/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CLI_IO_H
#define STORLAB_CLI_IO_H

/* `storlab io`: the options every io subcommand shares (one table in io.c)
 * and the subcommands that live in files of their own. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storlab/initiator.h"

enum io_opt {
	IO_OPT_OFFSET,
	IO_OPT_LENGTH,
	IO_OPT_OUTPUT,
	IO_OPT_INPUT,
	IO_OPT_PATTERN,
	IO_OPT_UNMAP,
	IO_OPT_JSON,
	IO_OPT_QUEUES,
	IO_OPT_QD,
	IO_OPT_BS,
	IO_OPT_SIZE,
	IO_OPT_SEED,
	IO_OPT_PASSES,
	IO_OPT_RECONNECT_TIMEOUT,
	IO_OPT_TIMEOUT,
	IO_OPT_FUNCTION,
	IO_OPT_ID,
	IO_OPT_SGL,
	IO_OPT_INTERRUPTS,
	IO_OPT_COUNT,
};

#define IO_OPT(o) (1u << (o))

struct io_args {
	const char *cmd; /* "io read", for messages */
	const char *uri;
	uint32_t given; /* IO_OPT() bits of the options on the command line */
	uint64_t offset;
	uint64_t length;
	const char *output;
	const char *input;
	const char *pattern;
	bool unmap;
	bool json;
	uint64_t queues;
	uint64_t qd;
	uint64_t bs;
	uint64_t size;
	uint64_t seed;
	uint64_t passes;
	const char *function; /* tmf */
	uint64_t id;	      /* tmf */
	bool sgl;	      /* NVMe: data as SGLs */
	bool interrupts;      /* NVMe: I/O CQs interrupt */
	double reconnect_timeout;
	double timeout; /* seconds, for each request */
};

/* Opens uri with nqueues queues (queue size at least qd) and enough memory
 * for buf_bytes of buffers; prints why not. Returns 0 or CLI_EXIT_USAGE. */
int io_open(const struct io_args *a, unsigned nqueues, unsigned qd, uint64_t buf_bytes,
	    struct storlab_dev **dev);
int io_timeout_ms(const struct io_args *a);
/* Hex bytes ("deadbeef", "0x" allowed) into out (at most max); *n of them.
 * 0 or -EINVAL. */
int io_parse_hex(const char *s, uint8_t *out, size_t max, size_t *n);

int io_cmd_info(const struct io_args *a);
int io_cmd_verify(const struct io_args *a);
int io_cmd_tmf(const struct io_args *a);
int io_cmd_session(const struct io_args *a);

#endif
