/* SPDX-License-Identifier: MIT */
/* The control plumbing of a vhost-user ring on the queue engine
 * (vhost_ring.h), shared by the vhost-user kinds. */
#define LOG_COMPONENT "vhost"
#include "target/frontend/vhost_ring.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spec/vhost_user.h"
#include "util/log.h"

static void ring_stopped(void *arg)
{
	struct vhost_ring_ctl *c = arg;

	c->stopped(c->vring);
}

void vhost_ring_stop(struct vhost_ring_ctl *c, struct qe_queue *qe, struct vhost_vring *vring,
		     vhost_ring_done_fn stopped)
{
	c->qe = qe;
	c->vring = vring;
	c->stopped = stopped;
	qe_queue_stop(qe, ring_stopped, c);
}

/* On the reactor, between two polls: the new fds take effect here. */
static void ring_swap_msg(struct qe_queue *qe, void *arg)
{
	struct vhost_ring_ctl *c = arg;

	c->vring->call_fd = c->swap_call_fd;
	c->vring->kick_fd = c->swap_kick_fd;
	qe_queue_set_wake_fd(qe, c->swap_kick_fd);
}

static void ring_swapped(void *arg)
{
	struct vhost_ring_ctl *c = arg;

	c->swapped(c->vring);
}

void vhost_ring_swap_fds(struct vhost_ring_ctl *c, struct qe_queue *qe, struct vhost_vring *vring,
			 int kick_fd, int call_fd, vhost_ring_done_fn swapped)
{
	c->qe = qe;
	c->vring = vring;
	c->swap_kick_fd = kick_fd;
	c->swap_call_fd = call_fd;
	c->swapped = swapped;
	c->swap = (struct qe_exec){.fn = ring_swap_msg, .done = ring_swapped, .arg = c};
	qe_queue_exec(qe, &c->swap);
}

int vhost_ring_config_read(const char *owner, const void *cfg, size_t size, uint8_t *buf,
			   uint32_t offset, uint32_t len)
{
	uint8_t space[VHOST_USER_MAX_CONFIG_SIZE] = {0};

	if (offset > sizeof(space) || len > sizeof(space) - offset) {
		log_warn("%s: vhost-user.rst \"VHOST_USER_GET_CONFIG\": offset %u size %u past "
			 "%zu bytes",
			 owner, offset, len, sizeof(space));
		return -EINVAL;
	}
	memcpy(space, cfg, size < sizeof(space) ? size : sizeof(space));
	memcpy(buf, space + offset, len);
	return 0;
}

void vhost_ring_warn(struct log_ratelimit *rl, const char *component, const struct qe_queue *qe,
		     const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!log_ratelimit_allow(rl, component, qe->owner))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(LOG_LEVEL_WARN, component, "%s queue %u: %s", qe->owner, qe->index, line);
}

int vhost_ring_pop_tracked(struct vhost_vring *v, struct virtq_chain *chain, bool *resubmitted)
{
	uint16_t head;
	int rc;

	*resubmitted = vhost_vring_inflight_resubmit(v, &head);
	if (*resubmitted)
		return virtq_dev_pop_head(&v->vq, head, chain);
	rc = virtq_dev_pop(&v->vq, chain);
	if (rc == 0 || rc == -EINVAL)
		vhost_vring_inflight_get(v, chain->head);
	return rc;
}

int vhost_ring_pop_counting(struct vhost_vring *v, struct virtq_chain *chain, uint64_t *resubmitted)
{
	bool again;
	int rc = vhost_ring_pop_tracked(v, chain, &again);

	if (again)
		vhost_ring_stat_add(resubmitted, 1);
	return rc;
}
