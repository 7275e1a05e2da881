/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: I/O commands of the NVM Command Set (NVME-IO): data written
 * is read back, and every malformed command gets the status the spec names.
 */
#include <endian.h>
#include <string.h>

#include "conformance/suite_nvme.h"

/* Writes a pattern to 8 blocks at LBA 16 and reads it back. */
enum conform_verdict nvme_io_write_read(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint64_t wbus, rbus, len;
	uint8_t *w, *r;
	enum conform_verdict v;
	int ret = conform_nvme_setup(ctx, &(struct conform_nvme_opts){.stage = CONFORM_NVME_IO},
				     &dev);

	if (ret)
		return conform_error(ctx, "controller bring-up: %s", strerror(-ret));
	if (!dev->nsid || dev->num_blocks < 24) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "no active namespace of 24 blocks or more");
	}
	len = 8ull * dev->block_size;
	w = conform_nvme_buf(dev, len, 0, &wbus);
	r = conform_nvme_buf(dev, len, 0, &rbus);
	if (!w || !r || len > 2 * 4096) {
		conform_nvme_close(dev);
		return conform_error(ctx, "8 blocks of %u bytes do not fit two PRPs",
				     dev->block_size);
	}
	for (uint64_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 7 + 3);
	for (int pass = 0; pass < 2; pass++) {
		sqe = (struct nvme_sqe){
		    .opc = pass ? NVME_NVM_READ : NVME_NVM_WRITE,
		    .nsid = htole32(dev->nsid),
		    .dptr.prp.prp1 = htole64(pass ? rbus : wbus),
		    .dptr.prp.prp2 = htole64((pass ? rbus : wbus) + 4096),
		    .cdw10 = htole32(16),
		    .cdw12 = htole32(7),
		};
		if (len <= 4096)
			sqe.dptr.prp.prp2 = 0;
		ret = conform_nvme_cmd(dev, &dev->io[0], &sqe, &cqe);
		if (ret) {
			conform_nvme_close(dev);
			return conform_fail(ctx, "%s: %s", pass ? "Read" : "Write", strerror(-ret));
		}
		v = conform_nvme_expect(ctx, &cqe, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS),
					pass ? "Read of 8 blocks" : "Write of 8 blocks");
		if (v != CONFORM_PASS) {
			conform_nvme_close(dev);
			return v;
		}
	}
	ret = memcmp(w, r, len);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "the blocks read back differ from those written");
	return CONFORM_PASS;
}
