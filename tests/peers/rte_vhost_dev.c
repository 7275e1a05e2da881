/* SPDX-License-Identifier: MIT */
/*
 * The rte_vhost peers' device side (rte_vhost_dev.h): the rings of every
 * connection, on one polling thread, over DPDK's rte_vhost. Written from the
 * virtio 1.2 spec and the Linux UAPI headers (<linux/virtio_ring.h>), not
 * from lib/, so that a mistake in our own code cannot hide on both sides.
 *
 * What rte_vhost 22.11 cannot do by itself, and how the peers get it:
 *  - GET_CONFIG is answered by rte_vhost only for vDPA devices; we answer it
 *    (and SET_CONFIG, refused) in a pre_msg_handle extern callback.
 *  - GET_QUEUE_NUM answers VHOST_MAX_QUEUE_PAIRS (a net-device notion);
 *    rte_vhost_driver_set_max_queue_num() only exists from 23.03. We answer
 *    it in the same callback with the device's ring count.
 *  - rte_vhost_vring_call() decides EVENT_IDX notifications from its own
 *    last_used_idx, which an external back-end does not update while the
 *    ring runs: VIRTIO_RING_F_EVENT_IDX is not offered.
 */
#ifndef STORLAB_NO_DPDK

#include "rte_vhost_dev.h"

#include <errno.h>
#include <limits.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* rte_vhost_vring_call_nonblock() is experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_vhost.h>

#define BATCH 32

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
	uint64_t seq;
};

struct ring {
	struct rte_vhost_vring vr;
	enum rvd_queue_kind kind;
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
	uint64_t seq; /* requests taken, over all rings */
	struct ring rings[RVD_MAX_QUEUES];
};

static const struct rvd_device *g_dev;
static const struct rvd_opts *g_opts;
static struct vdev g_devs[RVD_MAX_VIDS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* poller vs. control */
static volatile sig_atomic_t g_stop;
static atomic_bool g_poller_stop;

#define NAME program_invocation_short_name

bool rvd_opts_parse(struct rvd_opts *o, int c, const char *arg)
{
	switch (c) {
	case 's':
		o->socket = arg;
		return true;
	case 'd':
		o->delay_ns = strtoull(arg, NULL, 0) * 1000u;
		return true;
	case 'i':
		o->inflight = true;
		return true;
	default:
		return false;
	}
}

/* ---- guest memory ------------------------------------------------------ */

/* Appends the host iovecs of guest range [gpa, gpa+len); false if any byte is
 * outside guest memory or iov is full. */
static bool map_range(struct rte_vhost_memory *mem, uint64_t gpa, uint32_t len, struct iovec *iov,
		      unsigned *n)
{
	while (len) {
		uint64_t got = len;
		uint64_t va = rte_vhost_va_from_guest_pa(mem, gpa, &got);

		if (!va || !got || *n >= RVD_MAX_IOV)
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
static bool chain_map(struct vdev *d, struct ring *r, uint16_t head, struct rvd_chain *c)
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

static void held_push(struct vdev *d, struct ring *r, uint16_t head, uint64_t now)
{
	uint64_t delay = r->kind == RVD_Q_REQUEST ? g_opts->delay_ns : 0;

	r->held[(r->held_first + r->held_n) % r->vr.size] =
	    (struct held){.head = head, .due_ns = now + delay, .seq = d->seq++};
	r->held_n++;
}

/* Runs the oldest held request and puts it in the used ring. With the
 * region, in vhost-user.rst "Inflight I/O tracking"'s order for split rings:
 * last_batch_head (a batch of one) before the used idx moves, inflight
 * cleared and used_idx set after; a kill between the two leaves used_idx
 * behind the ring's, which tells the next back-end that this one is done. */
static void held_complete(int vid, struct vdev *d, uint16_t q)
{
	static struct rvd_chain c; /* under g_lock */
	struct ring *r = &d->rings[q];
	struct vring_used *used = r->vr.used;
	struct held h = r->held[r->held_first];
	uint32_t len = 0;

	r->held_first = (uint16_t)((r->held_first + 1) % r->vr.size);
	r->held_n--;
	if (chain_map(d, r, h.head, &c))
		len = g_dev->request(vid, q, h.seq, &c);
	else
		fprintf(stderr, "%s: vid %d queue %u: malformed chain %u\n", NAME, vid, q, h.head);
	if (r->tracked)
		rte_vhost_set_last_inflight_io_split(vid, q, h.head);
	used->ring[r->last_used % r->vr.size].id = h.head;
	used->ring[r->last_used % r->vr.size].len = len;
	r->last_used++;
	/* §2.7.8: the entry before the index. */
	__atomic_store_n(&used->idx, r->last_used, __ATOMIC_RELEASE);
	if (r->tracked)
		rte_vhost_clr_inflight_desc_split(vid, q, r->last_used, h.head);
}

/* Never waits for rte_vhost's queue lock while g_lock is held: its event
 * thread holds that lock while it runs vring_state_changed, which takes
 * g_lock. Put off, the call goes out on the next pass. */
static void ring_call(int vid, struct ring *r, uint16_t q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->call_pending = rte_vhost_vring_call_nonblock(vid, q) == -EAGAIN;
}

/* The oldest held buffer may complete now. */
static bool held_due(int vid, struct ring *r, uint64_t now)
{
	if (r->kind == RVD_Q_EVENT)
		return g_dev->event_ready(vid);
	return r->held[r->held_first].due_ns <= now;
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
		held_push(d, r, head, now);
		n++;
	}
	while (r->held_n && held_due(vid, r, now) && done < BATCH) {
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

		if (g_dev->tick) {
			pthread_mutex_lock(&g_lock);
			g_dev->tick();
			pthread_mutex_unlock(&g_lock);
		}
		for (int vid = 0; vid < RVD_MAX_VIDS; vid++) {
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
	if (vid < 0 || vid >= RVD_MAX_VIDS) {
		fprintf(stderr, "%s: vid %d: at most %d connections\n", NAME, vid, RVD_MAX_VIDS);
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
 * QEMU gives after a crash), and listed it by counter, highest first. An
 * event ring is not tracked: its buffers carry no request to replay. */
static void ring_resubmit(int vid, struct vdev *d, struct ring *r, uint16_t q)
{
	struct rte_vhost_ring_inflight ri;
	struct rte_vhost_resubmit_info *rs;
	uint64_t now = now_ns();
	unsigned n = 0;

	memset(&ri, 0, sizeof(ri));
	r->tracked = g_opts->inflight && r->kind != RVD_Q_EVENT &&
		     !rte_vhost_get_vhost_ring_inflight(vid, q, &ri) && ri.inflight_split;
	if (!g_opts->inflight || r->kind == RVD_Q_EVENT)
		return;
	if (!r->tracked) {
		/* The front-end did not hand a region over (SET_INFLIGHT_FD):
		 * requests run, and are lost with this process. */
		fprintf(stderr, "%s: vid %d queue %u: no in-flight region, nothing is tracked\n",
			NAME, vid, q);
		return;
	}
	rs = ri.resubmit_inflight;
	for (; rs && rs->resubmit_num && r->held_n < r->vr.size; n++) {
		rs->resubmit_num--;
		held_push(d, r, rs->resubmit_list[rs->resubmit_num].index, now);
	}
	fprintf(stderr, "%s: vid %d queue %u: resubmitted %u\n", NAME, vid, q, n);
}

static int new_device(int vid)
{
	struct vdev *d = vdev_of(vid);
	uint64_t features = 0;

	if (!d)
		return -1;
	if (rte_vhost_get_mem_table(vid, &d->mem)) {
		fprintf(stderr, "%s: vid %d: no memory table\n", NAME, vid);
		return -1;
	}
	rte_vhost_get_negotiated_features(vid, &features);
	d->nr = rte_vhost_get_vring_num(vid);
	if (d->nr > RVD_MAX_QUEUES)
		d->nr = RVD_MAX_QUEUES;
	d->seq = 0;
	for (uint16_t q = 0; q < d->nr; q++) {
		struct ring *r = &d->rings[q];

		memset(&r->vr, 0, sizeof(r->vr));
		r->held_first = r->held_n = 0;
		r->kind = g_dev->kind ? g_dev->kind(q) : RVD_Q_REQUEST;
		if (rte_vhost_get_vhost_vring(vid, q, &r->vr) ||
		    rte_vhost_get_vring_base(vid, q, &r->last_avail, &r->last_used))
			continue;
		r->held = calloc(r->vr.size, sizeof(*r->held));
		if (!r->held) {
			memset(&r->vr, 0, sizeof(r->vr));
			continue;
		}
		ring_resubmit(vid, d, r, q);
		/* We poll: ask the driver not to kick (§2.7.10). */
		rte_vhost_enable_guest_notification(vid, q, 0);
	}
	pthread_mutex_lock(&g_lock);
	if (g_dev->start)
		g_dev->start(vid, features);
	atomic_store(&d->running, true);
	pthread_mutex_unlock(&g_lock);
	fprintf(stderr, "%s: vid %d: started, %u rings\n", NAME, vid, d->nr);
	return 0;
}

/* A stopping ring: "Suspended device state" says that once its rings are
 * stopped the device writes no guest memory, so what is held completes now,
 * before the GET_VRING_BASE reply (not mid-remap: the memory is gone). The
 * call may be put off by rte_vhost's queue lock; the used idx says it. An
 * event ring's kept buffers are not used: the base we hand back is before
 * them, so that the next back-end takes them again. */
static void ring_stop(int vid, struct vdev *d, uint16_t q, bool mapped)
{
	struct ring *r = &d->rings[q];
	uint16_t kept = 0;

	if (r->vr.desc && mapped && r->held_n) {
		if (r->kind == RVD_Q_EVENT)
			kept = r->held_n;
		while (r->held_n > kept)
			held_complete(vid, d, q);
		ring_call(vid, r, q);
	}
	if (r->vr.desc)
		rte_vhost_set_vring_base(vid, q, (uint16_t)(r->last_avail - kept), r->last_used);
	free(r->held);
	r->held = NULL;
	r->held_n = 0;
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
		for (uint16_t q = 0; q < d->nr; q++)
			ring_stop(vid, d, q, mapped);
		free(d->mem);
		d->mem = NULL;
		fprintf(stderr, "%s: vid %d: stopped\n", NAME, vid);
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
	if (d && q < RVD_MAX_QUEUES) {
		pthread_mutex_lock(&g_lock);
		atomic_store(&d->rings[q].enabled, enable != 0);
		pthread_mutex_unlock(&g_lock);
	}
	return 0;
}

static void config_fill(struct vu_msg *m)
{
	uint8_t cfg[sizeof(m->payload.cfg.region)];
	uint32_t off = m->payload.cfg.offset, len = m->payload.cfg.size, size;

	memset(cfg, 0, sizeof(cfg));
	size = g_dev->config(cfg, sizeof(cfg));
	memset(m->payload.cfg.region, 0, sizeof(m->payload.cfg.region));
	/* Bytes past the struct read as zero. */
	if (off < size)
		memcpy(m->payload.cfg.region, cfg + off, len < size - off ? len : size - off);
}

/* A new memory table while the rings run: rte_vhost 22.11 replaces the
 * mappings without telling an external back-end, so the poller stops in
 * pre_msg and picks the new table and ring addresses up in post_msg. Our
 * ring indexes are kept. */
static void remap_begin(struct vdev *d)
{
	atomic_store(&d->stopping, true);
	pthread_mutex_lock(&g_lock);
	if (atomic_load(&d->running)) {
		atomic_store(&d->running, false);
		d->remapping = true;
	}
	pthread_mutex_unlock(&g_lock);
	atomic_store(&d->stopping, false);
}

static void remap_end(int vid, struct vdev *d)
{
	if (!d->remapping)
		return;
	d->remapping = false;
	free(d->mem);
	d->mem = NULL;
	if (rte_vhost_get_mem_table(vid, &d->mem)) {
		fprintf(stderr, "%s: vid %d: no memory table after SET_MEM_TABLE\n", NAME, vid);
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
			remap_begin(d);
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	case VU_GET_QUEUE_NUM:
		m->payload.u64 = g_opts->rings;
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
		fprintf(stderr, "%s: vid %d: %s_INFLIGHT_FD, %u queues of %u\n", NAME, vid,
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

/* ---- running ------------------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

int rvd_run(const struct rvd_device *dev, const struct rvd_opts *o, char *argv0)
{
	const uint64_t features = dev->features | (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
				  (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	uint64_t protocol_features = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
				     (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				     (1ULL << VHOST_USER_PROTOCOL_F_CONFIG);
	char prefix[64], rundir[PATH_MAX] = "";
	char *eal_argv[] = {
	    argv0, "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-l",
	    "0",   "-m",	"32",	    "--log-level", "lib.eal:warning", prefix};
	pthread_t thr;
	int ret = 1;

	g_dev = dev;
	g_opts = o;
	if (o->inflight)
		protocol_features |= 1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD;
	/* Several peers may run at once: each its own runtime directory. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=rvb%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])), eal_argv) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed: %s\n", NAME, strerror(rte_errno));
		return 1;
	}
	/* --no-shconf leaves the runtime directory empty, but EAL makes it and
	 * never removes it: we do, at exit. */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	unlink(o->socket);
	if (rte_vhost_driver_register(o->socket, 0) ||
	    rte_vhost_driver_set_features(o->socket, features) ||
	    rte_vhost_driver_set_protocol_features(o->socket, protocol_features) ||
	    rte_vhost_driver_callback_register(o->socket, &g_ops)) {
		fprintf(stderr, "%s: cannot register %s\n", NAME, o->socket);
		goto out_eal;
	}
	if (pthread_create(&thr, NULL, poller, NULL)) {
		fprintf(stderr, "%s: cannot start the poller\n", NAME);
		goto out_unreg;
	}
	if (rte_vhost_driver_start(o->socket)) {
		fprintf(stderr, "%s: cannot start %s\n", NAME, o->socket);
		goto out_thr;
	}
	printf("ready\n");
	fflush(stdout);
	while (!g_stop)
		usleep(10000);
	ret = 0;
out_thr:
	/* Unregistering stops every connection (destroy_device) first. */
	rte_vhost_driver_unregister(o->socket);
	atomic_store(&g_poller_stop, true);
	pthread_join(thr, NULL);
	goto out_eal;
out_unreg:
	rte_vhost_driver_unregister(o->socket);
out_eal:
	rte_eal_cleanup();
	if (rundir[0])
		rmdir(rundir);
	return ret;
}

#endif /* STORLAB_NO_DPDK */
