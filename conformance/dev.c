/* SPDX-License-Identifier: MIT */
/*
 * A device brought up for data-path cases (conform.h, "A device brought up
 * for data-path cases"): the front-end's side of vhost-user.rst "Starting and
 * stopping rings", as initiator/dev.c does it, but on a traced connection
 * and with every chain left to the case.
 *
 * The rings are driven by lib/virtio's driver side without indirect tables
 * (indirect_max 0): virtq_drv_add() always writes direct chains, so a case
 * sees exactly the descriptors it asked for and may patch their flags. A
 * case that wants an indirect table builds it in conform_dev_buf() memory.
 *
 * Guest memory is one memfd mapped shared; gpa 0 is its first byte. Rings
 * come first (4 KiB aligned), buffers after them from a bump allocator.
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
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

#define DEV_DEFAULT_QUEUES     1
#define DEV_DEFAULT_QUEUE_SIZE 256
#define DEV_DEFAULT_MEM	       (16ULL << 20)
#define DEV_PAGE	       4096ULL
#define DEV_BUF_ALIGN	       64ULL

static const uint64_t g_dev_supported_protocol_features =
    VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) | VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
    VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG);

struct dev_priv {
	struct conform_dev pub;
	struct conform_ctx *ctx;
	uint64_t bump; /* next free byte of guest memory */
	int timeout_ms;
};

static struct dev_priv *priv_of(struct conform_dev *dev)
{
	return container_of(dev, struct dev_priv, pub);
}

/* Bump allocation of guest memory; NULL when exhausted. */
static void *mem_take(struct dev_priv *p, uint64_t len, uint64_t align, uint64_t *gpa)
{
	uint64_t off = ALIGN_UP(p->bump, align);

	if (off > p->pub.mem_size || len > p->pub.mem_size - off)
		return NULL;
	p->bump = off + len;
	memset((uint8_t *)p->pub.mem + off, 0, len);
	if (gpa)
		*gpa = off;
	return (uint8_t *)p->pub.mem + off;
}

void *conform_dev_buf(struct conform_dev *dev, uint32_t len, uint64_t *gpa)
{
	/* A zero-length request still gets a distinct, valid address. */
	return mem_take(priv_of(dev), MAX(len, 1u), DEV_BUF_ALIGN, gpa);
}

static int mem_map(struct dev_priv *p, uint64_t size)
{
	struct conform_dev *d = &p->pub;

	d->mem_fd = memfd_create("storlab-conform", MFD_CLOEXEC);
	if (d->mem_fd < 0)
		return -errno;
	if (ftruncate(d->mem_fd, (off_t)size) < 0)
		return -errno;
	d->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, d->mem_fd, 0);
	if (d->mem == MAP_FAILED) {
		d->mem = NULL;
		return -errno;
	}
	d->mem_size = size;
	return 0;
}

static int dev_read_config(struct dev_priv *p)
{
	memset(p->pub.config, 0, sizeof(p->pub.config));
	return vhost_fe_get_blk_config(p->pub.fe, (struct virtio_blk_config *)p->pub.config,
				       &p->pub.config_len);
}

static int dev_negotiate(struct dev_priv *p, const struct conform_dev_opts *o, uint64_t *queue_num)
{
	struct conform_dev *d = &p->pub;
	uint64_t offered, proto_offered = 0;
	int ret;

	ret = vhost_fe_set_owner(d->fe);
	if (!ret)
		ret = vhost_fe_get_features(d->fe, &offered);
	if (ret)
		return ret;
	d->features = offered & (o->want_features ? o->want_features : CONFORM_DEV_FEATURES);
	if (d->features & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		ret = vhost_fe_get_protocol_features(d->fe, &proto_offered);
		if (ret)
			return ret;
		d->protocol_features =
		    proto_offered & (o->want_protocol_features ? o->want_protocol_features
							       : g_dev_supported_protocol_features);
		ret = vhost_fe_set_protocol_features(d->fe, d->protocol_features);
		if (ret)
			return ret;
	}
	*queue_num = 1;
	if (d->protocol_features & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ)) {
		ret = vhost_fe_get_queue_num(d->fe, queue_num);
		if (ret)
			return ret;
	}
	conform_note(p->ctx,
		     "features offered 0x%llx, acknowledged 0x%llx; protocol 0x%llx / 0x%llx",
		     (unsigned long long)offered, (unsigned long long)d->features,
		     (unsigned long long)proto_offered, (unsigned long long)d->protocol_features);
	return vhost_fe_set_features(d->fe, d->features);
}

static int dev_setup_queue(struct dev_priv *p, uint16_t i, uint16_t num, bool start)
{
	struct conform_dev *d = &p->pub;
	struct virtq_drv_config cfg = {
	    .layout = VIRTQ_LAYOUT_SPLIT,
	    .num = num,
	    .features = d->features,
	};
	struct vhost_user_vring_addr addr = {.index = i};
	struct virtq_drv *vq = &d->vq[i];
	int ret;

	cfg.ring = mem_take(p, virtq_drv_ring_bytes(num), DEV_PAGE, &cfg.ring_gpa);
	if (!cfg.ring)
		return -ENOMEM;
	ret = virtq_drv_init(vq, &cfg);
	if (ret)
		return ret;
	d->kick_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->call_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->kick_fd[i] < 0 || d->call_fd[i] < 0)
		return -errno;
	/* vhost-user.rst "A vring address description": front-end virtual
	 * addresses, i.e. our own mapping of the memfd. */
	addr.desc_user_addr = (uintptr_t)vq->desc;
	addr.avail_user_addr = (uintptr_t)vq->avail;
	addr.used_user_addr = (uintptr_t)vq->used;
	ret = vhost_fe_set_vring_num(d->fe, i, num);
	if (!ret)
		ret = vhost_fe_set_vring_addr(d->fe, &addr);
	if (!ret)
		ret = vhost_fe_set_vring_base(d->fe, i, 0);
	if (!ret)
		ret = vhost_fe_set_vring_call(d->fe, i, d->call_fd[i]);
	/* The kick fd starts the ring (vhost-user.rst "Starting and stopping
	 * rings"); with no_start the case sends it (and ENABLE) itself. */
	if (!ret && start)
		ret = vhost_fe_set_vring_kick(d->fe, i, d->kick_fd[i]);
	return ret;
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
	struct vhost_fe_region region;
	struct dev_priv *p;
	struct conform_dev *d;
	uint64_t queue_num;
	int ret;

	/* virtio 1.2 §2.7: a power of 2, at most 32768. */
	if (!IS_POW2(qsize) || qsize > VIRTQ_MAX_SIZE || nq > VHOST_MAX_QUEUES)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	d = &p->pub;
	p->ctx = ctx;
	p->timeout_ms = conform_timeout_ms(ctx);
	d->mem_fd = -1;
	d->nqueues = nq;
	d->vq = calloc(nq, sizeof(*d->vq));
	d->kick_fd = malloc(nq * sizeof(int));
	d->call_fd = malloc(nq * sizeof(int));
	if (!d->vq || !d->kick_fd || !d->call_fd) {
		ret = -ENOMEM;
		goto err;
	}
	for (uint16_t i = 0; i < nq; i++)
		d->kick_fd[i] = d->call_fd[i] = -1;
	ret = mem_map(p, mem_size);
	if (ret)
		goto err;
	ret = conform_connect(ctx, &d->fe);
	if (ret) {
		d->fe = NULL;
		goto err;
	}
	ret = dev_negotiate(p, o, &queue_num);
	if (ret)
		goto err;
	if (nq > queue_num || (nq > 1 && !(d->features & VIRTIO_BIT(VIRTIO_BLK_F_MQ)))) {
		conform_note(ctx, "%u queues wanted, the back-end has %llu%s", nq,
			     (unsigned long long)queue_num,
			     d->features & VIRTIO_BIT(VIRTIO_BLK_F_MQ) ? ""
								       : " (no VIRTIO_BLK_F_MQ)");
		ret = -ENOTSUP;
		goto err;
	}
	region = (struct vhost_fe_region){
	    .gpa = 0, .size = mem_size, .uva = (uintptr_t)d->mem, .fd = d->mem_fd};
	ret = vhost_fe_set_mem_table(d->fe, &region, 1);
	if (ret)
		goto err;
	if (d->protocol_features & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG)) {
		ret = dev_read_config(p);
		if (ret)
			goto err;
	}
	/* §5.2.4: num_queues holds only with VIRTIO_BLK_F_MQ. */
	if (nq > 1 && d->config_len && ((struct virtio_blk_config *)d->config)->num_queues < nq) {
		conform_note(ctx, "%u queues wanted, config num_queues is %u", nq,
			     ((struct virtio_blk_config *)d->config)->num_queues);
		ret = -ENOTSUP;
		goto err;
	}
	for (uint16_t i = 0; !ret && i < nq; i++)
		ret = dev_setup_queue(p, i, qsize, !o->no_start);
	/* vhost-user.rst "Ring states": with VHOST_USER_F_PROTOCOL_FEATURES
	 * rings start disabled. */
	for (uint16_t i = 0; !ret && !o->no_start && i < nq; i++)
		if (d->features & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES))
			ret = vhost_fe_set_vring_enable(d->fe, i, true);
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
