/* SPDX-License-Identifier: MIT */
/*
 * bad_backend: a vhost-user-blk back-end that breaks one requirement on
 * demand, for testing that each conformance case catches exactly its own
 * violation (docs/peers.md has the table).
 *
 *   bad_backend --socket PATH --size MB [--queues N] [--readonly]
 *               [--break NAME]...
 *
 * Prints "ready" when it listens; exits 0 on SIGTERM/SIGINT. Test-only code:
 * one thread, one front-end at a time.
 *
 * How it is built: our lib/vhost back-end runs on one end of a socketpair
 * (vhost_dev_create_on_fd); this file sits between it and the real front-end
 * and forwards every message both ways. The protocol switches act on that
 * stream (drop or alter a reply, refuse a message, close), so lib/vhost
 * itself needs no test hooks. The data-path switches act in the device below.
 */
#define LOG_COMPONENT "bad_backend"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "spec/vhost_user.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/log.h"
#include "vhost/vhost.h"
#include "vhost/vhost_backend_internal.h"
#include "vhost/vhost_msg.h"

#define SECTOR	       VIRTIO_BLK_SECTOR_SIZE
#define SEG_MAX	       128
#define MAX_IOV	       (SEG_MAX + 8)
#define BATCH	       32
#define MSG_TIMEOUT_MS 2000
/* Exactly VIRTIO_BLK_ID_BYTES: a correct device writes no NUL after it. */
#define BLK_ID "storlab-bad-backend0"
/* The virtio 1.1 config struct, as QEMU 7.2 knows it (no secure erase). */
#define CONFIG_SIZE_V11 offsetof(struct virtio_blk_config, max_secure_erase_sectors)

/* ---- the switches ------------------------------------------------------- */

enum brk {
	BRK_WRONG_STATUS,
	BRK_NO_USED_LEN,
	BRK_USED_LEN_SHORT,
	BRK_FLUSH_UNSUPP,
	BRK_GET_ID_LONG,
	BRK_IGNORE_READONLY,
	BRK_DISCARD_IGNORES_UNMAP_FLAG,
	BRK_NO_EVENT_IDX_NOTIFY,
	BRK_DROP_REPLY_ACK,
	BRK_WRONG_VRING_BASE,
	BRK_KEEPS_RING_RUNNING,
	BRK_CONFIG_SIZE_STRICT,
	BRK_CLOSE_ON_BAD_MESSAGE,
	BRK_COUNT,
};

/* One line per switch: its name and the requirement it breaks (printed by
 * --list; docs/peers.md says the same at more length). */
static const struct {
	const char *name;
	const char *breaks;
} g_switches[BRK_COUNT] = {
    [BRK_WRONG_STATUS] = {"wrong-status", "virtio 1.2 §5.2.6: a read past capacity gets OK"},
    [BRK_NO_USED_LEN] = {"no-used-len", "virtio 1.2 §2.7.8: used len is always 0"},
    [BRK_USED_LEN_SHORT] = {"used-len-short",
			    "virtio 1.2 §2.7.8: used len leaves out the status byte"},
    [BRK_FLUSH_UNSUPP] = {"flush-unsupp", "virtio 1.2 §5.2.6.2: FLUSH offered, answered UNSUPP"},
    [BRK_GET_ID_LONG] = {"get-id-long", "virtio 1.2 §5.2.6: GET_ID writes 20 bytes plus a NUL"},
    [BRK_IGNORE_READONLY] = {"ignore-readonly",
			     "virtio 1.2 §5.2.6.2: RO offered, writes accepted and done"},
    [BRK_DISCARD_IGNORES_UNMAP_FLAG] = {"discard-ignores-unmap-flag",
					"virtio 1.2 §5.2.6.2: DISCARD with unmap set gets OK"},
    [BRK_NO_EVENT_IDX_NOTIFY] = {"no-event-idx-notify",
				 "virtio 1.2 §2.7.7.2: EVENT_IDX negotiated, never notifies"},
    [BRK_DROP_REPLY_ACK] = {"drop-reply-ack",
			    "vhost-user.rst REPLY_ACK: no ack for NEED_REPLY messages"},
    [BRK_WRONG_VRING_BASE] = {"wrong-vring-base",
			      "vhost-user.rst GET_VRING_BASE: answers the index plus one"},
    [BRK_KEEPS_RING_RUNNING] = {"keeps-ring-running",
				"vhost-user.rst Ring states: consumes after GET_VRING_BASE"},
    [BRK_CONFIG_SIZE_STRICT] = {"config-size-strict",
				"vhost-user.rst GET_CONFIG: empty reply above 60 bytes (as QEMU)"},
    [BRK_CLOSE_ON_BAD_MESSAGE] = {"close-on-bad-message",
				  "vhost-user.rst: closes on an unknown request, no nack"},
};

static bool g_break[BRK_COUNT];

#define BROKEN(b) (g_break[BRK_##b])

/* ---- the device ---------------------------------------------------------- */

struct ring {
	struct vhost_vring *vring; /* NULL: not running */
	struct virtq_dev zombie;   /* keeps-ring-running: the stopped ring's copy */
	bool zombie_live;
};

struct disk {
	uint8_t *data;
	uint64_t bytes;
	uint16_t queues;
	bool readonly;
	uint64_t features; /* negotiated */
	struct ring rings[VHOST_MAX_QUEUES];
};

static struct disk g_disk;
static volatile sig_atomic_t g_stop;

static void iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
		     bool to_iov)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < n && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t k = iov[i].iov_len - off < len ? iov[i].iov_len - off : len;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, p, k);
		else
			memcpy(p, (uint8_t *)iov[i].iov_base + off, k);
		p += k;
		len -= k;
		off = 0;
	}
}

static bool range_ok(uint64_t sector, uint64_t bytes)
{
	uint64_t cap = g_disk.bytes / SECTOR;

	return sector <= cap && bytes <= (cap - sector) * SECTOR;
}

/* DISCARD / WRITE_ZEROES, one segment (max_*_seg is 1). */
static uint8_t blk_dwz(uint32_t type, const struct iovec *out, unsigned nout, uint32_t out_len)
{
	struct virtio_blk_discard_write_zeroes seg;
	uint64_t bytes;

	if (out_len != sizeof(struct virtio_blk_outhdr) + sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	iov_copy(out, nout, sizeof(struct virtio_blk_outhdr), &seg, sizeof(seg), false);
	/* §5.2.6.2: UNSUPP for unknown flags, and for unmap on a discard. */
	if (seg.flags & ~(uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
		return VIRTIO_BLK_S_UNSUPP;
	if (type == VIRTIO_BLK_T_DISCARD && (seg.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) &&
	    !BROKEN(DISCARD_IGNORES_UNMAP_FLAG))
		return VIRTIO_BLK_S_UNSUPP;
	bytes = (uint64_t)seg.num_sectors * SECTOR;
	if (g_disk.readonly || !range_ok(seg.sector, bytes))
		return VIRTIO_BLK_S_IOERR;
	memset(g_disk.data + seg.sector * SECTOR, 0, bytes);
	return VIRTIO_BLK_S_OK;
}

/* One request (virtio 1.2 §5.2.6); returns the used length. */
static uint32_t blk_request(const struct virtq_chain *c)
{
	const struct iovec *out = c->iov, *in = c->iov + c->nout;
	struct virtio_blk_outhdr hdr;
	uint8_t status = VIRTIO_BLK_S_OK;
	uint32_t data, written = 0;

	if (c->out_len < sizeof(hdr) || c->in_len < 1)
		return 0;
	iov_copy(out, c->nout, 0, &hdr, sizeof(hdr), false);
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		data = c->in_len - 1;
		if (data % SECTOR) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (!range_ok(hdr.sector, data)) {
			/* wrong-status: out of range only, so no other case fails. */
			status = BROKEN(WRONG_STATUS) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
			break;
		}
		iov_copy(in, c->nin, 0, g_disk.data + hdr.sector * SECTOR, data, true);
		written = data;
		break;
	case VIRTIO_BLK_T_OUT:
		data = c->out_len - sizeof(hdr);
		if ((g_disk.readonly && !BROKEN(IGNORE_READONLY)) || data % SECTOR ||
		    !range_ok(hdr.sector, data)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		iov_copy(out, c->nout, sizeof(hdr), g_disk.data + hdr.sector * SECTOR, data, false);
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (BROKEN(FLUSH_UNSUPP))
			status = VIRTIO_BLK_S_UNSUPP;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		char id[VIRTIO_BLK_ID_BYTES + 1] = BLK_ID; /* the NUL is only for get-id-long */
		uint32_t n = BROKEN(GET_ID_LONG) ? sizeof(id) : VIRTIO_BLK_ID_BYTES;

		written = c->in_len - 1 < n ? c->in_len - 1 : n;
		iov_copy(in, c->nin, 0, id, written, true);
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = blk_dwz(hdr.type, out, c->nout, c->out_len);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	iov_copy(in, c->nin, c->in_len - 1, &status, 1, true);
	if (BROKEN(NO_USED_LEN))
		return 0;
	if (BROKEN(USED_LEN_SHORT))
		return written;
	return written + 1;
}

/* Runs up to BATCH requests of one ring; returns how many. */
static unsigned ring_run(struct virtq_dev *vq, struct vhost_vring *vring)
{
	static struct iovec iov[MAX_IOV];
	unsigned n = 0;

	while (n < BATCH) {
		struct virtq_chain c = {.iov = iov, .max_iov = MAX_IOV};
		int ret = virtq_dev_pop(vq, &c);
		uint32_t len = 0;

		if (ret == -EAGAIN)
			break;
		if (ret == -EIO)
			return n; /* broken ring: logged by lib/virtio, nothing more to do */
		if (ret == 0)
			len = blk_request(&c);
		virtq_dev_push(vq, c.head, len);
		n++;
	}
	if (n && vring) {
		bool event_idx = g_disk.features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);

		if (!(event_idx && BROKEN(NO_EVENT_IDX_NOTIFY)))
			vhost_vring_notify(vring);
	}
	return n;
}

static unsigned disk_poll(void)
{
	unsigned busy = 0;

	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++) {
		struct ring *r = &g_disk.rings[i];

		if (r->vring) {
			unsigned n = ring_run(&r->vring->vq, r->vring);

			busy += n;
			/* Before sleeping: ask for a kick, then look once more (§2.7.10). */
			if (!n) {
				virtq_dev_set_kick(&r->vring->vq, true);
				if (virtq_dev_has_work(&r->vring->vq))
					busy++;
			}
		}
		if (r->zombie_live)
			busy += ring_run(&r->zombie, NULL);
	}
	return busy;
}

static void zombies_drop(void)
{
	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++)
		g_disk.rings[i].zombie_live = false;
}

static uint64_t dev_get_features(void *ctx)
{
	uint64_t f = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		     VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		     VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
		     VIRTIO_BIT(VIRTIO_BLK_F_MQ) | VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) |
		     VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	(void)ctx;
	if (g_disk.readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	return f;
}

static int dev_set_features(void *ctx, uint64_t features)
{
	(void)ctx;
	g_disk.features = features;
	return 0;
}

static int dev_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct virtio_blk_config cfg = {
	    .capacity = g_disk.bytes / SECTOR,
	    .seg_max = SEG_MAX,
	    .blk_size = SECTOR,
	    .num_queues = g_disk.queues,
	    .max_discard_sectors = UINT32_MAX,
	    .max_discard_seg = 1,
	    .discard_sector_alignment = 1,
	    .max_write_zeroes_sectors = UINT32_MAX,
	    .max_write_zeroes_seg = 1,
	    .write_zeroes_may_unmap = 1,
	};

	(void)ctx;
	memset(buf, 0, len);
	if (offset < sizeof(cfg))
		memcpy(buf, (uint8_t *)&cfg + offset,
		       len < sizeof(cfg) - offset ? len : sizeof(cfg) - offset);
	return 0;
}

static int dev_ring_start(void *ctx, struct vhost_vring *vring)
{
	struct ring *r = &g_disk.rings[vring->index];

	(void)ctx;
	r->zombie_live = false;
	r->vring = vring;
	return 0;
}

static void dev_ring_stop(void *ctx, struct vhost_vring *vring)
{
	struct ring *r = &g_disk.rings[vring->index];

	(void)ctx;
	if (BROKEN(KEEPS_RING_RUNNING)) {
		r->zombie = vring->vq;
		r->zombie_live = true;
	}
	r->vring = NULL;
}

static void dev_disconnected(void *ctx)
{
	(void)ctx;
	zombies_drop();
	g_disk.features = 0;
}

static const struct vhost_dev_ops g_dev_ops = {
    .get_features = dev_get_features,
    .set_features = dev_set_features,
    .get_config = dev_get_config,
    .ring_start = dev_ring_start,
    .ring_stop = dev_ring_stop,
    .disconnected = dev_disconnected,
};

/* ---- the connection: front-end <-> us <-> lib/vhost ----------------------- */

struct conn {
	int fe;		       /* the front-end's connection */
	int lib;	       /* our end of lib/vhost's socketpair */
	struct vhost_dev *dev; /* owns the other end */
	struct vhost_msg_rx rx;
};

/* Requests whose answer is a reply of their own, never a bare ack. */
static bool has_own_reply(uint32_t request)
{
	switch (request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_GET_CONFIG:
	case VHOST_USER_GET_MAX_MEM_SLOTS:
	case VHOST_USER_GET_INFLIGHT_FD:
	case VHOST_USER_SET_LOG_BASE:
		return true;
	default:
		return false;
	}
}

/* Forwards lib/vhost's replies to REQ to the front-end, breaking them as the
 * switches say. 0, or a negative errno to close the connection. */
static int conn_forward_replies(struct conn *c, const struct vhost_user_hdr *req)
{
	struct vhost_msg m;
	int ret;

	while ((ret = vhost_msg_recv(c->lib, &m, 0)) == 0) {
		/* Known requests only: the nack to an unknown one is another case's. */
		bool drop = BROKEN(DROP_REPLY_ACK) && (req->flags & VHOST_USER_NEED_REPLY_MASK) &&
			    !has_own_reply(req->request) &&
			    strcmp(vhost_msg_request_name(req->request), "unknown");

		if (BROKEN(WRONG_VRING_BASE) && m.hdr.request == VHOST_USER_GET_VRING_BASE)
			m.payload.state.num++;
		if (!drop)
			ret = vhost_msg_send(c->fe, &m.hdr, &m.payload, m.fds, m.nfds,
					     MSG_TIMEOUT_MS);
		vhost_msg_close_fds(&m);
		if (ret)
			return ret;
	}
	return ret == -ETIMEDOUT || ret == -EAGAIN ? 0 : ret;
}

/* One whole message from the front-end. */
static int conn_handle(struct conn *c, struct vhost_msg *m)
{
	uint32_t req = m->hdr.request;

	if (BROKEN(CLOSE_ON_BAD_MESSAGE) && !strcmp(vhost_msg_request_name(req), "unknown")) {
		log_info("close-on-bad-message: request %u, closing", req);
		vhost_msg_close_fds(m);
		return -EPROTO;
	}
	if (BROKEN(CONFIG_SIZE_STRICT) && req == VHOST_USER_GET_CONFIG &&
	    m->hdr.size >= VHOST_USER_CONFIG_HDR_SIZE && m->payload.config.size > CONFIG_SIZE_V11) {
		struct vhost_user_hdr r = {.request = req,
					   .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK};

		vhost_msg_close_fds(m);
		return vhost_msg_send(c->fe, &r, NULL, NULL, 0, MSG_TIMEOUT_MS);
	}
	if (req == VHOST_USER_SET_MEM_TABLE || req == VHOST_USER_ADD_MEM_REG ||
	    req == VHOST_USER_REM_MEM_REG || req == VHOST_USER_RESET_OWNER ||
	    req == VHOST_USER_RESET_DEVICE)
		zombies_drop(); /* a stopped ring's memory is about to go */
	/* vhost_dev_handle_msg takes the fds. */
	if (vhost_dev_handle_msg(c->dev, &m->hdr, &m->payload, m->fds, m->nfds) < 0)
		return -EPROTO;
	m->nfds = 0;
	return conn_forward_replies(c, &m->hdr);
}

static void conn_close(struct conn *c)
{
	if (c->fe < 0)
		return;
	vhost_dev_destroy(c->dev); /* stops the rings, closes its end */
	c->dev = NULL;
	vhost_msg_rx_reset(&c->rx);
	close(c->lib);
	close(c->fe);
	c->fe = c->lib = -1;
	log_info("front-end gone");
}

static int conn_open(struct conn *c, int fe, uint16_t queues)
{
	const struct vhost_dev_opts opts = {
	    .max_queues = queues,
	    .protocol_features = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG),
	    .ops = &g_dev_ops,
	};
	int sp[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	ret = vhost_dev_create_on_fd(&opts, sp[0], &c->dev);
	if (ret) {
		close(sp[0]);
		close(sp[1]);
		return ret;
	}
	c->fe = fe;
	c->lib = sp[1];
	vhost_msg_rx_reset(&c->rx);
	log_info("front-end connected");
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: bad_backend --socket PATH --size MB [--queues N] [--readonly]"
			" [--break NAME]... | --list\n");
	return 2;
}

static int break_set(const char *name)
{
	for (unsigned i = 0; i < BRK_COUNT; i++) {
		if (!strcmp(name, g_switches[i].name)) {
			g_break[i] = true;
			return 0;
		}
	}
	fprintf(stderr, "bad_backend: no switch %s (--list shows them)\n", name);
	return -1;
}

/* The main loop: accept, proxy messages, run the rings in between. */
static int serve(int lfd)
{
	struct conn c = {.fe = -1, .lib = -1};

	while (!g_stop) {
		struct pollfd p = {.fd = c.fe >= 0 ? c.fe : lfd, .events = POLLIN};
		unsigned busy = disk_poll();
		int ret = poll(&p, 1, busy ? 0 : 1);

		if (ret <= 0)
			continue;
		if (c.fe < 0) {
			int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd >= 0 && conn_open(&c, fd, g_disk.queues))
				close(fd);
			continue;
		}
		/* Whole messages only; a partial one waits for its next bytes. */
		for (;;) {
			ret = vhost_msg_rx_step(&c.rx, c.fe);
			if (ret == -EAGAIN)
				break;
			if (ret == 1) {
				ret = conn_handle(&c, &c.rx.msg);
				c.rx.msg.nfds = 0;
				vhost_msg_rx_reset(&c.rx);
				if (ret == 0)
					continue;
			}
			conn_close(&c);
			break;
		}
	}
	conn_close(&c);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"size", required_argument, NULL, 'z'},
	    {"queues", required_argument, NULL, 'q'},
	    {"readonly", no_argument, NULL, 'r'},
	    {"break", required_argument, NULL, 'b'},
	    {"list", no_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	unsigned long size_mb = 0;
	int c, lfd;

	g_disk.queues = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'z':
			size_mb = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			g_disk.queues = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			g_disk.readonly = true;
			break;
		case 'b':
			if (break_set(optarg))
				return 2;
			break;
		case 'l':
			for (unsigned i = 0; i < BRK_COUNT; i++)
				printf("%-28s %s\n", g_switches[i].name, g_switches[i].breaks);
			return 0;
		default:
			return usage();
		}
	}
	if (!path || !size_mb || optind != argc || !g_disk.queues ||
	    g_disk.queues > VHOST_MAX_QUEUES)
		return usage();
	/* ignore-readonly means: RO is offered, and then not honoured. */
	if (BROKEN(IGNORE_READONLY))
		g_disk.readonly = true;
	g_disk.bytes = (uint64_t)size_mb << 20;
	g_disk.data = calloc(1, g_disk.bytes);
	if (!g_disk.data)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(path);
	if (lfd < 0) {
		fprintf(stderr, "bad_backend: %s: %s\n", path, strerror(-lfd));
		free(g_disk.data);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	serve(lfd);
	close(lfd);
	unlink(path);
	free(g_disk.data);
	return 0;
}
