/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TRACE_TRACE_H
#define STORLAB_TRACE_TRACE_H

/*
 * Migration traces: what a vhost-user conversation carried, one record per
 * message, plus the rings' state at their stop and start points and markers
 * (a connection opened or closed). The records travel in a pcapng file with
 * a private link-layer type; docs/trace-format.md describes the
 * encapsulation byte by byte, and contrib/wireshark/vhost-user.lua decodes
 * it. The recorder (`storlab migrate record`) writes traces; `storlab
 * migrate show` and replay read them.
 *
 * Two layers:
 *   - trace_rec_encode / trace_rec_decode: one record <-> its bytes (the
 *     pcap packet data). The decoder checks every length against the buffer
 *     and refuses what the format does not allow, so bytes from any file
 *     can be handed to it.
 *   - trace_writer / trace_reader: the file, pcapng; written here (libpcap
 *     1.10 writes classic pcap only), read through libpcap.
 *
 * Nothing here keeps a pointer past the call that was given it, except a
 * decoded record's payload and marker text, which point into the bytes
 * decoded (the reader's buffer: valid until its next call).
 */

#include <stddef.h>
#include <stdint.h>

#include "spec/vhost_user.h"

/* LINKTYPE_USER0 (pcap's DLT_USER0): a link-layer type for private use. */
#define TRACE_LINKTYPE 147
#define TRACE_VERSION  1
/* The snap length a trace declares: more than the largest record, so that
 * no record is ever cut (a reader refuses one that was). */
#define TRACE_SNAPLEN 262144

/* Sizes of the parts of a record (docs/trace-format.md). */
#define TRACE_HDR_LEN  24
#define TRACE_FD_LEN   32
#define TRACE_RING_LEN 48
/* What one record may hold: fds that came with one message (more than a
 * message may carry, so that a sender passing too many is recorded), the
 * payload bytes kept (the tail of a longer one is counted, not kept) and
 * the text of a marker. */
#define TRACE_MAX_FDS	  32
#define TRACE_PAYLOAD_MAX 65536
#define TRACE_MARKER_MAX  1024
#define TRACE_REC_MAX	  (TRACE_HDR_LEN + TRACE_MAX_FDS * TRACE_FD_LEN + 12 + TRACE_PAYLOAD_MAX)

enum trace_rec_type {
	TRACE_REC_MSG = 1,    /* a vhost-user message */
	TRACE_REC_RING = 2,   /* a ring's state at a stop or start point */
	TRACE_REC_MARKER = 3, /* text: a connection opened or closed, ... */
};

/* What an fd that came with a message is, as its message says. */
enum trace_fd_kind {
	TRACE_FD_OTHER = 0,
	TRACE_FD_MEM = 1,      /* maps a memory region: index, gpa, size, offset */
	TRACE_FD_VRING = 2,    /* a kick, call or err eventfd: index is the ring */
	TRACE_FD_LOG = 3,      /* the dirty log: size, offset */
	TRACE_FD_INFLIGHT = 4, /* the inflight region: size, offset */
	TRACE_FD_CHANNEL = 5,  /* the back-end request channel's socket */
};

struct trace_fd {
	uint32_t kind; /* enum trace_fd_kind */
	uint32_t index;
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;
};

/* Where a ring state was taken. */
enum trace_ring_point {
	TRACE_RING_STOPPED = 1, /* the back-end answered GET_VRING_BASE */
	TRACE_RING_BASE = 2,	/* SET_VRING_BASE went to the back-end */
	TRACE_RING_KICK = 3,	/* SET_VRING_KICK went to the back-end */
	TRACE_RING_ENABLED = 4, /* SET_VRING_ENABLE 1 went to the back-end */
};

/* Which fields of a ring state hold what was read. */
#define TRACE_RING_AVAIL_IDX (1u << 0) /* avail_idx read from guest memory */
#define TRACE_RING_USED_IDX  (1u << 1) /* used_idx read from guest memory */
#define TRACE_RING_ADDRS     (1u << 2) /* SET_VRING_ADDR was seen: addresses */
#define TRACE_RING_NUM	     (1u << 3) /* SET_VRING_NUM was seen: num */
#define TRACE_RING_VALID_ALL 0xfu

struct trace_ring {
	uint32_t point; /* enum trace_ring_point */
	uint32_t index;
	uint32_t num;
	uint32_t base; /* the index of SET_VRING_BASE / GET_VRING_BASE */
	uint16_t avail_idx;
	uint16_t used_idx;
	uint32_t valid; /* TRACE_RING_* */
	/* The front-end's addresses of SET_VRING_ADDR. */
	uint64_t desc;
	uint64_t avail;
	uint64_t used;
};

struct trace_rec {
	uint64_t time_ns; /* wall clock (CLOCK_REALTIME), nanoseconds */
	uint8_t type;	  /* enum trace_rec_type */
	/* The recording endpoint's view, as its tap gave it: enum
	 * vhost_tap_dir and enum vhost_tap_side. */
	uint8_t dir;
	uint8_t side;
	uint32_t conn; /* connection id: 1, 2, ... in the order they opened */
	int32_t error; /* 0, or the tap's negative errno */

	/* TRACE_REC_MSG: the header bytes that arrived (hdr zero past
	 * hdr_len), the payload bytes kept (payload_len) of payload_wire that
	 * went over the wire, and the fds. */
	struct vhost_user_hdr hdr;
	uint32_t hdr_len;
	uint32_t payload_wire;
	const uint8_t *payload;
	uint32_t payload_len;
	unsigned nfds;
	struct trace_fd fds[TRACE_MAX_FDS];

	/* TRACE_REC_RING */
	struct trace_ring ring;

	/* TRACE_REC_MARKER: text_len bytes, not NUL-terminated. */
	const char *text;
	uint32_t text_len;
};

/* Whether the message went from the front-end to the back-end. */
int trace_rec_to_backend(const struct trace_rec *rec);

/* Writes rec's bytes into buf (len bytes of room). Returns the length, or
 * -EINVAL for a record the format cannot hold, -ENOSPC for too little room. */
int trace_rec_encode(const struct trace_rec *rec, uint8_t *buf, size_t len);

/* Reads one record from len bytes. 0, or -EINVAL (bad version, type,
 * lengths that do not add up: the record is refused whole). rec->payload and
 * rec->text point into buf. time_ns is left as it was (it is the file's). */
int trace_rec_decode(const uint8_t *buf, size_t len, struct trace_rec *rec);

/* Fills rec->fds[i].kind/index/... for a message's fds from its request
 * and payload (rec->hdr, rec->payload and rec->nfds set). */
void trace_rec_describe_fds(struct trace_rec *rec);

/* ---- files ---- */

struct trace_writer;
struct trace_reader;

/* Creates (truncates) path. 0 or a negative errno (logged). */
int trace_writer_open(const char *path, struct trace_writer **w);
/* Appends a record; time_ns is CLOCK_MONOTONIC (a tap's stamp) and is
 * written as the wall clock. 0 or a negative errno (logged once). */
int trace_writer_put(struct trace_writer *w, const struct trace_rec *rec, uint64_t mono_ns);
/* Appends a record stamped with its own time_ns (the wall clock): a trace
 * written from another trace's records (a shrunk one) keeps their times. */
int trace_writer_put_wall(struct trace_writer *w, const struct trace_rec *rec);
/* Flushes and closes. 0, or a negative errno if anything was lost. */
int trace_writer_close(struct trace_writer *w);

/* Opens a trace (pcap or pcapng, any byte order) with our link-layer type. */
int trace_reader_open(const char *path, struct trace_reader **r);
/* The next record: 1 and *rec, 0 at the end, -EINVAL for a record that
 * does not decode (logged with its number; the next call goes on after it),
 * -EIO for a file that breaks off. */
int trace_reader_next(struct trace_reader *r, struct trace_rec *rec);
/* Records read so far (the number of the last one). */
uint64_t trace_reader_count(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);

#endif
