/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the trace record parser (lib/trace, docs/trace-format.md) with
 * arbitrary bytes as one record, as a trace file's packet would give it.
 * Must not crash or read past the input; a record that decodes must encode
 * back to exactly the same bytes (the parser accepts only what the writer
 * writes), and its fds must describe without reading past its payload.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "trace/trace.h"

static uint8_t g_out[TRACE_REC_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so ASan sees any read past them. */
	uint8_t *buf = malloc(size ? size : 1);
	struct trace_rec rec;
	int len;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (trace_rec_decode(buf, size, &rec) == 0) {
		len = trace_rec_encode(&rec, g_out, sizeof(g_out));
		if (len < 0 || (size_t)len != size || memcmp(g_out, buf, size) != 0)
			abort();
		if (rec.type == TRACE_REC_MSG)
			trace_rec_describe_fds(&rec);
	}
	free(buf);
	return 0;
}
