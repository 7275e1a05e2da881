/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_CONFORM_H
#define STORLAB_CONFORMANCE_CONFORM_H

/*
 * Conformance cases and the API they run on.
 *
 * A case checks one requirement of one spec against a vendor's endpoint
 * (today: a vhost-user-blk back-end's socket). It has a stable ID, the spec
 * and section it checks with the sentence it enforces, a level (MUST /
 * SHOULD / MAY, or ADVISORY, or INFO: see enum conform_level) and what it
 * needs from the endpoint, in the terms of its suite's transport (struct
 * conform_transport); a case whose needs the endpoint does not offer is
 * reported as not applicable, never as passed.
 *
 * Isolation: the runner runs every case in a child process of its own, on a
 * fresh connection, with a deadline. A case that hangs is killed and
 * reported as an error; a back-end that crashes or closes the socket is
 * detected and reported on that case; the runner goes on (restarting the
 * back-end when it spawned it). A case therefore never needs to clean up
 * after itself: its process and its connections simply end.
 *
 * Everything a case sends and receives on a connection from conform_connect()
 * is recorded in its trace, which reports show for failing cases.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "spec/virtio_blk.h"
#include "vhost/vhost.h"
#include "virtio/virtq.h"

/*
 * MUST / SHOULD / MAY only where the quoted sentence says so, for the side
 * under test: these are the spec verdicts, and only a MUST case that fails
 * or errs fails a run. CONFORM_ADVISORY: no sentence of the spec requires
 * it, but a robust endpoint does it (refusing overlapping memory regions,
 * say). An advisory is reported in its own section of every report, never
 * fails a run and is never counted with the spec verdicts; its severity says
 * why it still matters, and an unmet one reads "advisory not met", not FAIL.
 * CONFORM_INFO: an observation, no verdict at all: the case records what the
 * endpoint did with conform_info() where the spec allows more than one
 * behaviour (it returns PASS once it has observed, ERROR when it could not).
 */
enum conform_level {
	CONFORM_MUST,
	CONFORM_SHOULD,
	CONFORM_MAY,
	CONFORM_ADVISORY,
	CONFORM_INFO,
};

/* Of advisories only (every other case leaves it CONFORM_SEV_NONE). */
enum conform_severity {
	CONFORM_SEV_NONE,
	CONFORM_SEV_MEMORY_SAFETY, /* the endpoint may touch memory it must not */
	CONFORM_SEV_DATA_SAFETY,   /* data may be lost, stale or misplaced */
	CONFORM_SEV_ROBUSTNESS,	   /* the endpoint may stop serving or misreport */
};

enum conform_verdict {
	CONFORM_PASS,
	CONFORM_FAIL,           /* the endpoint broke the requirement */
	CONFORM_NOT_APPLICABLE, /* a needed feature is not offered */
	CONFORM_ERROR,          /* the case could not be run (set-up, timeout) */
};

struct conform_ctx;

struct conform_case {
	const char *id;    /* stable, e.g. "VHOST-MEM-003", "BLK-RW-012" */
	const char *title; /* one line */
	/* The requirement's source: "vhost-user.rst: Memory regions description",
	 * "virtio 1.2 §5.2.6.2". */
	const char *spec;
	/* The sentence the case enforces, verbatim from the spec text (markup
	 * dropped), for every spec-level case; it contains the level's keyword
	 * (MUST, SHOULD, MAY, or their negations and synonyms the spec uses:
	 * tests/unit/conformance/test_quotes.c lists the accepted ones).
	 * Advisories quote the nearest text, if any, and their description says
	 * why no sentence requires the behaviour; observations (INFO) quote the
	 * text that leaves the behaviour open. */
	const char *quote;
	enum conform_level level;
	enum conform_severity severity;
	/* What the endpoint must do, quoting the requirement in our words, and
	 * how the case reads the spec where the spec leaves room. */
	const char *description;
	/* What the case needs from the endpoint, in its suite's transport's
	 * terms; the transport's applicable() decides, and says why not. Each
	 * transport reads its own fields only. vhost-user: */
	uint64_t features;          /* virtio feature bits that must be offered */
	uint64_t protocol_features; /* vhost-user protocol feature bits, likewise */
	/* Returns the verdict. FAIL and ERROR come from conform_fail() and
	 * conform_error(), which record the reason. */
	enum conform_verdict (*run)(struct conform_ctx *ctx);
};

/*
 * What an endpoint offers, as its transport's probe reads it once per run,
 * in the transport's terms. Each transport sets its own fields only.
 */
struct conform_offer {
	/* vhost-user: GET_FEATURES, and GET_PROTOCOL_FEATURES (0 when
	 * VHOST_USER_F_PROTOCOL_FEATURES is not offered). */
	uint64_t features;
	uint64_t protocol_features;
};

/*
 * A conformance transport: how the runner and the cases reach one kind of
 * endpoint (vhost-user today; vfio-user and NVMe/TCP later). A suite names
 * the transport it talks to; a --target URI's scheme picks one. One const
 * table per transport (conformance/transport_*.c), listed in
 * conformance/transports.c.
 *
 * probe, applicable and connect run in the runner's process or in a case's
 * (the runner forks), never both at once; none keeps state between calls.
 */
struct conform_transport {
	const char *name; /* "vhost-user" */
	/* The URI schemes that name an endpoint of it ("vhost-user-blk"),
	 * NULL-terminated. */
	const char *const *schemes;
	/* What probe() asks, for the message when it is not answered. */
	const char *probe_what;
	/*
	 * What the endpoint at address offers, on a connection of its own that
	 * is closed again: 0, or a negative errno when it does not answer. The
	 * runner probes once before the first case; an endpoint that answers
	 * is one that serves, so the same call checks after each case that it
	 * still does.
	 */
	int (*probe)(const char *address, int timeout_ms, struct conform_offer *offer);
	/* The name of a device feature bit ("VIRTIO_BLK_F_FLUSH"), NULL if it has
	 * none: reports and "not offered" reasons name the bits by it. */
	const char *(*feature_name)(unsigned bit);
	/* Whether the endpoint offers what case c needs (c's fields of this
	 * transport): true, or false with why in why[len] ("not offered: ..."). */
	bool (*applicable)(const struct conform_offer *offer, const struct conform_case *c,
			   char *why, size_t len);
	/* A connection for a case: 0 with *conn (the transport's handle, which
	 * the case owns) and its socket in *fd, or a negative errno. */
	int (*connect)(const char *address, int timeout_ms, void **conn, int *fd);
	/* From now on every message on conn, both ways, goes to the case's
	 * trace (conform_ctx_trace_line, runner_internal.h). */
	void (*trace)(void *conn, struct conform_ctx *ctx);
};

struct conform_suite {
	const char *name; /* "vhost-user", "virtio-blk" */
	const char *description;
	const struct conform_case *cases;
	unsigned ncases;
	const struct conform_transport *transport; /* what its cases talk to */
};

/* The suites (each defined in its own conformance/suite_*.c) and the one
 * explicit list of what is linked in (conformance/suites.c). */
extern const struct conform_suite g_suite_vhost_user;
extern const struct conform_suite g_suite_virtio_blk;
extern const struct conform_suite g_suite_virtio_scsi;
extern const struct conform_suite g_suite_nvme;
extern const struct conform_suite g_suite_vfio_user;
extern const struct conform_suite *const g_conform_suites[];
extern const unsigned g_conform_nsuites;

/* The transports (conformance/transport_*.c) and their one list
 * (conformance/transports.c). */
extern const struct conform_transport g_conform_transport_vhost_user;
/* vhost-user to a virtio-scsi device (vhost-user-scsi: URIs): the same
 * messages, the virtio-scsi suite (transport_vhost_user.c). */
extern const struct conform_transport g_conform_transport_vhost_user_scsi;
/* vfio-user to an NVMe controller (nvme-vfio-user: URIs): the NVMe and
 * vfio-user suites (transport_vfio_user.c, conform_vfio_user.h). */
extern const struct conform_transport g_conform_transport_vfio_user;
extern const struct conform_transport *const g_conform_transports[];
extern const unsigned g_conform_ntransports;
/* The transport whose scheme starts uri ("vhost-user-blk:/x.sock"), with
 * *address set to what follows the ':'; NULL when no transport has it. */
const struct conform_transport *conform_transport_for_uri(const char *uri, const char **address);

/* ---- What a case can use ---- */

/* The per-reply timeout of this run. */
int conform_timeout_ms(const struct conform_ctx *ctx);

/* Record the verdict's reason (printf-style) and return the verdict, so a
 * case can `return conform_fail(ctx, "...")`. */
enum conform_verdict conform_fail(struct conform_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum conform_verdict conform_error(struct conform_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum conform_verdict conform_not_applicable(struct conform_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A line in the trace (what the case is about to do, what it saw). */
void conform_note(struct conform_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An observation: what the endpoint did, where the spec leaves it open, for
 * the "Observations" section of every report (and a line of the trace). No
 * verdict: any case may record some; an INFO case exists to. */
void conform_info(struct conform_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Adds (add) or removes LUN lun of target on the back-end through the
 * run's hot-plug hook (`storlab conform --hotplug-cmd`; --spawn-tgt's RPC),
 * noted in the trace: 0 once done, -ENOTSUP when the run has no hook (the
 * case is then N/A: the suite cannot make a vendor's device change), or
 * the hook's negative errno. */
int conform_hotplug(struct conform_ctx *ctx, bool add, unsigned target, unsigned lun);
/* Whether the run has a hot-plug hook. */
bool conform_can_hotplug(const struct conform_ctx *ctx);

/* After bad input: true if the back-end still serves, i.e. the transport's
 * probe (vhost-user: GET_FEATURES) is answered on a new connection within
 * the timeout. Cases that send something malformed end with this check
 * ("the back-end must keep serving"). */
bool conform_backend_alive(struct conform_ctx *ctx);

/* ---- The vhost-user transport's part (transport_vhost_user.c) ---- */

/* What the back-end offers, read once per run by the runner (GET_FEATURES,
 * GET_PROTOCOL_FEATURES on a probe connection). */
uint64_t conform_offered_features(const struct conform_ctx *ctx);
uint64_t conform_offered_protocol_features(const struct conform_ctx *ctx);

/* A new front-end connection to the back-end, traced. Returns 0 or a
 * negative errno. The case may open several (e.g. reconnect cases). */
int conform_connect(struct conform_ctx *ctx, struct vhost_fe **fe);

/* ---- A device brought up for data-path cases ---- */

/* What the driver side of conform_dev can drive: the default of
 * want_features below. A case that leaves one feature out asks for
 * CONFORM_DEV_FEATURES & ~VIRTIO_BIT(f) (never ~VIRTIO_BIT(f) alone, which
 * would acknowledge legacy bits such as NOTIFY_ON_EMPTY too). */
#define CONFORM_DEV_FEATURES \
	(VIRTIO_BLK_DRIVER_FEATURES | VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES))

/* One region of a device's guest memory: bytes [off, off + size) of its
 * memfd, at guest address gpa (cases about address translation). */
struct conform_dev_region {
	uint64_t off;
	uint64_t size;
	uint64_t gpa;
};

/*
 * Guest memory (a memfd registered with SET_MEM_TABLE), negotiated features,
 * and nqueues split virtqueues driven by lib/virtio's driver side, on a
 * traced connection. Cases then build any chain they like (well-formed or
 * not) with conform_dev_buf() memory and virtq_drv_add() or by writing the
 * descriptor table directly, kick, and wait for used entries.
 */
struct conform_dev_opts {
	uint16_t nqueues;       /* 0: 1 */
	uint16_t queue_size;    /* 0: 256 */
	uint64_t mem_size;      /* 0: 16 MiB */
	/* Features to acknowledge: offered & (want ? want : everything the
	 * driver side supports). */
	uint64_t want_features;
	uint64_t want_protocol_features;
	/* Leave the queues set up but not enabled/kicked (ring start cases). */
	bool no_start;
	/* The memory table, sent in this order (NULL: one region, the whole
	 * memfd at gpa 0). The region at off 0 holds the rings and what
	 * conform_dev_buf() hands out; conform_dev_at() reaches the others. */
	const struct conform_dev_region *regions;
	unsigned nregions;
	/* Another device type than virtio-blk: how its config space is read
	 * (into conform_dev.config, at most 256 bytes; the get_config of
	 * vhost_fe_setup.h) and how many queues it has, from what was
	 * negotiated. NULL: virtio-blk's (vhost_fe_get_blk_config,
	 * vhost_fe_blk_max_queues). */
	int (*get_config)(struct vhost_fe *fe, void *config, uint32_t *len);
	uint16_t (*max_queues)(uint64_t features, uint64_t queue_num, const void *config,
			       uint32_t config_len);
};

struct conform_dev {
	struct vhost_fe *fe;
	uint64_t features;          /* negotiated */
	uint64_t protocol_features; /* negotiated */
	uint8_t config[256];        /* GET_CONFIG (opts.get_config; virtio-blk's struct) */
	uint32_t config_len;
	uint16_t nqueues;
	struct virtq_drv *vq;       /* [nqueues] */
	int *kick_fd, *call_fd;     /* [nqueues] */
	void *mem;                  /* guest memory, gpa 0 = mem */
	uint64_t mem_size;
	int mem_fd;
};

int conform_dev_setup(struct conform_ctx *ctx, const struct conform_dev_opts *opts,
		      struct conform_dev **dev);
/* Bytes of guest memory for buffers (zeroed), with their guest address;
 * NULL when exhausted. Freed with the device. */
void *conform_dev_buf(struct conform_dev *dev, uint32_t len, uint64_t *gpa);
/* Where len bytes at guest address gpa are in this process, if they are
 * inside one region of the device's table; NULL otherwise. */
void *conform_dev_at(struct conform_dev *dev, uint64_t gpa, uint64_t len);
/* Publishes what was added to queue q and kicks if the ring asks for it. */
void conform_dev_kick(struct conform_dev *dev, uint16_t q);
/* Waits up to the run's timeout for one used entry on queue q: 0 with its
 * cookie and length, -ETIMEDOUT, or another negative errno (the connection
 * closed: -ECONNRESET). */
int conform_dev_wait_used(struct conform_dev *dev, uint16_t q, void **cookie, uint32_t *len);
/* Closes the connection and frees the device (NULL is fine). Back-ends
 * serve one front-end at a time (storlab-tgt, qemu-storage-daemon): a case
 * closes its device before conform_backend_alive() or a new connection. */
void conform_dev_close(struct conform_dev *dev);

#endif
