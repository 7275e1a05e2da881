/* SPDX-License-Identifier: MIT */
/*
 * The counters of a vfio-user NVMe controller's queues, as nvmf_get_stats
 * gathers them (nvme_vfio_user.h).
 */
#include "target/frontend/nvme_vfio_user_internal.h"

static void counters_load(struct nvme_vfu_counters *out, const struct nvme_vfu_counters *c)
{
	out->commands = __atomic_load_n(&c->commands, __ATOMIC_RELAXED);
	out->completions = __atomic_load_n(&c->completions, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&c->errors, __ATOMIC_RELAXED);
	out->interrupts = __atomic_load_n(&c->interrupts, __ATOMIC_RELAXED);
}

void nvme_vfu_get_qstats(const struct nvme_vfu *v,
			 void (*fn)(const struct nvme_vfu_qstats *st, void *arg), void *arg)
{
	struct nvme_vfu_qstats st = {.current = nvmf_ctrlr_ready(&v->ctrlr), .starts = v->enables};

	counters_load(&st.c, &v->admin_cnt);
	fn(&st, arg);
	for (uint32_t i = 1; i <= v->props.max_io_queues; i++) {
		const struct nvu_ioq *q = &v->ioq[i];
		struct qe_stats qs;

		qe_queue_get_stats(&q->qe, &qs);
		if (!qs.starts)
			continue;
		st = (struct nvme_vfu_qstats){.qid = (uint16_t)i,
					      .current = qs.started,
					      .core = qs.core,
					      .starts = qs.starts,
					      .inflight = qs.inflight};
		counters_load(&st.c, &q->cnt);
		fn(&st, arg);
	}
}
