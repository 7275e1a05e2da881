/* SPDX-License-Identifier: MIT */
/*
 * The back-end on a real socket and its evloop in a thread, driven by the
 * front-end library: a QEMU-like session, nacks seen by the front-end,
 * disconnects at every stage followed by reconnects, client mode, one
 * front-end at a time, and the message tap of both sides. (The front-end's
 * checks of what it is answered: test_frontend.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_dev.h"
#include "test_util.h"
#include "util/common.h"
#include "util/evloop.h"
#include "vhost/vhost_msg.h"

#define PF(bit)	   (1ULL << VHOST_USER_PROTOCOL_F_##bit)
#define F_PROTOCOL (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)
#define OUR_PF	   (PF(MQ) | PF(REPLY_ACK) | PF(CONFIG) | PF(CONFIGURE_MEM_SLOTS))
#define GUEST_UVA  0x7f0000000000ULL
#define TIMEOUT_MS 2000

struct bk {
	struct fake_dev fake;
	struct evloop *loop;
	struct vhost_dev *dev;
	pthread_t thread;
	char dir[64];
	char path[96];
	int fds_before;
	int fds_running; /* with the back-end up and no front-end */
	struct guest_region guest;
	struct vhost_tap tap; /* the back-end's, if set before bk_start */
};

static void *loop_main(void *arg)
{
	evloop_run(arg);
	return NULL;
}

static void bk_start(struct bk *bk, bool client)
{
	struct vhost_dev_opts opts = {
	    .socket_path = bk->path,
	    .client = client,
	    .reconnect_ms = 20,
	    .max_queues = 2,
	    .protocol_features = OUR_PF,
	    .ops = &g_fake_ops,
	    .ctx = &bk->fake,
	    .tap = bk->tap,
	};

	assert_int_equal(evloop_create(&bk->loop), 0);
	opts.loop = bk->loop;
	assert_int_equal(vhost_dev_create(&opts, &bk->dev), 0);
	assert_int_equal(pthread_create(&bk->thread, NULL, loop_main, bk->loop), 0);
	bk->fds_running = count_fds();
}

static int setup(void **state)
{
	struct bk *bk = calloc(1, sizeof(*bk));

	log_start();
	bk->fds_before = count_fds();
	fake_init(&bk->fake);
	snprintf(bk->dir, sizeof(bk->dir), "/tmp/storlab-vhost-XXXXXX");
	if (!mkdtemp(bk->dir))
		return -1;
	snprintf(bk->path, sizeof(bk->path), "%s/sock", bk->dir);
	guest_region_init(&bk->guest, 0, 2 * RING_STRIDE, GUEST_UVA);
	for (uint32_t i = 0; i < 2; i++)
		plant_desc0(&bk->guest, i, 0x1000 + i);
	*state = bk;
	return 0;
}

static int teardown(void **state)
{
	struct bk *bk = *state;

	if (bk->loop) {
		evloop_stop(bk->loop);
		pthread_join(bk->thread, NULL);
		vhost_dev_destroy(bk->dev);
		evloop_destroy(bk->loop);
	}
	guest_region_fini(&bk->guest);
	/* The server removed its socket file: the directory is empty. */
	assert_int_equal(rmdir(bk->dir), 0);
	assert_int_equal(count_fds(), bk->fds_before);
	free(bk);
	return 0;
}

struct info_call {
	struct vhost_dev *dev;
	struct vhost_dev_info info;
	sem_t done;
};

static void info_on_loop(void *arg)
{
	struct info_call *c = arg;

	vhost_dev_get_info(c->dev, &c->info);
	sem_post(&c->done);
}

/* vhost_dev_get_info, run on the loop's thread as its contract wants. */
static struct vhost_dev_info bk_info(struct bk *bk)
{
	struct info_call c = {.dev = bk->dev};

	sem_init(&c.done, 0, 0);
	assert_int_equal(evloop_call(bk->loop, info_on_loop, &c), 0);
	sem_wait(&c.done);
	sem_destroy(&c.done);
	return c.info;
}

/* Waits until the events so far end with suffix; returns them all. */
static const char *wait_events(struct bk *bk, const char *suffix)
{
	static char seen[4096];
	size_t n = strlen(suffix);

	seen[0] = 0;
	for (int i = 0; i < TIMEOUT_MS / 5; i++) {
		size_t len;

		strncat(seen, fake_take_events(&bk->fake), sizeof(seen) - strlen(seen) - 1);
		len = strlen(seen);
		if (len >= n && strcmp(seen + len - n, suffix) == 0)
			return seen;
		usleep(5000);
	}
	print_error("events \"%s\" do not end with \"%s\"\n", seen, suffix);
	fail();
	return NULL;
}

enum stage {
	STAGE_CONNECTED,
	STAGE_NEGOTIATED, /* features, protocol features, owner, config */
	STAGE_MEMORY,	  /* SET_FEATURES, SET_MEM_TABLE */
	STAGE_RUNNING,	  /* rings 0 and 1 started */
	STAGE_STOPPED,	  /* GET_VRING_BASE on both */
};

/* What QEMU's vhost-user-blk does, up to a stage. */
static void session(struct bk *bk, struct vhost_fe *fe, enum stage stage)
{
	uint64_t v;
	uint8_t config[FAKE_CONFIG_LEN];

	if (stage >= STAGE_NEGOTIATED) {
		assert_int_equal(vhost_fe_get_features(fe, &v), 0);
		assert_int_equal(v, FAKE_FEATURES | F_PROTOCOL);
		assert_int_equal(vhost_fe_get_protocol_features(fe, &v), 0);
		assert_int_equal(v, OUR_PF);
		assert_int_equal(vhost_fe_set_protocol_features(fe, OUR_PF), 0);
		assert_int_equal(vhost_fe_get_queue_num(fe, &v), 0);
		assert_int_equal(v, 2);
		assert_int_equal(vhost_fe_set_owner(fe), 0);
		assert_int_equal(vhost_fe_get_config(fe, 0, sizeof(config), config), 0);
		assert_memory_equal(config, bk->fake.config, sizeof(config));
	}
	if (stage >= STAGE_MEMORY) {
		assert_int_equal(vhost_fe_set_features(fe, FAKE_FEATURES | F_PROTOCOL), 0);
		assert_int_equal(vhost_fe_set_mem_table(fe, &bk->guest.r, 1), 0);
	}
	if (stage >= STAGE_RUNNING) {
		for (uint32_t i = 0; i < 2; i++) {
			struct vhost_user_vring_addr a = ring_addr(i, GUEST_UVA);
			int call = eventfd(0, EFD_CLOEXEC);

			assert_int_equal(vhost_fe_set_vring_num(fe, i, RING_NUM), 0);
			assert_int_equal(vhost_fe_set_vring_base(fe, i, 10 * i), 0);
			assert_int_equal(vhost_fe_set_vring_addr(fe, &a), 0);
			assert_int_equal(vhost_fe_set_vring_kick(fe, i, -1), 0);
			assert_int_equal(vhost_fe_set_vring_call(fe, i, call), 0);
			close(call); /* the back-end has its own copy */
			assert_int_equal(vhost_fe_set_vring_enable(fe, i, true), 0);
		}
		wait_events(bk, "start:0 start:1 ");
		assert_int_equal(bk->fake.rings[1].desc0.addr, 0x1001);
		assert_int_equal(bk->fake.rings[1].last_avail_idx, 10);
		assert_int_equal(bk_info(bk).rings_started, 2);
	}
	if (stage >= STAGE_STOPPED) {
		uint32_t base;

		bk->fake.consume_on_stop = 4;
		for (uint32_t i = 0; i < 2; i++) {
			assert_int_equal(vhost_fe_get_vring_base(fe, i, &base), 0);
			assert_int_equal(base, 10 * i + 4);
		}
		wait_events(bk, "stop:0 stop:1 ");
		bk->fake.consume_on_stop = 0;
	}
}

static void test_session(void **state)
{
	struct bk *bk = *state;
	struct vhost_fe *fe;
	struct vhost_dev_info info;

	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	session(bk, fe, STAGE_STOPPED);
	info = bk_info(bk);
	assert_true(info.connected);
	assert_int_equal(info.features, FAKE_FEATURES | F_PROTOCOL);
	assert_int_equal(info.protocol_features, OUR_PF);
	assert_int_equal(info.mem_regions, 1);
	assert_int_equal(info.rings_started, 0);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
	assert_false(bk_info(bk).connected);
	assert_int_equal(count_fds(), bk->fds_running);
}

/* Refusals reach the front-end as the nack's errno. */
static void test_nacks(void **state)
{
	struct bk *bk = *state;
	struct vhost_fe *fe;
	struct vhost_user_vring_addr a = ring_addr(0, GUEST_UVA);
	struct vhost_fe_region r = bk->guest.r;
	uint8_t buf[VHOST_USER_MAX_CONFIG_SIZE + 1];

	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	session(bk, fe, STAGE_MEMORY);
	assert_int_equal(vhost_fe_set_vring_num(fe, 0, 3), -EINVAL);
	assert_int_equal(vhost_fe_set_vring_num(fe, 2, 8), -EINVAL);
	a.used_user_addr += 1;
	assert_int_equal(vhost_fe_set_vring_addr(fe, &a), -EINVAL);
	assert_int_equal(vhost_fe_set_features(fe, 1ULL << 63), -EINVAL);
	assert_int_equal(vhost_fe_add_mem_reg(fe, &r), -EINVAL); /* overlaps */
	r.gpa = 0x40000000;
	r.uva = GUEST_UVA + 0x40000000;
	assert_int_equal(vhost_fe_add_mem_reg(fe, &r), 0);
	assert_int_equal(vhost_fe_rem_mem_reg(fe, &r), 0);
	assert_int_equal(vhost_fe_rem_mem_reg(fe, &r), -ENOENT);
	/* RESET_DEVICE was not offered. */
	assert_int_equal(vhost_fe_reset_device(fe), -ENOTSUP);
	assert_int_equal(vhost_fe_get_config(fe, 0, sizeof(buf), buf), -EINVAL);
	assert_int_equal(vhost_fe_get_config(fe, 200, 100, buf), -EIO);
	assert_int_equal(vhost_fe_set_config(fe, 1, 2, "xy"), 0);
	assert_int_equal(bk_info(bk).mem_regions, 1);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
}

/* The front-end goes away at every stage; the back-end cleans up, then
 * serves the next one as if it were the first. */
static void test_disconnect_each_stage(void **state)
{
	struct bk *bk = *state;
	struct vhost_fe *fe;

	bk_start(bk, false);
	for (enum stage s = STAGE_CONNECTED; s <= STAGE_STOPPED; s++) {
		const char *ev;
		struct vhost_dev_info info;

		assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
		session(bk, fe, s);
		vhost_fe_close(fe);
		ev = wait_events(bk, "disconnected ");
		/* Running rings are stopped before the device hears of it. */
		if (s == STAGE_RUNNING)
			assert_string_equal(ev, "stop:0 stop:1 disconnected ");
		else
			assert_null(strstr(ev, "stop"));
		info = bk_info(bk);
		assert_false(info.connected);
		assert_int_equal(info.mem_regions, 0);
		assert_int_equal(info.features, 0);
		assert_int_equal(count_fds(), bk->fds_running);
	}
	/* And once more, all the way. */
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	session(bk, fe, STAGE_STOPPED);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
}

/* Gone in the middle of a message that carries fds: they are closed. */
static void test_disconnect_mid_message(void **state)
{
	struct bk *bk = *state;
	struct vhost_user_hdr hdr = {
	    .request = VHOST_USER_SET_MEM_TABLE, .flags = VHOST_USER_VERSION, .size = 8 + 32};
	struct vhost_fe *fe;
	int fd = bk->guest.fd;

	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	session(bk, fe, STAGE_NEGOTIATED);
	/* The header and its fd; the payload never comes. */
	send_raw_fds(vhost_fe_fd(fe), &hdr, sizeof(hdr), fd, 1);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
	assert_int_equal(count_fds(), bk->fds_running);

	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	assert_int_equal(send(vhost_fe_fd(fe), &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	assert_int_equal(send(vhost_fe_fd(fe), "0123456789", 10, 0), 10);
	vhost_fe_close(fe);
	wait_events(bk, "connected disconnected ");
	assert_int_equal(count_fds(), bk->fds_running);
}

/* A malformed header ends the connection; the back-end listens again. */
static void test_malformed_header_drops_connection(void **state)
{
	struct bk *bk = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_GET_FEATURES, .flags = 3};
	struct vhost_user_hdr reply;
	struct vhost_fe *fe;
	uint64_t v;

	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	assert_int_equal(vhost_fe_send_raw(fe, &hdr, NULL, NULL, 0), 0);
	assert_int_equal(vhost_fe_recv_raw(fe, &reply, &v, sizeof(v), TIMEOUT_MS), -ECONNRESET);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
	assert_true(log_has("vhost-user.rst \"Header\": VHOST_USER_GET_FEATURES has version 3"));
	/* A payload over the limit, likewise. */
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	hdr.flags = VHOST_USER_VERSION;
	hdr.size = 4096;
	assert_int_equal(send(vhost_fe_fd(fe), &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	assert_int_equal(vhost_fe_recv_raw(fe, &reply, &v, sizeof(v), TIMEOUT_MS), -ECONNRESET);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
	/* The next front-end is served. */
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	session(bk, fe, STAGE_NEGOTIATED);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
}

/* Raw access: an unknown request with NEED_REPLY gets a nack. */
static void test_raw_unknown_request(void **state)
{
	struct bk *bk = *state;
	struct vhost_user_hdr hdr = {
	    .request = 77, .flags = VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, .size = 3};
	struct vhost_user_hdr reply;
	struct vhost_fe *fe;
	uint64_t v = 0;
	uint8_t small[4];

	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	session(bk, fe, STAGE_NEGOTIATED);
	assert_int_equal(vhost_fe_send_raw(fe, &hdr, "abc", NULL, 0), 0);
	assert_int_equal(vhost_fe_recv_raw(fe, &reply, &v, sizeof(v), TIMEOUT_MS), 0);
	assert_int_equal(reply.request, 77);
	assert_int_equal(reply.flags, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
	assert_int_equal(reply.size, 8);
	assert_int_equal(v, ENOTSUP);
	/* A reply bigger than the caller's buffer. */
	hdr.request = VHOST_USER_GET_FEATURES;
	hdr.size = 0;
	assert_int_equal(vhost_fe_send_raw(fe, &hdr, NULL, NULL, 0), 0);
	assert_int_equal(vhost_fe_recv_raw(fe, &reply, small, sizeof(small), TIMEOUT_MS),
			 -EMSGSIZE);
	assert_int_equal(reply.size, 8);
	/* Nothing more is coming. */
	assert_int_equal(vhost_fe_recv_raw(fe, &reply, &v, sizeof(v), 20), -ETIMEDOUT);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
}

/* Many messages sent back to back are all handled, in order, across the
 * back-end's receive batches. */
static void test_pipelined_messages(void **state)
{
	struct bk *bk = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_VRING_BASE,
				     .flags = VHOST_USER_VERSION,
				     .size = sizeof(struct vhost_user_vring_state)};
	struct vhost_fe *fe;
	uint32_t base;

	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	for (uint32_t i = 1; i <= 300; i++) {
		struct vhost_user_vring_state st = {.index = 0, .num = i};

		assert_int_equal(vhost_fe_send_raw(fe, &hdr, &st, NULL, 0), 0);
	}
	assert_int_equal(vhost_fe_get_vring_base(fe, 0, &base), 0);
	assert_int_equal(base, 300);
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
}

/* Client mode: the back-end connects to the front-end, and again after
 * the front-end went away. */
static void test_client_mode(void **state)
{
	struct bk *bk = *state;
	struct vhost_fe *fe;

	bk_start(bk, true);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(vhost_fe_accept(bk->path, TIMEOUT_MS, &fe), 0);
		session(bk, fe, STAGE_RUNNING);
		vhost_fe_close(fe);
		assert_string_equal(wait_events(bk, "disconnected "),
				    "stop:0 stop:1 disconnected ");
	}
	/* Nobody listening: vhost_fe_accept times out, cleanly. */
	evloop_stop(bk->loop);
	pthread_join(bk->thread, NULL);
	assert_int_equal(vhost_fe_accept(bk->path, 20, &fe), -ETIMEDOUT);
	assert_int_equal(access(bk->path, F_OK), -1);
	assert_int_equal(pthread_create(&bk->thread, NULL, loop_main, bk->loop), 0);
}

/* While one front-end is served, the next waits in the backlog, and is
 * served when the first leaves. */
static void test_one_frontend_at_a_time(void **state)
{
	struct bk *bk = *state;
	struct vhost_fe *fe1, *fe2;
	struct vhost_user_hdr reply;
	uint64_t v;

	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe1), 0);
	session(bk, fe1, STAGE_NEGOTIATED);
	assert_int_equal(vhost_fe_connect(bk->path, 50, &fe2), 0);
	assert_int_equal(vhost_fe_get_features(fe2, &v), -ETIMEDOUT);
	assert_int_equal(vhost_fe_get_features(fe1, &v), 0);
	vhost_fe_close(fe1);
	/* fe2's GET_FEATURES was waiting in its socket: now it is answered. */
	assert_int_equal(vhost_fe_recv_raw(fe2, &reply, &v, sizeof(v), TIMEOUT_MS), 0);
	assert_int_equal(reply.request, VHOST_USER_GET_FEATURES);
	assert_int_equal(v, FAKE_FEATURES | F_PROTOCOL);
	vhost_fe_close(fe2);
	wait_events(bk, "disconnected connected disconnected ");
}

/* ------------------------------------------------------------------ */
/* The message tap                                                     */
/* ------------------------------------------------------------------ */

#define TAP_MAX 64

/* What a tap saw: one entry per message, in the order it was called. */
struct tap_log {
	pthread_mutex_t lock;
	unsigned n;
	struct {
		struct vhost_tap_msg m;	 /* payload and fds pointers cleared */
		uint8_t payload[64]; /* the first bytes */
		bool fds_open;	     /* every fd was open while the hook ran */
	} e[TAP_MAX];
};

static void tap_record(void *arg, const struct vhost_tap_msg *m)
{
	struct tap_log *log = arg;

	pthread_mutex_lock(&log->lock);
	if (log->n < TAP_MAX) {
		log->e[log->n].m = *m;
		log->e[log->n].m.payload = NULL;
		log->e[log->n].m.fds = NULL;
		if (m->payload_len)
			memcpy(log->e[log->n].payload, m->payload, MIN(m->payload_len, 64u));
		/* The fds are open while the hook runs: a recorder can dup them.
		 * (Checked by the test's thread: this may be the loop's.) */
		log->e[log->n].fds_open = true;
		for (unsigned i = 0; i < m->nfds; i++)
			log->e[log->n].fds_open &= fcntl(m->fds[i], F_GETFD) >= 0;
		log->n++;
	}
	pthread_mutex_unlock(&log->lock);
}

static unsigned tap_count(struct tap_log *log)
{
	unsigned n;

	pthread_mutex_lock(&log->lock);
	n = log->n;
	pthread_mutex_unlock(&log->lock);
	return n;
}

/* The back-end's tap sees the whole exchange of a QEMU-like session, in
 * order: each message the front-end sent as received, each reply as sent,
 * with the same header, payload bytes and fd count; the front-end's tap
 * sees the mirror image. */
static void test_backend_tap_sees_exchange(void **state)
{
	struct bk *bk = *state;
	static struct tap_log be = {.lock = PTHREAD_MUTEX_INITIALIZER};
	static struct tap_log fe_log = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct vhost_fe *fe;
	unsigned n;

	bk->tap = (struct vhost_tap){.fn = tap_record, .arg = &be};
	bk_start(bk, false);
	assert_int_equal(vhost_fe_connect(bk->path, TIMEOUT_MS, &fe), 0);
	vhost_fe_set_tap(fe, &(struct vhost_tap){.fn = tap_record, .arg = &fe_log});
	session(bk, fe, STAGE_STOPPED);
	n = tap_count(&fe_log);
	/* The back-end reports a reply once it is sent: the last may come
	 * after the front-end has it. */
	for (int i = 0; i < TIMEOUT_MS / 5 && tap_count(&be) < n; i++)
		usleep(5000);
	assert_int_equal(tap_count(&be), n);
	assert_true(n > 30);
	for (unsigned i = 0; i < n; i++) {
		const struct vhost_tap_msg *b = &be.e[i].m, *f = &fe_log.e[i].m;

		assert_int_equal(b->side, VHOST_TAP_BACKEND);
		assert_int_equal(f->side, VHOST_TAP_FRONTEND);
		assert_int_not_equal(b->dir, f->dir);
		/* Requests go one way, replies the other. */
		assert_int_equal(b->dir == VHOST_TAP_RECEIVED,
				 !(b->hdr.flags & VHOST_USER_REPLY_MASK));
		assert_memory_equal(&b->hdr, &f->hdr, sizeof(b->hdr));
		assert_int_equal(b->hdr_len, sizeof(b->hdr));
		assert_int_equal(b->payload_len, b->hdr.size);
		assert_int_equal(b->payload_wire, b->hdr.size);
		assert_int_equal(b->nfds, f->nfds);
		assert_true(be.e[i].fds_open && fe_log.e[i].fds_open);
		assert_int_equal(b->error, 0);
		assert_memory_equal(be.e[i].payload, fe_log.e[i].payload, MIN(b->payload_len, 64u));
		if (i)
			assert_true(b->time_ns >= be.e[i - 1].m.time_ns);
	}
	/* The exchange starts as QEMU's does, and the fds of SET_MEM_TABLE and
	 * SET_VRING_CALL were seen. */
	assert_int_equal(be.e[0].m.hdr.request, VHOST_USER_GET_FEATURES);
	assert_int_equal(be.e[0].m.dir, VHOST_TAP_RECEIVED);
	assert_int_equal(be.e[1].m.hdr.request, VHOST_USER_GET_FEATURES);
	assert_int_equal(be.e[1].m.dir, VHOST_TAP_SENT);
	for (unsigned i = 0; i < n; i++) {
		uint32_t r = be.e[i].m.hdr.request;

		if (be.e[i].m.dir == VHOST_TAP_RECEIVED &&
		    (r == VHOST_USER_SET_MEM_TABLE || r == VHOST_USER_SET_VRING_CALL))
			assert_int_equal(be.e[i].m.nfds, 1);
	}
	vhost_fe_close(fe);
	wait_events(bk, "disconnected ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nacks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disconnect_each_stage, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disconnect_mid_message, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_header_drops_connection, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_raw_unknown_request, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pipelined_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_frontend_at_a_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backend_tap_sees_exchange, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
