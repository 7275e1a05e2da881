/* SPDX-License-Identifier: MIT */
/*
 * Reading trace files through libpcap: records are the packets of a
 * capture with link-layer type LINKTYPE_USER0, in nanoseconds. libpcap
 * reads pcapng (what trace_pcapng.c writes) and pcap alike, so a trace that
 * Wireshark or editcap saved again in either format reads the same.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define LOG_COMPONENT "trace"
#include "trace/trace.h"
#include "util/log.h"

struct trace_reader {
	pcap_t *pcap;
	uint64_t count;
};

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
