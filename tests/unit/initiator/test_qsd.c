/* SPDX-License-Identifier: MIT */
/*
 * libstorlab-initiator against a vhost-user-blk back-end we did not write:
 * qemu-storage-daemon (Debian package qemu-system-common), started here on a
 * 64 MiB file. Set-up and negotiation, I/O on two queues, error statuses,
 * event-driven completion, and a back-end killed with requests in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "initiator/verify.h"
#include "perf/perf.h"
#include "spec/vhost_user.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "storlab/initiator.h"
#include "storlab/virtio_blk.h"

#define IMG_SIZE (64ULL << 20)
#define QSD	 "qemu-storage-daemon"

struct qsd {
	char dir[32];
	char img[48];
	char sock[48];
	char uri[128];
	char blockdev[128];
	pid_t pid;
};

static struct qsd g_qsd;

/* Whether something accepts connections at path: the socket file exists
 * before the daemon listens on it. */
static bool listening(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void qsd_start(struct qsd *q)
{
	char export[256];

	snprintf(export, sizeof(export),
		 "type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path=%s,"
		 "writable=on,num-queues=2",
		 q->sock);
	unlink(q->sock);
	q->pid = fork();
	assert_true(q->pid >= 0);
	if (q->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		execlp(QSD, QSD, "--blockdev", q->blockdev, "--export", export, (char *)NULL);
		fprintf(stderr, "cannot run " QSD " (install qemu-system-common): %s\n",
			strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		int status;

		if (listening(q->sock))
			return;
		if (waitpid(q->pid, &status, WNOHANG) == q->pid)
			fail_msg(QSD " exited (%d): is qemu-system-common installed?", status);
		usleep(10000);
	}
	fail_msg(QSD " did not listen on %s", q->sock);
}

static void qsd_kill(struct qsd *q, int sig)
{
	if (q->pid <= 0)
		return;
	kill(q->pid, sig);
	if (sig != SIGSTOP) {
		waitpid(q->pid, NULL, 0);
		q->pid = 0;
	}
}

static int group_setup(void **state)
{
	struct qsd *q = &g_qsd;
	int fd;

	(void)state;
	strcpy(q->dir, "/tmp/storlab-ut-qsd-XXXXXX");
	if (!mkdtemp(q->dir))
		return -1;
	if (snprintf(q->img, sizeof(q->img), "%s/disk.img", q->dir) >= (int)sizeof(q->img) ||
	    snprintf(q->sock, sizeof(q->sock), "%s/vhost.sock", q->dir) >= (int)sizeof(q->sock) ||
	    snprintf(q->uri, sizeof(q->uri), "vhost-user-blk:%s", q->sock) >= (int)sizeof(q->uri) ||
	    snprintf(q->blockdev, sizeof(q->blockdev), "driver=file,filename=%s,node-name=d0",
		     q->img) >= (int)sizeof(q->blockdev))
		return -1;
	fd = open(q->img, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, IMG_SIZE) != 0)
		return -1;
	close(fd);
	qsd_start(q);
	return 0;
}

static int group_teardown(void **state)
{
	struct qsd *q = &g_qsd;

	(void)state;
	qsd_kill(q, SIGTERM);
	unlink(q->sock);
	unlink(q->img);
	rmdir(q->dir);
	return 0;
}

static struct storlab_dev *open_dev(uint16_t queues, uint16_t queue_size)
{
	struct storlab_dev_opts opts = {
	    .num_queues = queues, .queue_size = queue_size, .mem_size = 16 << 20};
	struct storlab_dev *dev = NULL;

	assert_int_equal(storlab_dev_open(g_qsd.uri, &opts, &dev), 0);
	return dev;
}

static int add_rw(struct storlab_queue *q, enum storlab_op op, uint64_t offset,
		  const struct iovec *iov, unsigned iovcnt, void *tag)
{
	struct storlab_req req = {
	    .op = op, .offset = offset, .iov = iov, .iovcnt = iovcnt, .tag = tag};

	return storlab_queue_add(q, &req);
}

static int add_range(struct storlab_queue *q, enum storlab_op op, uint64_t offset, uint64_t len,
		     uint32_t flags, void *tag)
{
	struct storlab_req req = {
	    .op = op, .offset = offset, .len = len, .flags = flags, .tag = tag};

	return storlab_queue_add(q, &req);
}

static int add_op(struct storlab_queue *q, enum storlab_op op, void *tag)
{
	return storlab_queue_add(q, &(struct storlab_req){.op = op, .tag = tag});
}

/* Submits nothing new; waits for exactly one completion. */
static struct storlab_completion reap_one(struct storlab_queue *q)
{
	struct storlab_completion c;

	assert_int_equal(storlab_queue_reap(q, &c, 1, 1, 5000), 1);
	return c;
}

static void test_open_and_negotiate(void **state)
{
	struct storlab_dev *dev = open_dev(2, 0);
	struct storlab_virtio_blk_info vb;
	struct storlab_dev_info info;

	(void)state;
	storlab_dev_get_info(dev, &info);
	assert_string_equal(info.transport, "vhost-user-blk");
	assert_string_equal(info.address, g_qsd.sock);
	assert_int_equal(info.capacity, IMG_SIZE);
	assert_int_equal(info.block_size, 512);
	assert_false(info.read_only);
	assert_int_equal(info.num_queues, 2);
	assert_int_equal(info.max_queues, 2);
	assert_int_equal(info.queue_size, STORLAB_DEFAULT_QUEUE_SIZE);
	/* The export's limits: QEMU's vhost-user-blk server offers a seg_max
	 * above ours, and discard and write-zeroes segments of 32768 sectors. */
	assert_int_equal(info.max_segments, STORLAB_MAX_SEGMENTS);
	assert_int_equal(info.max_discard, 32768 * 512);
	assert_int_equal(info.max_write_zeroes, 32768 * 512);
	/* The virtio-blk side of the same device. */
	assert_int_equal(storlab_virtio_blk_get_info(dev, &vb), 0);
	assert_int_equal(vb.config.capacity, IMG_SIZE / 512);
	assert_int_equal(vb.config.num_queues, 2);
	assert_true(vb.config_size >= offsetof(struct virtio_blk_config, max_secure_erase_sectors));
	/* negotiated = offered & what we drive */
	assert_int_equal(vb.features_negotiated & ~vb.features_offered, 0);
	assert_true(vb.features_negotiated & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	assert_true(vb.features_negotiated & VIRTIO_BIT(VIRTIO_BLK_F_MQ));
	assert_true(vb.features_negotiated & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	assert_false(vb.features_negotiated & VIRTIO_BIT(VIRTIO_F_NOTIFY_ON_EMPTY));
	assert_int_equal(vb.protocol_features_negotiated,
			 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |
			     VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
			     VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG));
	assert_non_null(storlab_dev_queue(dev, 1));
	assert_null(storlab_dev_queue(dev, 2));
	storlab_dev_close(dev);
}

static void test_too_many_queues(void **state)
{
	struct storlab_dev_opts opts = {.num_queues = 3};
	struct storlab_dev *dev = NULL;

	(void)state;
	assert_int_equal(storlab_dev_open(g_qsd.uri, &opts, &dev), -ENOTSUP);
	assert_int_equal(storlab_dev_open("vhost-user-blk:/nonexistent/sock", NULL, &dev), -ENOENT);
	assert_int_equal(storlab_dev_open("nvme:/x", NULL, &dev), -EPROTONOSUPPORT);
}

/* Written on queue 0 in two segments, read on queue 1, found in the file. */
static void test_write_read_two_queues(void **state)
{
	struct storlab_dev *dev = open_dev(2, 0);
	struct storlab_queue *q0 = storlab_dev_queue(dev, 0), *q1 = storlab_dev_queue(dev, 1);
	struct storlab_completion c;
	uint8_t *w, *r, file[8192];
	struct iovec wiov[2], riov;
	int fd;

	(void)state;
	assert_int_equal(storlab_buf_alloc(dev, 8192, 0, (void **)&w), 0);
	assert_int_equal(storlab_buf_alloc(dev, 8192, 0, (void **)&r), 0);
	for (int i = 0; i < 8192; i++)
		w[i] = (uint8_t)(i * 7 + 3);
	memset(r, 0, 8192);
	wiov[0] = (struct iovec){w, 4096};
	wiov[1] = (struct iovec){w + 4096, 4096};
	riov = (struct iovec){r, 8192};
	assert_int_equal(add_rw(q0, STORLAB_OP_WRITE, 1 << 20, wiov, 2, (void *)0x77), 0);
	assert_int_equal(storlab_queue_inflight(q0), 1);
	c = reap_one(q0);
	assert_ptr_equal(c.tag, (void *)0x77);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.status, STORLAB_STATUS_OK);
	assert_int_equal(c.transport_status, STORLAB_VIRTIO_BLK_S_OK);
	assert_int_equal(storlab_queue_inflight(q0), 0);
	assert_int_equal(add_rw(q1, STORLAB_OP_READ, 1 << 20, &riov, 1, NULL), 0);
	c = reap_one(q1);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.len, 8192 + 1); /* data and status byte */
	assert_memory_equal(r, w, 8192);
	fd = open(g_qsd.img, O_RDONLY);
	assert_int_equal(pread(fd, file, sizeof(file), 1 << 20), sizeof(file));
	close(fd);
	assert_memory_equal(file, w, sizeof(file));
	storlab_buf_free(dev, w);
	storlab_buf_free(dev, r);
	storlab_dev_close(dev);
}

static void test_flush_get_id_zeroes(void **state)
{
	struct storlab_dev *dev = open_dev(1, 0);
	struct storlab_queue *q = storlab_dev_queue(dev, 0);
	uint8_t *buf, *id;
	struct iovec iov;

	(void)state;
	assert_int_equal(storlab_buf_alloc(dev, 4096, 0, (void **)&buf), 0);
	assert_int_equal(storlab_buf_alloc(dev, STORLAB_VIRTIO_BLK_ID_BYTES, 0, (void **)&id), 0);
	assert_int_equal(add_op(q, STORLAB_OP_FLUSH, NULL), 0);
	assert_int_equal(reap_one(q).ret, 0);
	memset(id, 0xff, STORLAB_VIRTIO_BLK_ID_BYTES);
	assert_int_equal(storlab_virtio_blk_get_id(q, id, NULL), 0);
	assert_int_equal(reap_one(q).ret, 0);
	assert_true(id[0] != 0xff && id[0] != 0);
	/* write, then write zeroes over it, then read zeroes */
	iov = (struct iovec){buf, 4096};
	memset(buf, 0x5a, 4096);
	assert_int_equal(add_rw(q, STORLAB_OP_WRITE, 8192, &iov, 1, NULL), 0);
	assert_int_equal(reap_one(q).ret, 0);
	assert_int_equal(add_range(q, STORLAB_OP_WRITE_ZEROES, 8192, 4096, STORLAB_REQ_UNMAP, NULL),
			 0);
	assert_int_equal(reap_one(q).ret, 0);
	assert_int_equal(add_rw(q, STORLAB_OP_READ, 8192, &iov, 1, NULL), 0);
	assert_int_equal(reap_one(q).ret, 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(add_range(q, STORLAB_OP_DISCARD, 1 << 20, 1 << 20, 0, NULL), 0);
	assert_int_equal(reap_one(q).ret, 0);
	storlab_buf_free(dev, buf);
	storlab_buf_free(dev, id);
	storlab_dev_close(dev);
}

static void test_error_statuses(void **state)
{
	struct storlab_dev *dev = open_dev(1, 0);
	struct storlab_queue *q = storlab_dev_queue(dev, 0);
	struct storlab_virtio_blk_cmd raw = {.type = 0x7f};
	struct storlab_completion c;
	uint8_t *buf;
	struct iovec iov;

	(void)state;
	assert_int_equal(storlab_buf_alloc(dev, 4096, 0, (void **)&buf), 0);
	iov = (struct iovec){buf, 4096};
	/* virtio 1.2 §5.2.6.1: an unknown type is answered UNSUPP. */
	assert_int_equal(
	    storlab_queue_add(
		q, &(struct storlab_req){.op = STORLAB_OP_DEVICE, .cmd = &raw, .tag = (void *)1}),
	    0);
	c = reap_one(q);
	assert_int_equal(c.status, STORLAB_STATUS_UNSUPPORTED);
	assert_int_equal(c.transport_status, STORLAB_VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(c.ret, -ENOTSUP);
	assert_string_equal(storlab_queue_status_name(q, &c), "UNSUPP");
	/* Past the capacity: IOERR. */
	assert_int_equal(add_rw(q, STORLAB_OP_READ, IMG_SIZE, &iov, 1, (void *)2), 0);
	c = reap_one(q);
	assert_ptr_equal(c.tag, (void *)2);
	assert_int_equal(c.status, STORLAB_STATUS_ERROR);
	assert_int_equal(c.transport_status, STORLAB_VIRTIO_BLK_S_IOERR);
	assert_int_equal(c.ret, -EIO);
	assert_string_equal(storlab_queue_status_name(q, &c), "IOERR");
	/* Refused before they reach the ring. */
	assert_int_equal(add_rw(q, STORLAB_OP_READ, 100, &iov, 1, NULL), -EINVAL);
	iov.iov_len = 100;
	assert_int_equal(add_rw(q, STORLAB_OP_READ, 0, &iov, 1, NULL), -EINVAL);
	iov = (struct iovec){&c, 512};
	assert_int_equal(add_rw(q, STORLAB_OP_WRITE, 0, &iov, 1, NULL), -EFAULT);
	assert_int_equal(add_range(q, STORLAB_OP_WRITE_ZEROES, 0, 512, 0x80, NULL), -EINVAL);
	/* UNMAP is write-zeroes' flag (§5.2.6), not discard's. */
	assert_int_equal(add_range(q, STORLAB_OP_DISCARD, 0, 512, STORLAB_REQ_UNMAP, NULL),
			 -EINVAL);
	assert_int_equal(add_op(q, (enum storlab_op)99, NULL), -EINVAL);
	assert_int_equal(storlab_queue_inflight(q), 0);
	assert_int_equal(storlab_queue_reap(q, &c, 1, 1, 50), -ETIMEDOUT);
	assert_int_equal(storlab_queue_reap(q, &c, 0, 1, 0), 0);
	assert_int_equal(storlab_queue_reap(q, &c, 2, 1, 0), -EINVAL);
	storlab_buf_free(dev, buf);
	storlab_dev_close(dev);
}

/* A queue of 8 takes 8 requests, then says so; one reap frees them all. */
static void test_queue_full_batch(void **state)
{
	struct storlab_dev *dev = open_dev(1, 8);
	struct storlab_queue *q = storlab_dev_queue(dev, 0);
	struct storlab_completion c[16];
	int got = 0;

	(void)state;
	for (uintptr_t i = 0; i < 8; i++)
		assert_int_equal(add_op(q, STORLAB_OP_FLUSH, (void *)i), 0);
	assert_int_equal(add_op(q, STORLAB_OP_FLUSH, NULL), -EAGAIN);
	assert_int_equal(storlab_queue_inflight(q), 8);
	while (got < 8) {
		int n = storlab_queue_reap(q, c + got, 1, 16 - got, 5000);

		assert_true(n > 0);
		got += n;
	}
	assert_int_equal(got, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(c[i].ret, 0);
	assert_int_equal(storlab_queue_inflight(q), 0);
	storlab_dev_close(dev);
}

static void test_event_fd(void **state)
{
	struct storlab_dev *dev = open_dev(1, 0);
	struct storlab_queue *q = storlab_dev_queue(dev, 0);
	struct pollfd pfd = {.fd = storlab_queue_fd(q), .events = POLLIN};
	struct storlab_completion c;

	(void)state;
	storlab_queue_set_fd_enabled(q, true);
	/* libvhost-user signals every call fd it is given (for a front-end
	 * that reconnects): a spurious wake-up, which a reap clears. */
	assert_int_equal(storlab_queue_reap(q, &c, 0, 1, 0), 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(add_op(q, STORLAB_OP_FLUSH, (void *)7), 0);
		assert_int_equal(storlab_queue_submit(q), 0);
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_int_equal(storlab_queue_reap(q, &c, 0, 1, 0), 1);
		assert_ptr_equal(c.tag, (void *)7);
		/* reaping cleared it */
		assert_int_equal(poll(&pfd, 1, 0), 0);
	}
	storlab_dev_close(dev);
}

/* The verify engine on two queues: everything written, read, matched; block
 * k went to queue k mod 2. Then the stamps are in the file. */
static void test_verify_two_queues(void **state)
{
	struct storlab_dev *dev = open_dev(2, 0);
	struct verify_opts o = {.dev = dev,
				.queues = 2,
				.qd = 32,
				.bs = 64 << 10,
				.offset = 4 << 20,
				.length = (8 << 20) + 4096,
				.seed = 0xabc,
				.passes = 2,
				.io_timeout_ms = 5000};
	struct verify_result *res = calloc(1, sizeof(*res));
	struct pattern_stamp st;
	int fd;

	(void)state;
	assert_int_equal(verify_run(&o, res), 0);
	assert_int_equal(res->bad_sectors, 0);
	assert_int_equal(res->io_errors, 0);
	assert_int_equal(res->bytes_written, 2 * o.length);
	assert_int_equal(res->bytes_read, 2 * o.length);
	/* 129 blocks (the last one 4 KiB), twice written and twice read */
	assert_int_equal(res->queue[0].requests, 4 * 65);
	assert_int_equal(res->queue[1].requests, 4 * 64);
	assert_int_equal(res->queue[0].bytes + res->queue[1].bytes, 4 * o.length);
	fd = open(g_qsd.img, O_RDONLY);
	assert_int_equal(pread(fd, &st, sizeof(st), o.offset + o.length - 512), sizeof(st));
	close(fd);
	assert_int_equal(st.magic, PATTERN_MAGIC);
	assert_int_equal(st.lba, (o.offset + o.length) / 512 - 1);
	assert_int_equal(st.seq, 2);
	assert_int_equal(st.seed, 0xabc);
	free(res);
	storlab_dev_close(dev);
}

/* A device that drops writes (QEMU's null-co) fails verify: every sector
 * reads back without a stamp, and the first ones are described. */
static void test_verify_detects_lost_writes(void **state)
{
	struct qsd null = {.pid = 0};
	struct storlab_dev *dev = NULL;
	struct verify_opts o = {.queues = 1,
				.qd = 4,
				.bs = 4096,
				.length = 64 << 10,
				.seed = 5,
				.passes = 1,
				.io_timeout_ms = 5000};
	struct verify_result *res = calloc(1, sizeof(*res));

	(void)state;
	snprintf(null.sock, sizeof(null.sock), "%s/null.sock", g_qsd.dir);
	snprintf(null.uri, sizeof(null.uri), "vhost-user-blk:%s", null.sock);
	snprintf(null.blockdev, sizeof(null.blockdev), "driver=null-co,node-name=d0,size=%llu",
		 IMG_SIZE);
	qsd_start(&null);
	assert_int_equal(storlab_dev_open(null.uri, NULL, &dev), 0);
	o.dev = dev;
	assert_int_equal(verify_run(&o, res), 0);
	storlab_dev_close(dev);
	qsd_kill(&null, SIGTERM);
	unlink(null.sock);
	assert_int_equal(res->io_errors, 0);
	assert_int_equal(res->bad_sectors, o.length / 512);
	assert_int_equal(res->nreported, VERIFY_MAX_REPORT);
	assert_int_equal(res->mismatches[0].fault, PATTERN_NO_STAMP);
	assert_int_equal(res->mismatches[0].expected.seed, 5);
	free(res);
}

/* A short perf run: every request counted once, in the histogram too. */
static void test_perf_run(void **state)
{
	struct perf_job job = {.uri = g_qsd.uri,
			       .rw = PERF_RW_RANDWRITE,
			       .bs = 4096,
			       .iodepth = 8,
			       .queues = 2,
			       .seconds = 0.3,
			       .seed = 1,
			       .size = 1 << 20};
	struct perf_result *res = calloc(1, sizeof(*res));

	(void)state;
	assert_int_equal(perf_run(&job, res), 0);
	assert_true(res->write.ios > 100);
	assert_int_equal(res->read.ios, 0);
	assert_int_equal(res->write.errors, 0);
	assert_int_equal(res->write.bytes, res->write.ios * 4096);
	assert_int_equal(res->write.clat.count, res->write.ios);
	assert_true(res->write.clat.min > 0 && res->write.clat.min <= res->write.clat.max);
	assert_true(res->seconds >= 0.3 && res->seconds < 1);
	assert_int_equal(res->threads, 1);
	assert_int_equal(res->capacity, IMG_SIZE);
	perf_result_fini(res);
	job.size = IMG_SIZE; /* past the end */
	job.offset = 4096;
	assert_int_equal(perf_run(&job, res), -EINVAL);
	perf_result_fini(res);
	free(res);
}

/* Requests held by a stopped back-end that then dies complete with
 * -ECONNRESET; the device is dead until a reconnect re-does the set-up. */
static void test_disconnect_reconnect(void **state)
{
	struct storlab_dev *dev = open_dev(2, 0);
	struct storlab_queue *q0 = storlab_dev_queue(dev, 0), *q1 = storlab_dev_queue(dev, 1);
	struct storlab_completion c[8];
	uint8_t *buf;
	struct iovec iov;
	int n, got = 0;

	(void)state;
	assert_int_equal(storlab_buf_alloc(dev, 4096, 0, (void **)&buf), 0);
	iov = (struct iovec){buf, 4096};
	memset(buf, 0xc3, 4096);
	assert_int_equal(add_rw(q0, STORLAB_OP_WRITE, 0, &iov, 1, NULL), 0);
	assert_int_equal(reap_one(q0).ret, 0);

	qsd_kill(&g_qsd, SIGSTOP);
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(add_rw(q0, STORLAB_OP_READ, 0, &iov, 1, (void *)(i + 1)), 0);
	assert_int_equal(storlab_queue_submit(q0), 0);
	qsd_kill(&g_qsd, SIGKILL);
	while ((n = storlab_queue_reap(q0, c + got, 1, 8 - got, 5000)) > 0)
		got += n;
	assert_int_equal(n, -ENOTCONN);
	assert_int_equal(got, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(c[i].ret, -ECONNRESET);
		assert_int_equal(c[i].status, STORLAB_STATUS_NOT_CONNECTED);
		assert_int_equal(c[i].transport_status, STORLAB_VIRTIO_BLK_S_NONE);
		assert_string_equal(storlab_queue_status_name(q0, &c[i]), "NONE");
		assert_true((uintptr_t)c[i].tag >= 1 && (uintptr_t)c[i].tag <= 4);
	}
	assert_false(storlab_dev_connected(dev));
	/* The other queue learns it from the device. */
	assert_int_equal(add_op(q1, STORLAB_OP_FLUSH, NULL), -ENOTCONN);
	assert_int_equal(storlab_queue_reap(q1, c, 0, 1, 0), -ENOTCONN);
	assert_int_equal(storlab_dev_reconnect(dev), -ECONNREFUSED);

	qsd_start(&g_qsd);
	assert_int_equal(storlab_dev_reconnect(dev), 0);
	assert_true(storlab_dev_connected(dev));
	memset(buf, 0, 4096);
	assert_int_equal(add_rw(q1, STORLAB_OP_READ, 0, &iov, 1, NULL), 0);
	assert_int_equal(reap_one(q1).ret, 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(buf[i], 0xc3);
	storlab_buf_free(dev, buf);
	storlab_dev_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_and_negotiate),
	    cmocka_unit_test(test_too_many_queues),
	    cmocka_unit_test(test_write_read_two_queues),
	    cmocka_unit_test(test_flush_get_id_zeroes),
	    cmocka_unit_test(test_error_statuses),
	    cmocka_unit_test(test_queue_full_batch),
	    cmocka_unit_test(test_event_fd),
	    cmocka_unit_test(test_verify_two_queues),
	    cmocka_unit_test(test_verify_detects_lost_writes),
	    cmocka_unit_test(test_perf_run),
	    cmocka_unit_test(test_disconnect_reconnect),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
