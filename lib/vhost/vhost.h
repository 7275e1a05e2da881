/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_H
#define STORLAB_VHOST_VHOST_H

/*
 * vhost-user, both sides (QEMU docs/interop/vhost-user.rst).
 *
 *   back-end (struct vhost_dev): used by storlab-tgt. Owns a socket (it
 *     listens, or connects to a listening front-end and reconnects), runs the
 *     protocol state machine on a control thread's evloop, maps guest memory,
 *     and hands ready rings to the device (vhost-user-blk, -scsi) through
 *     struct vhost_dev_ops.
 *   front-end (struct vhost_fe): used by the initiator and the conformance
 *     suites. Blocking calls, one per message, plus raw send/receive.
 *
 * Both use one codec (vhost_msg.h), and report every message they send or
 * receive through one tap (vhost_tap.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "mem/mem.h"
#include "spec/vhost_user.h"
#include "util/evloop.h"
#include "util/log_ratelimit.h"
#include "vhost/vhost_tap.h"
#include "virtio/virtq.h"

/* ------------------------------------------------------------------ */
/* Back-end                                                            */
/* ------------------------------------------------------------------ */

#define VHOST_MAX_QUEUES 64

struct vhost_log;

/* A ring as the device sees it. Owned by the vhost_dev; valid from
 * ring_start until the device answered ring_stop. While the ring runs,
 * kick_fd and call_fd belong to the thread that runs it: they change only
 * through ring_swap_fds, written by that thread. */
struct vhost_vring {
	uint16_t index;
	struct virtq_dev vq;   /* initialised, addresses translated */
	int kick_fd;           /* eventfd the driver kicks, or -1 (polled) */
	int call_fd;           /* eventfd we signal, or -1 */
	struct vhost_dev *dev;
	/* Dirty logging (vhost_log.h), set before ring_start and fixed while
	 * the ring runs. log: NULL unless the device must log this ring's
	 * writes (VHOST_F_LOG_ALL negotiated and a log set). log_used: the
	 * used ring's writes too (VHOST_VRING_F_LOG), at log_used_gpa. */
	const struct vhost_log *log;
	bool log_used;
	uint64_t log_used_gpa;
	struct log_ratelimit log_rl; /* the ring's thread's: writes past the log */
	/* In-flight tracking (vhost_inflight.h), set before ring_start like
	 * the log: region NULL unless the device tracks this ring. */
	struct vhost_vring_inflight {
		struct vhost_user_inflight_split *region;
		uint64_t counter;	  /* the next head's counter */
		const uint16_t *resubmit; /* heads in flight at the last crash, by counter */
		uint16_t nresubmit;
		uint16_t resubmitted; /* taken by the device so far */
	} inflight;
};

/* Signals the driver if the ring's notification rules want it (call after a
 * batch of virtq_dev_push). Reactor thread; lock-free. */
void vhost_vring_notify(struct vhost_vring *vring);

/* The device's answer to ring_stop and ring_swap_fds. */
typedef void (*vhost_ring_done_fn)(struct vhost_vring *vring);

/*
 * What a device type plugs in. All called on the control thread, which
 * serves every other device's socket and the RPC server too: no op may wait
 * for a reactor. What takes a reactor's time (stopping a ring once its
 * requests completed, swapping an fd it uses) is asked for and answered
 * through a callback.
 *
 * Ring contract. lib/vhost changes nothing a started ring uses (its size,
 * addresses, memory table, features, fds) until the device answered
 * ring_stop, and answers no request that needs the ring stopped
 * (GET_VRING_BASE, SET_MEM_TABLE, ...) before then. It stops reading that
 * connection meanwhile (requests are handled in order), and serves
 * everything else.
 */
struct vhost_dev_ops {
	/* The device marks every write it makes into guest memory in the
	 * ring's dirty log (vhost_log.h): only then are VHOST_F_LOG_ALL and
	 * VHOST_USER_PROTOCOL_F_LOG_SHMFD offered. */
	bool logs_writes;
	/* The device marks each request it takes and completes in the
	 * in-flight region, and on a ring start runs the requests it lists
	 * first (vhost_inflight.h): only then is
	 * VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD offered. */
	bool tracks_inflight;
	/* Virtio feature bits the device offers (VERSION_1 etc. included). The
	 * library adds VHOST_USER_F_PROTOCOL_FEATURES. */
	uint64_t (*get_features)(void *ctx);
	/* The front-end acknowledged these; 0 or a negative errno. Rings are
	 * stopped meanwhile. */
	int (*set_features)(void *ctx, uint64_t features);
	/* Fills len bytes of config space from offset. Bytes past the device's
	 * struct read as zero (SPDK asks for 256, QEMU for the struct size). */
	int (*get_config)(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len);
	/* May be NULL: SET_CONFIG is then refused. */
	int (*set_config)(void *ctx, const uint8_t *buf, uint32_t offset, uint32_t len,
			  uint32_t flags);
	/* A ring was started (kick fd or polled) and enabled: hand it to a
	 * reactor of the device's choice, without waiting for it. 0: the
	 * device runs the ring from now on (its reactor may take it a moment
	 * later); a negative errno: nothing runs it. */
	int (*ring_start)(void *ctx, struct vhost_vring *vring);
	/* Stop processing the ring, without waiting: call stopped(vring) on the
	 * control thread once no reactor touches the ring any more and every
	 * request popped from it was pushed back as used. Exactly once, and
	 * possibly before ring_stop returns (nothing was in flight). */
	void (*ring_stop)(void *ctx, struct vhost_vring *vring, vhost_ring_done_fn stopped);
	/* May be NULL. A started ring gets new notifiers (SET_VRING_KICK or
	 * SET_VRING_CALL while it runs; QEMU sends a new call fd whenever the
	 * guest masks a vector): the device has the thread that runs the ring
	 * store kick_fd and call_fd into vring->kick_fd / vring->call_fd and
	 * use them from then on (re-arming its wake-up on the kick fd), without
	 * stopping the ring; then calls swapped(vring) on the control thread,
	 * exactly once, possibly before returning. lib/vhost closes the old fds
	 * only then. NULL: the ring is stopped, given the fds, and restarted. */
	void (*ring_swap_fds)(void *ctx, struct vhost_vring *vring, int kick_fd, int call_fd,
			      vhost_ring_done_fn swapped);
	/* May be NULL. The connection came up / went away (after all rings
	 * were stopped). */
	void (*connected)(void *ctx);
	void (*disconnected)(void *ctx);
};

struct vhost_dev_opts {
	const char *socket_path;
	/* false: listen on socket_path (unlinking a stale socket file first);
	 * true: connect to a front-end listening there, retrying every
	 * reconnect_ms while it is away. */
	bool client;
	uint32_t reconnect_ms;
	uint16_t max_queues;          /* GET_QUEUE_NUM */
	uint64_t protocol_features;   /* offered; the library masks what it
				       * does not implement */
	const struct vhost_dev_ops *ops;
	void *ctx;
	struct evloop *loop;          /* the control thread's loop */
	/* Strict mode: front-end protocol violations that the back-end can
	 * tolerate are still logged as findings. */
	bool strict;
	/* The message tap (vhost_tap.h), side VHOST_TAP_BACKEND; zero: none. */
	struct vhost_tap tap;
};

struct vhost_dev;

int vhost_dev_create(const struct vhost_dev_opts *opts, struct vhost_dev **dev);
/* Stops listening (removing the socket file it created) or reconnecting,
 * drops the front-end's connection, and stops every ring without waiting;
 * then calls done(arg) (may be NULL) on the control thread once every ring
 * stopped and the device was told it is disconnected: exactly once,
 * possibly before returning. Nothing else happens on dev after that but
 * vhost_dev_destroy(). */
void vhost_dev_shutdown(struct vhost_dev *dev, void (*done)(void *arg), void *arg);
/* Frees dev, shutting it down first if that was not done. A device whose
 * rings are still stopping is freed once they stopped. */
void vhost_dev_destroy(struct vhost_dev *dev);

struct vhost_dev_info {
	bool connected;
	uint64_t features;            /* negotiated */
	uint64_t protocol_features;   /* negotiated */
	uint32_t mem_regions;
	uint16_t rings_started;
};
void vhost_dev_get_info(const struct vhost_dev *dev, struct vhost_dev_info *info);

/* The guest memory table of the current connection (read by reactors while
 * their rings run). */
const struct mem_table *vhost_dev_mem(const struct vhost_dev *dev);

/* ------------------------------------------------------------------ */
/* Front-end                                                           */
/* ------------------------------------------------------------------ */

struct vhost_fe;

/* Connects to a back-end listening on path. timeout_ms bounds every reply
 * wait of this connection. */
int vhost_fe_connect(const char *path, int timeout_ms, struct vhost_fe **fe);
/* Listens on path and accepts one back-end that connects (back-end client
 * mode), waiting up to timeout_ms. */
int vhost_fe_accept(const char *path, int timeout_ms, struct vhost_fe **fe);
/* A front-end on a connected stream socket, taken (closed by
 * vhost_fe_close; also on failure): one end of a socketpair whose other end
 * a test or a fuzzer plays the back-end on, byte by byte. */
int vhost_fe_create_on_fd(int sock, int timeout_ms, struct vhost_fe **fe);
void vhost_fe_close(struct vhost_fe *fe);
int vhost_fe_fd(const struct vhost_fe *fe);

/* The message tap (vhost_tap.h) of this connection, side VHOST_TAP_FRONTEND:
 * every message sent, and every message received whole or in part; NULL
 * turns it off. Used by conformance traces. */
void vhost_fe_set_tap(struct vhost_fe *fe, const struct vhost_tap *tap);

/*
 * Each call sends one message and waits for its reply (or, once REPLY_ACK is
 * negotiated, for the ack). 0 or a negative errno: -EPIPE/-ECONNRESET the
 * back-end went away, -ETIMEDOUT no answer, -EPROTO a wrong reply, and a
 * nack's value (negated; -EIO if it is not an errno) for a REPLY_ACK failure.
 *
 * A back-end is not trusted: a reply is read to the end its header announces
 * (bounded) and used only when it is whole and right: the reply flag, version
 * 1, the request that was sent, no fds, the payload size the request defines.
 * A message that arrives while no request is outstanding is a wrong reply
 * too, found before the next request. A wrong reply is logged with what
 * arrived, and the connection is shut down (vhost-user.rst "Communication":
 * a front-end that receives a wrong reply closes the connection); the
 * handle's next calls fail. After -ETIMEDOUT with nothing received, the
 * stream may still bring a late reply: close it. Outputs are zero unless the
 * call succeeds.
 */
int vhost_fe_get_features(struct vhost_fe *fe, uint64_t *features);
int vhost_fe_set_features(struct vhost_fe *fe, uint64_t features);
int vhost_fe_get_protocol_features(struct vhost_fe *fe, uint64_t *features);
/* Also turns REPLY_ACK use on if the bit is set. */
int vhost_fe_set_protocol_features(struct vhost_fe *fe, uint64_t features);
int vhost_fe_set_owner(struct vhost_fe *fe);
int vhost_fe_reset_owner(struct vhost_fe *fe);
int vhost_fe_reset_device(struct vhost_fe *fe);
int vhost_fe_get_queue_num(struct vhost_fe *fe, uint64_t *num);
int vhost_fe_get_max_mem_slots(struct vhost_fe *fe, uint64_t *slots);

struct vhost_fe_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
	int fd;
};
int vhost_fe_set_mem_table(struct vhost_fe *fe, const struct vhost_fe_region *regions,
			   unsigned n);
int vhost_fe_add_mem_reg(struct vhost_fe *fe, const struct vhost_fe_region *region);
int vhost_fe_rem_mem_reg(struct vhost_fe *fe, const struct vhost_fe_region *region);

int vhost_fe_set_vring_num(struct vhost_fe *fe, uint32_t index, uint32_t num);
int vhost_fe_set_vring_addr(struct vhost_fe *fe, const struct vhost_user_vring_addr *addr);
int vhost_fe_set_vring_base(struct vhost_fe *fe, uint32_t index, uint32_t base);
int vhost_fe_get_vring_base(struct vhost_fe *fe, uint32_t index, uint32_t *base);
/* fd -1 sends the NOFD flag. */
int vhost_fe_set_vring_kick(struct vhost_fe *fe, uint32_t index, int fd);
int vhost_fe_set_vring_call(struct vhost_fe *fe, uint32_t index, int fd);
int vhost_fe_set_vring_err(struct vhost_fe *fe, uint32_t index, int fd);
int vhost_fe_set_vring_enable(struct vhost_fe *fe, uint32_t index, bool enable);
/* vhost_fe_log.c. SET_LOG_BASE with the log in shared memory (LOG_SHMFD
 * negotiated): size bytes of fd from offset, one bit per 4 KiB guest page
 * ("Migration"). Waits up to timeout_ms for the reply the spec requires.
 * 0, or -EPROTO (a wrong reply), a send or receive error. */
int vhost_fe_set_log_base(struct vhost_fe *fe, int fd, uint64_t size, uint64_t offset,
			  int timeout_ms);
/* Reads size bytes of config space at offset into buf. -EIO: the back-end
 * answered with an empty payload, its error answer ("VHOST_USER_GET_CONFIG");
 * the connection goes on. */
int vhost_fe_get_config(struct vhost_fe *fe, uint32_t offset, uint32_t size, void *buf);
int vhost_fe_set_config(struct vhost_fe *fe, uint32_t offset, uint32_t size, const void *buf);

/* GET_INFLIGHT_FD: asks for a buffer for num_queues queues of queue_size
 * entries; *desc gets the back-end's description and *fd the buffer (the
 * caller's to close). SET_INFLIGHT_FD: hands a buffer (back) to the
 * back-end (vhost-user.rst "Inflight I/O tracking"). Both need
 * VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD negotiated. */
int vhost_fe_get_inflight_fd(struct vhost_fe *fe, uint16_t num_queues, uint16_t queue_size,
			     struct vhost_user_inflight *desc, int *fd);
int vhost_fe_set_inflight_fd(struct vhost_fe *fe, const struct vhost_user_inflight *desc, int fd);

/* Reads a virtio-blk config space (virtio 1.2 §5.2.4) into cfg (a struct
 * virtio_blk_config), zeroed past what the back-end answered: GET_CONFIG
 * with the struct size, then, if that got the error answer (-EIO), with the
 * 60 bytes that back-ends older than virtio 1.2 know. *len gets the size
 * that was answered. 0 or the last GET_CONFIG error. (The get_config of
 * struct vhost_fe_setup_opts.) */
struct virtio_blk_config;
int vhost_fe_get_blk_config(struct vhost_fe *fe, void *cfg, uint32_t *len);
/* How many queues a virtio-blk back-end has: GET_QUEUE_NUM's answer
 * (queue_num), bounded by VHOST_MAX_QUEUES, by 1 without VIRTIO_BLK_F_MQ and
 * by the config's num_queues with it (config_len 0: config not read). */
uint16_t vhost_fe_blk_max_queues(uint64_t features, uint64_t queue_num,
				 const struct virtio_blk_config *cfg, uint32_t config_len);

/* Raw access for conformance cases and fuzzers: any header, any payload,
 * any fds. vhost_fe_send_raw sends hdr->size bytes of payload.
 * vhost_fe_recv_raw waits up to timeout_ms for one message and tells what
 * arrived, without judging it: *hdr gets the header (zero past the bytes
 * that arrived; all zero if none did), payload the first max_payload payload
 * bytes that arrived (zero past them). Any fds it carried are closed. 0 for
 * a whole message; -EMSGSIZE for one with more than max_payload bytes (read
 * to its end when no larger than the bound above; else the connection is
 * shut down); -ECONNRESET / -ETIMEDOUT when the back-end closed the
 * connection / nothing more came (with part of a message: the connection is
 * shut down); -EPROTO for more than VHOST_USER_MAX_FDS fds. */
int vhost_fe_send_raw(struct vhost_fe *fe, const struct vhost_user_hdr *hdr,
		      const void *payload, const int *fds, unsigned nfds);
int vhost_fe_recv_raw(struct vhost_fe *fe, struct vhost_user_hdr *hdr, void *payload,
		      uint32_t max_payload, int timeout_ms);

#endif
