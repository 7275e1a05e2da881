/* SPDX-License-Identifier: MIT */
/*
 * vfio_user_sample: the sample device (sample.h) on lib/vfio-user's server.
 *
 *   vfio_user_sample --socket PATH [--max-dma-maps N] [--max-data-xfer N]
 *
 * Prints "ready" when it listens; exits 0 on SIGTERM/SIGINT. One thread:
 * the server and the device on one evloop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static int serve(struct vfio_user_server_opts *o)
{
	struct sample d;
	struct evloop *loop;
	int ret = evloop_create(&loop);

	if (ret)
		return ret;
	ret = sample_init(&d, loop);
	if (ret)
		goto out_loop;
	o->loop = loop;
	o->dev = &d;
	o->ops = &sample_ops;
	ret = vfio_user_server_create(o, &d.srv);
	if (ret)
		goto out_dev;
	printf("ready\n");
	fflush(stdout);
	while (!g_stop)
		evloop_run_once(loop, 100);
	vfio_user_server_destroy(d.srv);
out_dev:
	sample_fini(&d);
out_loop:
	evloop_destroy(loop);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"max-dma-maps", required_argument, NULL, 'm'},
	    {"max-data-xfer", required_argument, NULL, 'x'},
	    {NULL, 0, NULL, 0},
	};
	struct vfio_user_server_opts o = {0};
	struct sigaction sa = {.sa_handler = on_signal};
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.path = optarg;
			break;
		case 'm':
			o.max_dma_maps = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'x':
			o.max_data_xfer_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			o.path = NULL;
			optind = argc;
			break;
		}
	}
	if (!o.path) {
		fprintf(stderr, "usage: vfio_user_sample --socket PATH [--max-dma-maps N] "
				"[--max-data-xfer N]\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ret = serve(&o);
	if (ret) {
		fprintf(stderr, "vfio_user_sample: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
