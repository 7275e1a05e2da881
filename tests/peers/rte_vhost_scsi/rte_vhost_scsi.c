/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_scsi: a vhost-user-scsi back-end on DPDK's rte_vhost, the
 * independent peer our vhost-user-scsi initiator, conformance suite and
 * guest tests are checked against (DESIGN.md "Real peers, always"). The
 * vhost-user protocol side is DPDK's, the rings are tests/peers/
 * rte_vhost_dev.c (shared with rte_vhost_blk); the virtio-scsi controller
 * (vscsi.c) and its SCSI logical units (lu.c) are written here from virtio
 * 1.2 §5.6, SPC-5 and SBC-4, with nothing from lib/scsi or lib/spec.
 *
 *   rte_vhost_scsi --socket PATH --target SPEC [--target SPEC ...]
 *                  [--queues N] [--delay-us N] [--inflight]
 *   SPEC: ID,size=MB | ID,file=PATH  [,bs=512|4096] [,serial=S] [,hotplug]
 *
 * --queues: request queues (the device has N + 2 rings: controlq, eventq,
 * then these, §5.6.2). Prints "ready" once the socket is registered; exits
 * 0 on SIGTERM/SIGINT. SIGUSR1 plugs every hotplug target in, SIGUSR2
 * unplugs them, each with a TRANSPORT_RESET event (§5.6.6.3) to the drivers
 * that negotiated VIRTIO_SCSI_F_HOTPLUG; the log says "target N plugged".
 * --delay-us and --inflight are rte_vhost_blk's (docs/peers.md).
 */

#ifdef STORLAB_NO_DPDK
/* Built where libdpdk-dev is missing (peer.mk): say so, and fail. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "rte_vhost_scsi: built without DPDK: install libdpdk-dev and rebuild\n");
	return 3;
}
#else

#include <getopt.h>
#include <linux/virtio_scsi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "../rte_vhost_dev.h"
#include "vscsi.h"

static struct rvd_opts g_opts;
static uint16_t g_request_queues = 1;

static uint32_t scsi_config(void *buf, uint32_t len)
{
	return rvs_config(buf, len, g_request_queues);
}

/* HOTPLUG: targets come and go (SIGUSR1/2). CHANGE is offered as SPDK's
 * vhost-scsi offers it, though no LU parameter ever changes here: QEMU's
 * vhost-user-scsi passes its param_change bit (on by default) to the
 * back-end, and rte_vhost refuses features it did not offer. */
static const struct rvd_device g_scsi = {
    .features = (1ULL << VIRTIO_SCSI_F_HOTPLUG) | (1ULL << VIRTIO_SCSI_F_CHANGE),
    .config = scsi_config,
    .kind = rvs_queue_kind,
    .start = rvs_start,
    .request = rvs_request,
    .event_ready = rvs_event_ready,
    .tick = rvs_tick,
};

static void on_usr(int sig)
{
	rvs_hotplug(sig == SIGUSR1);
}

static int usage(void)
{
	fprintf(stderr, "usage: rte_vhost_scsi --socket PATH --target SPEC [--target SPEC ...] "
			"[--queues N] [--delay-us N] [--inflight]\n"
			"  SPEC: ID,size=MB | ID,file=PATH [,bs=512|4096] [,serial=S] "
			"[,hotplug]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"target", required_argument, NULL, 't'},
	    {"queues", required_argument, NULL, 'q'},
	    {"delay-us", required_argument, NULL, 'd'},
	    {"inflight", no_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	int c, ret = 2, ntargets = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (rvd_opts_parse(&g_opts, c, optarg))
			continue;
		switch (c) {
		case 't':
			if (rvs_target_add(optarg))
				goto out;
			ntargets++;
			break;
		case 'q':
			g_request_queues = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		default:
			goto out_usage;
		}
	}
	g_opts.rings = (uint16_t)(g_request_queues + 2);
	if (!g_opts.socket || !ntargets || optind != argc || g_request_queues < 1 ||
	    g_opts.rings > RVD_MAX_QUEUES)
		goto out_usage;
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	ret = rvd_run(&g_scsi, &g_opts, argv[0]);
	goto out;
out_usage:
	ret = usage();
out:
	rvs_targets_close();
	return ret;
}

#endif /* STORLAB_NO_DPDK */
