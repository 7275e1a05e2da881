/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: controller properties (NVME-REG), Base §3.1.4 and NVMe over
 * PCIe Transport §3.1: what the controller reports and how its registers
 * answer the host's writes.
 */
#include <string.h>

#include "conformance/suite_nvme.h"

/* CAP's fields and VS, as a vendor wants them in the report. */
enum conform_verdict nvme_reg_cap_vs(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint64_t vs;
	uint64_t cap;
	int ret = conform_nvme_setup(ctx, &(struct conform_nvme_opts){0}, &dev);

	if (ret)
		return conform_error(ctx, "connect and map memory: %s", strerror(-ret));
	cap = dev->cap;
	ret = conform_nvme_reg_read(dev, NVME_REG_VS, 4, &vs);
	conform_nvme_close(dev);
	if (ret)
		return conform_error(ctx, "read of VS: %s", strerror(-ret));
	conform_info(ctx,
		     "VS %u.%u.%u; CAP: MQES %llu entries, CQR %llu, TO %llu ms, DSTRD %llu, "
		     "CSS %#llx, MPSMIN %llu, MPSMAX %llu",
		     (unsigned)(vs >> 16), (unsigned)(vs >> 8 & 0xff), (unsigned)(vs & 0xff),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_MQES) + 1,
		     (unsigned long long)NVME_GET(cap, NVME_CAP_CQR),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_TO) * 500,
		     (unsigned long long)NVME_GET(cap, NVME_CAP_DSTRD),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_CSS),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_MPSMIN),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_MPSMAX));
	return CONFORM_PASS;
}
