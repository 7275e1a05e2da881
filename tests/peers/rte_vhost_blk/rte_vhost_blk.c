/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_blk: a vhost-user-blk back-end on DPDK's rte_vhost, the peer our
 * initiator and conformance runner are tested against (DESIGN.md "Real peers,
 * always"). The vhost-user protocol side is DPDK's; the virtio-blk device is
 * this file, written from the virtio 1.2 spec and the Linux UAPI headers
 * (<linux/virtio_blk.h>, <linux/virtio_ring.h>), not from lib/spec, so that a
 * mistake in our own headers cannot hide on both sides.
 *
 *   rte_vhost_blk --socket PATH --size MB [--queues N]
 *
 * Prints "ready" once the socket is registered; exits 0 on SIGTERM/SIGINT.
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
#include <sys/uio.h>
#include <unistd.h>

/* rte_vhost_vring_call_nonblock() is experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_vhost.h>

#define SECTOR		 512u
#define MAX_QUEUES	 16
#define MAX_VIDS	 8
#define SEG_MAX		 128 /* data segments per request we advertise */
#define MAX_IOV		 (SEG_MAX + 8)
#define BATCH		 32
#define BLK_ID		 "rte_vhost_blk"

/* vhost-user.rst request numbers this file answers itself. */
#define VU_SET_MEM_TABLE 5
#define VU_GET_QUEUE_NUM 17
#define VU_GET_CONFIG	 24
#define VU_SET_CONFIG	 25

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
	} payload;
} __attribute__((packed));

struct ring {
	struct rte_vhost_vring vr;
	uint16_t last_avail;
	uint16_t last_used;
	atomic_bool enabled;
	bool call_pending; /* a notification rte_vhost's queue lock put off */
};

struct vdev {
	atomic_bool running;  /* new_device .. destroy_device */
	bool remapping;	      /* SET_MEM_TABLE between pre_msg and post_msg */
	atomic_bool stopping; /* destroy_device waits for the poller */
	struct rte_vhost_memory *mem;
	uint16_t nr;
	struct ring rings[MAX_QUEUES];
};

static uint8_t *g_disk;
static uint64_t g_disk_bytes;
static uint16_t g_queues = 1;
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

		if (!va || !got || *n >= MAX_IOV)
			return false;
		iov[*n].iov_base = (void *)(uintptr_t)va;
		iov[*n].iov_len = got;
		(*n)++;
		gpa += got;
		len -= got;
	}
	return true;
}

/* Copies between a flat buffer and bytes [off, off+len) of an iovec array. */
static void iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
		     bool to_iov)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < n && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t k = iov[i].iov_len - off;
		if (k > len)
			k = len;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, p, k);
		else
			memcpy(p, (uint8_t *)iov[i].iov_base + off, k);
		p += k;
		len -= k;
		off = 0;
	}
}

struct chain {
	struct iovec out[MAX_IOV];
	struct iovec in[MAX_IOV];
	unsigned nout, nin;
	size_t out_len, in_len;
};

/* Walks the chain at head (virtio 1.2 §2.7.5, §2.7.5.3 indirect). False if it
 * is malformed: a loop, an address outside memory, readable after writable. */
static bool chain_map(struct vdev *d, struct ring *r, uint16_t head, struct chain *c)
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

/* ---- virtio-blk requests (virtio 1.2 §5.2.6) ----------------------------- */

/* Returns the used length: bytes written to the device-writable buffers. */
static uint32_t blk_request(struct chain *c)
{
	struct virtio_blk_outhdr hdr;
	uint8_t status = VIRTIO_BLK_S_OK;
	size_t data_len, written = 0;

	if (c->out_len < sizeof(hdr) || c->in_len < 1)
		return 0; /* no header or no status byte: nothing to answer with */
	iov_copy(c->out, c->nout, 0, &hdr, sizeof(hdr), false);
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		bool in = hdr.type == VIRTIO_BLK_T_IN;
		uint64_t off = hdr.sector * SECTOR;

		data_len = in ? c->in_len - 1 : c->out_len - sizeof(hdr);
		if (data_len % SECTOR || hdr.sector > g_disk_bytes / SECTOR ||
		    data_len > g_disk_bytes - off) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (in) {
			iov_copy(c->in, c->nin, 0, g_disk + off, data_len, true);
			written = data_len;
		} else {
			iov_copy(c->out, c->nout, sizeof(hdr), g_disk + off, data_len, false);
		}
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		break; /* RAM: nothing is cached */
	case VIRTIO_BLK_T_GET_ID: {
		/* §5.2.6: up to 20 bytes, NUL-padded, no NUL if all 20 are used. */
		char id[VIRTIO_BLK_ID_BYTES] = BLK_ID;

		written = c->in_len - 1 < sizeof(id) ? c->in_len - 1 : sizeof(id);
		iov_copy(c->in, c->nin, 0, id, written, true);
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	iov_copy(c->in, c->nin, c->in_len - 1, &status, 1, true);
	return (uint32_t)written + 1;
}

static unsigned ring_poll(int vid, struct vdev *d, uint16_t q)
{
	struct ring *r = &d->rings[q];
	struct vring_avail *avail = r->vr.avail;
	struct vring_used *used = r->vr.used;
	static struct chain c; /* one poller thread */
	unsigned n = 0;
	uint16_t avail_idx = __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE);

	while (r->last_avail != avail_idx && n < BATCH) {
		uint16_t head = avail->ring[r->last_avail % r->vr.size];
		uint32_t len = 0;

		r->last_avail++;
		if (chain_map(d, r, head, &c))
			len = blk_request(&c);
		else
			fprintf(stderr, "rte_vhost_blk: vid %d queue %u: malformed chain %u\n", vid,
				q, head);
		used->ring[r->last_used % r->vr.size].id = head;
		used->ring[r->last_used % r->vr.size].len = len;
		r->last_used++;
		/* §2.7.8: the entry before the index. */
		__atomic_store_n(&used->idx, r->last_used, __ATOMIC_RELEASE);
		n++;
	}
	if (n || r->call_pending) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Never wait for rte_vhost's queue lock while holding g_lock: its
		 * event thread holds that lock while it runs vring_state_changed,
		 * which takes g_lock. Put off, the call goes out on the next pass. */
		r->call_pending = rte_vhost_vring_call_nonblock(vid, q) == -EAGAIN;
	}
	return n;
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
		if (rte_vhost_get_vhost_vring(vid, q, &r->vr) ||
		    rte_vhost_get_vring_base(vid, q, &r->last_avail, &r->last_used))
			continue;
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
		atomic_store(&d->running, false);
		d->remapping = false;
		for (uint16_t q = 0; q < d->nr; q++) {
			if (d->rings[q].vr.desc)
				rte_vhost_set_vring_base(vid, q, d->rings[q].last_avail,
							 d->rings[q].last_used);
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
	cfg.capacity = g_disk_bytes / SECTOR;
	cfg.seg_max = SEG_MAX;
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
	fprintf(stderr, "usage: rte_vhost_blk --socket PATH --size MB [--queues N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"size", required_argument, NULL, 'z'},
	    {"queues", required_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	const uint64_t features = (1ULL << VIRTIO_F_VERSION_1) |
				  (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
				  (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
				  (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_MQ) |
				  (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	const uint64_t protocol_features = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
					   (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
					   (1ULL << VHOST_USER_PROTOCOL_F_CONFIG);
	char prefix[64], rundir[PATH_MAX] = "";
	char *eal_argv[] = {
	    argv[0], "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",	"-l",
	    "0",     "-m",	  "32",	      "--log-level", "lib.eal:warning", prefix};
	const char *path = NULL;
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
		default:
			return usage();
		}
	}
	if (!path || !size_mb || optind != argc || g_queues < 1 || g_queues > MAX_QUEUES)
		return usage();
	g_disk_bytes = (uint64_t)size_mb << 20;
	g_disk = calloc(1, g_disk_bytes);
	if (!g_disk) {
		fprintf(stderr, "rte_vhost_blk: cannot allocate %lu MiB\n", size_mb);
		return 1;
	}
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
	free(g_disk);
	return ret;
}

#endif /* STORLAB_NO_DPDK */
