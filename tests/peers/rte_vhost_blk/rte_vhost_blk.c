/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_blk: a vhost-user-blk back-end on DPDK's rte_vhost, the peer our
 * initiator and conformance runner are tested against (DESIGN.md "Real peers,
 * always"). The vhost-user protocol side is DPDK's; the virtio-blk device is
 * this file, written from the virtio 1.2 spec and the Linux UAPI headers
 * (<linux/virtio_blk.h>, <linux/virtio_ring.h>), not from lib/spec, so that a
 * mistake in our own headers cannot hide on both sides.
 *
 *   rte_vhost_blk --socket PATH (--size MB | --file PATH) [--queues N]
 *                 [--delay-us N] [--inflight]
 *
 * Prints "ready" once the socket is registered; exits 0 on SIGTERM/SIGINT.
 * --delay-us holds each request that long before it completes, so that a
 * kill finds requests in flight; --inflight offers
 * VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD and tracks them in rte_vhost's
 * in-flight region (vhost-user.rst "Inflight I/O tracking").
 *
 * What rte_vhost 22.11 cannot do by itself, and how this peer gets it:
 *  - GET_CONFIG is answered by rte_vhost only for vDPA devices; we answer it
 *    (and SET_CONFIG, refused) in a pre_msg_handle extern callback.
 *  - GET_QUEUE_NUM answers VHOST_MAX_QUEUE_PAIRS (a net-device notion);
 *    rte_vhost_driver_set_max_queue_num() only exists from 23.03. We answer
 *    it in the same callback with --queues.
 *  - rte_vhost_vring_call() decides EVENT_IDX notifications from its own
 *    last_used_idx, which an external back-end does not update while the
 *    ring runs: VIRTIO_RING_F_EVENT_IDX is not offered.
 */

#ifdef STORLAB_NO_DPDK
/* Built where libdpdk-dev is missing (peer.mk): say so, and fail. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "rte_vhost_blk: built without DPDK: install libdpdk-dev and rebuild\n");
	return 3;
}
#else

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blk.h"

/* rte_vhost_vring_call_nonblock() is experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_vhost.h>

#define SECTOR		   512u
#define MAX_QUEUES	   16
#define MAX_VIDS	   8
#define BATCH		   32

/* vhost-user.rst request numbers this file answers itself. */
#define VU_SET_MEM_TABLE   5
#define VU_GET_QUEUE_NUM   17
#define VU_GET_CONFIG	   24
#define VU_SET_CONFIG	   25
#define VU_GET_INFLIGHT_FD 31
#define VU_SET_INFLIGHT_FD 32

/* The message rte_vhost hands to pre_msg_handle: the vhost-user wire header
 * and payload (vhost-user.rst "Message Specification"), packed as on the
 * wire; rte_vhost sends back 12 + size bytes of it for RESULT_REPLY. */
struct vu_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	union {
		uint64_t u64;
		struct {
			uint32_t offset;
			uint32_t size;
			uint32_t flags;
			uint8_t region[256];
		} __attribute__((packed)) cfg;
		struct {
			uint64_t mmap_size;
			uint64_t mmap_offset;
			uint16_t num_queues;
			uint16_t queue_size;
		} __attribute__((packed)) inflight;
	} payload;
} __attribute__((packed));

/* A request taken from the avail ring and not yet used: completes at due. */
struct held {
	uint16_t head;
	uint64_t due_ns;
};

struct ring {
	struct rte_vhost_vring vr;
	uint16_t last_avail;
	uint16_t last_used;
	atomic_bool enabled;
	bool call_pending; /* a notification rte_vhost's queue lock put off */
	bool tracked;	   /* --inflight, and rte_vhost has a region for the ring */
	/* What is in flight, oldest first: a FIFO of vr.size entries. */
	struct held *held;
	uint16_t held_first, held_n;
};

struct vdev {
	atomic_bool running;  /* new_device .. destroy_device */
	bool remapping;	      /* SET_MEM_TABLE between pre_msg and post_msg */
	atomic_bool stopping; /* destroy_device waits for the poller */
	struct rte_vhost_memory *mem;
	uint16_t nr;
	struct ring rings[MAX_QUEUES];
};

static uint16_t g_queues = 1;
static uint64_t g_delay_ns;
static bool g_inflight;
static struct vdev g_devs[MAX_VIDS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* poller vs. control */
static volatile sig_atomic_t g_stop;
static atomic_bool g_poller_stop;

/* ---- guest memory ------------------------------------------------------ */

/* Appends the host iovecs of guest range [gpa, gpa+len); false if any byte is
 * outside guest memory or iov is full. */
static bool map_range(struct rte_vhost_memory *mem, uint64_t gpa, uint32_t len, struct iovec *iov,
		      unsigned *n)
{
	while (len) {
		uint64_t got = len;
		uint64_t va = rte_vhost_va_from_guest_pa(mem, gpa, &got);

		if (!va || !got || *n >= RVB_MAX_IOV)
			return false;
		iov[*n].iov_base = (void *)(uintptr_t)va;
		iov[*n].iov_len = got;
		(*n)++;
		gpa += got;
		len -= got;
	}
	return true;
}

/* Walks the chain at head (virtio 1.2 §2.7.5, §2.7.5.3 indirect). False if it
 * is malformed: a loop, an address outside memory, readable after writable. */
static bool chain_map(struct vdev *d, struct ring *r, uint16_t head, struct rvb_chain *c)
{
	struct vring_desc *tab = r->vr.desc;
	uint32_t tab_n = r->vr.size, budget = r->vr.size;
	uint16_t i = head;
	bool indirect = false;

	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	if (head >= r->vr.size)
		return false;
	for (;;) {
		struct vring_desc *de = &tab[i];

		if (budget-- == 0)
			return false; /* §2.7.5.3.1: no loops */
		if (de->flags & VRING_DESC_F_INDIRECT) {
			uint64_t got = de->len;

			if (indirect || de->len % sizeof(*de) || !de->len)
				return false;
			tab = (void *)(uintptr_t)rte_vhost_va_from_guest_pa(d->mem, de->addr, &got);
			if (!tab || got != de->len)
				return false;
			tab_n = budget = de->len / sizeof(*de);
			indirect = true;
			i = 0;
			continue;
		}
		if (de->flags & VRING_DESC_F_WRITE) {
			if (!map_range(d->mem, de->addr, de->len, c->in, &c->nin))
				return false;
			c->in_len += de->len;
		} else {
			if (c->nin) /* §2.7.4.2 */
				return false;
			if (!map_range(d->mem, de->addr, de->len, c->out, &c->nout))
				return false;
			c->out_len += de->len;
		}
		if (!(de->flags & VRING_DESC_F_NEXT))
			return true;
		i = de->next;
		if (i >= tab_n)
			return false;
	}
}

/* ---- the rings ------------------------------------------------------------ */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void held_push(struct ring *r, uint16_t head, uint64_t now)
{
	r->held[(r->held_first + r->held_n) % r->vr.size] =
	    (struct held){.head = head, .due_ns = now + g_delay_ns};
	r->held_n++;
}

/* Runs the oldest held request and puts it in the used ring. With the
 * region, in vhost-user.rst "Inflight I/O tracking"'s order for split rings:
 * last_batch_head (a batch of one) before the used idx moves, inflight
 * cleared and used_idx set after; a kill between the two leaves used_idx
 * behind the ring's, which tells the next back-end that this one is done. */
static void held_complete(int vid, struct vdev *d, uint16_t q)
{
	static struct rvb_chain c; /* under g_lock */
	struct ring *r = &d->rings[q];
	struct vring_used *used = r->vr.used;
	uint16_t head = r->held[r->held_first].head;
	uint32_t len = 0;

	r->held_first = (uint16_t)((r->held_first + 1) % r->vr.size);
	r->held_n--;
	if (chain_map(d, r, head, &c))
		len = rvb_blk_request(&c);
	else
		fprintf(stderr, "rte_vhost_blk: vid %d queue %u: malformed chain %u\n", vid, q,
			head);
	if (r->tracked)
		rte_vhost_set_last_inflight_io_split(vid, q, head);
	used->ring[r->last_used % r->vr.size].id = head;
	used->ring[r->last_used % r->vr.size].len = len;
	r->last_used++;
	/* §2.7.8: the entry before the index. */
	__atomic_store_n(&used->idx, r->last_used, __ATOMIC_RELEASE);
	if (r->tracked)
		rte_vhost_clr_inflight_desc_split(vid, q, r->last_used, head);
}

/* Never waits for rte_vhost's queue lock while g_lock is held: its event
 * thread holds that lock while it runs vring_state_changed, which takes
 * g_lock. Put off, the call goes out on the next pass. */
static void ring_call(int vid, struct ring *r, uint16_t q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->call_pending = rte_vhost_vring_call_nonblock(vid, q) == -EAGAIN;
}

static unsigned ring_poll(int vid, struct vdev *d, uint16_t q)
{
	struct ring *r = &d->rings[q];
	struct vring_avail *avail = r->vr.avail;
	uint16_t avail_idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);
	uint64_t now = now_ns();
	unsigned n = 0, done = 0;

	while (r->last_avail != avail_idx && r->held_n < r->vr.size && n < BATCH) {
		uint16_t head = avail->ring[r->last_avail % r->vr.size];

		/* "Inflight I/O tracking": marked, with the next counter, as it
		 * is taken. */
		if (r->tracked)
			rte_vhost_set_inflight_desc_split(vid, q, head);
		r->last_avail++;
		held_push(r, head, now);
		n++;
	}
	while (r->held_n && r->held[r->held_first].due_ns <= now && done < BATCH) {
		held_complete(vid, d, q);
		done++;
	}
	if (done || r->call_pending)
		ring_call(vid, r, q);
	return n + done;
}

static void *poller(void *arg)
{
	(void)arg;
	while (!atomic_load(&g_poller_stop)) {
		unsigned busy = 0;

		for (int vid = 0; vid < MAX_VIDS; vid++) {
			struct vdev *d = &g_devs[vid];

			if (!atomic_load(&d->running) || atomic_load(&d->stopping))
				continue;
			pthread_mutex_lock(&g_lock);
			if (atomic_load(&d->running)) {
				for (uint16_t q = 0; q < d->nr; q++) {
					if (atomic_load(&d->rings[q].enabled) &&
					    d->rings[q].vr.desc)
						busy += ring_poll(vid, d, q);
				}
			}
			pthread_mutex_unlock(&g_lock);
		}
		if (!busy)
			usleep(20);
	}
	return NULL;
}

/* ---- rte_vhost callbacks (on rte_vhost's event thread) -------------------- */

static struct vdev *vdev_of(int vid)
{
	if (vid < 0 || vid >= MAX_VIDS) {
		fprintf(stderr, "rte_vhost_blk: vid %d: at most %d connections\n", vid, MAX_VIDS);
		return NULL;
	}
	return &g_devs[vid];
}

/* The ring's region, if --inflight and the front-end set one up; then what
 * it says was in flight when the last back-end went is held again first,
 * in counter order ("Inflight I/O tracking", "When reconnecting"). rte_vhost
 * did the rest when SET_VRING_KICK came: if the used idx had moved past the
 * region's used_idx it cleared the one entry last_inflight_io names (it
 * knows batches of one only: held_complete uses no other), counted what is
 * still marked into the ring's last_avail (the base being the used idx, as
 * QEMU gives after a crash), and listed it by counter, highest first. */
static void ring_resubmit(int vid, struct ring *r, uint16_t q)
{
	struct rte_vhost_ring_inflight ri;
	struct rte_vhost_resubmit_info *rs;
	uint64_t now = now_ns();
	unsigned n = 0;

	memset(&ri, 0, sizeof(ri));
	r->tracked =
	    g_inflight && !rte_vhost_get_vhost_ring_inflight(vid, q, &ri) && ri.inflight_split;
	if (!g_inflight)
		return;
	if (!r->tracked) {
		/* The front-end did not hand a region over (SET_INFLIGHT_FD):
		 * requests run, and are lost with this process. */
		fprintf(stderr,
			"rte_vhost_blk: vid %d queue %u: no in-flight region, nothing is "
			"tracked\n",
			vid, q);
		return;
	}
	rs = ri.resubmit_inflight;
	for (; rs && rs->resubmit_num && r->held_n < r->vr.size; n++) {
		rs->resubmit_num--;
		held_push(r, rs->resubmit_list[rs->resubmit_num].index, now);
	}
	fprintf(stderr, "rte_vhost_blk: vid %d queue %u: resubmitted %u\n", vid, q, n);
}

static int new_device(int vid)
{
	struct vdev *d = vdev_of(vid);

	if (!d)
		return -1;
	if (rte_vhost_get_mem_table(vid, &d->mem)) {
		fprintf(stderr, "rte_vhost_blk: vid %d: no memory table\n", vid);
		return -1;
	}
	d->nr = rte_vhost_get_vring_num(vid);
	if (d->nr > MAX_QUEUES)
		d->nr = MAX_QUEUES;
	for (uint16_t q = 0; q < d->nr; q++) {
		struct ring *r = &d->rings[q];

		memset(&r->vr, 0, sizeof(r->vr));
		r->held_first = r->held_n = 0;
		if (rte_vhost_get_vhost_vring(vid, q, &r->vr) ||
		    rte_vhost_get_vring_base(vid, q, &r->last_avail, &r->last_used))
			continue;
		r->held = calloc(r->vr.size, sizeof(*r->held));
		if (!r->held) {
			memset(&r->vr, 0, sizeof(r->vr));
			continue;
		}
		ring_resubmit(vid, r, q);
		/* We poll: ask the driver not to kick (§2.7.10). */
		rte_vhost_enable_guest_notification(vid, q, 0);
	}
	atomic_store(&d->running, true);
	fprintf(stderr, "rte_vhost_blk: vid %d: started, %u rings\n", vid, d->nr);
	return 0;
}

/* rte_vhost calls this before it answers GET_VRING_BASE, on a reset and on
 * disconnect: stop the rings and hand their indexes back. */
static void destroy_device(int vid)
{
	struct vdev *d = vdev_of(vid);

	if (!d)
		return;
	atomic_store(&d->stopping, true);
	pthread_mutex_lock(&g_lock);
	if (atomic_load(&d->running) || d->remapping) {
		bool mapped = atomic_load(&d->running);

		atomic_store(&d->running, false);
		d->remapping = false;
		for (uint16_t q = 0; q < d->nr; q++) {
			struct ring *r = &d->rings[q];

			/* "Suspended device state": once its rings are stopped
			 * the device writes no guest memory, so what is held
			 * completes now, before the GET_VRING_BASE reply (not
			 * mid-remap: the memory is gone). The call may be put
			 * off by rte_vhost's queue lock; the used idx says it. */
			if (r->vr.desc && mapped && r->held_n) {
				while (r->held_n)
					held_complete(vid, d, q);
				ring_call(vid, r, q);
			}
			if (r->vr.desc)
				rte_vhost_set_vring_base(vid, q, r->last_avail, r->last_used);
			free(r->held);
			r->held = NULL;
			r->held_n = 0;
		}
		free(d->mem);
		d->mem = NULL;
		fprintf(stderr, "rte_vhost_blk: vid %d: stopped\n", vid);
	}
	pthread_mutex_unlock(&g_lock);
	atomic_store(&d->stopping, false);
}

static int vring_state_changed(int vid, uint16_t q, int enable)
{
	struct vdev *d = vdev_of(vid);

	/* The poller reads enabled under g_lock: with it taken here, no poll of
	 * the ring that read the old value is still running when rte_vhost acks
	 * SET_VRING_ENABLE 0, so nothing made available after the ack is
	 * processed ("Ring states": a disabled ring has no side effects). */
	if (d && q < MAX_QUEUES) {
		pthread_mutex_lock(&g_lock);
		atomic_store(&d->rings[q].enabled, enable != 0);
		pthread_mutex_unlock(&g_lock);
	}
	return 0;
}

static void config_fill(struct vu_msg *m)
{
	struct virtio_blk_config cfg;
	uint32_t off = m->payload.cfg.offset, len = m->payload.cfg.size;

	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = rvb_disk_bytes() / SECTOR;
	cfg.seg_max = RVB_SEG_MAX;
	cfg.blk_size = SECTOR;
	cfg.num_queues = g_queues;
	memset(m->payload.cfg.region, 0, sizeof(m->payload.cfg.region));
	if (len > sizeof(m->payload.cfg.region))
		len = sizeof(m->payload.cfg.region);
	/* Bytes past the struct read as zero. */
	if (off < sizeof(cfg))
		memcpy(m->payload.cfg.region, (uint8_t *)&cfg + off,
		       len < sizeof(cfg) - off ? len : sizeof(cfg) - off);
}

/* A new memory table while the rings run: rte_vhost 22.11 replaces the
 * mappings without telling an external back-end, so the poller stops in
 * pre_msg and picks the new table and ring addresses up in post_msg. Our
 * ring indexes are kept. */
static void remap_begin(int vid, struct vdev *d)
{
	atomic_store(&d->stopping, true);
	pthread_mutex_lock(&g_lock);
	if (atomic_load(&d->running)) {
		atomic_store(&d->running, false);
		d->remapping = true;
	}
	pthread_mutex_unlock(&g_lock);
	atomic_store(&d->stopping, false);
	(void)vid;
}

static void remap_end(int vid, struct vdev *d)
{
	if (!d->remapping)
		return;
	d->remapping = false;
	free(d->mem);
	d->mem = NULL;
	if (rte_vhost_get_mem_table(vid, &d->mem)) {
		fprintf(stderr, "rte_vhost_blk: vid %d: no memory table after SET_MEM_TABLE\n",
			vid);
		return;
	}
	for (uint16_t q = 0; q < d->nr; q++) {
		if (rte_vhost_get_vhost_vring(vid, q, &d->rings[q].vr))
			memset(&d->rings[q].vr, 0, sizeof(d->rings[q].vr));
	}
	atomic_store(&d->running, true);
}

static enum rte_vhost_msg_result post_msg(int vid, void *msg)
{
	struct vu_msg *m = msg;
	struct vdev *d = vdev_of(vid);

	if (d && m->request == VU_SET_MEM_TABLE)
		remap_end(vid, d);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static enum rte_vhost_msg_result pre_msg(int vid, void *msg)
{
	struct vu_msg *m = msg;
	struct vdev *d = vdev_of(vid);

	switch (m->request) {
	case VU_SET_MEM_TABLE:
		if (d)
			remap_begin(vid, d);
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	case VU_GET_QUEUE_NUM:
		m->payload.u64 = g_queues;
		m->size = sizeof(m->payload.u64);
		return RTE_VHOST_MSG_RESULT_REPLY;
	case VU_GET_CONFIG:
		/* vhost-user.rst "Virtio device config space": the payload
		 * holds at most 256 bytes, so a range that ends past them (not
		 * only a size over 256) cannot be answered: an empty reply is
		 * the error. */
		if (m->size < 12 || m->payload.cfg.size > sizeof(m->payload.cfg.region) ||
		    m->payload.cfg.offset > sizeof(m->payload.cfg.region) - m->payload.cfg.size) {
			m->size = 0;
			return RTE_VHOST_MSG_RESULT_REPLY;
		}
		config_fill(m);
		return RTE_VHOST_MSG_RESULT_REPLY;
	case VU_SET_CONFIG:
		return RTE_VHOST_MSG_RESULT_ERR; /* the config space is read-only */
	case VU_GET_INFLIGHT_FD:
	case VU_SET_INFLIGHT_FD:
		/* rte_vhost answers them; the log says they came. */
		fprintf(stderr, "rte_vhost_blk: vid %d: %s_INFLIGHT_FD, %u queues of %u\n", vid,
			m->request == VU_GET_INFLIGHT_FD ? "GET" : "SET",
			m->payload.inflight.num_queues, m->payload.inflight.queue_size);
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	default:
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	}
}

static const struct rte_vhost_user_extern_ops g_extern_ops = {
    .pre_msg_handle = pre_msg,
    .post_msg_handle = post_msg,
};

static int new_connection(int vid)
{
	if (!vdev_of(vid))
		return -1;
	return rte_vhost_extern_callback_register(vid, &g_extern_ops, NULL);
}

static const struct rte_vhost_device_ops g_ops = {
    .new_device = new_device,
    .destroy_device = destroy_device,
    .vring_state_changed = vring_state_changed,
    .new_connection = new_connection,
};

/* ---- main ---------------------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: rte_vhost_blk --socket PATH (--size MB | --file PATH) [--queues N] "
			"[--delay-us N] [--inflight]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"size", required_argument, NULL, 'z'},
	    {"queues", required_argument, NULL, 'q'},
	    {"file", required_argument, NULL, 'f'},
	    {"delay-us", required_argument, NULL, 'd'},
	    {"inflight", no_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	const uint64_t features = (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
				  (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
				  (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_MQ) |
				  (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	uint64_t protocol_features = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
				     (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				     (1ULL << VHOST_USER_PROTOCOL_F_CONFIG);
	char prefix[64], rundir[PATH_MAX] = "";
	char *eal_argv[] = {
	    argv[0], "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",	"-l",
	    "0",     "-m",	  "32",	      "--log-level", "lib.eal:warning", prefix};
	const char *path = NULL, *file = NULL;
	unsigned long size_mb = 0;
	pthread_t thr;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'z':
			size_mb = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			g_queues = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			file = optarg;
			break;
		case 'd':
			g_delay_ns = strtoull(optarg, NULL, 0) * 1000u;
			break;
		case 'i':
			g_inflight = true;
			protocol_features |= 1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD;
			break;
		default:
			return usage();
		}
	}
	if (!path || !size_mb == !file || optind != argc || g_queues < 1 || g_queues > MAX_QUEUES)
		return usage();
	if (rvb_disk_open(file, size_mb))
		return 1;
	/* Several peers may run at once: each its own runtime directory. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=rvb%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])), eal_argv) < 0) {
		fprintf(stderr, "rte_vhost_blk: rte_eal_init failed: %s\n", strerror(rte_errno));
		goto out_disk;
	}
	/* --no-shconf leaves the runtime directory empty, but EAL makes it and
	 * never removes it: we do, at exit. */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	unlink(path);
	if (rte_vhost_driver_register(path, 0) || rte_vhost_driver_set_features(path, features) ||
	    rte_vhost_driver_set_protocol_features(path, protocol_features) ||
	    rte_vhost_driver_callback_register(path, &g_ops)) {
		fprintf(stderr, "rte_vhost_blk: cannot register %s\n", path);
		goto out_eal;
	}
	if (pthread_create(&thr, NULL, poller, NULL)) {
		fprintf(stderr, "rte_vhost_blk: cannot start the poller\n");
		goto out_unreg;
	}
	if (rte_vhost_driver_start(path)) {
		fprintf(stderr, "rte_vhost_blk: cannot start %s\n", path);
		goto out_thr;
	}
	printf("ready\n");
	fflush(stdout);
	while (!g_stop)
		usleep(10000);
	ret = 0;
out_thr:
	/* Unregistering stops every connection (destroy_device) first. */
	rte_vhost_driver_unregister(path);
	atomic_store(&g_poller_stop, true);
	pthread_join(thr, NULL);
	goto out_eal;
out_unreg:
	rte_vhost_driver_unregister(path);
out_eal:
	rte_eal_cleanup();
	if (rundir[0])
		rmdir(rundir);
out_disk:
	rvb_disk_close();
	return ret;
}

#endif /* STORLAB_NO_DPDK */
