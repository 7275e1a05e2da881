/* SPDX-License-Identifier: MIT */
/*
 * PRP lists of the host driver (NVMe Base 2.1 §4.3.1): the driver's side of
 * what lib/nvmf/nvmf_prp.c checks on the controller's side.
 */
#define LOG_COMPONENT "nvme"

#include <endian.h>
#include <errno.h>

#include "nvme/nvme_host.h"
#include "util/log.h"

#define PAGE_MASK ((uint64_t)NVME_HOST_PAGE - 1)

/* Base §4.3.1: each entry but the first names a page start; the buffer is
 * contiguous in that view only where a piece ends at a page end and the
 * next starts at a page start. */
static int prp_check_piece(unsigned i, unsigned n, uint64_t bus, size_t len)
{
	if (len == 0) {
		log_err("PRP: iovec %u is empty", i);
		return -EINVAL;
	}
	if (i == 0 && (bus & (NVME_PRP_ALIGN - 1))) {
		log_err("PRP: buffer at %#llx is not dword aligned (Base §4.3.1)",
			(unsigned long long)bus);
		return -EINVAL;
	}
	if (i > 0 && (bus & PAGE_MASK)) {
		log_err("PRP: iovec %u at %#llx does not start a page (Base §4.3.1)", i,
			(unsigned long long)bus);
		return -EINVAL;
	}
	if (i + 1 < n && ((bus + len) & PAGE_MASK)) {
		log_err("PRP: iovec %u ends inside a page (Base §4.3.1)", i);
		return -EINVAL;
	}
	return 0;
}

int nvme_prp_build(const struct iovec *iov, const uint64_t *bus, unsigned iovcnt, uint64_t *prp1,
		   uint64_t *prp2, uint64_t *list, uint64_t list_bus, unsigned list_max)
{
	unsigned entries = 0;
	uint64_t second = 0;

	if (iovcnt == 0)
		return -EINVAL;
	for (unsigned i = 0; i < iovcnt; i++) {
		uint64_t a = bus[i], end = bus[i] + iov[i].iov_len;
		int rc = prp_check_piece(i, iovcnt, a, iov[i].iov_len);

		if (rc)
			return rc;
		/* the first entry is PRP1 itself; every further page one more */
		if (i == 0) {
			*prp1 = a;
			a = (a & ~PAGE_MASK) + NVME_HOST_PAGE;
		}
		for (; a < end; a += NVME_HOST_PAGE) {
			if (entries == list_max) {
				log_err("PRP: more than %u list entries", list_max);
				return -E2BIG;
			}
			if (entries == 0)
				second = a;
			list[entries++] = htole64(a);
		}
	}
	/* Base §4.3.1: PRP2 is the second page, or a list when there are more */
	*prp2 = entries == 0 ? 0 : entries == 1 ? second : list_bus;
	return 0;
}
