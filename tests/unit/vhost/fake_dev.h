/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_VHOST_FAKE_DEV_H
#define STORLAB_TESTS_UNIT_VHOST_FAKE_DEV_H

/*
 * A fake device behind struct vhost_dev_ops for the vhost unit tests. It
 * records what the back-end asked of it as a string of events ("start:0
 * stop:0 disconnected") and what each started ring looked like. It answers
 * ring_stop and ring_swap_fds at once, or, with `defer` set, when the test
 * calls fake_answer() (a ring draining slowly). The ops run on the
 * back-end's thread, hence the lock. Include after <cmocka.h>.
 */

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "spec/virtio.h"
#include "vhost/vhost.h"

#define FAKE_CONFIG_LEN 60 /* like struct virtio_blk_config */

struct fake_ring {
	struct vhost_vring *vring;
	struct virtq_desc desc0; /* desc[0] read through the translated address */
	uint16_t last_avail_idx; /* where the ring started */
	uint16_t num;
	int kick_fd, call_fd;
};

struct fake_dev {
	pthread_mutex_t lock;
	char events[4096];
	uint64_t offered; /* get_features */
	uint64_t acked;	  /* the last set_features */
	int ring_start_ret;
	/* ring_stop moves last_avail_idx on by this much, as if the device
	 * had processed that many requests. */
	uint16_t consume_on_stop;
	uint8_t config[FAKE_CONFIG_LEN];
	uint8_t written[VHOST_USER_MAX_CONFIG_SIZE];
	uint32_t written_offset, written_len, written_flags;
	struct fake_ring rings[VHOST_MAX_QUEUES];
	/* Answers held back while `defer` is set, oldest first. */
	bool defer;
	unsigned nheld;
	struct {
		struct vhost_vring *vring;
		vhost_ring_done_fn done;
	} held[VHOST_MAX_QUEUES * 2];
};

static inline void fake_event(struct fake_dev *f, const char *fmt, unsigned arg)
{
	size_t len;

	pthread_mutex_lock(&f->lock);
	len = strlen(f->events);
	snprintf(f->events + len, sizeof(f->events) - len, fmt, arg);
	pthread_mutex_unlock(&f->lock);
}

/* Returns the events so far and forgets them. */
static inline const char *fake_take_events(struct fake_dev *f)
{
	static char copy[4096];

	pthread_mutex_lock(&f->lock);
	snprintf(copy, sizeof(copy), "%s", f->events);
	f->events[0] = 0;
	pthread_mutex_unlock(&f->lock);
	return copy;
}

static inline uint64_t fake_get_features(void *ctx)
{
	return ((struct fake_dev *)ctx)->offered;
}

static inline int fake_set_features(void *ctx, uint64_t features)
{
	struct fake_dev *f = ctx;

	f->acked = features;
	fake_event(f, "features ", 0);
	return 0;
}

static inline int fake_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct fake_dev *f = ctx;

	for (uint32_t i = 0; i < len; i++)
		buf[i] = offset + i < FAKE_CONFIG_LEN ? f->config[offset + i] : 0;
	return 0;
}

static inline int fake_set_config(void *ctx, const uint8_t *buf, uint32_t offset, uint32_t len,
				  uint32_t flags)
{
	struct fake_dev *f = ctx;

	memcpy(f->written, buf, len);
	f->written_offset = offset;
	f->written_len = len;
	f->written_flags = flags;
	return 0;
}

static inline int fake_ring_start(void *ctx, struct vhost_vring *vring)
{
	struct fake_dev *f = ctx;
	struct fake_ring *r = &f->rings[vring->index];

	if (f->ring_start_ret)
		return f->ring_start_ret;
	pthread_mutex_lock(&f->lock);
	r->vring = vring;
	r->desc0 = vring->vq.desc[0];
	r->last_avail_idx = virtq_dev_last_avail_idx(&vring->vq);
	r->num = vring->vq.num;
	r->kick_fd = vring->kick_fd;
	r->call_fd = vring->call_fd;
	pthread_mutex_unlock(&f->lock);
	fake_event(f, "start:%u ", vring->index);
	return 0;
}

/* Answers now, or holds the answer back for fake_answer(). */
static inline void fake_done(struct fake_dev *f, struct vhost_vring *vring,
			     vhost_ring_done_fn done)
{
	if (!f->defer) {
		done(vring);
		return;
	}
	assert_true(f->nheld < sizeof(f->held) / sizeof(f->held[0]));
	f->held[f->nheld].vring = vring;
	f->held[f->nheld].done = done;
	f->nheld++;
}

/* Gives every held answer, oldest first; returns how many. */
static inline unsigned fake_answer(struct fake_dev *f)
{
	unsigned n = f->nheld;

	f->defer = false;
	f->nheld = 0;
	for (unsigned i = 0; i < n; i++)
		f->held[i].done(f->held[i].vring);
	return n;
}

static inline void fake_ring_stop(void *ctx, struct vhost_vring *vring,
				  vhost_ring_done_fn stopped)
{
	struct fake_dev *f = ctx;

	vring->vq.last_avail_idx = (uint16_t)(vring->vq.last_avail_idx + f->consume_on_stop);
	pthread_mutex_lock(&f->lock);
	f->rings[vring->index].vring = NULL;
	pthread_mutex_unlock(&f->lock);
	fake_event(f, "stop:%u ", vring->index);
	fake_done(f, vring, stopped);
}

/* As a reactor would: the running ring takes the new fds. */
static inline void fake_ring_swap_fds(void *ctx, struct vhost_vring *vring, int kick_fd,
				      int call_fd, vhost_ring_done_fn swapped)
{
	struct fake_dev *f = ctx;
	struct fake_ring *r = &f->rings[vring->index];

	vring->kick_fd = kick_fd;
	vring->call_fd = call_fd;
	pthread_mutex_lock(&f->lock);
	r->kick_fd = kick_fd;
	r->call_fd = call_fd;
	pthread_mutex_unlock(&f->lock);
	fake_event(f, "swap:%u ", vring->index);
	fake_done(f, vring, swapped);
}

static inline void fake_connected(void *ctx)
{
	fake_event(ctx, "connected ", 0);
}

static inline void fake_disconnected(void *ctx)
{
	fake_event(ctx, "disconnected ", 0);
}

static const struct vhost_dev_ops g_fake_ops = {
    .get_features = fake_get_features,
    .set_features = fake_set_features,
    .get_config = fake_get_config,
    .set_config = fake_set_config,
    .ring_start = fake_ring_start,
    .ring_stop = fake_ring_stop,
    .ring_swap_fds = fake_ring_swap_fds,
    .connected = fake_connected,
    .disconnected = fake_disconnected,
};

/* Offered like a vhost-user-blk device: VERSION_1, EVENT_IDX, INDIRECT_DESC. */
#define FAKE_FEATURES                                                                              \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) |                    \
	 VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC))

static inline void fake_init(struct fake_dev *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->offered = FAKE_FEATURES;
	for (unsigned i = 0; i < FAKE_CONFIG_LEN; i++)
		f->config[i] = (uint8_t)(0xa0 + i);
}

/* A guest memory region: a memfd the test also maps, to plant ring
 * contents and check what the back-end reads. */
struct guest_region {
	int fd;
	uint8_t *map;
	struct vhost_fe_region r;
};

static inline void guest_region_init(struct guest_region *g, uint64_t gpa, uint64_t size,
				     uint64_t uva)
{
	g->fd = memfd_create("guest", MFD_CLOEXEC);
	assert_true(g->fd >= 0);
	assert_int_equal(ftruncate(g->fd, (off_t)size), 0);
	g->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	assert_true(g->map != MAP_FAILED);
	g->r = (struct vhost_fe_region){.gpa = gpa, .size = size, .uva = uva, .fd = g->fd};
}

static inline void guest_region_fini(struct guest_region *g)
{
	munmap(g->map, g->r.size);
	close(g->fd);
}

/* Ring layout used by the tests, inside a region: desc at +0x1000, avail at
 * +0x3000, used at +0x4000 (room for 256 entries). */
#define RING_DESC_OFF  0x1000
#define RING_AVAIL_OFF 0x3000
#define RING_USED_OFF  0x4000
#define RING_NUM       256
#define RING_STRIDE    0x10000 /* ring i lives at i * RING_STRIDE */

static inline struct vhost_user_vring_addr ring_addr(uint32_t index, uint64_t uva)
{
	uint64_t base = uva + index * RING_STRIDE;

	return (struct vhost_user_vring_addr){
	    .index = index,
	    .desc_user_addr = base + RING_DESC_OFF,
	    .avail_user_addr = base + RING_AVAIL_OFF,
	    .used_user_addr = base + RING_USED_OFF,
	};
}

/* Plants a recognisable descriptor 0 for ring index in a region's map. */
static inline void plant_desc0(struct guest_region *g, uint32_t index, uint64_t marker)
{
	struct virtq_desc d = {.addr = marker, .len = 512, .flags = 0, .next = 0};

	memcpy(g->map + index * RING_STRIDE + RING_DESC_OFF, &d, sizeof(d));
}

#endif
