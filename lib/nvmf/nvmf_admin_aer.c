/* SPDX-License-Identifier: MIT */
/*
 * Asynchronous Event Requests and the events that complete them (NVMe
 * Base 2.1 §5.2.2). See nvmf_admin_aer.h.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_admin_aer.h"

#include <string.h>

#include "nvmf/nvmf_admin.h"
#include "nvmf/nvmf_ctrlr.h"
#include "util/common.h"
#include "util/log.h"

/* What each event says in Dword 0 of the AER completion (Base §5.2.2
 * Figure 150: type 2:0, information 15:8, log page 23:16), and the AEC
 * bit that masks it (0: an error, which nothing masks). */
struct aen_def {
	enum nvmf_aen ev;
	uint8_t type;
	uint8_t info;
	uint8_t lid;
	uint32_t aec;
};

static const struct aen_def g_aen[] = {
    {NVMF_AEN_INVALID_DB_REG, NVMF_AEN_TYPE_ERROR, 0x00, NVME_LOG_ERROR, 0},
    {NVMF_AEN_INVALID_DB_VALUE, NVMF_AEN_TYPE_ERROR, 0x01, NVME_LOG_ERROR, 0},
    {NVMF_AEN_NS_ATTR_CHANGED, NVMF_AEN_TYPE_NOTICE, 0x00, NVME_LOG_CHANGED_NS, NVMF_AEC_NS_ATTR},
};

void nvmf_aen_raise(struct nvmf_ctrlr *c, enum nvmf_aen ev)
{
	__atomic_fetch_or(&c->aer.pending, (uint32_t)ev, __ATOMIC_RELEASE);
}

/* The oldest held AER answers. */
static uint16_t aer_take(struct nvmf_aer *a)
{
	uint16_t cid = a->held[0];

	a->nheld--;
	memmove(a->held, a->held + 1, a->nheld * sizeof(a->held[0]));
	return cid;
}

bool nvmf_aen_poll(struct nvmf_ctrlr *c, struct nvmf_cpl *cpl)
{
	uint32_t pending = __atomic_load_n(&c->aer.pending, __ATOMIC_ACQUIRE);

	for (size_t i = 0; i < ARRAY_SIZE(g_aen); i++) {
		const struct aen_def *d = &g_aen[i];

		if (!(pending & d->ev))
			continue;
		/* Base §5.2.26.1.5: a notice the host did not enable is not
		 * reported. */
		if (d->aec && !(__atomic_load_n(&c->feat.aec, __ATOMIC_RELAXED) & d->aec)) {
			__atomic_fetch_and(&c->aer.pending, ~(uint32_t)d->ev, __ATOMIC_RELAXED);
			continue;
		}
		/* Base §5.2.2: once an event of a type is reported, that type
		 * is masked until the host reads its log page. */
		if (c->aer.blocked & (1u << d->type) || !c->aer.nheld)
			continue;
		__atomic_fetch_and(&c->aer.pending, ~(uint32_t)d->ev, __ATOMIC_RELAXED);
		c->aer.blocked |= (uint8_t)(1u << d->type);
		*cpl = (struct nvmf_cpl){
		    .cid = aer_take(&c->aer),
		    .status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS),
		    .cdw0 = d->type | (uint32_t)d->info << 8 | (uint32_t)d->lid << 16,
		};
		return true;
	}
	return false;
}

void nvmf_aen_log_read(struct nvmf_ctrlr *c, uint8_t lid)
{
	for (size_t i = 0; i < ARRAY_SIZE(g_aen); i++)
		if (g_aen[i].lid == lid)
			c->aer.blocked &= (uint8_t) ~(1u << g_aen[i].type);
}

bool nvmf_aer_hold(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, struct nvmf_cpl *cpl)
{
	/* Base §5.2.2: more than AERL + 1 outstanding is refused. */
	if (c->aer.nheld > c->props->aerl) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_AER_LIMIT_EXCEEDED,
				  "NVMe Base 2.1 §5.2.2: more than AERL + 1 (%u) Asynchronous Event"
				  " Requests outstanding",
				  c->props->aerl + 1u);
		return false;
	}
	c->aer.held[c->aer.nheld++] = le16toh(sqe->cid);
	return true;
}

void nvmf_aer_reset(struct nvmf_aer *a)
{
	__atomic_store_n(&a->pending, 0, __ATOMIC_RELAXED);
	a->blocked = 0;
	a->nheld = 0;
}
