/* SPDX-License-Identifier: MIT */
/*
 * bad_backend: a vhost-user-blk back-end that breaks one requirement on
 * demand, for testing that each conformance case catches exactly its own
 * violation (docs/peers.md has the table).
 *
 *   bad_backend --socket PATH --size MB [--queues N] [--readonly]
 *               [--block-size BYTES] [--slow-us US] [--logs-writes] [--file PATH]
 *               [--break NAME]...
 *   bad_backend --list [--json]
 *
 * Prints "ready" when it listens; exits 0 on SIGTERM/SIGINT. Test-only code:
 * one thread, one front-end at a time. This file is the command line;
 * bad_backend.c the proxy, device.c the disk.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bad_backend.h"
#include "spec/virtio_blk.h"
#include "util/common.h"

static volatile sig_atomic_t g_stop;

static int listen_on(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: bad_backend --socket PATH --size MB [--queues N] [--readonly]"
			" [--block-size BYTES] [--slow-us US] [--logs-writes] [--file PATH]"
			" [--break NAME]..."
			" | --list [--json]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},  {"size", required_argument, NULL, 'z'},
	    {"queues", required_argument, NULL, 'q'},  {"readonly", no_argument, NULL, 'r'},
	    {"break", required_argument, NULL, 'b'},   {"list", no_argument, NULL, 'l'},
	    {"json", no_argument, NULL, 'j'},	       {"block-size", required_argument, NULL, 'k'},
	    {"slow-us", required_argument, NULL, 'w'}, {"logs-writes", no_argument, NULL, 'g'},
	    {"file", required_argument, NULL, 'f'},    {NULL, 0, NULL, 0},
	};
	struct disk_opts d = {.queues = 1, .block_size = VIRTIO_BLK_SECTOR_SIZE};
	const char *path = NULL;
	unsigned long size_mb = 0;
	bool list = false, json = false;
	int c, lfd;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'z':
			size_mb = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			d.queues = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			d.readonly = true;
			break;
		case 'k':
			d.block_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'g':
			d.logs_writes = true;
			break;
		case 'w':
			d.slow_us = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			d.file = optarg;
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
	if (!path || !size_mb || json || optind != argc || !d.queues || d.queues > VHOST_MAX_QUEUES)
		return usage();
	/* virtio 1.2 §5.2.4: blk_size, a power of 2 of at least one sector; at
	 * most 64 KiB, as the conformance suite takes it. */
	if (d.block_size < VIRTIO_BLK_SECTOR_SIZE || d.block_size > 65536 || !IS_POW2(d.block_size))
		return usage();
	/* ignore-readonly means: RO is offered, and then not honoured. */
	if (BROKEN(IGNORE_READONLY))
		d.readonly = true;
	d.bytes = (uint64_t)size_mb << 20;
	if (disk_init(&d)) {
		fprintf(stderr, "bad_backend: cannot set up the disk%s%s\n", d.file ? " on " : "",
			d.file ? d.file : "");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(path);
	if (lfd < 0) {
		fprintf(stderr, "bad_backend: %s: %s\n", path, strerror(-lfd));
		disk_fini();
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	proxy_serve(lfd, d.queues, &g_stop);
	close(lfd);
	unlink(path);
	disk_fini();
	return 0;
}
