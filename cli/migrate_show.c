/* SPDX-License-Identifier: MIT */
/*
 * `storlab migrate show`: a trace, one record a line. Each record is
 * decoded once into a JSON object (--json prints it as a JSON line); the
 * text form prints the same object as key=value pairs, addresses and sizes
 * in hex.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "storlab/virtio_blk.h"
#include "trace/trace.h"
#include "util/common.h"
#include "vhost/vhost_msg.h"
#include "vhost/vhost_tap.h"

static const char *const g_fd_kinds[] = {
    [TRACE_FD_OTHER] = "fd", [TRACE_FD_MEM] = "memory",	       [TRACE_FD_VRING] = "eventfd",
    [TRACE_FD_LOG] = "log",  [TRACE_FD_INFLIGHT] = "inflight", [TRACE_FD_CHANNEL] = "channel",
};

static const char *const g_ring_points[] = {
    [TRACE_RING_STOPPED] = "stopped (GET_VRING_BASE answered)",
    [TRACE_RING_BASE] = "base (SET_VRING_BASE)",
    [TRACE_RING_KICK] = "kick (SET_VRING_KICK)",
    [TRACE_RING_ENABLED] = "enabled (SET_VRING_ENABLE 1)",
};

/* Keys the text form prints in hex. */
static const char *const g_hex_keys[] = {"gpa",	 "memory_size", "uva",	       "offset",
					 "desc", "avail",	"used",	       "log",
					 "raw",	 "mmap_size",	"mmap_offset", "flags"};

static json_t *names_of(uint64_t bits, const char *(*name)(unsigned bit))
{
	json_t *a = json_array();

	for (unsigned b = 0; b < 64; b++) {
		char unknown[16];
		const char *n;

		if (!(bits & (1ull << b)))
			continue;
		n = name(b);
		if (!n) {
			snprintf(unknown, sizeof(unknown), "bit%u", b);
			n = unknown;
		}
		json_array_append_new(a, json_string(n));
	}
	return a;
}

static json_t *region_json(const struct vhost_user_mem_region *r)
{
	return json_pack("{sI sI sI sI}", "gpa", (json_int_t)r->guest_phys_addr, "memory_size",
			 (json_int_t)r->memory_size, "uva", (json_int_t)r->userspace_addr, "offset",
			 (json_int_t)r->mmap_offset);
}

static json_t *memory_json(const struct vhost_user_memory *m, uint32_t len)
{
	json_t *regions = json_array();

	for (uint32_t i = 0; i < m->nregions && i < VHOST_USER_MEM_BASELINE_NREGIONS &&
			     8 + (i + 1) * sizeof(m->regions[0]) <= len;
	     i++)
		json_array_append_new(regions, region_json(&m->regions[i]));
	return json_pack("{sI so}", "nregions", (json_int_t)m->nregions, "regions", regions);
}

/* The payload of a u64 message: which meaning its request gives it. */
static json_t *u64_json(uint32_t req, uint64_t v, bool reply)
{
	switch (req) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_SET_FEATURES:
		return json_pack("{sI so}", "raw", (json_int_t)v, "features",
				 names_of(v, storlab_feature_name));
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		return json_pack("{sI so}", "raw", (json_int_t)v, "protocol_features",
				 names_of(v, storlab_protocol_feature_name));
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		if (!reply)
			return json_pack("{sI sb}", "index",
					 (json_int_t)(v & VHOST_USER_VRING_IDX_MASK), "nofd",
					 (v & VHOST_USER_VRING_NOFD_MASK) != 0);
		break;
	default:
		break;
	}
	/* REPLY_ACK answers, counts, status: the number. */
	return json_pack("{sI}", "u64", (json_int_t)v);
}

/* Requests whose answer is a payload of their own (vhost-user.rst
 * "Front-end message types"). */
static bool reply_has_payload(uint32_t req)
{
	switch (req) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_GET_CONFIG:
	case VHOST_USER_GET_INFLIGHT_FD:
	case VHOST_USER_GET_MAX_MEM_SLOTS:
	case VHOST_USER_GET_STATUS:
		return true;
	default:
		return false;
	}
}

/* The payload, decoded by request (vhost-user.rst "Front-end message
 * types"); NULL when there is nothing to decode. */
static json_t *payload_json(const struct trace_rec *rec)
{
	union vhost_user_payload pl = {0};
	uint32_t len = rec->payload_len;
	bool reply = rec->hdr.flags & VHOST_USER_REPLY_MASK;

	if (!len)
		return NULL;
	memcpy(&pl, rec->payload, MIN((size_t)len, sizeof(pl)));
	/* "REPLY_ACK": the answer to a request that has none of its own is a
	 * u64, 0 for success. */
	if (reply && !reply_has_payload(rec->hdr.request))
		return len == sizeof(uint64_t) ? json_pack("{sI}", "u64", (json_int_t)pl.u64)
					       : NULL;
	switch (rec->hdr.request) {
	case VHOST_USER_SET_MEM_TABLE:
		return len >= 8 ? memory_json(&pl.memory, len) : NULL;
	case VHOST_USER_ADD_MEM_REG:
	case VHOST_USER_REM_MEM_REG:
		return len >= sizeof(pl.mem_reg) ? region_json(&pl.mem_reg.region) : NULL;
	case VHOST_USER_SET_VRING_NUM:
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		return len >= sizeof(pl.state)
			   ? json_pack("{sI sI}", "index", (json_int_t)pl.state.index, "num",
				       (json_int_t)pl.state.num)
			   : NULL;
	case VHOST_USER_SET_VRING_ADDR:
		return len >= sizeof(pl.addr)
			   ? json_pack("{sI sI sI sI sI sI}", "index", (json_int_t)pl.addr.index,
				       "flags", (json_int_t)pl.addr.flags, "desc",
				       (json_int_t)pl.addr.desc_user_addr, "avail",
				       (json_int_t)pl.addr.avail_user_addr, "used",
				       (json_int_t)pl.addr.used_user_addr, "log",
				       (json_int_t)pl.addr.log_guest_addr)
			   : NULL;
	case VHOST_USER_SET_LOG_BASE:
		if (len >= sizeof(pl.log))
			return json_pack("{sI sI}", "mmap_size", (json_int_t)pl.log.mmap_size,
					 "mmap_offset", (json_int_t)pl.log.mmap_offset);
		break;
	case VHOST_USER_GET_CONFIG:
	case VHOST_USER_SET_CONFIG:
		if (len >= VHOST_USER_CONFIG_HDR_SIZE)
			return json_pack("{sI sI sI}", "offset", (json_int_t)pl.config.offset,
					 "size", (json_int_t)pl.config.size, "flags",
					 (json_int_t)pl.config.flags);
		return NULL;
	case VHOST_USER_GET_INFLIGHT_FD:
	case VHOST_USER_SET_INFLIGHT_FD:
		if (len >= sizeof(pl.inflight))
			return json_pack("{sI sI sI sI}", "mmap_size",
					 (json_int_t)pl.inflight.mmap_size, "mmap_offset",
					 (json_int_t)pl.inflight.mmap_offset, "num_queues",
					 (json_int_t)pl.inflight.num_queues, "queue_size",
					 (json_int_t)pl.inflight.queue_size);
		return NULL;
	default:
		break;
	}
	return len == sizeof(uint64_t) ? u64_json(rec->hdr.request, pl.u64, reply) : NULL;
}

static json_t *fds_json(const struct trace_rec *rec)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < rec->nfds; i++) {
		const struct trace_fd *fd = &rec->fds[i];
		const char *kind = fd->kind < ARRAY_SIZE(g_fd_kinds) ? g_fd_kinds[fd->kind] : "fd";
		json_t *o = json_pack("{ss}", "kind", kind);

		if (fd->kind == TRACE_FD_MEM)
			json_object_update_new(
			    o, json_pack("{sI sI sI sI}", "region", (json_int_t)fd->index, "gpa",
					 (json_int_t)fd->gpa, "memory_size", (json_int_t)fd->size,
					 "offset", (json_int_t)fd->offset));
		else if (fd->kind == TRACE_FD_VRING)
			json_object_set_new(o, "index", json_integer(fd->index));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *msg_json(const struct trace_rec *rec)
{
	json_t *o = json_pack(
	    "{ss ss sI sI sI sI so}", "direction",
	    trace_rec_to_backend(rec) ? "to-backend" : "to-frontend", "request",
	    rec->hdr_len == sizeof(rec->hdr) ? vhost_msg_request_name(rec->hdr.request)
					     : "(header cut short)",
	    "code", (json_int_t)rec->hdr.request, "flags", (json_int_t)rec->hdr.flags, "size",
	    (json_int_t)rec->hdr.size, "wire", (json_int_t)rec->payload_wire, "fds", fds_json(rec));
	json_t *pl = payload_json(rec);

	if (rec->hdr.flags & VHOST_USER_REPLY_MASK)
		json_object_set_new(o, "reply", json_true());
	if (pl)
		json_object_set_new(o, "payload", pl);
	return o;
}

static json_t *ring_json(const struct trace_ring *r)
{
	json_t *o = json_pack("{ss sI}", "point",
			      r->point < ARRAY_SIZE(g_ring_points) ? g_ring_points[r->point] : "?",
			      "index", (json_int_t)r->index);

	if (r->valid & TRACE_RING_NUM)
		json_object_set_new(o, "num", json_integer(r->num));
	json_object_set_new(o, "base", json_integer(r->base));
	if (r->valid & TRACE_RING_AVAIL_IDX)
		json_object_set_new(o, "avail_idx", json_integer(r->avail_idx));
	if (r->valid & TRACE_RING_USED_IDX)
		json_object_set_new(o, "used_idx", json_integer(r->used_idx));
	if (r->valid & TRACE_RING_ADDRS)
		json_object_update_new(o, json_pack("{sI sI sI}", "desc", (json_int_t)r->desc,
						    "avail", (json_int_t)r->avail, "used",
						    (json_int_t)r->used));
	return o;
}

static json_t *rec_json(const struct trace_rec *rec, uint64_t n, uint64_t t0)
{
	static const char *const types[] = {
	    [TRACE_REC_MSG] = "message", [TRACE_REC_RING] = "ring", [TRACE_REC_MARKER] = "marker"};
	json_t *o = json_pack("{sI sI sI ss sI}", "record", (json_int_t)n, "time_ns",
			      (json_int_t)rec->time_ns, "rel_ns", (json_int_t)(rec->time_ns - t0),
			      "type", types[rec->type], "conn", (json_int_t)rec->conn);

	if (rec->error)
		json_object_set_new(o, "error", json_string(strerror(-rec->error)));
	if (rec->type == TRACE_REC_MSG)
		json_object_update_new(o, msg_json(rec));
	else if (rec->type == TRACE_REC_RING)
		json_object_set_new(o, "ring", ring_json(&rec->ring));
	else
		json_object_set_new(o, "text", json_stringn(rec->text, rec->text_len));
	return o;
}

static bool hex_key(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(g_hex_keys); i++)
		if (strcmp(key, g_hex_keys[i]) == 0)
			return true;
	return false;
}

/* A JSON value as text: objects as key=value, arrays in brackets. */
static void print_value(const char *key, json_t *v)
{
	const char *k;
	json_t *item;
	size_t i;
	bool first = true;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		printf("{");
		json_object_foreach(v, k, item) {
			printf(first ? "%s=" : " %s=", k);
			print_value(k, item);
			first = false;
		}
		printf("}");
		break;
	case JSON_ARRAY:
		printf("[");
		json_array_foreach(v, i, item) {
			printf(i ? ", " : "");
			print_value(key, item);
		}
		printf("]");
		break;
	case JSON_INTEGER:
		if (key && hex_key(key))
			printf("0x%llx", (unsigned long long)json_integer_value(v));
		else
			printf("%lld", (long long)json_integer_value(v));
		break;
	case JSON_STRING:
		printf("%s", json_string_value(v));
		break;
	default:
		printf("%s", json_is_true(v) ? "true" : "false");
		break;
	}
}

/* One line: time, connection, then what the record says. */
static void print_text(json_t *o)
{
	static const char *const lead[] = {"record", "time_ns",	  "rel_ns", "type",
					   "conn",   "direction", "request"};
	uint64_t rel = (uint64_t)json_integer_value(json_object_get(o, "rel_ns"));
	const char *dir = json_string_value(json_object_get(o, "direction"));
	const char *req = json_string_value(json_object_get(o, "request"));
	const char *k;
	json_t *v;

	printf("%5" JSON_INTEGER_FORMAT " %4" PRIu64 ".%09" PRIu64 " conn %" JSON_INTEGER_FORMAT
	       " ",
	       json_integer_value(json_object_get(o, "record")), rel / 1000000000u,
	       rel % 1000000000u, json_integer_value(json_object_get(o, "conn")));
	if (req)
		printf("%s %s", strcmp(dir, "to-backend") == 0 ? "fe->be" : "be->fe", req);
	else
		printf("%s", json_string_value(json_object_get(o, "type")));
	json_object_foreach(o, k, v) {
		bool skip = false;

		for (size_t i = 0; i < ARRAY_SIZE(lead); i++)
			skip |= strcmp(k, lead[i]) == 0;
		if (skip || (json_is_array(v) && !json_array_size(v)))
			continue;
		printf(" %s=", k);
		print_value(k, v);
	}
	printf("\n");
}

static void show_usage(FILE *f)
{
	fprintf(f,
		"usage: storlab migrate show TRACE [--json]\n\n"
		"Prints each record of a trace written by `storlab migrate record`: time since\n"
		"the first record, connection, direction, request name, flags, size, the\n"
		"payload decoded, fds, ring states and markers.\n\n"
		"  --json   one JSON object per line\n\n"
		"exit codes: 0 every record read, 1 a record did not decode (the others are\n"
		"printed), 2 the file could not be read. See docs/man/storlab-migrate-record.md\n");
}

int cli_migrate_show(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct trace_reader *r;
	struct trace_rec rec;
	bool json = false;
	uint64_t t0 = 0;
	int c, rc, exit_code = CLI_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			show_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_usage_error("migrate show", "unknown option '%s' (see --help)",
					       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("migrate show", "one trace file is needed");
	if (trace_reader_open(argv[optind], &r))
		return CLI_EXIT_USAGE;
	while ((rc = trace_reader_next(r, &rec)) != 0) {
		json_t *o;

		if (rc == -EIO) {
			exit_code = CLI_EXIT_FAIL;
			break;
		}
		if (rc < 0) {
			exit_code = CLI_EXIT_FAIL;
			continue;
		}
		if (trace_reader_count(r) == 1)
			t0 = rec.time_ns;
		o = rec_json(&rec, trace_reader_count(r), t0);
		if (json) {
			char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

			printf("%s\n", s ? s : "{}");
			free(s);
		} else {
			print_text(o);
		}
		json_decref(o);
	}
	trace_reader_close(r);
	return exit_code;
}
