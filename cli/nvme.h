/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CLI_NVME_H
#define STORLAB_CLI_NVME_H

/* `storlab nvme`: admin commands to an NVMe controller (storlab/nvme.h),
 * named and printed as nvme-cli does. nvme.c parses the options every
 * subcommand shares, runs the command and prints; nvme_id.c and
 * nvme_log.c decode what came back. */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "storlab/nvme.h"

struct nvme_args {
	const char *cmd; /* "nvme identify", for messages */
	const char *uri;
	bool json;
	bool nsid_given;
	uint32_t nsid;
	uint32_t log_id, log_len;
	uint32_t fid, sel;
};

/* Where the fields go: a JSON object (--output-format json) or
 * "name : value" lines. */
struct nvme_out {
	json_t *obj; /* NULL: lines */
};
void nvme_out_uint(struct nvme_out *o, const char *name, uint64_t v, bool hex);
void nvme_out_str(struct nvme_out *o, const char *name, const char *s);
/* bytes as one hex string */
void nvme_out_hex(struct nvme_out *o, const char *name, const uint8_t *b, unsigned len);

/* Opens a->uri, runs cmd with buf (len bytes) for data and closes:
 * CLI_EXIT_OK, CLI_EXIT_FAIL after printing the controller's status name,
 * or CLI_EXIT_USAGE after printing why it could not run. cdw0 may be NULL.
 * nsid 0 in cmd with use_default: the first active namespace. */
int nvme_run(const struct nvme_args *a, struct storlab_nvme_cmd *cmd, bool use_default_ns,
	     void *buf, uint32_t len, uint32_t *cdw0);
/* Prints o's object (JSON) or nothing (lines went out already). */
int nvme_out_finish(const struct nvme_args *a, struct nvme_out *o);

/* the subcommands */
int nvme_cmd_identify(const struct nvme_args *a);
int nvme_cmd_id_ns(const struct nvme_args *a);
int nvme_cmd_get_log(const struct nvme_args *a);
int nvme_cmd_get_feature(const struct nvme_args *a);

#endif
