/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_RPC_FRAME_H
#define STORLAB_RPC_FRAME_H

/*
 * Finds where each JSON value ends in a byte stream (internal to lib/rpc).
 *
 * JSON-RPC over a stream socket has no framing: values come back to back,
 * optionally separated by whitespace (RFC 8259 §2), and may arrive split
 * anywhere. The framer walks the bytes once, tracking only what delimits a
 * value (brackets outside strings, string escapes, the end of a bare
 * scalar), so that json_loadb() runs once per complete value and a request
 * sent byte by byte costs linear time. It does not validate: json_loadb()
 * does that on the delimited bytes.
 */

#include <stddef.h>

enum rpc_frame_state {
	RPC_FRAME_BETWEEN,    /* whitespace between values */
	RPC_FRAME_NESTED,     /* inside an object or array */
	RPC_FRAME_STRING,     /* inside a string */
	RPC_FRAME_ESCAPE,     /* after a backslash in a string */
	RPC_FRAME_SCALAR,     /* a top-level number or literal */
};

struct rpc_frame {
	enum rpc_frame_state state;
	size_t depth;   /* open brackets */
	size_t start;   /* offset of the value being scanned */
	size_t pos;     /* next offset to scan */
	size_t max;     /* largest value accepted, in bytes */
};

void rpc_frame_init(struct rpc_frame *f, size_t max);
/*
 * Scans buf[0..len) on from where the last call stopped. Returns 1 with the
 * next complete value in [*start, *end), 0 if more bytes are needed, or
 * -EMSGSIZE once the value being scanned grows past max.
 */
int rpc_frame_next(struct rpc_frame *f, const char *buf, size_t len, size_t *start,
		   size_t *end);
/* How many bytes at the front of the buffer are no longer needed: those of
 * returned values and the whitespace after them. */
size_t rpc_frame_consumed(const struct rpc_frame *f);
/* The caller dropped n <= rpc_frame_consumed() bytes from the front. */
void rpc_frame_shift(struct rpc_frame *f, size_t n);

#endif
