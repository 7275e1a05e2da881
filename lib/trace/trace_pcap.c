/* SPDX-License-Identifier: MIT */
/*
 * Trace files through libpcap: records are the packets of a capture with
 * link-layer type LINKTYPE_USER0 and nanosecond time stamps.
 *
 * libpcap 1.10 (Debian 12) writes the classic pcap format only (the
 * nanosecond variant, magic 0xa1b23c4d); it reads both pcap and pcapng, so
 * a trace that Wireshark saved again as pcapng reads the same.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_COMPONENT "trace"
#include "trace/trace.h"
#include "util/log.h"

/* Room for the largest record, with some to spare for a reader that meets
 * a longer packet (refused, not cut). */
#define TRACE_SNAPLEN 262144

struct trace_writer {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	/* CLOCK_REALTIME - CLOCK_MONOTONIC when the file was opened: tap stamps
	 * are monotonic, a capture's are wall clock. */
	int64_t wall_minus_mono;
	int error;
	uint8_t buf[TRACE_REC_MAX];
};

struct trace_reader {
	pcap_t *pcap;
	uint64_t count;
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int trace_writer_open(const char *path, struct trace_writer **wp)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	int rc = -ENOMEM;

	if (!w)
		return rc;
	w->pcap = pcap_open_dead_with_tstamp_precision(TRACE_LINKTYPE, TRACE_SNAPLEN,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!w->pcap)
		goto fail;
	w->dump = pcap_dump_open(w->pcap, path);
	if (!w->dump) {
		log_err("trace %s: %s", path, pcap_geterr(w->pcap));
		rc = -EIO;
		goto fail;
	}
	w->wall_minus_mono = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	*wp = w;
	return 0;
fail:
	if (w->pcap)
		pcap_close(w->pcap);
	free(w);
	return rc;
}

int trace_writer_put(struct trace_writer *w, const struct trace_rec *rec, uint64_t mono_ns)
{
	uint64_t wall = (uint64_t)((int64_t)mono_ns + w->wall_minus_mono);
	struct pcap_pkthdr ph;
	int len = trace_rec_encode(rec, w->buf, sizeof(w->buf));

	if (len < 0) {
		if (!w->error)
			log_err("trace: a record of type %u cannot be written (%s)", rec->type,
				strerror(-len));
		w->error = len;
		return len;
	}
	/* With nanosecond precision, libpcap takes tv_usec as nanoseconds. */
	ph.ts.tv_sec = (time_t)(wall / 1000000000u);
	ph.ts.tv_usec = (suseconds_t)(wall % 1000000000u);
	ph.caplen = (bpf_u_int32)len;
	ph.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->dump, &ph, w->buf);
	return 0;
}

int trace_writer_close(struct trace_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = w->error;
	if (pcap_dump_flush(w->dump) != 0 && !rc) {
		log_err("trace: writing the file failed");
		rc = -EIO;
	}
	pcap_dump_close(w->dump);
	pcap_close(w->pcap);
	free(w);
	return rc;
}

int trace_reader_open(const char *path, struct trace_reader **rp)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct trace_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!r->pcap) {
		log_err("trace %s: %s", path, err);
		free(r);
		return -EIO;
	}
	if (pcap_datalink(r->pcap) != TRACE_LINKTYPE) {
		log_err("trace %s: link-layer type %d, not a storlab trace (%d, LINKTYPE_USER0; "
			"docs/trace-format.md)",
			path, pcap_datalink(r->pcap), TRACE_LINKTYPE);
		pcap_close(r->pcap);
		free(r);
		return -EINVAL;
	}
	*rp = r;
	return 0;
}

int trace_reader_next(struct trace_reader *r, struct trace_rec *rec)
{
	struct pcap_pkthdr *ph;
	const u_char *data;
	int rc = pcap_next_ex(r->pcap, &ph, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		log_err("trace: after record %" PRIu64 ": %s", r->count, pcap_geterr(r->pcap));
		return -EIO;
	}
	r->count++;
	/* A record cut by the capture's snap length is not whole: refused. */
	if (ph->caplen != ph->len) {
		log_warn("trace: record %" PRIu64 " was cut to %u of %u bytes", r->count,
			 ph->caplen, ph->len);
		return -EINVAL;
	}
	rec->time_ns = (uint64_t)ph->ts.tv_sec * 1000000000u + (uint64_t)ph->ts.tv_usec;
	rc = trace_rec_decode(data, ph->caplen, rec);
	if (rc)
		log_warn("trace: record %" PRIu64 " (%u bytes) does not decode "
			 "(docs/trace-format.md)",
			 r->count, ph->caplen);
	return rc ? rc : 1;
}

uint64_t trace_reader_count(const struct trace_reader *r)
{
	return r->count;
}

void trace_reader_close(struct trace_reader *r)
{
	if (r) {
		pcap_close(r->pcap);
		free(r);
	}
}
