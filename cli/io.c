/* SPDX-License-Identifier: MIT */
/* storlab io: single requests (read, write, flush, discard, write-zeroes,
 * get-id) and the dispatch to info and verify. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "storlab/virtio_blk.h"
#include "util/common.h"

#define IO_QD		     16		  /* requests in flight for big transfers */
#define IO_MAX_CHUNK	     (1u << 20)	  /* bytes per read/write request */
#define IO_MEM_SLACK	     (8ULL << 20) /* rings and headers on top of buffers */
#define IO_DEFAULT_TIMEOUT_S 30.0
#define IO_SECTOR	     512u /* the unit of offsets and lengths, on every transport */

/* ---- options: one table for every io subcommand ---- */

static const struct option g_io_options[] = {
    {"offset", required_argument, NULL, 0x100 + IO_OPT_OFFSET},
    {"length", required_argument, NULL, 0x100 + IO_OPT_LENGTH},
    {"output", required_argument, NULL, 0x100 + IO_OPT_OUTPUT},
    {"input", required_argument, NULL, 0x100 + IO_OPT_INPUT},
    {"pattern", required_argument, NULL, 0x100 + IO_OPT_PATTERN},
    {"unmap", no_argument, NULL, 0x100 + IO_OPT_UNMAP},
    {"json", no_argument, NULL, 0x100 + IO_OPT_JSON},
    {"queues", required_argument, NULL, 0x100 + IO_OPT_QUEUES},
    {"qd", required_argument, NULL, 0x100 + IO_OPT_QD},
    {"bs", required_argument, NULL, 0x100 + IO_OPT_BS},
    {"size", required_argument, NULL, 0x100 + IO_OPT_SIZE},
    {"seed", required_argument, NULL, 0x100 + IO_OPT_SEED},
    {"passes", required_argument, NULL, 0x100 + IO_OPT_PASSES},
    {"reconnect-timeout", required_argument, NULL, 0x100 + IO_OPT_RECONNECT_TIMEOUT},
    {"timeout", required_argument, NULL, 0x100 + IO_OPT_TIMEOUT},
    {"function", required_argument, NULL, 0x100 + IO_OPT_FUNCTION},
    {"id", required_argument, NULL, 0x100 + IO_OPT_ID},
    {"sgl", no_argument, NULL, 0x100 + IO_OPT_SGL},
    {"interrupts", no_argument, NULL, 0x100 + IO_OPT_INTERRUPTS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int io_cmd_read(const struct io_args *a);
static int io_cmd_write(const struct io_args *a);
static int io_cmd_flush(const struct io_args *a);
static int io_cmd_discard(const struct io_args *a);
static int io_cmd_write_zeroes(const struct io_args *a);
static int io_cmd_get_id(const struct io_args *a);

#define OPT_T	  IO_OPT(IO_OPT_TIMEOUT)
#define OPT_NVME  (IO_OPT(IO_OPT_SGL) | IO_OPT(IO_OPT_INTERRUPTS))
#define OPT_RANGE (IO_OPT(IO_OPT_OFFSET) | IO_OPT(IO_OPT_LENGTH))

static const struct io_cmd {
	const char *name;
	int (*fn)(const struct io_args *a);
	uint32_t allowed;
	uint32_t required;
	const char *usage;
	const char *summary;
} g_io_cmds[] = {
    {"info", io_cmd_info, IO_OPT(IO_OPT_JSON) | OPT_T | OPT_NVME, 0,
     "URI [--json] [--sgl] [--interrupts]", "features, config space and queues of the device"},
    {"read", io_cmd_read, OPT_RANGE | IO_OPT(IO_OPT_OUTPUT) | OPT_T | OPT_NVME, OPT_RANGE,
     "URI --offset N --length N [--output FILE|-] [--sgl] [--interrupts]",
     "read bytes (to a terminal: as a hex dump)"},
    {"write", io_cmd_write,
     OPT_RANGE | IO_OPT(IO_OPT_INPUT) | IO_OPT(IO_OPT_PATTERN) | OPT_T | OPT_NVME,
     IO_OPT(IO_OPT_OFFSET),
     "URI --offset N (--input FILE | --pattern HEX) [--length N] [--sgl] [--interrupts]",
     "write a file's bytes, or a repeated hex pattern"},
    {"flush", io_cmd_flush, OPT_T, 0, "URI", "flush the device's write cache"},
    {"discard", io_cmd_discard, OPT_RANGE | OPT_T, OPT_RANGE, "URI --offset N --length N",
     "discard a range"},
    {"write-zeroes", io_cmd_write_zeroes, OPT_RANGE | IO_OPT(IO_OPT_UNMAP) | OPT_T, OPT_RANGE,
     "URI --offset N --length N [--unmap]", "write zeroes over a range"},
    {"get-id", io_cmd_get_id, OPT_T, 0, "URI", "the device's serial (GET_ID)"},
    {"verify", io_cmd_verify,
     IO_OPT(IO_OPT_QUEUES) | IO_OPT(IO_OPT_QD) | IO_OPT(IO_OPT_BS) | IO_OPT(IO_OPT_SIZE) |
	 OPT_RANGE | IO_OPT(IO_OPT_SEED) | IO_OPT(IO_OPT_PASSES) |
	 IO_OPT(IO_OPT_RECONNECT_TIMEOUT) | IO_OPT(IO_OPT_JSON) | OPT_T | OPT_NVME,
     0,
     "URI [--queues Q] [--qd N] [--bs SIZE] [--size BYTES | --offset N --length N]\n"
     "          [--seed S] [--passes N] [--reconnect-timeout SEC] [--json] [--sgl] [--interrupts]",
     "write a stamped pattern on all queues, read it back, compare"},
    {"tmf", io_cmd_tmf, IO_OPT(IO_OPT_FUNCTION) | IO_OPT(IO_OPT_ID) | OPT_T,
     IO_OPT(IO_OPT_FUNCTION), "URI --function NAME [--id N]",
     "a virtio-scsi task management function on the URI's LUN"},
    {"session", io_cmd_session, OPT_T, 0, "URI",
     "keep the device open and run commands from stdin (luns, read, write), one JSON line\n"
     "each; virtio-scsi hot-plug events are acted on between them"},
};

static void io_usage(FILE *f)
{
	const char *form;

	fprintf(f, "usage: storlab io <subcommand> URI [options]\n\nURI:");
	for (unsigned i = 0; (form = storlab_transport_uri_form(i)); i++)
		fprintf(f, "%s %s", i ? "," : "", form);
	fprintf(f, "\n\nsubcommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(g_io_cmds); i++)
		fprintf(f, "  %-13s %s\n", g_io_cmds[i].name, g_io_cmds[i].summary);
	fprintf(f,
		"\nSizes take k, M, G, T suffixes (binary). Every subcommand takes\n"
		"--timeout SEC (per request, default 30); info, read, write and verify take\n"
		"--sgl (NVMe: describe data with SGLs, not PRPs) and --interrupts (NVMe: wait on\n"
		"MSI-X eventfds, not spinning). storlab io <subcommand> --help\n");
}

static void io_cmd_usage(const struct io_cmd *c, FILE *f)
{
	fprintf(f, "usage: storlab io %s %s\n\n%s.\n", c->name, c->usage, c->summary);
}

static int io_set_opt(struct io_args *a, enum io_opt opt, const char *arg)
{
	switch (opt) {
	case IO_OPT_OFFSET:
		return util_parse_size(arg, &a->offset);
	case IO_OPT_LENGTH:
		return util_parse_size(arg, &a->length);
	case IO_OPT_OUTPUT:
		a->output = arg;
		return 0;
	case IO_OPT_INPUT:
		a->input = arg;
		return 0;
	case IO_OPT_PATTERN:
		a->pattern = arg;
		return 0;
	case IO_OPT_UNMAP:
		a->unmap = true;
		return 0;
	case IO_OPT_JSON:
		a->json = true;
		return 0;
	case IO_OPT_QUEUES:
		return util_parse_uint(arg, 1, UINT16_MAX, &a->queues);
	case IO_OPT_QD:
		return util_parse_uint(arg, 1, STORLAB_MAX_QUEUE_SIZE, &a->qd);
	case IO_OPT_BS:
		return util_parse_size(arg, &a->bs);
	case IO_OPT_SIZE:
		return util_parse_size(arg, &a->size);
	case IO_OPT_SEED:
		return util_parse_uint(arg, 0, UINT64_MAX, &a->seed);
	case IO_OPT_PASSES:
		return util_parse_uint(arg, 1, UINT32_MAX, &a->passes);
	case IO_OPT_RECONNECT_TIMEOUT:
		return util_parse_seconds(arg, &a->reconnect_timeout);
	case IO_OPT_TIMEOUT:
		return util_parse_seconds(arg, &a->timeout);
	case IO_OPT_FUNCTION:
		a->function = arg;
		return 0;
	case IO_OPT_ID:
		return util_parse_uint(arg, 0, UINT64_MAX, &a->id);
	case IO_OPT_SGL:
		a->sgl = true;
		return 0;
	case IO_OPT_INTERRUPTS:
		a->interrupts = true;
		return 0;
	case IO_OPT_COUNT:
		break;
	}
	return -EINVAL;
}

/* Parses argv (argv[0] is the subcommand) into a; returns -1 to go on, or an
 * exit code. */
static int io_parse(const struct io_cmd *c, int argc, char **argv, struct io_args *a)
{
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", g_io_options, NULL)) != -1) {
		enum io_opt o = (enum io_opt)(opt - 0x100);

		if (opt == 'h') {
			io_cmd_usage(c, stdout);
			return CLI_EXIT_OK;
		}
		if (opt == '?' || opt < 0x100 || !(c->allowed & IO_OPT(o)))
			return cli_usage_error(a->cmd, "unknown or misplaced option '%s'",
					       argv[optind - 1]);
		if (io_set_opt(a, o, optarg))
			return cli_usage_error(a->cmd, "bad value '%s' for --%s", optarg,
					       g_io_options[o].name);
		a->given |= IO_OPT(o);
	}
	if (optind != argc - 1)
		return cli_usage_error(a->cmd, "expected one URI, got %d arguments", argc - optind);
	a->uri = argv[optind];
	for (unsigned o = 0; o < IO_OPT_COUNT; o++) {
		if ((c->required & IO_OPT(o)) && !(a->given & IO_OPT(o)))
			return cli_usage_error(a->cmd, "--%s is required", g_io_options[o].name);
	}
	return -1;
}

int cli_io(int argc, char **argv)
{
	static char cmd[64];
	struct io_args a = {.timeout = IO_DEFAULT_TIMEOUT_S};
	int ret;

	if (argc < 2) {
		io_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		io_usage(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(g_io_cmds); i++) {
		if (strcmp(argv[1], g_io_cmds[i].name) != 0)
			continue;
		snprintf(cmd, sizeof(cmd), "io %s", g_io_cmds[i].name);
		a.cmd = cmd;
		ret = io_parse(&g_io_cmds[i], argc - 1, argv + 1, &a);
		return ret >= 0 ? ret : g_io_cmds[i].fn(&a);
	}
	fprintf(stderr, "storlab io: unknown subcommand '%s'\n", argv[1]);
	io_usage(stderr);
	return CLI_EXIT_USAGE;
}

/* ---- shared by the io subcommands ---- */

int io_timeout_ms(const struct io_args *a)
{
	return a->timeout > 0 ? (int)MIN(a->timeout * 1000, (double)INT32_MAX) : -1;
}

int io_open(const struct io_args *a, unsigned nqueues, unsigned qd, uint64_t buf_bytes,
	    struct storlab_dev **dev)
{
	struct storlab_dev_opts opts = {
	    .num_queues = (uint16_t)nqueues,
	    .queue_size = STORLAB_DEFAULT_QUEUE_SIZE,
	    .mem_size = MAX(STORLAB_DEFAULT_MEM_SIZE, buf_bytes + IO_MEM_SLACK),
	    .nvme_sgl = a->sgl,
	    .nvme_interrupts = a->interrupts,
	};
	int ret;

	while (opts.queue_size < qd)
		opts.queue_size *= 2;
	ret = storlab_dev_open(a->uri, &opts, dev);
	if (ret) {
		fprintf(stderr, "storlab %s: cannot open %s: %s\n", a->cmd, a->uri, strerror(-ret));
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* ---- requests over a range, split as the device's limits ask ---- */

struct io_xfer {
	const struct io_args *a;
	struct storlab_dev *dev;
	struct storlab_queue *q;
	enum storlab_op op; /* read, write, discard or write-zeroes */
	uint8_t *buf;	    /* read/write: the whole range */
	uint64_t chunk;	    /* bytes per request */
	uint64_t seg;	    /* read/write: bytes per iovec */
};

/* Bytes per read or write request and per iovec, as the device's limits
 * say (0: none stated). */
static uint64_t rw_chunk(const struct storlab_dev_info *info, uint64_t *seg)
{
	uint64_t chunk;

	*seg = info->max_segment_size ? info->max_segment_size : IO_MAX_CHUNK;
	chunk = MIN((uint64_t)IO_MAX_CHUNK, *seg * info->max_segments);
	return info->max_transfer ? MIN(chunk, info->max_transfer) : chunk;
}

static int xfer_submit(struct io_xfer *x, uint64_t off, uint64_t len, uint64_t pos)
{
	struct iovec iov[STORLAB_MAX_SEGMENTS];
	struct storlab_req req = {
	    .op = x->op, .offset = off, .len = len, .iov = iov, .tag = (void *)(uintptr_t)off};

	if (x->op == STORLAB_OP_WRITE_ZEROES && x->a->unmap)
		req.flags = STORLAB_REQ_UNMAP;
	if (x->op == STORLAB_OP_READ || x->op == STORLAB_OP_WRITE) {
		for (uint64_t done = 0; done < len; done += x->seg)
			iov[req.iovcnt++] =
			    (struct iovec){x->buf + pos + done, MIN(x->seg, len - done)};
	}
	return storlab_queue_add(x->q, &req);
}

/* Reports a failed request; returns the exit code. */
static int report_status(const char *cmd, const struct storlab_queue *q,
			 const struct storlab_completion *c, uint64_t off)
{
	if (c->status == STORLAB_STATUS_NOT_CONNECTED) {
		fprintf(stderr, "storlab %s: offset %" PRIu64 ": the back-end went away\n", cmd,
			off);
		return CLI_EXIT_FAIL;
	}
	fprintf(stderr, "storlab %s: offset %" PRIu64 ": %s\n", cmd, off,
		storlab_queue_status_name(q, c));
	return CLI_EXIT_FAIL;
}

static int io_wait(struct io_xfer *x, unsigned min, int *exit_code)
{
	struct storlab_completion c[IO_QD];
	int n = storlab_queue_reap(x->q, c, min, IO_QD, io_timeout_ms(x->a));

	if (n < 0) {
		fprintf(stderr, "storlab %s: %s\n", x->a->cmd,
			n == -ETIMEDOUT ? "no answer from the device in time" : strerror(-n));
		*exit_code = CLI_EXIT_FAIL;
		return n;
	}
	for (int i = 0; i < n; i++) {
		if (c[i].ret && *exit_code == CLI_EXIT_OK)
			*exit_code = report_status(x->a->cmd, x->q, &c[i], (uintptr_t)c[i].tag);
	}
	return 0;
}

/* Runs op over [off, off+len) with up to IO_QD requests in flight. */
static int io_xfer_run(struct io_xfer *x, uint64_t off, uint64_t len)
{
	struct storlab_dev_info info;
	int exit_code = CLI_EXIT_OK;
	uint64_t pos = 0;

	storlab_dev_get_info(x->dev, &info);
	x->q = storlab_dev_queue(x->dev, 0);
	if (x->op == STORLAB_OP_READ || x->op == STORLAB_OP_WRITE)
		x->chunk = rw_chunk(&info, &x->seg);
	else
		x->chunk = x->op == STORLAB_OP_DISCARD ? info.max_discard : info.max_write_zeroes;
	if (x->chunk == 0) /* no limit stated: the whole range at once */
		x->chunk = len;
	while (pos < len && exit_code == CLI_EXIT_OK) {
		uint64_t n = MIN(x->chunk, len - pos);
		int ret = xfer_submit(x, off + pos, n, pos);

		if (ret == -EAGAIN || (ret == 0 && storlab_queue_inflight(x->q) >= IO_QD)) {
			if (io_wait(x, 1, &exit_code))
				return exit_code;
			if (ret == -EAGAIN)
				continue;
		} else if (ret) {
			fprintf(stderr, "storlab %s: offset %" PRIu64 ": %s\n", x->a->cmd,
				off + pos, strerror(-ret));
			return ret == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
		}
		pos += n;
	}
	while (storlab_queue_inflight(x->q)) {
		if (io_wait(x, storlab_queue_inflight(x->q), &exit_code))
			break;
	}
	return exit_code;
}

/* ---- read ---- */

static void hexdump(FILE *f, const uint8_t *p, uint64_t len, uint64_t base)
{
	for (uint64_t i = 0; i < len; i += 16) {
		unsigned n = (unsigned)MIN(16, len - i);

		fprintf(f, "%08" PRIx64 " ", base + i);
		for (unsigned j = 0; j < 16; j++) {
			if (j < n)
				fprintf(f, "%s%02x", j == 8 ? "  " : " ", p[i + j]);
			else
				fprintf(f, "%s   ", j == 8 ? "  " : "");
		}
		fprintf(f, "  |");
		for (unsigned j = 0; j < n; j++)
			fputc(isprint(p[i + j]) ? p[i + j] : '.', f);
		fprintf(f, "|\n");
	}
}

static int write_all(int fd, const uint8_t *p, uint64_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		p += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int output_data(const struct io_args *a, const uint8_t *buf)
{
	bool to_stdout = !a->output || strcmp(a->output, "-") == 0;
	int fd = STDOUT_FILENO, ret;

	if (to_stdout && isatty(STDOUT_FILENO)) {
		hexdump(stdout, buf, a->length, a->offset);
		return CLI_EXIT_OK;
	}
	if (!to_stdout) {
		fd = open(a->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "storlab %s: %s: %s\n", a->cmd, a->output, strerror(errno));
			return CLI_EXIT_USAGE;
		}
	}
	ret = write_all(fd, buf, a->length);
	if (ret)
		fprintf(stderr, "storlab %s: writing the output: %s\n", a->cmd, strerror(-ret));
	if (!to_stdout)
		close(fd);
	return ret ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

static int check_range(const struct io_args *a)
{
	if (a->offset % IO_SECTOR || a->length % IO_SECTOR || a->length == 0)
		return cli_usage_error(a->cmd,
				       "offset and length must be multiples of %u, "
				       "length not 0",
				       IO_SECTOR);
	return 0;
}

/* Opens the device with one queue and a buffer of a->length bytes (if
 * with_buf), runs op, and closes. fill prepares the buffer, done consumes it. */
static int io_range_cmd(const struct io_args *a, enum storlab_op op, bool with_buf,
			int (*fill)(const struct io_args *a, uint8_t *buf),
			int (*done)(const struct io_args *a, const uint8_t *buf))
{
	struct io_xfer x = {.a = a, .op = op};
	int ret = check_range(a);

	if (ret)
		return ret;
	ret = io_open(a, 1, IO_QD, with_buf ? a->length : 0, &x.dev);
	if (ret)
		return ret;
	if (with_buf) {
		ret = storlab_buf_alloc(x.dev, a->length, 0, (void **)&x.buf);
		if (ret) {
			fprintf(stderr, "storlab %s: buffer of %" PRIu64 " bytes: %s\n", a->cmd,
				a->length, strerror(-ret));
			ret = CLI_EXIT_USAGE;
			goto out;
		}
	}
	ret = fill ? fill(a, x.buf) : 0;
	if (!ret)
		ret = io_xfer_run(&x, a->offset, a->length);
	if (!ret && done)
		ret = done(a, x.buf);
out:
	storlab_buf_free(x.dev, x.buf);
	storlab_dev_close(x.dev);
	return ret;
}

static int io_cmd_read(const struct io_args *a)
{
	return io_range_cmd(a, STORLAB_OP_READ, true, NULL, output_data);
}

/* ---- write ---- */

int io_parse_hex(const char *s, uint8_t *out, size_t max, size_t *n)
{
	size_t len;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (len == 0 || len % 2 || len / 2 > max)
		return -EINVAL;
	for (size_t i = 0; i < len / 2; i++) {
		char byte[3] = {s[2 * i], s[2 * i + 1], '\0'};
		char *end;

		if (!isxdigit((unsigned char)byte[0]) || !isxdigit((unsigned char)byte[1]))
			return -EINVAL;
		out[i] = (uint8_t)strtoul(byte, &end, 16);
	}
	*n = len / 2;
	return 0;
}

static int fill_from_pattern(const struct io_args *a, uint8_t *buf)
{
	uint8_t pat[IO_SECTOR];
	size_t n;

	if (io_parse_hex(a->pattern, pat, sizeof(pat), &n))
		return cli_usage_error(a->cmd, "--pattern wants hex bytes, e.g. deadbeef");
	for (uint64_t i = 0; i < a->length; i++)
		buf[i] = pat[i % n];
	return 0;
}

static int fill_from_file(const struct io_args *a, uint8_t *buf)
{
	int fd = open(a->input, O_RDONLY | O_CLOEXEC);
	uint64_t got = 0;

	if (fd < 0) {
		fprintf(stderr, "storlab %s: %s: %s\n", a->cmd, a->input, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	while (got < a->length) {
		ssize_t n = read(fd, buf + got, a->length - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	close(fd);
	if (got < a->length) {
		fprintf(stderr, "storlab %s: %s: only %" PRIu64 " of %" PRIu64 " bytes\n", a->cmd,
			a->input, got, a->length);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int io_cmd_write(const struct io_args *a)
{
	struct io_args w = *a;
	struct stat st;

	if (!!w.input == !!w.pattern)
		return cli_usage_error(a->cmd, "give exactly one of --input and --pattern");
	if (w.pattern && !(w.given & IO_OPT(IO_OPT_LENGTH)))
		return cli_usage_error(a->cmd, "--pattern needs --length");
	if (w.input && !(w.given & IO_OPT(IO_OPT_LENGTH))) {
		if (stat(w.input, &st) != 0) {
			fprintf(stderr, "storlab %s: %s: %s\n", a->cmd, w.input, strerror(errno));
			return CLI_EXIT_USAGE;
		}
		w.length = (uint64_t)st.st_size;
	}
	return io_range_cmd(&w, STORLAB_OP_WRITE, true,
			    w.pattern ? fill_from_pattern : fill_from_file, NULL);
}

/* ---- discard, write-zeroes ---- */

static int io_cmd_discard(const struct io_args *a)
{
	return io_range_cmd(a, STORLAB_OP_DISCARD, false, NULL, NULL);
}

static int io_cmd_write_zeroes(const struct io_args *a)
{
	return io_range_cmd(a, STORLAB_OP_WRITE_ZEROES, false, NULL, NULL);
}

/* ---- flush, get-id: one request without a range ---- */

static int io_single(const struct io_args *a, bool get_id)
{
	struct storlab_dev *dev;
	struct storlab_queue *q;
	struct storlab_completion c;
	uint8_t *id = NULL;
	int ret;

	ret = io_open(a, 1, 1, 0, &dev);
	if (ret)
		return ret;
	q = storlab_dev_queue(dev, 0);
	if (get_id)
		ret = storlab_buf_alloc(dev, STORLAB_VIRTIO_BLK_ID_BYTES, 0, (void **)&id);
	if (!ret)
		ret = get_id ? storlab_virtio_blk_get_id(q, id, NULL)
			     : storlab_queue_add(q, &(struct storlab_req){.op = STORLAB_OP_FLUSH});
	if (!ret)
		ret = storlab_queue_reap(q, &c, 1, 1, io_timeout_ms(a));
	if (ret < 0) {
		fprintf(stderr, "storlab %s: %s\n", a->cmd, strerror(-ret));
		ret = CLI_EXIT_FAIL;
	} else if (c.ret) {
		ret = report_status(a->cmd, q, &c, 0);
	} else {
		ret = CLI_EXIT_OK;
		if (get_id) {
			/* §5.2.6: NUL-padded, no NUL if all 20 bytes are used. */
			for (unsigned i = 0; i < STORLAB_VIRTIO_BLK_ID_BYTES && id[i]; i++)
				isprint(id[i]) ? putchar(id[i]) : printf("\\x%02x", id[i]);
			putchar('\n');
		}
	}
	storlab_buf_free(dev, id);
	storlab_dev_close(dev);
	return ret;
}

static int io_cmd_flush(const struct io_args *a)
{
	return io_single(a, false);
}

static int io_cmd_get_id(const struct io_args *a)
{
	return io_single(a, true);
}
