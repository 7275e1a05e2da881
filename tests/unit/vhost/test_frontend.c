/* SPDX-License-Identifier: MIT */
/*
 * The front-end against a hostile back-end: a socketpair whose other end a
 * thread plays, answering each request with hand-built bytes. Every shape
 * of bad reply (oversized, cut short, garbage, fds where none belong, a
 * reply to nothing) must be reported as it arrived, never read past what
 * arrived, close the connection where the stream is out of step, and leak
 * no fd.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"
#include "util/common.h"
#include "vhost/vhost.h"
#include "vhost/vhost_msg.h"

#define PF(bit)	   (1ULL << VHOST_USER_PROTOCOL_F_##bit)
#define OK	   (VHOST_USER_VERSION | VHOST_USER_REPLY_MASK)
#define TIMEOUT_MS 2000
#define MAX_STEPS  8
#define WIRE_MAX   1024

/* One answer of the scripted back-end: bytes sent in one write, with nfds
 * eventfds on the first byte, then the connection shut down or not. */
struct answer {
	uint8_t bytes[WIRE_MAX];
	size_t len;
	unsigned nfds;
	bool hang_up;
};

struct peer {
	int sock;	    /* the back-end's end */
	struct vhost_fe *fe; /* on the other end */
	pthread_t thread;
	struct answer script[MAX_STEPS];
	unsigned nsteps;
	struct vhost_user_hdr asked[MAX_STEPS]; /* the requests, in order */
	uint8_t asked_payload[MAX_STEPS][16];	/* their first payload bytes */
	unsigned asked_fds[MAX_STEPS];
	int fds_before;
	bool started;
};

/* A message on the wire: header, then len bytes of p (the header's size
 * field may say otherwise). Appended to a's bytes. */
static void wire(struct answer *a, uint32_t request, uint32_t flags, uint32_t size, const void *p,
		 size_t len)
{
	struct vhost_user_hdr hdr = {.request = request, .flags = flags, .size = size};

	assert_true(a->len + sizeof(hdr) + len <= sizeof(a->bytes));
	memcpy(a->bytes + a->len, &hdr, sizeof(hdr));
	if (len)
		memcpy(a->bytes + a->len + sizeof(hdr), p, len);
	a->len += sizeof(hdr) + len;
}

/* The next answer of the script. */
static struct answer *step(struct peer *p)
{
	assert_true(p->nsteps < MAX_STEPS);
	return &p->script[p->nsteps++];
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;

	for (unsigned i = 0; i < p->nsteps; i++) {
		const struct answer *a = &p->script[i];
		struct vhost_msg req;

		/* The front-end's raw requests may be larger than any. */
		if (vhost_msg_recv_drain(p->sock, &req, WIRE_MAX, TIMEOUT_MS) < 0 &&
		    req.payload_len != req.hdr.size)
			break;
		p->asked_fds[i] = req.nfds;
		vhost_msg_close_fds(&req);
		p->asked[i] = req.hdr;
		memcpy(p->asked_payload[i], &req.payload, sizeof(p->asked_payload[i]));
		if (a->nfds) {
			int efd = eventfd(0, EFD_CLOEXEC);

			send_raw_fds(p->sock, a->bytes, a->len, efd, a->nfds);
			close(efd);
		} else if (a->len && write(p->sock, a->bytes, a->len) != (ssize_t)a->len) {
			break; /* the test's assertions say what went missing */
		}
		if (a->hang_up) {
			shutdown(p->sock, SHUT_RDWR);
			break;
		}
	}
	return NULL;
}

static int setup(void **state)
{
	static struct peer p;
	int sv[2];

	memset(&p, 0, sizeof(p));
	log_start();
	p.fds_before = count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	p.sock = sv[1];
	if (vhost_fe_create_on_fd(sv[0], TIMEOUT_MS, &p.fe))
		return -1;
	*state = &p;
	return 0;
}

/* Starts the back-end once its script is written. */
static void play(struct peer *p)
{
	assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
	p->started = true;
}

static int teardown(void **state)
{
	struct peer *p = *state;

	vhost_fe_close(p->fe);
	if (p->started)
		pthread_join(p->thread, NULL);
	close(p->sock);
	assert_int_equal(count_fds(), p->fds_before);
	return 0;
}

/* Sends request with size bytes of payload, raw, and receives what comes
 * back into *hdr (filled with 0xee first: what is not written shows) and out. */
static int raw_ask(struct peer *p, uint32_t request, const void *payload, uint32_t size,
		   struct vhost_user_hdr *hdr, void *out, uint32_t max)
{
	struct vhost_user_hdr req = {.request = request, .flags = VHOST_USER_VERSION, .size = size};

	assert_int_equal(vhost_fe_send_raw(p->fe, &req, payload, NULL, 0), 0);
	memset(hdr, 0xee, sizeof(*hdr));
	return vhost_fe_recv_raw(p->fe, hdr, out, max, TIMEOUT_MS);
}

/* The front-end shut the connection down: its next call cannot send. */
static void assert_hung_up(struct peer *p)
{
	int ret = vhost_fe_set_owner(p->fe);

	assert_true(ret == -EPIPE || ret == -ECONNRESET);
}

/* ---- replies that are right ---------------------------------------------- */

static void test_good_replies(void **state)
{
	struct peer *p = *state;
	struct vhost_user_vring_state st = {.index = 1, .num = 77};
	uint8_t cfg[VHOST_USER_CONFIG_HDR_SIZE + 8] = {0};
	uint8_t out[8];
	uint64_t v = 42, acks[3] = {0, EINVAL, 1ULL << 40};
	uint32_t base;

	wire(step(p), VHOST_USER_GET_FEATURES, OK, 8, &v, 8);
	wire(step(p), VHOST_USER_GET_VRING_BASE, OK, 8, &st, 8);
	cfg[4] = 8; /* the size field */
	memcpy(cfg + VHOST_USER_CONFIG_HDR_SIZE, "capacity", 8);
	wire(step(p), VHOST_USER_GET_CONFIG, OK, sizeof(cfg), cfg, sizeof(cfg));
	step(p); /* SET_PROTOCOL_FEATURES: no reply */
	for (unsigned i = 0; i < 3; i++)
		wire(step(p), VHOST_USER_SET_OWNER, OK, 8, &acks[i], 8);
	play(p);
	v = 0;
	assert_int_equal(vhost_fe_get_features(p->fe, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(vhost_fe_get_vring_base(p->fe, 1, &base), 0);
	assert_int_equal(base, 77);
	assert_int_equal(vhost_fe_get_config(p->fe, 0, 8, out), 0);
	assert_memory_equal(out, "capacity", 8);
	/* With REPLY_ACK: an ack, a nack with an errno, another failure. */
	assert_int_equal(vhost_fe_set_protocol_features(p->fe, PF(REPLY_ACK)), 0);
	assert_int_equal(vhost_fe_set_owner(p->fe), 0);
	assert_int_equal(vhost_fe_set_owner(p->fe), -EINVAL);
	assert_int_equal(vhost_fe_set_owner(p->fe), -EIO);
	pthread_join(p->thread, NULL);
	p->started = false;
	assert_int_equal(p->asked[4].flags, VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK);
}

/* "VHOST_USER_GET_CONFIG": an empty payload is the back-end's error answer;
 * the connection goes on. */
static void test_config_error_answer(void **state)
{
	struct peer *p = *state;
	uint64_t v = 7;
	uint8_t out[8];

	wire(step(p), VHOST_USER_GET_CONFIG, OK, 0, NULL, 0);
	wire(step(p), VHOST_USER_GET_FEATURES, OK, 8, &v, 8);
	play(p);
	assert_int_equal(vhost_fe_get_config(p->fe, 0, 8, out), -EIO);
	assert_int_equal(vhost_fe_get_features(p->fe, &v), 0);
	assert_int_equal(v, 7);
}

/* vhost_fe_log.c: SET_LOG_BASE carries the log description and its fd
 * ("Migration": LOG_SHMFD), asks for no ack, and waits for the reply
 * "Communication" makes mandatory: none or a u64 is success, whatever the
 * u64 says (the reply payload is "N/A"; qemu-storage-daemon echoes the
 * mmap_size), another request's reply a wrong one. */
static void test_set_log_base(void **state)
{
	struct peer *p = *state;
	uint64_t zero = 0, echo = 4096;
	struct vhost_user_log sent;
	int fd = eventfd(0, EFD_CLOEXEC);

	wire(step(p), VHOST_USER_SET_LOG_BASE, OK, 0, NULL, 0);
	wire(step(p), VHOST_USER_SET_LOG_BASE, OK, 8, &zero, 8);
	wire(step(p), VHOST_USER_SET_LOG_BASE, OK, 8, &echo, 8);
	wire(step(p), VHOST_USER_GET_FEATURES, OK, 8, &zero, 8);
	play(p);
	/* Refused before anything is sent: no fd, or an empty log. */
	assert_int_equal(vhost_fe_set_log_base(p->fe, -1, 4096, 0, TIMEOUT_MS), -EINVAL);
	assert_int_equal(vhost_fe_set_log_base(p->fe, fd, 0, 0, TIMEOUT_MS), -EINVAL);
	assert_int_equal(vhost_fe_set_log_base(p->fe, fd, 8192, 4096, TIMEOUT_MS), 0);
	assert_int_equal(vhost_fe_set_log_base(p->fe, fd, 4096, 0, TIMEOUT_MS), 0);
	assert_int_equal(vhost_fe_set_log_base(p->fe, fd, 4096, 0, TIMEOUT_MS), 0);
	assert_int_equal(vhost_fe_set_log_base(p->fe, fd, 4096, 0, TIMEOUT_MS), -EPROTO);
	assert_true(log_has("closing the connection"));
	assert_hung_up(p);
	pthread_join(p->thread, NULL);
	p->started = false;
	assert_int_equal(p->asked[0].request, VHOST_USER_SET_LOG_BASE);
	assert_int_equal(p->asked[0].flags, VHOST_USER_VERSION);
	assert_int_equal(p->asked[0].size, sizeof(sent));
	assert_int_equal(p->asked_fds[0], 1);
	memcpy(&sent, p->asked_payload[0], sizeof(sent));
	assert_int_equal(sent.mmap_size, 8192);
	assert_int_equal(sent.mmap_offset, 4096);
	close(fd);
}

/* ---- oversized -------------------------------------------------------------- */

/* More than the request's reply holds, less than the codec's maximum. */
static void test_more_than_asked(void **state)
{
	struct peer *p = *state;
	uint64_t two[2] = {1, 2}, v = 99;

	wire(step(p), VHOST_USER_GET_FEATURES, OK, 16, two, 16);
	play(p);
	assert_int_equal(vhost_fe_get_features(p->fe, &v), -EPROTO);
	assert_int_equal(v, 0);
	assert_true(log_has("16 payload bytes, expected 8: wrong reply to VHOST_USER_GET_FEATURES"));
	assert_true(log_has("VHOST_USER_GET_FEATURES (1) flags 0x5 size 16 with 16 payload bytes"));
	assert_hung_up(p);
}

/* Past the codec's maximum (the 269-byte GET_CONFIG reply of VHOST-CFG-003):
 * read to its end and reported with its real size, the stream in step. */
static void test_past_codec_max_raw(void **state)
{
	struct peer *p = *state;
	struct vhost_user_hdr hdr;
	struct vhost_user_config big;
	uint8_t reply[VHOST_USER_CONFIG_HDR_SIZE + 257];
	uint64_t v = 5;

	for (size_t i = 0; i < sizeof(reply); i++)
		reply[i] = (uint8_t)(i + 1);
	wire(step(p), VHOST_USER_GET_CONFIG, OK, sizeof(reply), reply, sizeof(reply));
	wire(step(p), VHOST_USER_GET_FEATURES, OK, 8, &v, 8);
	play(p);
	assert_int_equal(raw_ask(p, VHOST_USER_GET_CONFIG, reply, sizeof(reply), &hdr, &big,
				 sizeof(big)),
			 -EMSGSIZE);
	assert_int_equal(hdr.request, VHOST_USER_GET_CONFIG);
	assert_int_equal(hdr.flags, OK);
	assert_int_equal(hdr.size, 269);
	assert_memory_equal(&big, reply, sizeof(big));
	/* The 269th byte was read and dropped: the next reply is whole. */
	v = 0;
	assert_int_equal(vhost_fe_get_features(p->fe, &v), 0);
	assert_int_equal(v, 5);
}

/* The same through the library: a wrong reply, and the connection closed. */
static void test_past_codec_max(void **state)
{
	struct peer *p = *state;
	uint8_t reply[VHOST_USER_CONFIG_HDR_SIZE + 8 + 300] = {0};
	uint8_t out[8];

	memset(out, 0xee, sizeof(out));
	wire(step(p), VHOST_USER_GET_CONFIG, OK, sizeof(reply), reply, sizeof(reply));
	play(p);
	assert_int_equal(vhost_fe_get_config(p->fe, 0, 8, out), -EPROTO);
	assert_memory_equal(out, (uint8_t[8]){0}, 8);
	assert_true(log_has("a payload larger than any message (268 bytes): wrong reply to "
			    "VHOST_USER_GET_CONFIG: received VHOST_USER_GET_CONFIG (24) flags 0x5 "
			    "size 320 with 320 payload bytes"));
	assert_hung_up(p);
}

/* A size past what the front-end drains: nothing of the payload is read,
 * the header is reported, the connection closed. */
static void test_past_drain_bound(void **state)
{
	struct peer *p = *state;
	struct vhost_user_hdr hdr;
	uint64_t v = 1;

	wire(step(p), VHOST_USER_GET_FEATURES, OK, 0x7fffffff, &v, 8);
	play(p);
	assert_int_equal(raw_ask(p, VHOST_USER_GET_FEATURES, NULL, 0, &hdr, &v, sizeof(v)),
			 -EMSGSIZE);
	assert_int_equal(hdr.size, 0x7fffffff);
	assert_int_equal(v, 0); /* not read */
	assert_true(log_has("a message cut short (too large to read): received "
			    "VHOST_USER_GET_FEATURES (1) flags 0x5 size 2147483647 with 0 payload "
			    "bytes and 0 fds; closing the connection"));
	assert_hung_up(p);
}

/* ---- cut short -------------------------------------------------------------- */

/* Half the payload, then the back-end closes. */
static void test_cut_by_close(void **state)
{
	struct peer *p = *state;
	struct answer *a = step(p);
	uint64_t v = 0x1122334455667788ULL;

	wire(a, VHOST_USER_GET_FEATURES, OK, 8, &v, 4);
	a->hang_up = true;
	play(p);
	assert_int_equal(vhost_fe_get_features(p->fe, &v), -ECONNRESET);
	assert_int_equal(v, 0);
	assert_true(log_has("a message cut short (Connection reset by peer): received "
			    "VHOST_USER_GET_FEATURES (1) flags 0x5 size 8 with 4 payload bytes"));
}

/* Five bytes of a header, then the back-end closes: what arrived, and
 * nothing more, is reported. */
static void test_cut_in_header(void **state)
{
	struct peer *p = *state;
	struct answer *a = step(p);
	struct vhost_user_hdr hdr, want = {.request = VHOST_USER_GET_FEATURES, .flags = OK};
	uint64_t v = 3;

	memcpy(a->bytes, &want, 5);
	a->len = 5;
	a->hang_up = true;
	play(p);
	assert_int_equal(raw_ask(p, VHOST_USER_GET_FEATURES, NULL, 0, &hdr, &v, sizeof(v)),
			 -ECONNRESET);
	assert_int_equal(hdr.request, VHOST_USER_GET_FEATURES);
	assert_int_equal(hdr.flags, OK & 0xff); /* the one flags byte that came */
	assert_int_equal(hdr.size, 0);
	assert_int_equal(v, 0);
	assert_true(log_has("received 5 of the 12 header bytes; closing the connection"));
}

/* Fewer bytes than the header announces, and the connection stays open:
 * the wait ends, and the stream, out of step, is closed. */
static void test_cut_by_silence(void **state)
{
	struct peer *p = *state;
	uint64_t v = 9;
	int sv[2];

	/* A short wait: this test waits it out once. */
	vhost_fe_close(p->fe);
	close(p->sock);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p->sock = sv[1];
	assert_int_equal(vhost_fe_create_on_fd(sv[0], 50, &p->fe), 0);
	wire(step(p), VHOST_USER_GET_QUEUE_NUM, OK, 8, &v, 4);
	play(p);
	assert_int_equal(vhost_fe_get_queue_num(p->fe, &v), -ETIMEDOUT);
	assert_int_equal(v, 0);
	assert_true(log_has("a message cut short (Connection timed out): received "
			    "VHOST_USER_GET_QUEUE_NUM (17) flags 0x5 size 8 with 4 payload bytes"));
	assert_hung_up(p);
}

/* ---- garbage ---------------------------------------------------------------- */

static void bad_header(struct peer *p, uint32_t request, uint32_t flags, const char *why)
{
	uint64_t v = 4;

	wire(step(p), request, flags, 8, &v, 8);
	play(p);
	assert_int_equal(vhost_fe_get_features(p->fe, &v), -EPROTO);
	assert_int_equal(v, 0);
	assert_true(log_has(why));
	assert_hung_up(p);
}

static void test_wrong_request(void **state)
{
	bad_header(*state, VHOST_USER_GET_QUEUE_NUM, OK,
		   "vhost-user.rst \"Communication\": a reply to another request: wrong reply to "
		   "VHOST_USER_GET_FEATURES: received VHOST_USER_GET_QUEUE_NUM (17)");
}

static void test_no_reply_flag(void **state)
{
	bad_header(*state, VHOST_USER_GET_FEATURES, VHOST_USER_VERSION,
		   "vhost-user.rst \"Header\": no reply flag");
}

static void test_wrong_version(void **state)
{
	bad_header(*state, VHOST_USER_GET_FEATURES, VHOST_USER_REPLY_MASK | 2,
		   "vhost-user.rst \"Header\": version 2, not 1");
}

/* An fd with a reply that carries none: refused, and closed (teardown
 * counts the fds). */
static void test_reply_with_fd(void **state)
{
	struct peer *p = *state;
	struct answer *a = step(p);
	uint64_t v = 4;

	wire(a, VHOST_USER_GET_MAX_MEM_SLOTS, OK, 8, &v, 8);
	a->nfds = 1;
	play(p);
	assert_int_equal(vhost_fe_get_max_mem_slots(p->fe, &v), -EPROTO);
	assert_true(log_has("fds with a reply that carries none: wrong reply to "
			    "VHOST_USER_GET_MAX_MEM_SLOTS: received VHOST_USER_GET_MAX_MEM_SLOTS "
			    "(36) flags 0x5 size 8 with 8 payload bytes and 1 fds"));
}

/* GET_INFLIGHT_FD's reply carries the buffer's fd: taken with the
 * description; the empty reply is the back-end's refusal; a reply without
 * its fd is wrong. SET_INFLIGHT_FD sends the description and the fd. */
static void test_inflight_fd(void **state)
{
	struct peer *p = *state;
	struct vhost_user_inflight d = {
	    .mmap_size = 4160, .mmap_offset = 0, .num_queues = 1, .queue_size = 256};
	struct vhost_user_inflight got;
	struct answer *a = step(p);
	int fd = -2;

	wire(a, VHOST_USER_GET_INFLIGHT_FD, OK, sizeof(d), &d, sizeof(d));
	a->nfds = 1;
	step(p); /* SET_INFLIGHT_FD: no reply without REPLY_ACK */
	wire(step(p), VHOST_USER_GET_INFLIGHT_FD, OK, 0, NULL, 0);
	wire(step(p), VHOST_USER_GET_INFLIGHT_FD, OK, sizeof(d), &d, sizeof(d));
	play(p);
	assert_int_equal(vhost_fe_get_inflight_fd(p->fe, 1, 256, &got, &fd), 0);
	assert_true(fd >= 0);
	assert_memory_equal(&got, &d, sizeof(d));
	assert_int_equal(vhost_fe_set_inflight_fd(p->fe, &got, fd), 0);
	close(fd);
	assert_int_equal(vhost_fe_get_inflight_fd(p->fe, 1, 256, &got, &fd), -EIO);
	assert_int_equal(fd, -1);
	assert_int_equal(vhost_fe_get_inflight_fd(p->fe, 1, 256, &got, &fd), -EPROTO);
	assert_int_equal(fd, -1);
	assert_true(log_has("fds with a reply that carries one: wrong reply to "
			    "VHOST_USER_GET_INFLIGHT_FD"));
	pthread_join(p->thread, NULL);
	p->started = false;
	assert_int_equal(p->asked[0].request, VHOST_USER_GET_INFLIGHT_FD);
	assert_int_equal(p->asked[0].size, sizeof(d));
	assert_int_equal(p->asked[1].request, VHOST_USER_SET_INFLIGHT_FD);
	assert_int_equal(p->asked[1].size, sizeof(d));
	assert_hung_up(p);
}

/* More fds than any message may carry: the message is read to its end,
 * every fd closed. */
static void test_reply_with_too_many_fds(void **state)
{
	struct peer *p = *state;
	struct answer *a = step(p);
	uint64_t v = 4;

	wire(a, VHOST_USER_GET_FEATURES, OK, 8, &v, 8);
	a->nfds = VHOST_USER_MAX_FDS + 2;
	play(p);
	assert_int_equal(vhost_fe_get_features(p->fe, &v), -EPROTO);
	assert_true(log_has("more than 8 fds: wrong reply to VHOST_USER_GET_FEATURES"));
}

static void test_vring_base_other_index(void **state)
{
	struct peer *p = *state;
	struct vhost_user_vring_state st = {.index = 5, .num = 1};
	uint32_t base = 1234;

	wire(step(p), VHOST_USER_GET_VRING_BASE, OK, 8, &st, 8);
	play(p);
	assert_int_equal(vhost_fe_get_vring_base(p->fe, 4, &base), -EPROTO);
	assert_int_equal(base, 0);
	assert_true(log_has("reply for vring 5, asked 4"));
	assert_hung_up(p);
}

/* ---- a reply to nothing ------------------------------------------------------ */

/* Two answers to one request, in one write: the second answers a request
 * that was not sent, found before the next request goes. */
static void test_reply_to_nothing(void **state)
{
	struct peer *p = *state;
	struct answer *a = step(p);
	uint64_t v = 6;

	wire(a, VHOST_USER_GET_FEATURES, OK, 8, &v, 8);
	wire(a, VHOST_USER_GET_FEATURES, OK, 8, &v, 8);
	play(p);
	v = 0;
	assert_int_equal(vhost_fe_get_features(p->fe, &v), 0);
	assert_int_equal(v, 6);
	assert_int_equal(vhost_fe_get_features(p->fe, &v), -EPROTO);
	assert_true(log_has("a message with no request outstanding, before "
			    "VHOST_USER_GET_FEATURES: wrong reply"));
	assert_hung_up(p);
}

/* ---- the tap ------------------------------------------------------------------ */

struct seen {
	unsigned n;
	struct vhost_tap_msg m[4];
	uint8_t payload[4][8];
};

static void seen_tap(void *arg, const struct vhost_tap_msg *m)
{
	struct seen *s = arg;

	if (s->n < 4) {
		s->m[s->n] = *m;
		if (m->payload_len)
			memcpy(s->payload[s->n], m->payload, MIN(m->payload_len, 8u));
		s->n++;
	}
}

/* The tap sees the request sent and the reply as it arrived, cut short. */
static void test_tap_sees_what_arrived(void **state)
{
	struct peer *p = *state;
	struct answer *a = step(p);
	static struct seen s;
	uint64_t v = 0x0807060504030201ULL;

	wire(a, VHOST_USER_GET_FEATURES, OK, 8, &v, 3);
	a->hang_up = true;
	play(p);
	vhost_fe_set_tap(p->fe, &(struct vhost_tap){.fn = seen_tap, .arg = &s});
	assert_int_equal(vhost_fe_get_features(p->fe, &v), -ECONNRESET);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.m[0].dir, VHOST_TAP_SENT);
	assert_int_equal(s.m[0].side, VHOST_TAP_FRONTEND);
	assert_int_equal(s.m[0].hdr.request, VHOST_USER_GET_FEATURES);
	assert_int_equal(s.m[0].error, 0);
	assert_int_equal(s.m[1].dir, VHOST_TAP_RECEIVED);
	assert_int_equal(s.m[1].hdr.size, 8);
	assert_int_equal(s.m[1].hdr_len, 12);
	assert_int_equal(s.m[1].payload_len, 3);
	assert_int_equal(s.m[1].payload_wire, 3);
	assert_memory_equal(s.payload[1], "\x01\x02\x03", 3);
	assert_int_equal(s.m[1].error, -ECONNRESET);
	assert_true(s.m[1].time_ns >= s.m[0].time_ns);
	vhost_fe_set_tap(p->fe, NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_good_replies),
	    T(test_config_error_answer),
	    T(test_set_log_base),
	    T(test_more_than_asked),
	    T(test_past_codec_max_raw),
	    T(test_past_codec_max),
	    T(test_past_drain_bound),
	    T(test_cut_by_close),
	    T(test_cut_in_header),
	    T(test_cut_by_silence),
	    T(test_wrong_request),
	    T(test_no_reply_flag),
	    T(test_wrong_version),
	    T(test_reply_with_fd),
	    T(test_reply_with_too_many_fds),
	    T(test_inflight_fd),
	    T(test_vring_base_other_index),
	    T(test_reply_to_nothing),
	    T(test_tap_sees_what_arrived),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
