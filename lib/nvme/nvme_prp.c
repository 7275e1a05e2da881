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

/* Appends the entry for page a at *pos of list (list_max entries, whole
 * pages at list_bus). Base §4.3.1: when a list page is full and more
 * entries follow, its last entry points to the next list page, so the
 * entry that was there moves to the start of that page. */
static int prp_list_add(uint64_t *list, uint64_t list_bus, unsigned list_max, unsigned *pos,
			uint64_t a)
{
	unsigned p = *pos;

	if (p > 0 && p % NVME_HOST_PRP_ENTS == 0 && p < list_max) {
		list[p] = list[p - 1];
		list[p - 1] = htole64(list_bus + (uint64_t)p * sizeof(*list));
		p++;
	}
	if (p >= list_max) {
		log_err("PRP: more than %u list entries", list_max);
		return -E2BIG;
	}
	list[p++] = htole64(a);
	*pos = p;
	return 0;
}

int nvme_prp_build(const struct iovec *iov, const uint64_t *bus, unsigned iovcnt, uint64_t *prp1,
		   uint64_t *prp2, uint64_t *list, uint64_t list_bus, unsigned list_max)
{
	unsigned entries = 0, pos = 0;
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
		for (; a < end; a += NVME_HOST_PAGE, entries++) {
			if (entries == 0)
				second = a;
			rc = prp_list_add(list, list_bus, list_max, &pos, a);
			if (rc)
				return rc;
		}
	}
	/* Base §4.3.1: PRP2 is the second page, or a list when there are more */
	*prp2 = entries == 0 ? 0 : entries == 1 ? second : list_bus;
	return 0;
}

unsigned nvme_prp_list_pages(uint64_t max_xfer)
{
	/* an entry per page after PRP1's; a full page but the last gives one
	 * entry to the chain pointer */
	uint64_t entries = (max_xfer + NVME_HOST_PAGE - 1) / NVME_HOST_PAGE;

	if (entries <= NVME_HOST_PRP_ENTS)
		return 1;
	return (unsigned)((entries - 1 + NVME_HOST_PRP_ENTS - 2) / (NVME_HOST_PRP_ENTS - 1));
}
