/* SPDX-License-Identifier: MIT */
/*
 * Writing trace files as pcapng (the IETF draft "PCAP Now Generic", as
 * Wireshark and libpcap read it). libpcap 1.10 writes classic pcap only, and
 * pcapng gives what a trace wants: nanosecond stamps declared by the
 * interface (if_tsresol), the program that wrote it (shb_userappl), and a
 * comment per record that names the message, so a trace reads in Wireshark
 * even without contrib/wireshark/vhost-user.lua.
 *
 * The file: a Section Header Block, one Interface Description Block
 * (LINKTYPE_USER0, if_tsresol 9), then one Enhanced Packet Block per record.
 * Blocks are written in this machine's byte order, which the section's
 * byte-order magic declares; every block and option is padded to 32 bits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_COMPONENT "trace"
#include "trace/trace.h"
#include "util/log.h"
#include "vhost/vhost_msg.h"

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

#define OPT_ENDOFOPT   0
#define OPT_COMMENT    1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME    2
#define OPT_IF_TSRESOL 9

#define PAD4(n) (((n) + 3u) & ~3u)
/* The largest block: an EPB of the largest record and its comment. */
#define COMMENT_MAX 128
#define BLOCK_MAX   (28 + PAD4(TRACE_REC_MAX) + 4 + PAD4(COMMENT_MAX) + 4 + 4)

struct trace_writer {
	FILE *f;
	char *path;
	/* CLOCK_REALTIME - CLOCK_MONOTONIC when the file was opened: tap stamps
	 * are monotonic, a capture's are wall clock. */
	int64_t wall_minus_mono;
	int error;
	uint8_t rec[TRACE_REC_MAX];
	uint8_t block[BLOCK_MAX];
};

/* A block being built in w->block. */
struct block {
	uint8_t *buf;
	size_t len;
};

static void put(struct block *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put32(struct block *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void put_pad(struct block *b)
{
	static const uint8_t zero[4];

	put(b, zero, PAD4(b->len) - b->len);
}

static void put_opt(struct block *b, uint16_t code, const void *p, uint16_t n)
{
	put(b, &code, sizeof(code));
	put(b, &n, sizeof(n));
	put(b, p, n);
	put_pad(b);
}

static void block_begin(struct block *b, uint8_t *buf, uint32_t type)
{
	b->buf = buf;
	b->len = 0;
	put32(b, type);
	put32(b, 0); /* total length, set by block_end */
}

/* Ends the options, sets the total length at both ends, writes the block
 * out at once: a recorder that is killed keeps every record it made. */
static int block_end(struct trace_writer *w, struct block *b)
{
	uint32_t total;

	put_opt(b, OPT_ENDOFOPT, NULL, 0);
	total = (uint32_t)b->len + 4;
	memcpy(b->buf + 4, &total, sizeof(total));
	put32(b, total);
	if (fwrite(b->buf, 1, b->len, w->f) != b->len || fflush(w->f) != 0) {
		log_err("trace %s: %s", w->path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int write_headers(struct trace_writer *w)
{
	static const char appl[] = "storlab migrate record";
	static const char ifname[] = "vhost-user";
	const uint8_t tsresol = 9; /* 10^-9 s */
	uint64_t section_len = UINT64_MAX; /* not given */
	uint16_t version[2] = {1, 0};
	uint16_t linktype_reserved[2] = {TRACE_LINKTYPE, 0};
	struct block b;
	int rc;

	block_begin(&b, w->block, BLOCK_SHB);
	put32(&b, BYTE_ORDER_MAGIC);
	put(&b, version, sizeof(version));
	put(&b, &section_len, sizeof(section_len));
	put_opt(&b, OPT_SHB_USERAPPL, appl, sizeof(appl) - 1);
	rc = block_end(w, &b);
	if (rc)
		return rc;
	block_begin(&b, w->block, BLOCK_IDB);
	put(&b, linktype_reserved, sizeof(linktype_reserved));
	put32(&b, TRACE_SNAPLEN);
	put_opt(&b, OPT_IF_NAME, ifname, sizeof(ifname) - 1);
	put_opt(&b, OPT_IF_TSRESOL, &tsresol, 1);
	return block_end(w, &b);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int trace_writer_open(const char *path, struct trace_writer **wp)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	w->f = w->path ? fopen(path, "wbe") : NULL;
	if (!w->f) {
		rc = w->path ? -errno : -ENOMEM;
		log_err("trace %s: %s", path, strerror(-rc));
		goto fail;
	}
	rc = write_headers(w);
	if (rc) {
		fclose(w->f);
		goto fail;
	}
	w->wall_minus_mono = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	*wp = w;
	return 0;
fail:
	free(w->path);
	free(w);
	return rc;
}

/* The record's comment: what a reader without the dissector wants first. */
static uint16_t comment(const struct trace_rec *rec, char *buf)
{
	int n;

	switch (rec->type) {
	case TRACE_REC_MSG:
		n = snprintf(buf, COMMENT_MAX, "conn %u %s %s%s", rec->conn,
			     trace_rec_to_backend(rec) ? "front-end -> back-end"
						       : "back-end -> front-end",
			     vhost_msg_request_name(rec->hdr.request),
			     rec->hdr.flags & VHOST_USER_REPLY_MASK ? " (reply)" : "");
		break;
	case TRACE_REC_RING:
		n = snprintf(buf, COMMENT_MAX, "conn %u ring state", rec->conn);
		break;
	default:
		n = snprintf(buf, COMMENT_MAX, "conn %u marker", rec->conn);
		break;
	}
	return (uint16_t)(n < 0 ? 0 : n >= COMMENT_MAX ? COMMENT_MAX - 1 : n);
}

int trace_writer_put(struct trace_writer *w, const struct trace_rec *rec, uint64_t mono_ns)
{
	struct trace_rec at = *rec;

	at.time_ns = (uint64_t)((int64_t)mono_ns + w->wall_minus_mono);
	return trace_writer_put_wall(w, &at);
}

int trace_writer_put_wall(struct trace_writer *w, const struct trace_rec *rec)
{
	uint64_t wall = rec->time_ns;
	int len = trace_rec_encode(rec, w->rec, sizeof(w->rec));
	char text[COMMENT_MAX];
	uint16_t text_len;
	struct block b;
	int rc;

	if (len < 0) {
		if (!w->error)
			log_err("trace: a record of type %u cannot be written (%s)", rec->type,
				strerror(-len));
		w->error = len;
		return len;
	}
	text_len = comment(rec, text);
	block_begin(&b, w->block, BLOCK_EPB);
	put32(&b, 0); /* interface 0 */
	put32(&b, (uint32_t)(wall >> 32));
	put32(&b, (uint32_t)wall);
	put32(&b, (uint32_t)len); /* captured */
	put32(&b, (uint32_t)len); /* original */
	put(&b, w->rec, (size_t)len);
	put_pad(&b);
	put_opt(&b, OPT_COMMENT, text, text_len);
	rc = block_end(w, &b);
	if (rc && !w->error)
		w->error = rc;
	return rc;
}

int trace_writer_close(struct trace_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = w->error;
	if (fclose(w->f) != 0 && !rc) {
		log_err("trace %s: %s", w->path, strerror(errno));
		rc = -EIO;
	}
	free(w->path);
	free(w);
	return rc;
}
