/* SPDX-License-Identifier: MIT */
/*
 * The data pointer walker: PRPs (NVMe Base 2.1 §4.3.1) and SGLs (§4.3.2)
 * to iovecs into guest memory. See nvmf_prp.h for the contract.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_prp.h"

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <inttypes.h>
#include <string.h>

#include "nvmf/nvmf_io_status.h"
#include "util/common.h"
#include "util/log.h"

/* Refuses the command: logs why (rate limited), sets *status to the
 * generic status sc (every status the walker gives is SCT 0h), returns err. */
static int __attribute__((format(printf, 5, 6)))
refuse(struct nvmf_dma *dma, uint16_t *status, int err, uint8_t sc, const char *fmt, ...)
{
	va_list ap;

	*status = NVME_SCT_SC(NVME_SCT_GENERIC, sc);
	if (log_ratelimit_allow(&dma->log_rl, LOG_COMPONENT, "nvmf data pointer")) {
		va_start(ap, fmt);
		log_vmsg(LOG_LEVEL_WARN, LOG_COMPONENT, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Appends len bytes at hva to out; a piece that continues the last iovec
 * in our address space extends it. */
static int iov_add(struct nvmf_dma *dma, uint8_t *hva, uint64_t len, struct nvmf_iov *out,
		   uint16_t *status)
{
	struct iovec *last = out->cnt ? &out->iov[out->cnt - 1] : NULL;

	if (last && (uint8_t *)last->iov_base + last->iov_len == hva) {
		last->iov_len += len;
		return 0;
	}
	if (out->cnt == out->max)
		return refuse(dma, status, -ENOBUFS, NVME_SC_INTERNAL,
			      "data pointer needs more than %u iovecs", out->max);
	out->iov[out->cnt++] = (struct iovec){.iov_base = hva, .iov_len = len};
	return 0;
}

/* Appends [gpa, gpa + len) to out, translated. */
static int dma_append(struct nvmf_dma *dma, uint64_t gpa, uint64_t len, struct nvmf_iov *out,
		      uint16_t *status)
{
	uint8_t *hva = dma->xlate(dma->arg, gpa, len);

	if (!hva)
		return refuse(dma, status, -EFAULT, NVME_SC_DATA_TRANSFER_ERROR,
			      "NVMe Base 2.1 §4.3: data at 0x%" PRIx64 "+%" PRIu64
			      " is outside the DMA mappings",
			      gpa, len);
	return iov_add(dma, hva, len, out, status);
}

/* Appends a block that may cross DMA mappings at page boundaries (an SGL
 * data block is contiguous in guest addresses only): whole if one mapping
 * holds it, else page by page. */
static int dma_append_block(struct nvmf_dma *dma, uint64_t gpa, uint64_t len, struct nvmf_iov *out,
			    uint16_t *status)
{
	uint8_t *hva = dma->xlate(dma->arg, gpa, len);

	if (hva)
		return iov_add(dma, hva, len, out, status);
	for (uint64_t done = 0; done < len;) {
		uint64_t at = gpa + done;
		uint64_t n = MIN(len - done, dma->page_size - (at & (dma->page_size - 1)));
		int rc = dma_append(dma, at, n, out, status);

		if (rc)
			return rc;
		done += n;
	}
	return 0;
}

/* Copies n little-endian qwords of guest memory at gpa, after the
 * translation said they are all inside one mapping. */
static int dma_read_qwords(struct nvmf_dma *dma, uint64_t gpa, uint64_t *dst, uint64_t n,
			   uint16_t *status)
{
	const uint8_t *src = dma->xlate(dma->arg, gpa, n * 8);

	if (!src)
		return refuse(dma, status, -EFAULT, NVME_SC_DATA_TRANSFER_ERROR,
			      "NVMe Base 2.1 §4.3: list at 0x%" PRIx64 "+%" PRIu64
			      " is outside the DMA mappings",
			      gpa, n * 8);
	memcpy(dst, src, n * 8);
	for (uint64_t i = 0; i < n; i++)
		dst[i] = le64toh(dst[i]);
	return 0;
}

/* ---- PRPs: Base §4.3.1 ---- */

/* A PRP entry after the first names a whole page: "PRP entries contained
 * within a PRP List shall have a memory page offset of 0h. If a second PRP
 * entry is present within a command, it shall have a memory page offset of
 * 0h" (Base §4.3.1). */
static int prp_page(struct nvmf_dma *dma, uint64_t entry, uint64_t *left, struct nvmf_iov *out,
		    uint16_t *status)
{
	uint64_t n = MIN(*left, dma->page_size);

	if (entry & (dma->page_size - 1))
		return refuse(dma, status, -EINVAL, NVME_SC_PRP_OFFSET_INVALID,
			      "NVMe Base 2.1 §4.3.1: PRP entry 0x%" PRIx64
			      " after the first has a non-zero page offset",
			      entry);
	*left -= n;
	return dma_append(dma, entry, n, out, status);
}

/* Appends the count data entries of a PRP list at list, each a page. */
static int prp_entries(struct nvmf_dma *dma, uint64_t list, uint64_t count, uint64_t *left,
		       struct nvmf_iov *out, uint16_t *status)
{
	uint64_t entries[64]; /* the list is read in chunks of these */

	for (uint64_t i = 0; i < count; i += ARRAY_SIZE(entries)) {
		uint64_t take = MIN(count - i, ARRAY_SIZE(entries));
		int rc = dma_read_qwords(dma, list + i * 8, entries, take, status);

		for (uint64_t j = 0; !rc && j < take; j++)
			rc = prp_page(dma, entries[j], left, out, status);
		if (rc)
			return rc;
	}
	return 0;
}

/* Follows the PRP list at list for left bytes of whole pages. "If more PRP
 * List pages are required, then the last entry of the PRP List contains
 * the Page Base Address of the next PRP List page. The next PRP List page
 * shall be memory page aligned." (Base §4.3.1) */
static int prp_list(struct nvmf_dma *dma, uint64_t list, uint64_t left, struct nvmf_iov *out,
		    uint16_t *status)
{
	/* Base §4.3.1: the PRP list pointer "shall be qword aligned". */
	if (list & 7)
		return refuse(dma, status, -EINVAL, NVME_SC_PRP_OFFSET_INVALID,
			      "NVMe Base 2.1 §4.3.1: PRP list pointer 0x%" PRIx64
			      " is not qword aligned",
			      list);
	for (;;) {
		uint64_t need = left / dma->page_size + (left % dma->page_size != 0);
		uint64_t room = (dma->page_size - (list & (dma->page_size - 1))) / 8;
		int rc;

		if (need <= room)
			return prp_entries(dma, list, need, &left, out, status);
		/* More pages than this list page holds: its last entry
		 * points to the next list page. */
		rc = prp_entries(dma, list, room - 1, &left, out, status);
		if (!rc)
			rc = dma_read_qwords(dma, list + (room - 1) * 8, &list, 1, status);
		if (rc)
			return rc;
		if (list & (dma->page_size - 1))
			return refuse(dma, status, -EINVAL, NVME_SC_PRP_OFFSET_INVALID,
				      "NVMe Base 2.1 §4.3.1: next PRP list page 0x%" PRIx64
				      " is not memory page aligned",
				      list);
	}
}

int nvmf_prp_map(struct nvmf_dma *dma, uint64_t prp1, uint64_t prp2, uint64_t len,
		 struct nvmf_iov *out, uint16_t *status)
{
	uint64_t first = MIN(len, dma->page_size - (prp1 & (dma->page_size - 1)));
	uint64_t left = len - first;
	int rc;

	out->cnt = 0;
	*status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
	if (!len)
		return 0;
	/* Base §4.3.1 Figure 110: "The Offset shall be dword aligned"; a
	 * controller may report PRP Offset Invalid otherwise. We do. */
	if (prp1 & (NVME_PRP_ALIGN - 1))
		return refuse(dma, status, -EINVAL, NVME_SC_PRP_OFFSET_INVALID,
			      "NVMe Base 2.1 §4.3.1: PRP1 0x%" PRIx64 " is not dword aligned",
			      prp1);
	rc = dma_append(dma, prp1, first, out, status);
	if (rc || !left)
		return rc;
	/* Base §4.1.1 Figure 92: PRP2 is the second page when the transfer
	 * crosses exactly one page boundary, else a PRP list pointer. */
	if (left <= dma->page_size)
		return prp_page(dma, prp2, &left, out, status);
	return prp_list(dma, prp2, left, out, status);
}

/* ---- SGLs: Base §4.3.2 ---- */

/* The state of one SGL walk. */
struct sgl_walk {
	struct nvmf_dma *dma;
	struct nvmf_iov *out;
	uint16_t *status;
	uint64_t left;	/* bytes of the transfer not yet described */
	unsigned descs; /* descriptors examined */
};

/* Checks a descriptor's type and sub type: over PCIe we take Data Block,
 * Segment and Last Segment with the Address sub type (Base §4.3.2 Figure
 * 117: the Offset sub type "is reserved" for NVMe over PCIe); bit buckets,
 * keyed and transport data blocks we do not advertise. "If the SGL
 * Descriptor Type field is set to a reserved value or an unsupported value,
 * then the SGL descriptor shall be processed as having an SGL Descriptor
 * Type error." */
static int sgl_check_type(struct sgl_walk *w, const struct nvme_sgl_desc *d)
{
	uint8_t type = NVME_SGL_TYPE(d->id);

	if ((type == NVME_SGL_TYPE_DATA_BLOCK || type == NVME_SGL_TYPE_SEGMENT ||
	     type == NVME_SGL_TYPE_LAST_SEGMENT) &&
	    NVME_SGL_SUBTYPE(d->id) == NVME_SGL_SUBTYPE_ADDRESS)
		return 0;
	return refuse(w->dma, w->status, -EINVAL, NVME_SC_SGL_DESC_TYPE_INVALID,
		      "NVMe Base 2.1 §4.3.2: SGL descriptor type %u sub type %u is not supported",
		      type, NVME_SGL_SUBTYPE(d->id));
}

/* "If the value in the Address field plus the value in this field is
 * greater than 1_00000000_00000000h, then the ... descriptor shall be
 * processed as having a Data SGL Length Invalid ... error" (Base §4.3.2,
 * Figures 118, 120, 121). */
static int sgl_check_wrap(struct sgl_walk *w, const struct nvme_sgl_desc *d)
{
	uint64_t len = le32toh(d->len);
	uint64_t addr = le64toh(d->addr);

	if (!len || addr + len - 1 >= addr)
		return 0;
	return refuse(w->dma, w->status, -EINVAL, NVME_SC_DATA_SGL_LENGTH_INVALID,
		      "NVMe Base 2.1 §4.3.2: SGL descriptor 0x%" PRIx64 "+%" PRIu64
		      " passes the end of the address space",
		      addr, len);
}

/* A Data Block descriptor: its bytes, up to what the transfer still needs. */
static int sgl_data_block(struct sgl_walk *w, const struct nvme_sgl_desc *d)
{
	uint64_t addr = le64toh(d->addr), len = le32toh(d->len);
	uint64_t n = MIN(len, w->left);

	/* Base §4.3.2: with dword alignment and granularity required, "the
	 * values in the Address and Length fields of all Data Block
	 * descriptors shall have their two least significant bits cleared";
	 * the controller "should abort the command with a status code of SGL
	 * Data Block Granularity Invalid". */
	if (w->dma->sgls == NVME_CTRL_SGLS_DWORD && ((addr | len) & 3))
		return refuse(w->dma, w->status, -EINVAL, NVME_SC_SGL_DATA_BLOCK_GRANULARITY,
			      "NVMe Base 2.1 §4.3.2: SGL data block 0x%" PRIx64 "+%" PRIu64
			      " is not dword aligned and sized",
			      addr, len);
	if (!n)
		return 0;
	w->left -= n;
	return dma_append_block(w->dma, addr, n, w->out, w->status);
}

/* A Segment or Last Segment descriptor's target: "This field shall be a
 * non-zero value and a multiple of 16" and "An SGL segment is a qword
 * aligned data structure" (Base §4.3.2, Figures 120 and 121). */
static int sgl_check_segment(struct sgl_walk *w, const struct nvme_sgl_desc *d)
{
	uint64_t addr = le64toh(d->addr);
	uint32_t len = le32toh(d->len);

	if (len && len % sizeof(*d) == 0 && addr % NVME_SGL_SEGMENT_ALIGN == 0)
		return 0;
	return refuse(w->dma, w->status, -EINVAL, NVME_SC_INVALID_SGL_SEG_DESC,
		      "NVMe Base 2.1 §4.3.2: SGL segment 0x%" PRIx64 "+%u is empty, not a multiple"
		      " of 16 bytes or not qword aligned",
		      addr, len);
}

/* Counts one examined descriptor against NVMF_SGL_MAX_DESCS. */
static int sgl_count(struct sgl_walk *w)
{
	if (++w->descs <= NVMF_SGL_MAX_DESCS)
		return 0;
	return refuse(w->dma, w->status, -ENOBUFS, NVME_SC_INTERNAL,
		      "SGL has more than %u descriptors", NVMF_SGL_MAX_DESCS);
}

/* Checks one descriptor: its count, type and address range. */
static int sgl_check(struct sgl_walk *w, const struct nvme_sgl_desc *d)
{
	int rc = sgl_count(w);

	if (!rc)
		rc = sgl_check_type(w, d);
	if (!rc)
		rc = sgl_check_wrap(w, d);
	if (!rc && NVME_SGL_TYPE(d->id) != NVME_SGL_TYPE_DATA_BLOCK)
		rc = sgl_check_segment(w, d);
	return rc;
}

/*
 * Walks the segment that *next describes, then the segments it chains to,
 * until the transfer is described. Base §4.3.2: "Only the last descriptor
 * in an SGL segment may be an SGL Segment descriptor or an SGL Last Segment
 * descriptor" (else Invalid Number of SGL Descriptors); "A last SGL segment
 * that contains an SGL Segment descriptor or an SGL Last Segment descriptor
 * is processed as an error" (Invalid SGL Segment Descriptor).
 */
static int sgl_segments(struct sgl_walk *w, struct nvme_sgl_desc next)
{
	struct nvme_sgl_desc seg[32]; /* one read: up to 512 bytes of segment */

	while (w->left) {
		bool last = NVME_SGL_TYPE(next.id) == NVME_SGL_TYPE_LAST_SEGMENT;
		uint64_t addr = le64toh(next.addr);
		uint64_t n = le32toh(next.len) / sizeof(next);
		bool chained = false;

		for (uint64_t i = 0; i < n && w->left && !chained; i += ARRAY_SIZE(seg)) {
			uint64_t take = MIN(n - i, ARRAY_SIZE(seg));
			const uint8_t *src = w->dma->xlate(w->dma->arg, addr + i * sizeof(next),
							   take * sizeof(next));

			if (!src)
				return refuse(w->dma, w->status, -EFAULT,
					      NVME_SC_DATA_TRANSFER_ERROR,
					      "NVMe Base 2.1 §4.3.2: SGL segment at 0x%" PRIx64
					      " is outside the DMA mappings",
					      addr);
			memcpy(seg, src, take * sizeof(next));
			for (uint64_t j = 0; j < take && w->left; j++) {
				const struct nvme_sgl_desc *d = &seg[j];
				int rc = sgl_check(w, d);

				if (rc)
					return rc;
				if (NVME_SGL_TYPE(d->id) == NVME_SGL_TYPE_DATA_BLOCK) {
					rc = sgl_data_block(w, d);
					if (rc)
						return rc;
					continue;
				}
				if (last)
					return refuse(w->dma, w->status, -EINVAL,
						      NVME_SC_INVALID_SGL_SEG_DESC,
						      "NVMe Base 2.1 §4.3.2: last SGL segment "
						      "at 0x%" PRIx64 " chains to another",
						      addr);
				if (i + j != n - 1)
					return refuse(w->dma, w->status, -EINVAL,
						      NVME_SC_INVALID_NUM_SGL_DESC,
						      "NVMe Base 2.1 §4.3.2: segment descriptor "
						      "%" PRIu64 " of %" PRIu64 " is not the last",
						      i + j, n);
				next = *d;
				chained = true;
			}
		}
		if (!chained)
			break;
	}
	return 0;
}

int nvmf_sgl_map(struct nvmf_dma *dma, const struct nvme_sgl_desc *sgl1, uint64_t len,
		 struct nvmf_iov *out, uint16_t *status)
{
	struct sgl_walk w = {.dma = dma, .out = out, .status = status, .left = len};
	int rc;

	out->cnt = 0;
	*status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
	if (!len)
		return 0;
	rc = sgl_check(&w, sgl1);
	if (rc)
		return rc;
	if (NVME_SGL_TYPE(sgl1->id) == NVME_SGL_TYPE_DATA_BLOCK)
		rc = sgl_data_block(&w, sgl1);
	else
		rc = sgl_segments(&w, *sgl1);
	if (rc)
		return rc;
	/* Base §4.3.2: "If the requested data transfer length exceeds the SGL
	 * length, then ... the controller shall abort the command with a
	 * status code of Data SGL Length Invalid". */
	if (w.left)
		return refuse(dma, status, -EINVAL, NVME_SC_DATA_SGL_LENGTH_INVALID,
			      "NVMe Base 2.1 §4.3.2: SGL describes %" PRIu64 " of %" PRIu64
			      " bytes",
			      len - w.left, len);
	return 0;
}

int nvmf_dptr_map(struct nvmf_dma *dma, const struct nvme_sqe *sqe, uint64_t len,
		  struct nvmf_iov *out, uint16_t *status)
{
	unsigned psdt = NVME_GET(sqe->flags, NVME_SQE_PSDT);

	if (psdt == NVME_PSDT_PRP)
		return nvmf_prp_map(dma, le64toh(sqe->dptr.prp.prp1), le64toh(sqe->dptr.prp.prp2),
				    len, out, status);
	/* Base §4.1.1 Figure 91: PSDT 11b is reserved; SGLs only where the
	 * controller says it supports them (Identify Controller SGLS). */
	if (psdt == NVME_PSDT_SGL_MPTR || psdt == NVME_PSDT_SGL_MSGL) {
		if (dma->sgls)
			return nvmf_sgl_map(dma, &sqe->dptr.sgl1, len, out, status);
		out->cnt = 0;
		return refuse(dma, status, -EINVAL, NVME_SC_INVALID_FIELD,
			      "NVMe Base 2.1 §4.1.1: PSDT %u selects SGLs, which this controller"
			      " does not support",
			      psdt);
	}
	out->cnt = 0;
	return refuse(dma, status, -EINVAL, NVME_SC_INVALID_FIELD,
		      "NVMe Base 2.1 §4.1.1: PSDT %u is reserved", psdt);
}

int nvmf_mdts_check(uint8_t mdts, uint64_t mpsmin_bytes, uint64_t len, uint16_t *status,
		    struct log_ratelimit *rl)
{
	/* a limit past 2 ^ 64 bytes is no limit */
	uint64_t max = mdts && mdts < 64 && mpsmin_bytes <= UINT64_MAX >> mdts
			   ? mpsmin_bytes << mdts
			   : UINT64_MAX;

	*status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
	if (len <= max)
		return 0;
	*status = nvmf_refuse(rl, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD),
			      "NVMe Base 2.1 §5.2.13.2.1 (MDTS): transfer of %" PRIu64
			      " bytes is over the limit of %" PRIu64,
			      len, max);
	return -EINVAL;
}
