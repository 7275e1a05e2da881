/* SPDX-License-Identifier: MIT */
/*
 * bad_scsi: a vhost-user-scsi back-end that breaks one requirement of the
 * virtio-scsi conformance suite on demand (docs/peers.md has the table).
 *
 *   bad_scsi --socket PATH --size MB [--luns N] [--queues N] [--slow-us US]
 *            [--break NAME]...
 *   bad_scsi --list [--json]
 *
 * Prints "ready" when it listens; exits 0 on SIGTERM/SIGINT. Test-only code:
 * one thread, one front-end at a time, lib/vhost's back-end side on an
 * evloop between polls of the rings.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bad_scsi.h"
#include "spec/vhost_user.h"
#include "util/evloop.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: bad_scsi --socket PATH --size MB [--luns N] [--queues N]"
			" [--slow-us US] [--break NAME]... | --list [--json]\n");
	return 2;
}

/* Serves until SIGTERM: the control messages on the loop, the rings
 * between its turns (at once while they have work). */
static int serve(const char *path, uint16_t queues)
{
	struct vhost_dev_opts o = {
	    .socket_path = path,
	    .max_queues = (uint16_t)(queues + 2),
	    .protocol_features = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
				 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				 (1ULL << VHOST_USER_PROTOCOL_F_CONFIG),
	    .ops = ctl_ops(),
	};
	struct vhost_dev *dev;
	struct evloop *loop;
	unsigned busy = 0;
	int ret = evloop_create(&loop);

	if (ret)
		return ret;
	o.loop = loop;
	ret = vhost_dev_create(&o, &dev);
	if (ret) {
		evloop_destroy(loop);
		return ret;
	}
	printf("ready\n");
	fflush(stdout);
	while (!g_stop) {
		evloop_run_once(loop, busy ? 0 : 1);
		busy = ctl_poll();
	}
	vhost_dev_destroy(dev);
	evloop_destroy(loop);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'}, {"size", required_argument, NULL, 'z'},
	    {"luns", required_argument, NULL, 'n'},   {"queues", required_argument, NULL, 'q'},
	    {"slow-us", required_argument, NULL, 'w'}, {"break", required_argument, NULL, 'b'},
	    {"list", no_argument, NULL, 'l'},	       {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct ctl_opts o = {.luns = 1, .queues = 1};
	const char *path = NULL;
	unsigned long size_mb = 0;
	bool list = false, json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'z':
			size_mb = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			o.luns = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'q':
			o.queues = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'w':
			o.slow_us = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			if (brk_set(optarg))
				return 2;
			break;
		case 'l':
			list = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return usage();
		}
	}
	if (list && optind == argc) {
		brk_list(json);
		return 0;
	}
	if (!path || !size_mb || json || optind != argc)
		return usage();
	o.bytes = (uint64_t)size_mb << 20;
	if (ctl_init(&o)) {
		fprintf(stderr, "bad_scsi: cannot set up %u LUNs of %lu MiB and %u queues\n", o.luns,
			size_mb, o.queues);
		ctl_fini();
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ret = serve(path, o.queues);
	if (ret)
		fprintf(stderr, "bad_scsi: %s: %s\n", path, strerror(-ret));
	ctl_fini();
	return ret ? 1 : 0;
}
