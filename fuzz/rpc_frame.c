/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the JSON-RPC stream framer (lib/rpc/frame.c), which delimits the
 * values a client sends back to back. Besides not crashing, framing must not
 * depend on how the bytes arrive: the input is framed once whole and once
 * fed in pieces whose sizes come from the input's first byte, and the two
 * must yield the same values. Each value is then parsed as the server does.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/frame.h"

#define MAX_VALUES 256
#define MAX_VALUE_SIZE 4096

struct framed {
	unsigned n;
	int last_rc;
	size_t start[MAX_VALUES], end[MAX_VALUES];
};

/* Frames text[0 .. len), arriving `step` bytes at a time (0: all at once),
 * as the server does: a growing buffer, shifted by what was consumed. */
static void frame_all(const char *text, size_t len, size_t step, struct framed *out)
{
	struct rpc_frame f;
	size_t have = 0, dropped = 0, s, e;
	int rc = 0;

	rpc_frame_init(&f, MAX_VALUE_SIZE);
	out->n = 0;
	while (have < len) {
		have = step ? (have + step < len ? have + step : len) : len;
		while (out->n < MAX_VALUES &&
		       (rc = rpc_frame_next(&f, text + dropped, have - dropped, &s, &e)) == 1) {
			out->start[out->n] = s + dropped;
			out->end[out->n] = e + dropped;
			out->n++;
		}
		if (rc < 0)
			break;
		/* Drop what is consumed, as the server's buffer does. */
		s = rpc_frame_consumed(&f);
		rpc_frame_shift(&f, s);
		dropped += s;
	}
	out->last_rc = rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct framed whole, pieces;
	const char *text;
	size_t len;

	if (size < 1)
		return 0;
	text = (const char *)data + 1;
	len = size - 1;
	frame_all(text, len, 0, &whole);
	frame_all(text, len, (size_t)data[0] % 7 + 1, &pieces);
	if (whole.n != pieces.n || whole.last_rc != pieces.last_rc)
		abort();
	for (unsigned i = 0; i < whole.n; i++) {
		json_error_t err;
		json_t *v;

		if (whole.start[i] != pieces.start[i] || whole.end[i] != pieces.end[i] ||
		    whole.start[i] >= whole.end[i] || whole.end[i] > len)
			abort();
		v = json_loadb(text + whole.start[i], whole.end[i] - whole.start[i],
			       JSON_DECODE_ANY, &err);
		json_decref(v);
	}
	return 0;
}
