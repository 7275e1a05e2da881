/* SPDX-License-Identifier: MIT */
/* Conformance transports (conform.h struct conform_transport): the vhost-user
 * transport's rule for "offered", a target URI's scheme picking the
 * transport, and the runner leaving applicability, probing, connecting and
 * tracing to the run's transport: a made-up transport over a socketpair runs
 * a suite of its own without any vhost-user in sight, and a suite of another
 * transport is left out of the run (or refused when named). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "conformance/runner.h"
#include "conformance/runner_internal.h"
#include "spec/vhost_user.h"
#include "spec/virtio_blk.h"

static void test_vhost_user_applicable(void **state)
{
	const struct conform_transport *t = &g_conform_transport_vhost_user;
	const struct conform_offer offer = {
	    .features = VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES),
	    .protocol_features = 1ull << VHOST_USER_PROTOCOL_F_MQ,
	};
	struct conform_case c = {.id = "X"};
	char why[256] = "";

	(void)state;
	/* Nothing needed, or only what is offered: applicable. */
	assert_true(t->applicable(&offer, &c, why, sizeof(why)));
	c.features = VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	c.protocol_features = 1ull << VHOST_USER_PROTOCOL_F_MQ;
	assert_true(t->applicable(&offer, &c, why, sizeof(why)));
	/* One feature missing: not applicable, and the reason names just it. */
	c.features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
	assert_false(t->applicable(&offer, &c, why, sizeof(why)));
	assert_string_equal(why, "not offered: VIRTIO_BLK_F_DISCARD");
	/* A protocol feature counts likewise, and unnamed bits by number. */
	c.features = VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | (1ull << 55);
	c.protocol_features |= 1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK;
	assert_false(t->applicable(&offer, &c, why, sizeof(why)));
	assert_string_equal(why, "not offered: feature bit 55, VHOST_USER_PROTOCOL_F_REPLY_ACK");
}

static void test_transport_for_uri(void **state)
{
	const char *addr = NULL;

	(void)state;
	assert_ptr_equal(conform_transport_for_uri("vhost-user-blk:/tmp/x.sock", &addr),
			 &g_conform_transport_vhost_user);
	assert_string_equal(addr, "/tmp/x.sock");
	addr = NULL;
	assert_null(conform_transport_for_uri("vhost-user-blkx:/tmp/x.sock", &addr));
	assert_null(conform_transport_for_uri("vhost-user:/tmp/x.sock", &addr));
	assert_null(conform_transport_for_uri("nvme-tcp:127.0.0.1:4420", &addr));
	assert_null(conform_transport_for_uri("/tmp/x.sock", &addr));
	assert_null(addr);
}

/* ---- "loop": a transport made up for this test. Its endpoint is a string
 * of what it offers; a connection is one end of a socketpair whose other end
 * is closed; its trace is one line naming the connection. ---- */

#define LOOP_OFFERS 0x5u

static int g_probes;

static int loop_probe(const char *address, int timeout_ms, struct conform_offer *offer)
{
	(void)timeout_ms;
	g_probes++;
	if (strcmp(address, "up") != 0)
		return -ECONNREFUSED;
	*offer = (struct conform_offer){.features = LOOP_OFFERS};
	return 0;
}

static bool loop_applicable(const struct conform_offer *offer, const struct conform_case *c,
			    char *why, size_t len)
{
	if ((c->features & offer->features) == c->features)
		return true;
	snprintf(why, len, "loop lacks 0x%llx",
		 (unsigned long long)(c->features & ~offer->features));
	return false;
}

static int loop_connect(const char *address, int timeout_ms, void **conn, int *fd)
{
	int sv[2];

	(void)address;
	(void)timeout_ms;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -errno;
	close(sv[1]);
	*fd = sv[0];
	*conn = (void *)(intptr_t)sv[0];
	return 0;
}

static void loop_trace(void *conn, struct conform_ctx *ctx)
{
	char line[64];

	snprintf(line, sizeof(line), "loop trace on fd %d", (int)(intptr_t)conn);
	conform_ctx_trace_line(ctx, line);
}

static const char *const g_loop_schemes[] = {"loop", NULL};
static const struct conform_transport g_loop = {
    .name = "loop",
    .schemes = g_loop_schemes,
    .probe_what = "looking",
    .probe = loop_probe,
    .applicable = loop_applicable,
    .connect = loop_connect,
    .trace = loop_trace,
};

static enum conform_verdict case_connects(struct conform_ctx *ctx)
{
	void *conn;

	if (conform_ctx_connect(ctx, &conn))
		return conform_error(ctx, "connect");
	/* The transport's own probe says whether it still serves. */
	return conform_backend_alive(ctx) ? CONFORM_PASS : conform_fail(ctx, "not alive");
}

#define CASE(i, f)                                                                                 \
	{                                                                                          \
		.id = i, .title = "t", .spec = "s", .level = CONFORM_MUST, .description = "d",     \
		.features = f, .run = case_connects                                                \
	}
static const struct conform_case g_loop_cases[] = {CASE("L-1", 0x1), CASE("L-2", 0x2)};
static const struct conform_case g_vu_cases[] = {CASE("V-1", 0)};
static const struct conform_suite g_loop_suite = {"loop-suite", "d", g_loop_cases, 2, &g_loop};
static const struct conform_suite g_vu_suite = {"vu-suite", "d", g_vu_cases, 1,
						&g_conform_transport_vhost_user};
static const struct conform_suite *const g_suites[] = {&g_vu_suite, &g_loop_suite};

static struct conform_run_opts loop_opts(void)
{
	return (struct conform_run_opts){
	    .transport = &g_loop,
	    .socket_path = "up",
	    .timeout_ms = 200,
	    .case_deadline_ms = 2000,
	    .suites = g_suites,
	    .nsuites = 2,
	};
}

static void test_runner_uses_the_transport(void **state)
{
	struct conform_run_opts o = loop_opts();
	struct conform_run *run;
	char msg[256];

	(void)state;
	g_probes = 0;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	/* The vhost-user suite is not part of a loop run. */
	assert_int_equal(run->nresults, 2);
	assert_int_equal(run->offered.features, LOOP_OFFERS);
	assert_string_equal(run->results[0].c->id, "L-1");
	assert_int_equal(run->results[0].verdict, CONFORM_PASS);
	assert_non_null(strstr(run->results[0].trace, "loop trace on fd"));
	assert_non_null(strstr(run->results[0].trace, "back-end still serving: the probe on a new connection (looking)"));
	/* The transport's verdict on applicability, in its words. */
	assert_int_equal(run->results[1].verdict, CONFORM_NOT_APPLICABLE);
	assert_string_equal(run->results[1].reason, "loop lacks 0x2");
	/* The probe before the run and the check after the case that ran (the
	 * case's own probe ran in its process). */
	assert_int_equal(g_probes, 2);
	conform_run_free(run);
}

static void test_runner_refuses_other_transports(void **state)
{
	const char *const suite[] = {"vu-suite"}, *const id[] = {"V-1"};
	struct conform_run_opts o = loop_opts();
	struct conform_run *run = NULL;
	char msg[256];

	(void)state;
	o.suite_names = suite;
	o.nsuite_names = 1;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), -EPROTOTYPE);
	assert_string_equal(msg, "suite 'vu-suite' talks vhost-user, not the target's loop");
	o = loop_opts();
	o.case_ids = id;
	o.ncase_ids = 1;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), -EPROTOTYPE);
	assert_string_equal(msg, "case 'V-1' talks vhost-user, not the target's loop");
	/* Not answering the probe: the transport's words in the message. */
	o = loop_opts();
	o.socket_path = "down";
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), -ECONNREFUSED);
	assert_non_null(strstr(msg, "does not answer the probe (looking)"));
	assert_null(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vhost_user_applicable),
	    cmocka_unit_test(test_transport_for_uri),
	    cmocka_unit_test(test_runner_uses_the_transport),
	    cmocka_unit_test(test_runner_refuses_other_transports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
