/* SPDX-License-Identifier: MIT */
/*
 * The public device and queue calls: options, the shared memory, and the
 * dispatch to the transport the URI's scheme picked (internal.h).
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "initiator/internal.h"
#include "util/common.h"
#include "util/log.h"

/* Most queues a device may be opened with, whatever the transport. */
#define DEV_MAX_QUEUES 64

/* The memory table asked for: regions in order, apart, on pages, within
 * the memory. */
static int ranges_check(const struct storlab_dev_opts *o)
{
	uint64_t end = 0;

	if (o->nranges > STORLAB_MAX_MEM_RANGES) {
		log_err("%u memory ranges: at most %u", o->nranges, STORLAB_MAX_MEM_RANGES);
		return -EINVAL;
	}
	for (unsigned i = 0; i < o->nranges; i++) {
		const struct storlab_mem_range *r = &o->ranges[i];

		if (r->size == 0 || r->gpa % GUESTMEM_PAGE || r->size % GUESTMEM_PAGE ||
		    r->gpa < end || r->gpa + r->size > o->mem_size || r->gpa + r->size < r->gpa) {
			log_err("memory range %u [0x%llx, +0x%llx): not page-aligned, out of order "
				"or past the %llu bytes of memory",
				i, (unsigned long long)r->gpa, (unsigned long long)r->size,
				(unsigned long long)o->mem_size);
			return -EINVAL;
		}
		end = r->gpa + r->size;
	}
	return 0;
}

static int opts_fill(struct storlab_dev_opts *o, const struct storlab_dev_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (o->num_queues == 0)
		o->num_queues = 1;
	if (o->queue_size == 0)
		o->queue_size = STORLAB_DEFAULT_QUEUE_SIZE;
	if (o->mem_size == 0)
		o->mem_size = STORLAB_DEFAULT_MEM_SIZE;
	if (o->timeout_ms == 0)
		o->timeout_ms = STORLAB_DEFAULT_TIMEOUT_MS;
	o->mem_size = ALIGN_UP(o->mem_size, (uint64_t)GUESTMEM_PAGE);
	if (ranges_check(o))
		return -EINVAL;
	if (o->nranges == 0) {
		o->ranges[0] = (struct storlab_mem_range){.gpa = 0, .size = o->mem_size};
		o->nranges = 1;
	}
	/* The queue size's rules are the transport's (a virtqueue's is not an
	 * NVMe queue's); the number of queues is bounded here for all. */
	if (o->num_queues > DEV_MAX_QUEUES) {
		log_err("%u queues: at most %u", o->num_queues, DEV_MAX_QUEUES);
		return -EINVAL;
	}
	return 0;
}

int storlab_dev_open(const char *uri, const struct storlab_dev_opts *opts,
		     struct storlab_dev **devp)
{
	return initiator_dev_open(uri, opts, false, NULL, devp);
}

int initiator_dev_open(const char *uri, const struct storlab_dev_opts *opts, bool migratable,
		       const struct vhost_tap *tap, struct storlab_dev **devp)
{
	const struct initiator_transport *tp;
	const char *address;
	struct storlab_dev *dev;
	int ret;

	ret = initiator_uri_parse(uri, &tp, &address);
	if (ret)
		return ret;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->tp = tp;
	dev->migratable = migratable;
	if (tap)
		dev->tap = *tap;
	ret = opts_fill(&dev->opts, opts);
	if (ret)
		goto err_free;
	dev->address = strdup(address);
	dev->queues = calloc(dev->opts.num_queues, sizeof(*dev->queues));
	if (!dev->address || !dev->queues) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = guestmem_init(&dev->mem, dev->opts.mem_size);
	if (ret)
		goto err_free;
	guestmem_reserve_holes(&dev->mem, dev->opts.ranges, dev->opts.nranges);
	ret = tp->open(dev, &dev->ctx);
	if (ret)
		goto err_mem;
	*devp = dev;
	return 0;

err_mem:
	guestmem_fini(&dev->mem);
err_free:
	free(dev->queues);
	free(dev->address);
	free(dev);
	return ret;
}

void storlab_dev_close(struct storlab_dev *dev)
{
	if (!dev)
		return;
	dev->tp->close(dev->ctx);
	guestmem_fini(&dev->mem);
	free(dev->queues);
	free(dev->address);
	free(dev);
}

int storlab_dev_reconnect(struct storlab_dev *dev)
{
	for (uint16_t i = 0; !atomic_load(&dev->keeps_inflight) && i < dev->opts.num_queues; i++) {
		if (storlab_queue_inflight(dev->queues[i])) {
			log_err("%s: reconnect with requests in flight on queue %u", dev->address,
				i);
			return -EBUSY;
		}
	}
	atomic_store(&dev->dead, true);
	return dev->tp->reconnect(dev->ctx);
}

bool storlab_dev_connected(const struct storlab_dev *dev)
{
	return !atomic_load(&dev->dead);
}

bool storlab_dev_keeps_inflight(const struct storlab_dev *dev)
{
	return atomic_load(&dev->keeps_inflight);
}

void storlab_dev_get_info(const struct storlab_dev *dev, struct storlab_dev_info *info)
{
	*info = dev->info;
}

struct storlab_queue *storlab_dev_queue(struct storlab_dev *dev, unsigned index)
{
	return index < dev->opts.num_queues ? dev->queues[index] : NULL;
}

/* ---- the queue calls: one indirect call each ---- */

int storlab_queue_add(struct storlab_queue *q, const struct storlab_req *req)
{
	return q->add(q, req);
}

int storlab_queue_submit(struct storlab_queue *q)
{
	return q->tp->queue_submit(q);
}

int storlab_queue_reap(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
		       unsigned max, int timeout_ms)
{
	return q->tp->queue_reap(q, c, min, max, timeout_ms);
}

unsigned storlab_queue_inflight(const struct storlab_queue *q)
{
	return q->tp->queue_inflight(q);
}

const char *storlab_queue_status_name(const struct storlab_queue *q,
				      const struct storlab_completion *c)
{
	return q->tp->status_name(c->transport_status);
}

int storlab_queue_fd(const struct storlab_queue *q)
{
	return q->tp->queue_fd(q);
}

void storlab_queue_set_fd_enabled(struct storlab_queue *q, bool enabled)
{
	q->tp->queue_set_fd_enabled(q, enabled);
}
