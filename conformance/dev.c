/* SPDX-License-Identifier: MIT */
/*
 * A device brought up for data-path cases (conform.h, "A device brought up
 * for data-path cases"): lib/vhost's front-end set-up (vhost_fe_setup.h),
 * as the initiator runs it, but on a traced connection, with the features a
 * case asks for, and with every chain left to the case.
 *
 * The rings are driven by lib/virtio's driver side without indirect tables
 * (indirect_max 0): virtq_drv_add() always writes direct chains, so a case
 * sees exactly the descriptors it asked for and may patch their flags. A
 * case that wants an indirect table builds it in conform_dev_buf() memory.
 *
 * Guest memory is one memfd mapped shared; gpa 0 is its first byte. Rings
 * come first (4 KiB aligned), buffers after them from a bump allocator. A
 * case about address translation lays the memfd out as several regions at
 * guest addresses of its choice; rings and buffers then come from the
 * region at its start.
 */
#define LOG_COMPONENT "conform"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conformance/conform.h"
#include "conformance/memfd.h"
#include "mem/mem.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"
#include "vhost/vhost_fe_setup.h"

#define DEV_DEFAULT_QUEUES     1
#define DEV_DEFAULT_QUEUE_SIZE 256
#define DEV_DEFAULT_MEM	       (16ULL << 20)
#define DEV_PAGE	       4096ULL
#define DEV_BUF_ALIGN	       64ULL

struct dev_priv {
	struct conform_dev pub;
	struct conform_ctx *ctx;
	uint64_t bump;	   /* next free byte of guest memory (memfd offset) */
	uint64_t bump_end; /* end of the region the bump allocator takes from */
	uint64_t bump_gpa; /* guest address of memfd offset 0 */
	/* The regions sent, as lib/mem translates them (not owning the map). */
	struct mem_table *gmem;
	int timeout_ms;
	uint16_t queue_size;
	struct vhost_fe_setup_ring *rings; /* [nqueues] */
	uint16_t (*max_queues)(uint64_t features, uint64_t queue_num, const void *config,
			       uint32_t config_len);
};

static struct dev_priv *priv_of(struct conform_dev *dev)
{
	return container_of(dev, struct dev_priv, pub);
}

/* Bump allocation of guest memory; NULL when exhausted. */
static void *mem_take(struct dev_priv *p, uint64_t len, uint64_t align, uint64_t *gpa)
{
	uint64_t off = ALIGN_UP(p->bump, align);

	if (off > p->bump_end || len > p->bump_end - off)
		return NULL;
	p->bump = off + len;
	memset((uint8_t *)p->pub.mem + off, 0, len);
	if (gpa)
		*gpa = p->bump_gpa + off;
	return (uint8_t *)p->pub.mem + off;
}

void *conform_dev_at(struct conform_dev *dev, uint64_t gpa, uint64_t len)
{
	return mem_gpa_to_hva(priv_of(dev)->gmem, gpa, len);
}

/* The table to send, of o's regions (checked to be inside the memfd, one
 * at offset 0) or of the whole memfd, also kept in p->gmem for
 * conform_dev_at(). */
static int dev_regions(struct dev_priv *p, const struct conform_dev_opts *o,
		       struct vhost_fe_region *out)
{
	static const struct conform_dev_region whole = {.gpa = 0, .off = 0};
	const struct conform_dev_region *rs = o->regions ? o->regions : &whole;
	unsigned n = o->regions ? o->nregions : 1;
	struct conform_dev *d = &p->pub;

	if (n == 0 || n > VHOST_USER_MEM_BASELINE_NREGIONS)
		return -EINVAL;
	p->gmem = malloc(sizeof(*p->gmem));
	if (!p->gmem)
		return -ENOMEM;
	mem_table_init(p->gmem);
	p->bump_end = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t size = o->regions ? rs[i].size : d->mem_size;
		void *hva = (uint8_t *)d->mem + rs[i].off;

		if (rs[i].off > d->mem_size || size > d->mem_size - rs[i].off || size == 0 ||
		    mem_table_add_mapped(p->gmem, rs[i].gpa, size, (uintptr_t)hva, hva))
			return -EINVAL;
		if (rs[i].off == 0) {
			p->bump_end = size;
			p->bump_gpa = rs[i].gpa;
		}
		out[i] = (struct vhost_fe_region){.gpa = rs[i].gpa,
						  .size = size,
						  .uva = (uintptr_t)hva,
						  .mmap_offset = rs[i].off,
						  .fd = d->mem_fd};
	}
	return p->bump_end ? (int)n : -EINVAL;
}

void *conform_dev_buf(struct conform_dev *dev, uint32_t len, uint64_t *gpa)
{
	/* A zero-length request still gets a distinct, valid address. */
	return mem_take(priv_of(dev), MAX(len, 1u), DEV_BUF_ALIGN, gpa);
}

static int mem_map(struct dev_priv *p, uint64_t size)
{
	struct conform_dev *d = &p->pub;
	int ret = conform_memfd_map(size, &d->mem_fd, &d->mem);

	if (ret == 0)
		d->mem_size = size;
	return ret;
}

/* Guest memory, eventfds and an initialised split virtqueue for ring i. */
static int dev_ring_init(struct dev_priv *p, uint16_t i, uint16_t num)
{
	struct conform_dev *d = &p->pub;
	struct virtq_drv_config cfg = {
	    .layout = VIRTQ_LAYOUT_SPLIT,
	    .num = num,
	    .features = d->features,
	};

	cfg.ring = mem_take(p, virtq_drv_ring_bytes(num), DEV_PAGE, &cfg.ring_gpa);
	if (!cfg.ring)
		return -ENOMEM;
	d->kick_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->call_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->kick_fd[i] < 0 || d->call_fd[i] < 0)
		return -errno;
	p->rings[i] = (struct vhost_fe_setup_ring){
	    .vq = &d->vq[i], .kick_fd = d->kick_fd[i], .call_fd = d->call_fd[i]};
	return virtq_drv_init(&d->vq[i], &cfg);
}

/* The set-up's prepare(): enough queues, then the rings for the features
 * just negotiated. */
static int dev_prepare(void *arg, const struct vhost_fe_setup_state *st)
{
	struct dev_priv *p = arg;
	struct conform_dev *d = &p->pub;
	uint16_t max;
	int ret = 0;

	d->features = st->features;
	d->protocol_features = st->protocol_features;
	d->config_len = st->config_len;
	max = p->max_queues ? p->max_queues(d->features, st->queue_num, d->config, d->config_len)
			    : vhost_fe_blk_max_queues(d->features, st->queue_num,
						      (const struct virtio_blk_config *)d->config,
						      d->config_len);
	if (d->nqueues > max) {
		conform_note(p->ctx, "%u queues wanted, the back-end has %u (queue num %llu%s)",
			     d->nqueues, max, (unsigned long long)st->queue_num,
			     p->max_queues || d->features & VIRTIO_BIT(VIRTIO_BLK_F_MQ)
				 ? ""
				 : ", no VIRTIO_BLK_F_MQ");
		return -ENOTSUP;
	}
	for (uint16_t i = 0; !ret && i < d->nqueues; i++)
		ret = dev_ring_init(p, i, p->queue_size);
	return ret;
}

static void dev_note(void *arg, const char *line)
{
	conform_note(((struct dev_priv *)arg)->ctx, "%s", line);
}

static void dev_free(struct dev_priv *p)
{
	struct conform_dev *d = &p->pub;

	if (d->fe)
		vhost_fe_close(d->fe);
	for (uint16_t i = 0; d->vq && i < d->nqueues; i++) {
		virtq_drv_fini(&d->vq[i]);
		if (d->kick_fd[i] >= 0)
			close(d->kick_fd[i]);
		if (d->call_fd[i] >= 0)
			close(d->call_fd[i]);
	}
	if (d->mem)
		munmap(d->mem, d->mem_size);
	if (d->mem_fd >= 0)
		close(d->mem_fd);
	free(p->gmem);
	free(p->rings);
	free(d->vq);
	free(d->kick_fd);
	free(d->call_fd);
	free(p);
}

int conform_dev_setup(struct conform_ctx *ctx, const struct conform_dev_opts *opts,
		      struct conform_dev **devp)
{
	static const struct conform_dev_opts none;
	const struct conform_dev_opts *o = opts ? opts : &none;
	uint16_t nq = o->nqueues ? o->nqueues : DEV_DEFAULT_QUEUES;
	uint16_t qsize = o->queue_size ? o->queue_size : DEV_DEFAULT_QUEUE_SIZE;
	uint64_t mem_size = ALIGN_UP(o->mem_size ? o->mem_size : DEV_DEFAULT_MEM, DEV_PAGE);
	struct vhost_fe_region regions[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vhost_fe_setup_opts setup;
	struct vhost_fe_setup_state st;
	struct dev_priv *p;
	struct conform_dev *d;
	int ret, nregions;

	/* virtio 1.2 §2.7: a power of 2, at most 32768. */
	if (!IS_POW2(qsize) || qsize > VIRTQ_MAX_SIZE || nq > VHOST_MAX_QUEUES)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	d = &p->pub;
	p->ctx = ctx;
	p->timeout_ms = conform_timeout_ms(ctx);
	p->queue_size = qsize;
	p->max_queues = o->max_queues;
	d->mem_fd = -1;
	d->nqueues = nq;
	d->vq = calloc(nq, sizeof(*d->vq));
	d->kick_fd = malloc(nq * sizeof(int));
	d->call_fd = malloc(nq * sizeof(int));
	p->rings = calloc(nq, sizeof(*p->rings));
	if (!d->vq || !d->kick_fd || !d->call_fd || !p->rings) {
		ret = -ENOMEM;
		goto err;
	}
	for (uint16_t i = 0; i < nq; i++)
		d->kick_fd[i] = d->call_fd[i] = -1;
	ret = mem_map(p, mem_size);
	if (ret)
		goto err;
	nregions = dev_regions(p, o, regions);
	if (nregions < 0) {
		ret = nregions;
		goto err;
	}
	ret = conform_connect(ctx, &d->fe);
	if (ret) {
		d->fe = NULL;
		goto err;
	}
	setup = (struct vhost_fe_setup_opts){
	    .features = o->want_features ? o->want_features : CONFORM_DEV_FEATURES,
	    .protocol_features =
		o->want_protocol_features ? o->want_protocol_features : VHOST_FE_PROTOCOL_FEATURES,
	    .regions = regions,
	    .nregions = (unsigned)nregions,
	    .get_config = o->get_config ? o->get_config : vhost_fe_get_blk_config,
	    .config = d->config,
	    .prepare = dev_prepare,
	    .arg = p,
	    .rings = p->rings,
	    .nrings = nq,
	    .no_start = o->no_start,
	    .note = dev_note,
	};
	ret = vhost_fe_setup(d->fe, &setup, &st);
	if (ret)
		goto err;
	*devp = d;
	return 0;
err:
	conform_note(ctx, "device set-up failed: %s", strerror(-ret));
	dev_free(p);
	return ret;
}

void conform_dev_close(struct conform_dev *dev)
{
	if (dev)
		dev_free(priv_of(dev));
}

void conform_dev_kick(struct conform_dev *dev, uint16_t q)
{
	uint64_t one = 1;

	/* §2.7.13.4: publish, then kick only if the device asked for it. */
	if (virtq_drv_publish(&dev->vq[q]) && write(dev->kick_fd[q], &one, sizeof(one)) < 0)
		conform_note(priv_of(dev)->ctx, "kick of queue %u: %s", q, strerror(errno));
}

/* The back-end sends nothing unasked on the socket: readable means closed,
 * unless a byte is really there. */
static bool socket_hung_up(int fd, short revents)
{
	char byte;

	if (revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL))
		return true;
	return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

int conform_dev_wait_used(struct conform_dev *dev, uint16_t q, void **cookie, uint32_t *len)
{
	struct dev_priv *p = priv_of(dev);
	int64_t deadline = deadline_from_timeout(p->timeout_ms);
	struct virtq_drv *vq = &dev->vq[q];
	int ret;

	for (;;) {
		struct pollfd pfd[2] = {
		    {.fd = dev->call_fd[q], .events = POLLIN},
		    {.fd = vhost_fe_fd(dev->fe), .events = POLLIN | POLLRDHUP},
		};
		uint64_t v;

		ret = virtq_drv_get_used(vq, cookie, len);
		if (ret != -EAGAIN)
			return ret;
		/* §2.7.7.1 / §2.7.10: ask for a notification (with EVENT_IDX:
		 * used_event = the next entry), then look again, or an entry
		 * used in between would never wake us. */
		if (virtq_drv_enable_notify(vq, true))
			continue;
		ret = poll(pfd, 2, deadline_ms_left(deadline));
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		if (pfd[0].revents & POLLIN && read(dev->call_fd[q], &v, sizeof(v)) < 0 &&
		    errno != EAGAIN)
			return -errno;
		if (pfd[1].revents && socket_hung_up(pfd[1].fd, pfd[1].revents)) {
			/* A last look: entries used before the close still count. */
			ret = virtq_drv_get_used(vq, cookie, len);
			return ret == -EAGAIN ? -ECONNRESET : ret;
		}
	}
}
