/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: the dirty log of live migration (vhost-user.rst
 * "Migration", "Log description", VHOST_USER_SET_LOG_BASE). A case starts
 * logging on a running device the way QEMU does when a migration begins,
 * makes the back-end write into guest memory, stops the ring with
 * GET_VRING_BASE (after which the front-end takes its last look at the log)
 * and reads the log's bits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"
#include "spec/virtio_blk.h"
#include "util/common.h"
#include "vhost/vhost_fe_setup.h"

/* "Migration": "Dirty pages are of size: #define VHOST_LOG_PAGE 0x1000". */
#define LOG_PAGE 0x1000ULL

/* A log shared with the back-end: a memfd of size bytes, mapped here. */
struct case_log {
	int fd;
	uint8_t *map;
	uint64_t size;
};

static int log_create(struct conform_ctx *ctx, struct case_log *l, uint64_t covered)
{
	uint64_t pages = (covered + LOG_PAGE - 1) / LOG_PAGE;

	l->size = (pages + 7) / 8;
	l->fd = memfd_create("conform-log", MFD_CLOEXEC);
	if (l->fd < 0 || ftruncate(l->fd, (off_t)l->size) < 0)
		goto err;
	l->map = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED, l->fd, 0);
	if (l->map != MAP_FAILED)
		return 0;
err:
	conform_error(ctx, "log memfd of %llu bytes: %s", (unsigned long long)l->size,
		      strerror(errno));
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->map = NULL;
	return -errno;
}

static void log_free(struct case_log *l)
{
	if (l->map)
		munmap(l->map, l->size);
	if (l->fd >= 0)
		close(l->fd);
}

/* "Migration": page = addr / VHOST_LOG_PAGE; log[page / 8] |= 1 << page % 8. */
static bool page_marked(const struct case_log *l, uint64_t addr)
{
	uint64_t page = addr / LOG_PAGE;

	return page / 8 < l->size &&
	       (__atomic_load_n(&l->map[page / 8], __ATOMIC_ACQUIRE) >> (page % 8) & 1);
}

/* Sends SET_LOG_BASE for the whole of l; *answered: whether the reply that
 * "Communication" lists for it with LOG_SHMFD came (a reply of the same
 * request with the reply flag, whatever its payload). */
static int log_set_base(struct conform_ctx *ctx, struct conform_dev *dev,
			const struct case_log *l, bool *answered)
{
	struct vhost_user_log body = {.mmap_size = l->size, .mmap_offset = 0};
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_LOG_BASE,
				     .flags = VHOST_USER_VERSION,
				     .size = sizeof(body)};
	uint8_t reply[8];
	int ret = vhost_fe_send_raw(dev->fe, &hdr, &body, &l->fd, 1);

	if (ret < 0) {
		conform_error(ctx, "sending SET_LOG_BASE: %s", strerror(-ret));
		return ret;
	}
	ret = vhost_fe_recv_raw(dev->fe, &hdr, reply, sizeof(reply), conform_timeout_ms(ctx));
	/* Its payload is N/A: a reply of any size is an answer. */
	*answered = (ret == 0 || ret == -EMSGSIZE) && hdr.request == VHOST_USER_SET_LOG_BASE &&
		    (hdr.flags & VHOST_USER_REPLY_MASK);
	if (ret < 0 && ret != -EMSGSIZE)
		conform_note(ctx, "no reply to SET_LOG_BASE: %s", strerror(-ret));
	else
		conform_note(ctx, "SET_LOG_BASE answered: request %u, flags %#x, size %u",
			     hdr.request, hdr.flags, hdr.size);
	return ret == -ECONNRESET ? ret : 0;
}

/*
 * Brings up a one-queue device and starts logging on it as QEMU does at the
 * start of a migration: SET_LOG_BASE with a log covering `covered` bytes of
 * guest addresses (0: guest memory), SET_FEATURES with VHOST_F_LOG_ALL added, SET_VRING_ADDR
 * with VHOST_VRING_F_LOG and log_guest_addr used_log (0: the used ring's
 * guest address); mem_size bytes of guest memory (0: conform_dev's). PASS, N/A when the back-end does not offer logging, or
 * the error.
 */
static enum conform_verdict log_start(struct conform_ctx *ctx, struct conform_dev **devp,
				      struct case_log *l, uint64_t covered, uint64_t used_log,
				      uint64_t mem_size, bool *answered)
{
	uint64_t pf = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD);
	struct conform_dev_opts o = {.nqueues = 1,
				     .mem_size = mem_size,
				     .want_protocol_features = VHOST_FE_PROTOCOL_FEATURES | pf};
	struct vhost_user_vring_addr addr;
	struct conform_dev *dev;
	int ret;

	*devp = NULL;
	if (!(conform_offered_features(ctx) & VIRTIO_BIT(VHOST_F_LOG_ALL)) ||
	    !(conform_offered_protocol_features(ctx) & pf))
		return conform_not_applicable(ctx, "the back-end does not offer VHOST_F_LOG_ALL "
						   "and VHOST_USER_PROTOCOL_F_LOG_SHMFD");
	ret = conform_dev_setup(ctx, &o, &dev);
	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	*devp = dev;
	if (log_create(ctx, l, covered ? covered : dev->mem_size) < 0 ||
	    log_set_base(ctx, dev, l, answered) < 0)
		return CONFORM_ERROR;
	ret = vhost_fe_set_features(dev->fe, dev->features | VIRTIO_BIT(VHOST_F_LOG_ALL));
	if (ret < 0)
		return conform_error(ctx, "SET_FEATURES with VHOST_F_LOG_ALL: %s", strerror(-ret));
	addr = (struct vhost_user_vring_addr){
	    .index = 0,
	    .flags = 1u << VHOST_VRING_F_LOG,
	    .desc_user_addr = (uintptr_t)dev->vq[0].desc,
	    .used_user_addr = (uintptr_t)dev->vq[0].used,
	    .avail_user_addr = (uintptr_t)dev->vq[0].avail,
	    .log_guest_addr = used_log ? used_log : dev->vq[0].used_gpa,
	};
	ret = vhost_fe_set_vring_addr(dev->fe, &addr);
	if (ret < 0)
		return conform_error(ctx, "SET_VRING_ADDR with VHOST_VRING_F_LOG: %s",
				     strerror(-ret));
	/* Without REPLY_ACK nothing says the back-end has read those two yet,
	 * and a kick may overtake them (the socket and the kick are two
	 * channels): a request with a reply behind them, as QEMU's
	 * enforce_reply() does. */
	if (!(dev->protocol_features & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))) {
		uint64_t features;

		ret = vhost_fe_get_features(dev->fe, &features);
		if (ret < 0)
			return conform_error(ctx, "GET_FEATURES after starting the log: %s",
					     strerror(-ret));
	}
	return CONFORM_PASS;
}

/* What one read wrote into guest memory: its data and its status byte. */
struct read_done {
	uint64_t data_gpa;
	uint32_t len;
	uint64_t status_gpa;
};

/* A read of vu_io_bytes() into data_gpa, waited for, then GET_VRING_BASE:
 * once the ring is stopped every mark of what the back-end wrote is due
 * (the source's last look at the log follows it). */
static enum conform_verdict read_then_stop(struct conform_ctx *ctx, struct conform_dev *dev,
					   uint64_t data_gpa, struct read_done *r)
{
	uint32_t len = vu_io_bytes(dev), got, base;
	void *data = conform_dev_at(dev, data_gpa, len), *cookie;
	uint8_t *status;
	int ret;

	if (!data)
		return conform_error(ctx, "no guest memory at %#llx", (unsigned long long)data_gpa);
	ret = vu_io_add(dev, 0, VIRTIO_BLK_T_IN, 0, len, data, data_gpa, data, &status);
	if (ret < 0)
		return conform_error(ctx, "adding the read: %s", strerror(-ret));
	conform_dev_kick(dev, 0);
	ret = conform_dev_wait_used(dev, 0, &cookie, &got);
	if (ret < 0)
		return conform_error(ctx, "the read did not complete: %s", strerror(-ret));
	if (*status != VIRTIO_BLK_S_OK)
		return conform_error(ctx, "the read completed with status %u", *status);
	ret = vhost_fe_get_vring_base(dev->fe, 0, &base);
	if (ret < 0)
		return conform_error(ctx, "GET_VRING_BASE: %s", strerror(-ret));
	*r = (struct read_done){.data_gpa = data_gpa,
				.len = len,
				.status_gpa = (uint64_t)(status - (uint8_t *)dev->mem)};
	return CONFORM_PASS;
}

/* FAIL naming the pages of [addr, addr + len) that l does not mark. */
static enum conform_verdict expect_marked(struct conform_ctx *ctx, const struct case_log *l,
					  const char *what, uint64_t addr, uint64_t len)
{
	char missing[160] = "";
	size_t n = 0;

	for (uint64_t p = addr / LOG_PAGE; p <= (addr + len - 1) / LOG_PAGE; p++)
		if (!page_marked(l, p * LOG_PAGE) && n < sizeof(missing))
			n += (size_t)snprintf(missing + n, sizeof(missing) - n, " %#llx",
					      (unsigned long long)p);
	if (!n)
		return CONFORM_PASS;
	return conform_fail(ctx, "%s (%u bytes at %#llx) written, and not marked in the log by "
				 "the time GET_VRING_BASE answered: page(s)%s",
			    what, (unsigned)len, (unsigned long long)addr, missing);
}

/* Guest address of a buffer of len bytes that crosses a page boundary
 * halfway (len >= 2 bytes), inside the device's buffer memory. */
static int straddling_buf(struct conform_ctx *ctx, struct conform_dev *dev, uint32_t len,
			  uint64_t *gpa)
{
	uint64_t at;

	if (!conform_dev_buf(dev, len + 2 * LOG_PAGE, &at)) {
		conform_error(ctx, "no guest memory for a buffer");
		return -ENOMEM;
	}
	*gpa = ALIGN_UP(at, LOG_PAGE) + LOG_PAGE - len / 2;
	return 0;
}

/* The used ring's idx and its first element, as a back-end writes them for
 * the first request of a ring started at base 0 (virtio 1.2 §2.7.8: flags,
 * idx, then the elements of 8 bytes). */
static enum conform_verdict expect_used_marked(struct conform_ctx *ctx, const struct case_log *l,
					       uint64_t used_log)
{
	enum conform_verdict v = expect_marked(ctx, l, "the used ring's idx", used_log + 2, 2);

	if (v == CONFORM_PASS)
		v = expect_marked(ctx, l, "used ring element 0", used_log + 4, 8);
	return v;
}

/* What a read case looks for in the log once the ring stopped. */
enum log_check {
	CHECK_DESCRIPTOR_WRITES, /* the read's data (across two pages), its status */
	CHECK_USED_RING,	 /* the used idx and element 0, at log_guest_addr */
};

/* Logging on (the used ring logged at used_log; 0: at its guest address),
 * one read, the ring stopped, then the check. */
static enum conform_verdict log_read_case(struct conform_ctx *ctx, uint64_t used_log,
					  enum log_check check)
{
	uint64_t covered = used_log ? used_log + 2 * LOG_PAGE : 0, gpa = 0;
	struct conform_dev *dev;
	struct case_log l = {.fd = -1};
	struct read_done r;
	bool answered;
	enum conform_verdict v = log_start(ctx, &dev, &l, covered, used_log, 0, &answered);

	if (v == CONFORM_PASS && used_log && used_log < dev->mem_size)
		v = conform_error(ctx, "guest memory reaches the chosen log_guest_addr");
	if (v == CONFORM_PASS && check == CHECK_DESCRIPTOR_WRITES &&
	    straddling_buf(ctx, dev, vu_io_bytes(dev), &gpa) < 0)
		v = CONFORM_ERROR;
	else if (v == CONFORM_PASS && check == CHECK_USED_RING &&
		 !conform_dev_buf(dev, vu_io_bytes(dev), &gpa))
		v = conform_error(ctx, "no guest memory for a buffer");
	if (v == CONFORM_PASS)
		v = read_then_stop(ctx, dev, gpa, &r);
	if (v == CONFORM_PASS && check == CHECK_DESCRIPTOR_WRITES) {
		v = expect_marked(ctx, &l, "read data", r.data_gpa, r.len);
		if (v == CONFORM_PASS)
			v = expect_marked(ctx, &l, "the status byte", r.status_gpa, 1);
	} else if (v == CONFORM_PASS) {
		v = expect_used_marked(ctx, &l, used_log ? used_log : dev->vq[0].used_gpa);
	}
	conform_dev_close(dev);
	log_free(&l);
	return v;
}

/* VHOST-LOG-001: "All the modifications to memory pointed by vring
 * "descriptor" should be marked." */
enum conform_verdict vu_log_descriptor_writes(struct conform_ctx *ctx)
{
	return log_read_case(ctx, 0, CHECK_DESCRIPTOR_WRITES);
}

/* VHOST-LOG-002: "Modifications to "used" vring should be marked if
 * VHOST_VRING_F_LOG is part of ring's flags." With log_guest_addr the used
 * ring's guest address, as QEMU sets it. */
enum conform_verdict vu_log_used_ring(struct conform_ctx *ctx)
{
	return log_read_case(ctx, 0, CHECK_USED_RING);
}

/* VHOST-LOG-003: "log_guest_addr should be used to calculate the log
 * offset: the write to first byte of the used ring is logged at this offset
 * from log start." A log_guest_addr past guest memory ("this value might be
 * outside the legal guest physical address range"; conform_dev's is 16 MiB),
 * 4 bytes before a page boundary, so that the idx and element 0 fall in two
 * pages. */
enum conform_verdict vu_log_used_at_log_guest_addr(struct conform_ctx *ctx)
{
	return log_read_case(ctx, (64ULL << 20) - 4, CHECK_USED_RING);
}

/* VHOST-LOG-004 (advisory): SET_LOG_BASE with LOG_SHMFD is answered.
 * QEMU waits for that reply before it goes on with the migration. */
enum conform_verdict vu_log_base_answered(struct conform_ctx *ctx)
{
	struct conform_dev *dev;
	struct case_log l = {.fd = -1};
	bool answered = false;
	enum conform_verdict v = log_start(ctx, &dev, &l, 0, 0, 0, &answered);

	if (v == CONFORM_PASS && !answered)
		v = conform_fail(ctx, "SET_LOG_BASE (LOG_SHMFD negotiated) got no reply");
	conform_dev_close(dev);
	log_free(&l);
	return v;
}

/* The bytes of l's mapping past its size, up to the end of its page (the
 * back-end's mapping of the memfd shares that page): the first one a mark
 * set, or -1. */
static long stray_mark(const struct case_log *l)
{
	for (uint64_t i = l->size; i < LOG_PAGE; i++)
		if (__atomic_load_n(&l->map[i], __ATOMIC_ACQUIRE))
			return (long)i;
	return -1;
}

/* VHOST-LOG-005 (advisory): a log too small for guest memory ("should be
 * large enough to cover all known guest addresses" binds the front-end).
 * The back-end may refuse it (with a reply, a closed connection, or by
 * logging nothing) or use it; it must not mark past it. A 1-byte log of a
 * 1-byte memfd: the mark of a read into the last page of conform_dev's 16
 * MiB falls in byte 511, past the log's size and still in the memfd's first
 * page, which this process maps too, so a stray bit is seen here (a mark
 * past that page would fall outside the back-end's mapping of the log:
 * a crash, or a write into whatever is mapped there). The back-end must
 * serve afterwards. */
enum conform_verdict vu_log_too_small(struct conform_ctx *ctx)
{
	struct conform_dev *dev;
	struct case_log l = {.fd = -1};
	struct read_done r;
	bool answered;
	long stray;
	enum conform_verdict v = log_start(ctx, &dev, &l, 1, 0, 0, &answered);

	if (v == CONFORM_NOT_APPLICABLE || !l.map) {
		conform_dev_close(dev);
		log_free(&l);
		return v;
	}
	if (v == CONFORM_PASS) {
		conform_note(ctx, "a log of %llu byte(s) for %llu bytes of guest memory",
			     (unsigned long long)l.size, (unsigned long long)dev->mem_size);
		if (read_then_stop(ctx, dev, dev->mem_size - LOG_PAGE, &r) != CONFORM_PASS)
			conform_note(ctx, "the read into the last page was not served");
	}
	conform_dev_close(dev);
	stray = stray_mark(&l);
	log_free(&l);
	if (stray >= 0)
		return conform_fail(ctx, "the back-end marked byte %ld of a log of 1 byte", stray);
	if (!conform_backend_alive(ctx))
		return conform_fail(ctx, "the back-end no longer accepts a new connection");
	return CONFORM_PASS;
}
