/* SPDX-License-Identifier: MIT */
#include "rpc/frame.h"

#include <errno.h>
#include <stdbool.h>

void rpc_frame_init(struct rpc_frame *f, size_t max)
{
	*f = (struct rpc_frame){.state = RPC_FRAME_BETWEEN, .max = max};
}

/* RFC 8259 §2: the four insignificant whitespace characters. */
static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void frame_between(struct rpc_frame *f, char c)
{
	if (is_ws(c))
		return;
	f->start = f->pos;
	if (c == '{' || c == '[') {
		f->depth = 1;
		f->state = RPC_FRAME_NESTED;
	} else if (c == '"') {
		f->depth = 0;
		f->state = RPC_FRAME_STRING;
	} else {
		f->state = RPC_FRAME_SCALAR;
	}
}

/* Returns true when the closing bracket of the value was seen. */
static bool frame_nested(struct rpc_frame *f, char c)
{
	switch (c) {
	case '"':
		f->state = RPC_FRAME_STRING;
		return false;
	case '{':
	case '[':
		f->depth++;
		return false;
	case '}':
	case ']':
		return --f->depth == 0;
	default:
		return false;
	}
}

/* Returns true when a top-level string closed. */
static bool frame_string(struct rpc_frame *f, char c)
{
	if (c == '\\') {
		f->state = RPC_FRAME_ESCAPE;
	} else if (c == '"') {
		if (f->depth == 0)
			return true;
		f->state = RPC_FRAME_NESTED;
	}
	return false;
}

/* A number or literal ends where whitespace or another value begins. */
static bool scalar_ends(char c)
{
	return is_ws(c) || c == '{' || c == '[' || c == '"';
}

int rpc_frame_next(struct rpc_frame *f, const char *buf, size_t len, size_t *start,
		   size_t *end)
{
	bool done = false;

	for (; f->pos < len; f->pos++) {
		char c = buf[f->pos];

		if (f->state != RPC_FRAME_BETWEEN && f->pos - f->start >= f->max)
			return -EMSGSIZE;
		switch (f->state) {
		case RPC_FRAME_BETWEEN:
			frame_between(f, c);
			continue;
		case RPC_FRAME_NESTED:
			done = frame_nested(f, c);
			break;
		case RPC_FRAME_STRING:
			done = frame_string(f, c);
			break;
		case RPC_FRAME_ESCAPE:
			f->state = RPC_FRAME_STRING;
			continue;
		case RPC_FRAME_SCALAR:
			if (scalar_ends(c)) {
				/* The delimiter belongs to what follows. */
				*start = f->start;
				*end = f->pos;
				f->state = RPC_FRAME_BETWEEN;
				return 1;
			}
			continue;
		}
		if (done) {
			*start = f->start;
			*end = ++f->pos;
			f->state = RPC_FRAME_BETWEEN;
			return 1;
		}
	}
	return 0;
}

size_t rpc_frame_consumed(const struct rpc_frame *f)
{
	return f->state == RPC_FRAME_BETWEEN ? f->pos : f->start;
}

void rpc_frame_shift(struct rpc_frame *f, size_t n)
{
	f->pos -= n;
	f->start = f->start >= n ? f->start - n : 0;
}
