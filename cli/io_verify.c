/* SPDX-License-Identifier: MIT */
/* storlab io verify: options and reports around initiator/verify.c. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "initiator/verify.h"
#include "util/common.h"

#define VERIFY_DEFAULT_QD 32
#define VERIFY_DEFAULT_BS (64u << 10)

static const char *const g_phase_names[] = {
    [VERIFY_WRITE] = "write",
    [VERIFY_READ] = "read",
};

struct verify_cli {
	const struct io_args *a;
	bool progress_shown;
};

static void on_progress(const struct verify_progress *p, void *arg)
{
	struct verify_cli *v = arg;
	unsigned pct = p->bytes_total ? (unsigned)(p->bytes_done * 100 / p->bytes_total) : 100;

	fprintf(stderr, "\rpass %u/%u %-5s %3u%%", p->pass, p->passes, g_phase_names[p->phase],
		pct);
	v->progress_shown = true;
}

static void progress_clear(struct verify_cli *v)
{
	if (v->progress_shown)
		fprintf(stderr, "\r%*s\r", 24, "");
	v->progress_shown = false;
}

static void on_reconnected(double seconds, void *arg)
{
	progress_clear(arg);
	fprintf(stderr, "reconnected after %.1f s\n", seconds);
}

/* 64-bit values that may use the top bit go out as hex strings: JSON
 * integers are signed 64-bit in jansson. */
static json_t *hex_json(uint64_t v)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "0x%016" PRIx64, v);
	return json_string(hex);
}

static json_t *stamp_json(const struct pattern_stamp *s)
{
	return json_pack("{s:o, s:I, s:I, s:o}", "magic", hex_json(s->magic), "lba",
			 (json_int_t)s->lba, "seq", (json_int_t)s->seq, "seed", hex_json(s->seed));
}

static void report_json(const struct io_args *a, const struct verify_opts *o,
			const struct verify_result *r, bool ok)
{
	json_t *mm = json_array(), *queues = json_array(), *root;

	for (unsigned i = 0; i < r->nreported; i++) {
		const struct pattern_mismatch *m = &r->mismatches[i];

		json_array_append_new(
		    mm, json_pack("{s:I, s:s, s:i, s:o, s:o}", "lba", (json_int_t)m->lba, "fault",
				  pattern_fault_name(m->fault), "byte", m->byte, "expected",
				  stamp_json(&m->expected), "found", stamp_json(&m->found)));
	}
	for (unsigned i = 0; i < o->queues; i++)
		json_array_append_new(queues, json_pack("{s:i, s:I, s:I}", "queue", i, "requests",
							(json_int_t)r->queue[i].requests, "bytes",
							(json_int_t)r->queue[i].bytes));
	root = json_pack(
	    "{s:s, s:s, s:I, s:I, s:I, s:i, s:i, s:o, s:i, s:I, s:I, s:I, s:I, "
	    "s:i, s:I, s:I, s:f, s:o, s:o}",
	    "uri", a->uri, "result", ok ? "pass" : "fail", "offset", (json_int_t)o->offset,
	    "length", (json_int_t)o->length, "bs", (json_int_t)o->bs, "queues", (int)o->queues,
	    "qd", (int)o->qd, "seed", hex_json(o->seed), "passes", (int)o->passes, "bytes_written",
	    (json_int_t)r->bytes_written, "bytes_read", (json_int_t)r->bytes_read, "bad_sectors",
	    (json_int_t)r->bad_sectors, "io_errors", (json_int_t)r->io_errors, "reconnects",
	    (int)r->reconnects, "resubmitted", (json_int_t)r->resubmitted, "lost",
	    (json_int_t)r->lost, "seconds", r->seconds, "mismatches", mm, "per_queue", queues);
	if (root && r->io_errors)
		json_object_set_new(root, "first_error",
				    json_pack("{s:I, s:s, s:i}", "offset",
					      (json_int_t)r->first_error_offset, "status",
					      r->first_error_status, "errno", -r->first_error));
	/* The verdict is the exit code the caller returns; a report that
	 * cannot be written is said on stderr. */
	(void)cli_print_json(a->cmd, root);
}

static void report_text(const struct io_args *a, const struct verify_opts *o,
			const struct verify_result *r, bool ok)
{
	char total[32], rate[32];
	double secs = r->seconds > 0 ? r->seconds : 1e-9;

	cli_format_bytes(o->length, total, sizeof(total));
	printf("verify %s: %s at offset %" PRIu64 ", bs %u, %u queue(s) x qd %u, seed 0x%" PRIx64
	       ", %u pass(es)\n",
	       a->uri, total, o->offset, o->bs, o->queues, o->qd, o->seed, o->passes);
	for (unsigned i = 0; i < r->nreported; i++) {
		const struct pattern_mismatch *m = &r->mismatches[i];

		printf("mismatch at lba %" PRIu64 " (%s, byte %u): expected lba %" PRIu64
		       " seq %" PRIu64 ", found lba %" PRIu64 " seq %" PRIu64 " seed 0x%" PRIx64
		       "%s\n",
		       m->lba, pattern_fault_name(m->fault), m->byte, m->expected.lba,
		       m->expected.seq, m->found.lba, m->found.seq, m->found.seed,
		       m->found.magic == PATTERN_MAGIC ? "" : " (no stamp)");
	}
	if (r->bad_sectors > r->nreported)
		printf("... and %" PRIu64 " more bad sector(s)\n", r->bad_sectors - r->nreported);
	if (r->io_errors)
		printf("%" PRIu64 " request(s) failed; first at offset %" PRIu64 ": %s\n",
		       r->io_errors, r->first_error_offset, r->first_error_status);
	for (unsigned i = 0; i < o->queues; i++) {
		cli_format_bytes(r->queue[i].bytes, total, sizeof(total));
		printf("queue %u: %" PRIu64 " requests, %s\n", i, r->queue[i].requests, total);
	}
	cli_format_bytes((uint64_t)((double)(r->bytes_written + r->bytes_read) / secs), rate,
			 sizeof(rate));
	cli_format_bytes(r->bytes_written, total, sizeof(total));
	printf("%s: written %s", ok ? "OK" : "FAILED", total);
	cli_format_bytes(r->bytes_read, total, sizeof(total));
	printf(", read %s, %" PRIu64 " bad sector(s), %" PRIu64 " error(s), %u reconnect(s), "
	       "%.2f s (%s/s)\n",
	       total, r->bad_sectors, r->io_errors, r->reconnects, r->seconds, rate);
	if (r->reconnects)
		printf("requests resubmitted after reconnect: %" PRIu64 ", lost: %" PRIu64 "\n",
		       r->resubmitted, r->lost);
}

static uint64_t random_seed(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), 0) == sizeof(seed))
		return seed;
	return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

/* The range from --size or --offset/--length, else the whole device. */
static int verify_range(const struct io_args *a, uint64_t capacity, struct verify_opts *o)
{
	bool sized = a->given & IO_OPT(IO_OPT_SIZE);
	bool ranged = a->given & (IO_OPT(IO_OPT_OFFSET) | IO_OPT(IO_OPT_LENGTH));

	if (sized && ranged)
		return cli_usage_error(a->cmd, "give --size or --offset/--length, not both");
	o->offset = ranged ? a->offset : 0;
	o->length = sized				 ? a->size
		    : (a->given & IO_OPT(IO_OPT_LENGTH)) ? a->length
							 : capacity - o->offset;
	if (o->offset > capacity || o->length > capacity - o->offset)
		return cli_usage_error(
		    a->cmd, "range %" PRIu64 "+%" PRIu64 " is past the capacity %" PRIu64,
		    o->offset, o->length, capacity);
	if (o->length == 0 || o->length % 512 || o->offset % 512)
		return cli_usage_error(a->cmd, "offset and length must be multiples of 512, "
					       "length not 0");
	return 0;
}

int io_cmd_verify(const struct io_args *a)
{
	struct verify_cli v = {.a = a};
	struct verify_opts o = {
	    .queues = a->given & IO_OPT(IO_OPT_QUEUES) ? (unsigned)a->queues : 1,
	    .qd = a->given & IO_OPT(IO_OPT_QD) ? (unsigned)a->qd : VERIFY_DEFAULT_QD,
	    .bs = a->given & IO_OPT(IO_OPT_BS) ? (uint32_t)a->bs : VERIFY_DEFAULT_BS,
	    .seed = a->given & IO_OPT(IO_OPT_SEED) ? a->seed : random_seed(),
	    .passes = a->given & IO_OPT(IO_OPT_PASSES) ? (unsigned)a->passes : 1,
	    .reconnect_timeout = a->reconnect_timeout,
	    .io_timeout_ms = io_timeout_ms(a),
	    .reconnected = on_reconnected,
	    .arg = &v,
	};
	struct storlab_dev_info info;
	struct verify_result *res;
	bool ok;
	int ret;

	if (o.queues > VERIFY_MAX_QUEUES)
		return cli_usage_error(a->cmd, "at most %u queues", VERIFY_MAX_QUEUES);
	if (a->bs == 0 && (a->given & IO_OPT(IO_OPT_BS)))
		return cli_usage_error(a->cmd, "--bs must not be 0");
	if (a->bs > (1u << 30) || o.bs % 512)
		return cli_usage_error(a->cmd, "--bs must be a multiple of 512, at most 1G");
	if (isatty(STDERR_FILENO))
		o.progress = on_progress;
	ret = io_open(a, o.queues, o.qd, (uint64_t)o.queues * o.qd * o.bs, &o.dev);
	if (ret)
		return ret;
	storlab_dev_get_info(o.dev, &info);
	ret = verify_range(a, info.capacity, &o);
	if (ret)
		goto out;
	res = calloc(1, sizeof(*res));
	if (!res) {
		ret = CLI_EXIT_USAGE;
		goto out;
	}
	ret = verify_run(&o, res);
	progress_clear(&v);
	if (ret == -EINVAL || ret == -ENOMEM) {
		fprintf(stderr, "storlab %s: cannot run: %s\n", a->cmd, strerror(-ret));
		ret = CLI_EXIT_USAGE;
	} else {
		if (ret)
			fprintf(stderr, "storlab %s: stopped: %s\n", a->cmd,
				ret == -ECONNRESET ? "the back-end went away (see "
						     "--reconnect-timeout)"
				: ret == -ENODATA  ? "requests in flight at the disconnect never "
						     "completed after the reconnect"
						   : strerror(-ret));
		ok = ret == 0 && res->bad_sectors == 0 && res->io_errors == 0;
		if (a->json)
			report_json(a, &o, res, ok);
		else
			report_text(a, &o, res, ok);
		ret = ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
	free(res);
out:
	storlab_dev_close(o.dev);
	return ret;
}
