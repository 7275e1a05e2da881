/* SPDX-License-Identifier: MIT */
/*
 * SGLs of the host driver (NVMe Base 2.1 §4.3.2): one Data Block
 * descriptor in the SQE for one buffer, else a Last Segment descriptor
 * naming a list of Data Block descriptors. The controller's side is
 * lib/nvmf/nvmf_prp.c's walker.
 */
#define LOG_COMPONENT "nvme"

#include <endian.h>
#include <errno.h>

#include "nvme/nvme_host.h"
#include "util/log.h"

static struct nvme_sgl_desc sgl_desc(uint8_t type, uint64_t addr, uint32_t len)
{
	return (struct nvme_sgl_desc){
	    .addr = htole64(addr),
	    .len = htole32(len),
	    .id = NVME_SGL_ID(type, NVME_SGL_SUBTYPE_ADDRESS),
	};
}

/* Base §4.3.2: a Data Block is 1 .. 2^32 - 1 bytes; with SGLS 10b its
 * address and length are dword multiples. */
static int sgl_check_piece(unsigned i, uint64_t bus, size_t len, uint32_t sgls)
{
	if (len == 0 || len > UINT32_MAX) {
		log_err("SGL: iovec %u of %zu bytes does not fit a Data Block (Base §4.3.2)", i,
			len);
		return -EINVAL;
	}
	if (sgls == NVME_CTRL_SGLS_DWORD && ((bus | len) & 3)) {
		log_err("SGL: iovec %u at %#llx+%zu is not dword granular, as SGLS 10b asks "
			"(Base §4.3.2)",
			i, (unsigned long long)bus, len);
		return -EINVAL;
	}
	return 0;
}

int nvme_sgl_build(const struct iovec *iov, const uint64_t *bus, unsigned iovcnt, uint32_t sgls,
		   struct nvme_sgl_desc *sgl1, struct nvme_sgl_desc *list, uint64_t list_bus,
		   unsigned list_max)
{
	if (iovcnt == 0)
		return -EINVAL;
	if (iovcnt > 1 && iovcnt > list_max) {
		log_err("SGL: %u iovecs, more than the %u descriptors of a segment", iovcnt,
			list_max);
		return -E2BIG;
	}
	for (unsigned i = 0; i < iovcnt; i++) {
		int rc = sgl_check_piece(i, bus[i], iov[i].iov_len, sgls);

		if (rc)
			return rc;
	}
	if (iovcnt == 1) {
		*sgl1 = sgl_desc(NVME_SGL_TYPE_DATA_BLOCK, bus[0], (uint32_t)iov[0].iov_len);
		return 0;
	}
	for (unsigned i = 0; i < iovcnt; i++)
		list[i] = sgl_desc(NVME_SGL_TYPE_DATA_BLOCK, bus[i], (uint32_t)iov[i].iov_len);
	*sgl1 = sgl_desc(NVME_SGL_TYPE_LAST_SEGMENT, list_bus,
			 (uint32_t)(iovcnt * sizeof(struct nvme_sgl_desc)));
	return 0;
}
