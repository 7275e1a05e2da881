/* SPDX-License-Identifier: MIT */
/*
 * storlab io session: the device stays open, as a VM's disk does, and
 * runs commands read from stdin, one per line, each answered with one JSON
 * line on stdout:
 *   luns                        the LUN table and the neutral info
 *   read OFFSET LENGTH [T:L]    {"ret", "error"?, "data" (hex)?}
 *   write OFFSET HEX [T:L]      the bytes HEX says, at OFFSET
 *   quit                        (or end of input)
 * Without T:L a read or write is a neutral request, to the LUN the URI
 * selected; with it, a READ(16) or WRITE(16) to that LUN of a virtio-scsi
 * device, which must be in the LUN table (else ENODEV, nothing sent).
 * Before each command the virtio-scsi eventq is reaped and acted on
 * (storlab_virtio_scsi_poll_events), as a guest driver does on its
 * interrupt: what is hot-plugged shows in the next answer.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "scsi/scsi_host.h"
#include "storlab/virtio_scsi.h"
#include "util/common.h"
#include "util/parse.h"

/* Bytes one read or write of a session may move. */
#define SESSION_MAX_IO (1u << 20)
#define SESSION_LINE   (2 * SESSION_MAX_IO + 256)

struct session {
	const struct io_args *a;
	struct storlab_dev *dev;
	struct storlab_queue *q;
	uint8_t *buf; /* SESSION_MAX_IO, library memory */
};

static void answer(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	printf("%s\n", s ? s : "{\"ret\": -12}");
	fflush(stdout);
	free(s);
	json_decref(j);
}

/* {"ret": 0}, or with the error's name. */
static json_t *ret_json(int ret)
{
	return ret ? json_pack("{s:i, s:s}", "ret", ret, "error", strerror(-ret))
		   : json_pack("{s:i}", "ret", 0);
}

static json_t *luns_json(struct session *s)
{
	struct storlab_virtio_scsi_info vs;
	struct storlab_dev_info info;
	json_t *luns = json_array();

	storlab_dev_get_info(s->dev, &info);
	if (!storlab_virtio_scsi_get_info(s->dev, &vs)) {
		for (unsigned i = 0; i < vs.nluns; i++) {
			const struct storlab_scsi_lun *l = &vs.luns[i];

			json_array_append_new(luns, json_pack("{s:i, s:i, s:I, s:i, s:b}", "target",
							      l->target, "lun", l->lun, "blocks",
							      (json_int_t)l->num_blocks,
							      "block_len", (int)l->block_len,
							      "selected", i == vs.selected));
		}
	}
	return json_pack("{s:i, s:I, s:i, s:o}", "ret", 0, "capacity", (json_int_t)info.capacity,
			 "block_size", (int)info.block_size, "luns", luns);
}

/* The LUN T:L of the table, its block length in *block_len; -ENODEV if
 * the table does not have it. */
static int lun_block_len(struct session *s, unsigned target, unsigned lun, uint32_t *block_len)
{
	struct storlab_virtio_scsi_info vs;
	int ret = storlab_virtio_scsi_get_info(s->dev, &vs);

	for (unsigned i = 0; !ret && i < vs.nluns; i++) {
		if (vs.luns[i].target == target && vs.luns[i].lun == lun && vs.luns[i].block_len) {
			*block_len = vs.luns[i].block_len;
			return 0;
		}
	}
	return ret ? ret : -ENODEV;
}

/* One read or write of len bytes at off: neutral (lun NULL), or a
 * READ(16) / WRITE(16) to the LUN "T:L". 0 or a negative errno. */
static int session_rw(struct session *s, bool write, uint64_t off, uint64_t len, const char *lun)
{
	struct iovec iov = {s->buf, len};
	struct storlab_req req = {.op = write ? STORLAB_OP_WRITE : STORLAB_OP_READ,
				  .offset = off,
				  .iov = &iov,
				  .iovcnt = 1};
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct storlab_virtio_scsi_cmd cmd = {.cdb = cdb};
	struct storlab_completion c;
	unsigned target, l;
	uint32_t bl;
	int ret;

	if (lun) {
		if (sscanf(lun, "%u:%u", &target, &l) != 2 || target > 255 || l > UINT16_MAX)
			return -EINVAL;
		ret = lun_block_len(s, target, l, &bl);
		if (ret)
			return ret;
		if (off % bl || len % bl)
			return -EINVAL;
		cmd.target = (uint8_t)target;
		cmd.lun = (uint16_t)l;
		ret = write ? scsi_host_cdb_write_16(cdb, off / bl, (uint32_t)(len / bl), false)
			    : scsi_host_cdb_read_16(cdb, off / bl, (uint32_t)(len / bl), false);
		cmd.cdb_len = (uint8_t)ret;
		*(write ? &cmd.out : &cmd.in) = &iov;
		*(write ? &cmd.nout : &cmd.nin) = 1;
		req = (struct storlab_req){.op = STORLAB_OP_DEVICE, .cmd = &cmd};
	}
	ret = storlab_queue_add(s->q, &req);
	if (!ret)
		ret = storlab_queue_reap(s->q, &c, 1, 1, io_timeout_ms(s->a));
	return ret < 0 ? ret : c.ret;
}

static json_t *cmd_read(struct session *s, char **argv, int argc)
{
	uint64_t off, len;
	json_t *j;
	char *hex;
	int ret;

	if (argc < 3 || argc > 4 || util_parse_uint(argv[1], 0, UINT64_MAX, &off) ||
	    util_parse_uint(argv[2], 1, SESSION_MAX_IO, &len))
		return ret_json(-EINVAL);
	ret = session_rw(s, false, off, len, argc == 4 ? argv[3] : NULL);
	if (ret)
		return ret_json(ret);
	hex = malloc(2 * len + 1);
	if (!hex)
		return NULL;
	for (uint64_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", s->buf[i]);
	j = json_pack("{s:i, s:s}", "ret", 0, "data", hex);
	free(hex);
	return j;
}

static json_t *cmd_write(struct session *s, char **argv, int argc)
{
	uint64_t off;
	size_t n;

	if (argc < 3 || argc > 4 || util_parse_uint(argv[1], 0, UINT64_MAX, &off) ||
	    io_parse_hex(argv[2], s->buf, SESSION_MAX_IO, &n))
		return ret_json(-EINVAL);
	return ret_json(session_rw(s, true, off, n, argc == 4 ? argv[3] : NULL));
}

/* Runs one line; false at quit. */
static bool session_line(struct session *s, char *line)
{
	char *argv[5], *save = NULL;
	int argc = 0, ret;

	for (char *w = strtok_r(line, " \t\r\n", &save); w && argc < 5;
	     w = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = w;
	if (argc == 0)
		return true;
	if (!strcmp(argv[0], "quit"))
		return false;
	/* -ENOTTY: not a virtio-scsi device, no events to reap. */
	ret = storlab_virtio_scsi_poll_events(s->dev, s->q);
	if (ret < 0 && ret != -ENOTTY)
		fprintf(stderr, "storlab %s: events: %s\n", s->a->cmd, strerror(-ret));
	if (!strcmp(argv[0], "luns"))
		answer(luns_json(s));
	else if (!strcmp(argv[0], "read"))
		answer(cmd_read(s, argv, argc));
	else if (!strcmp(argv[0], "write"))
		answer(cmd_write(s, argv, argc));
	else
		answer(json_pack("{s:i, s:s}", "ret", -EINVAL, "error", "unknown command"));
	return true;
}

int io_cmd_session(const struct io_args *a)
{
	struct session s = {.a = a};
	char *line = malloc(SESSION_LINE);
	int ret = line ? io_open(a, 1, 1, SESSION_MAX_IO, &s.dev) : CLI_EXIT_USAGE;

	if (ret) {
		free(line);
		return ret;
	}
	s.q = storlab_dev_queue(s.dev, 0);
	ret = storlab_buf_alloc(s.dev, SESSION_MAX_IO, 0, (void **)&s.buf);
	if (ret) {
		fprintf(stderr, "storlab %s: buffer: %s\n", a->cmd, strerror(-ret));
		ret = CLI_EXIT_USAGE;
	}
	while (!ret && fgets(line, SESSION_LINE, stdin) && session_line(&s, line))
		;
	storlab_buf_free(s.dev, s.buf);
	storlab_dev_close(s.dev);
	free(line);
	return ret;
}
