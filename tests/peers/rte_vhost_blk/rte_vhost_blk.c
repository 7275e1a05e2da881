/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_blk: a vhost-user-blk back-end on DPDK's rte_vhost, the peer our
 * initiator and conformance runner are tested against (DESIGN.md "Real peers,
 * always"). The vhost-user protocol side is DPDK's, the rings are
 * tests/peers/rte_vhost_dev.c (shared with rte_vhost_scsi); the virtio-blk
 * device is blk.c, written from the virtio 1.2 spec and the Linux UAPI
 * headers (<linux/virtio_blk.h>), not from lib/spec, so that a mistake in
 * our own headers cannot hide on both sides.
 *
 *   rte_vhost_blk --socket PATH (--size MB | --file PATH) [--queues N]
 *                 [--delay-us N] [--inflight]
 *
 * Prints "ready" once the socket is registered; exits 0 on SIGTERM/SIGINT.
 * --delay-us holds each request that long before it completes, so that a
 * kill finds requests in flight; --inflight offers
 * VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD and tracks them in rte_vhost's
 * in-flight region (vhost-user.rst "Inflight I/O tracking").
 */

#ifdef STORLAB_NO_DPDK
/* Built where libdpdk-dev is missing (peer.mk): say so, and fail. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "rte_vhost_blk: built without DPDK: install libdpdk-dev and rebuild\n");
	return 3;
}
#else

#include <getopt.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <stdlib.h>

#include "../rte_vhost_dev.h"
#include "blk.h"

static struct rvd_opts g_opts = {.rings = 1};

static uint32_t blk_config(void *buf, uint32_t len)
{
	return rvb_blk_config(buf, len, g_opts.rings);
}

static uint32_t blk_request(int vid, uint16_t q, uint64_t seq, struct rvd_chain *c)
{
	(void)vid;
	(void)q;
	(void)seq;
	return rvb_blk_request(c);
}

static const struct rvd_device g_blk = {
    .features = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		(1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_MQ),
    .config = blk_config,
    .request = blk_request,
};

static int usage(void)
{
	fprintf(stderr, "usage: rte_vhost_blk --socket PATH (--size MB | --file PATH) [--queues N] "
			"[--delay-us N] [--inflight]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"size", required_argument, NULL, 'z'},
	    {"queues", required_argument, NULL, 'q'},
	    {"file", required_argument, NULL, 'f'},
	    {"delay-us", required_argument, NULL, 'd'},
	    {"inflight", no_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	unsigned long size_mb = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (rvd_opts_parse(&g_opts, c, optarg))
			continue;
		switch (c) {
		case 'z':
			size_mb = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			g_opts.rings = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			file = optarg;
			break;
		default:
			return usage();
		}
	}
	if (!g_opts.socket || !size_mb == !file || optind != argc || g_opts.rings < 1 ||
	    g_opts.rings > RVD_MAX_QUEUES)
		return usage();
	if (rvb_disk_open(file, size_mb))
		return 1;
	ret = rvd_run(&g_blk, &g_opts, argv[0]);
	rvb_disk_close();
	return ret;
}

#endif /* STORLAB_NO_DPDK */
