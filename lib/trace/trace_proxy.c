/* SPDX-License-Identifier: MIT */
/*
 * The recording proxy (trace_proxy.h). Each direction of a connection pair
 * is a small stream parser in named states (header, payload) that forwards
 * every recvmsg's bytes and fds at once, as they came, and keeps a copy of
 * the message for the trace. Reads take at most what the current part of
 * the message still needs, so the fds a sender attached to a message's
 * first byte arrive, and are forwarded, with that message's header
 * (vhost-user.rst "Message Specification").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOG_COMPONENT "record"
#include "trace/trace_proxy.h"
#include "trace/trace_watch.h"
#include "util/common.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "vhost/vhost_tap.h"

enum proxy_rx_state {
	PROXY_RX_HDR,	  /* reading the 12 header bytes */
	PROXY_RX_PAYLOAD, /* reading hdr.size payload bytes */
};

/* One direction: what comes in on from goes out on to. */
struct proxy_dir {
	enum proxy_rx_state state;
	int from, to;
	/* The proxy's role on from's connection (the tap's side). */
	enum vhost_tap_side side;
	struct vhost_user_hdr hdr;
	uint32_t hdr_len;
	uint32_t payload_wire; /* payload bytes read (and forwarded) */
	uint32_t payload_len;  /* of them kept, at most TRACE_PAYLOAD_MAX */
	int fds[TRACE_MAX_FDS];
	unsigned nfds;
	bool fds_cut; /* the kernel closed fds that did not fit */
	uint8_t payload[TRACE_PAYLOAD_MAX];
};

struct proxy_conn {
	uint32_t id;
	struct proxy_dir up;   /* front-end -> back-end */
	struct proxy_dir down; /* back-end -> front-end */
	struct trace_watch watch;
};

struct proxy {
	const struct trace_proxy_opts *opts;
	struct vhost_tap tap;
	uint32_t tap_conn; /* the connection being reported */
	struct proxy_conn *conns[TRACE_PROXY_MAX_CONNS];
	uint32_t next_id;
	unsigned closed;
};

union proxy_control {
	char buf[CMSG_SPACE(sizeof(int) * TRACE_MAX_FDS)];
	struct cmsghdr align;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The tap: every message goes to the trace with its connection. */
static void proxy_tap(void *arg, const struct vhost_tap_msg *m)
{
	struct proxy *p = arg;
	struct trace_rec rec = {
	    .type = TRACE_REC_MSG,
	    .dir = (uint8_t)m->dir,
	    .side = (uint8_t)m->side,
	    .conn = p->tap_conn,
	    .error = m->error,
	    .hdr = m->hdr,
	    .hdr_len = m->hdr_len,
	    .payload_wire = m->payload_wire,
	    .payload = m->payload,
	    .payload_len = m->payload_len,
	    .nfds = m->nfds,
	};

	trace_rec_describe_fds(&rec);
	trace_writer_put(p->opts->trace, &rec, m->time_ns);
}

static void proxy_marker(struct proxy *p, uint32_t conn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void proxy_marker(struct proxy *p, uint32_t conn, const char *fmt, ...)
{
	char text[TRACE_MARKER_MAX];
	struct trace_rec rec = {.type = TRACE_REC_MARKER, .conn = conn, .text = text};
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rec.text_len = (uint32_t)MIN((size_t)n, sizeof(text) - 1);
	log_notice("connection %u: %s", conn, text);
	trace_writer_put(p->opts->trace, &rec, mono_ns());
}

/* Sends len bytes (and fds with the first of them) on sock, waiting for
 * room at most TRACE_PROXY_SEND_MS. 0 or a negative errno. */
static int proxy_send(int sock, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	union proxy_control control;
	size_t off = 0;

	while (off < len) {
		struct iovec iov = {.iov_base = (char *)buf + off, .iov_len = len - off};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		struct pollfd pfd = {.fd = sock, .events = POLLOUT};
		ssize_t n;

		if (nfds)
			util_unix_put_fds(&mh, control.buf, fds, nfds);
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (size_t)n;
			nfds = 0; /* they went with the first byte */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		n = poll(&pfd, 1, TRACE_PROXY_SEND_MS);
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Keeps the fds of one recvmsg (TRACE_MAX_FDS at most; the kernel closes
 * what does not fit the control buffer and says so with MSG_CTRUNC). */
static unsigned proxy_take_fds(struct proxy_dir *d, struct msghdr *mh, int *fds)
{
	unsigned n = 0;

	d->fds_cut |= util_unix_take_fds(mh, fds, TRACE_MAX_FDS - d->nfds, &n);
	memcpy(&d->fds[d->nfds], fds, n * sizeof(*fds));
	d->nfds += n;
	return n;
}

static void proxy_dir_reset(struct proxy_dir *d)
{
	for (unsigned i = 0; i < d->nfds; i++)
		close(d->fds[i]);
	d->nfds = 0;
	d->fds_cut = false;
	d->state = PROXY_RX_HDR;
	d->hdr = (struct vhost_user_hdr){0};
	d->hdr_len = 0;
	d->payload_wire = 0;
	d->payload_len = 0;
}

/* Reports what arrived of the current message through the tap and, for a
 * whole one, follows it for ring state. */
static void proxy_report(struct proxy *p, struct proxy_conn *c, struct proxy_dir *d, int error)
{
	struct vhost_tap_msg m = {
	    .dir = VHOST_TAP_RECEIVED,
	    .side = d->side,
	    .hdr = d->hdr,
	    .hdr_len = d->hdr_len,
	    .payload = d->payload_len ? d->payload : NULL,
	    .payload_len = d->payload_len,
	    .payload_wire = d->payload_wire,
	    .fds = d->fds,
	    .nfds = d->nfds,
	    .error = error,
	};
	struct trace_ring ring;

	/* The tap's errors: a payload longer than is kept, more fds than a
	 * message may carry ("Message Specification": at most
	 * VHOST_USER_MAX_FDS). */
	if (!m.error && d->payload_len < d->payload_wire)
		m.error = -EMSGSIZE;
	if (!m.error && (d->fds_cut || d->nfds > VHOST_USER_MAX_FDS))
		m.error = -EPROTO;
	p->tap_conn = c->id;
	vhost_tap_emit(&p->tap, &m);
	if (m.error || !trace_watch_msg(&c->watch, d == &c->up, &d->hdr, d->payload, d->payload_len,
					d->fds, d->nfds, &ring))
		return;
	trace_writer_put(p->opts->trace,
			 &(struct trace_rec){.type = TRACE_REC_RING, .conn = c->id, .ring = ring},
			 mono_ns());
}

/* Where the next bytes of the current part go, and how many it wants. */
static void *proxy_dir_room(struct proxy_dir *d, size_t *len, uint8_t *scratch, size_t scratch_len)
{
	if (d->state == PROXY_RX_HDR) {
		*len = sizeof(d->hdr) - d->hdr_len;
		return (char *)&d->hdr + d->hdr_len;
	}
	*len = d->hdr.size - d->payload_wire;
	if (d->payload_len < TRACE_PAYLOAD_MAX) {
		*len = MIN(*len, (size_t)(TRACE_PAYLOAD_MAX - d->payload_len));
		return d->payload + d->payload_len;
	}
	/* Past what is kept: forwarded and counted only. */
	*len = MIN(*len, scratch_len);
	return scratch;
}

/* Reads what from holds of the current part and forwards it. 0 to go on,
 * or a negative errno: the pair is done (-ECONNRESET: from closed). */
static int proxy_dir_step(struct proxy *p, struct proxy_conn *c, struct proxy_dir *d)
{
	union proxy_control control;
	uint8_t scratch[4096];
	int fds[TRACE_MAX_FDS];
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control.buf,
			    .msg_controllen = sizeof(control.buf)};
	unsigned nfds;
	ssize_t n;
	int rc;

	iov.iov_base = proxy_dir_room(d, &iov.iov_len, scratch, sizeof(scratch));
	n = recvmsg(d->from, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	nfds = proxy_take_fds(d, &mh, fds);
	if (n == 0)
		return -ECONNRESET;
	rc = proxy_send(d->to, iov.iov_base, (size_t)n, fds, nfds);
	if (rc) {
		log_warn("connection %u: forwarding to the %s: %s", c->id,
			 d == &c->up ? "back-end" : "front-end", strerror(-rc));
		return rc;
	}
	if (d->state == PROXY_RX_HDR) {
		d->hdr_len += (uint32_t)n;
		if (d->hdr_len < sizeof(d->hdr))
			return 0;
		d->state = PROXY_RX_PAYLOAD;
	} else {
		d->payload_wire += (uint32_t)n;
		if (iov.iov_base != scratch)
			d->payload_len += (uint32_t)n;
	}
	if (d->payload_wire < d->hdr.size)
		return 0;
	proxy_report(p, c, d, 0);
	proxy_dir_reset(d);
	return 0;
}

static void proxy_conn_close(struct proxy *p, unsigned slot, const char *why)
{
	struct proxy_conn *c = p->conns[slot];

	/* A message either side had not finished: reported cut short. */
	if (c->up.hdr_len || c->up.nfds)
		proxy_report(p, c, &c->up, -ECONNRESET);
	if (c->down.hdr_len || c->down.nfds)
		proxy_report(p, c, &c->down, -ECONNRESET);
	proxy_marker(p, c->id, "closed: %s", why);
	proxy_dir_reset(&c->up);
	proxy_dir_reset(&c->down);
	close(c->up.from);
	close(c->down.from);
	trace_watch_fini(&c->watch);
	free(c);
	p->conns[slot] = NULL;
	p->closed++;
}

static int proxy_connect(const char *path)
{
	struct sockaddr_un sa;
	int rc = util_unix_addr(path, &sa);
	int sock;

	if (rc)
		return rc;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(sock);
		return rc;
	}
	return sock;
}

/* A front-end connected: connect to the back-end for it. */
static void proxy_accept(struct proxy *p, int lsock)
{
	int fe = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	unsigned slot = 0;
	struct proxy_conn *c;
	const char *upstream;
	uint32_t id;
	int be;

	if (fe < 0)
		return;
	id = ++p->next_id;
	upstream = p->opts->upstream_paths[MIN(id, p->opts->nupstreams) - 1];
	while (slot < TRACE_PROXY_MAX_CONNS && p->conns[slot])
		slot++;
	be = slot < TRACE_PROXY_MAX_CONNS ? proxy_connect(upstream) : -EMFILE;
	c = be >= 0 ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		proxy_marker(p, id, "front-end refused: upstream %s: %s", upstream,
			     strerror(be < 0 ? -be : ENOMEM));
		if (be >= 0)
			close(be);
		close(fe);
		p->closed++;
		return;
	}
	c->id = id;
	c->up = (struct proxy_dir){.from = fe, .to = be, .side = VHOST_TAP_BACKEND};
	c->down = (struct proxy_dir){.from = be, .to = fe, .side = VHOST_TAP_FRONTEND};
	trace_watch_init(&c->watch);
	p->conns[slot] = c;
	proxy_marker(p, id, "opened: front-end accepted on %s, back-end %s connected",
		     p->opts->listen_path, upstream);
}

/* Polls the listener and each pair; runs what is ready. */
static void proxy_poll_once(struct proxy *p, int lsock, int wait_ms)
{
	struct pollfd pfd[1 + 2 * TRACE_PROXY_MAX_CONNS];
	unsigned n = 1;

	pfd[0] = (struct pollfd){.fd = lsock, .events = POLLIN};
	for (unsigned i = 0; i < TRACE_PROXY_MAX_CONNS; i++) {
		struct proxy_conn *c = p->conns[i];

		pfd[n++] = (struct pollfd){.fd = c ? c->up.from : -1, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = c ? c->down.from : -1, .events = POLLIN};
	}
	if (poll(pfd, n, wait_ms) <= 0)
		return;
	for (unsigned i = 0; i < TRACE_PROXY_MAX_CONNS; i++) {
		struct proxy_conn *c = p->conns[i];
		int rc = 0;

		if (c && pfd[1 + 2 * i].revents)
			rc = proxy_dir_step(p, c, &c->up);
		if (rc) {
			proxy_conn_close(p, i,
					 rc == -ECONNRESET ? "the front-end hung up"
							   : "forwarding failed");
			continue;
		}
		if (c && pfd[2 + 2 * i].revents)
			rc = proxy_dir_step(p, c, &c->down);
		if (rc)
			proxy_conn_close(
			    p, i, rc == -ECONNRESET ? "the back-end hung up" : "forwarding failed");
	}
	if (pfd[0].revents & POLLIN)
		proxy_accept(p, lsock);
}

static bool proxy_any_open(const struct proxy *p)
{
	for (unsigned i = 0; i < TRACE_PROXY_MAX_CONNS; i++)
		if (p->conns[i])
			return true;
	return false;
}

int trace_proxy_run(const struct trace_proxy_opts *opts)
{
	uint64_t end =
	    opts->timeout_ms >= 0 ? mono_ns() + (uint64_t)opts->timeout_ms * 1000000u : UINT64_MAX;
	struct proxy p = {.opts = opts};
	int lsock, rc = 0;

	if (opts->nupstreams == 0 || opts->nupstreams > TRACE_PROXY_MAX_UPSTREAMS)
		return -EINVAL;
	lsock = util_unix_listen(opts->listen_path, TRACE_PROXY_MAX_CONNS, 0);
	if (lsock < 0) {
		log_err("listening on %s: %s", opts->listen_path, strerror(-lsock));
		return lsock;
	}
	p.tap = (struct vhost_tap){.fn = proxy_tap, .arg = &p};
	log_notice("recording: front-ends on %s, back-end %s%s", opts->listen_path,
		   opts->upstream_paths[0],
		   opts->nupstreams > 1 ? " (the first; more follow)" : "");
	for (;;) {
		uint64_t now = mono_ns();

		if (opts->stop && *opts->stop) {
			rc = -EINTR;
			break;
		}
		if (now >= end) {
			log_notice("recording: --timeout reached");
			break;
		}
		if (opts->count_connections && p.closed >= opts->count_connections &&
		    !proxy_any_open(&p))
			break;
		/* Wake at least every 100 ms to see the stop flag. */
		proxy_poll_once(&p, lsock, (int)MIN((end - now) / 1000000u + 1, 100u));
	}
	for (unsigned i = 0; i < TRACE_PROXY_MAX_CONNS; i++)
		if (p.conns[i])
			proxy_conn_close(&p, i, "the recording ended");
	close(lsock);
	unlink(opts->listen_path);
	return rc;
}
