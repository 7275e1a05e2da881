/* SPDX-License-Identifier: MIT */
/* A recorder in the background: the proxy of `storlab migrate record`
 * (lib/trace/trace_proxy.h) on a thread of this process, for a scenario's
 * migrate step with `record`. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trace/trace_proxy.h"
#include "util/log.h"

/* How long finish waits for the front-ends' connections to end by
 * themselves before it stops the proxy. */
#define RECORDER_DRAIN_MS 10000

struct cli_recorder {
	struct trace_proxy_opts po;
	volatile sig_atomic_t stop;
	pthread_t thread;
	int rc; /* the proxy's */
	volatile sig_atomic_t done;
	char dir[64];
	char sock[96];
};

static void *recorder_main(void *arg)
{
	struct cli_recorder *r = arg;

	r->rc = trace_proxy_run(&r->po);
	r->done = 1;
	return NULL;
}

int cli_recorder_start(const char *out, const char *const *upstreams, unsigned n,
		       unsigned connections, struct cli_recorder **rec)
{
	struct cli_recorder *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	if (n == 0 || n > TRACE_PROXY_MAX_UPSTREAMS) {
		free(r);
		return -EINVAL;
	}
	snprintf(r->dir, sizeof(r->dir), "/tmp/storlab-rec-XXXXXX");
	if (!mkdtemp(r->dir)) {
		ret = -errno;
		free(r);
		return ret;
	}
	snprintf(r->sock, sizeof(r->sock), "%s/rec.sock", r->dir);
	r->po = (struct trace_proxy_opts){.listen_path = r->sock,
					  .nupstreams = n,
					  .count_connections = connections,
					  .timeout_ms = -1,
					  .stop = &r->stop};
	for (unsigned i = 0; i < n; i++)
		r->po.upstream_paths[i] = upstreams[i];
	ret = trace_writer_open(out, &r->po.trace);
	if (ret)
		goto fail;
	ret = -pthread_create(&r->thread, NULL, recorder_main, r);
	if (ret) {
		trace_writer_close(r->po.trace);
		goto fail;
	}
	/* The front-ends connect once the proxy listens. */
	for (int i = 0; i < 2000 && !r->done && access(r->sock, F_OK); i++)
		usleep(1000);
	*rec = r;
	return 0;
fail:
	rmdir(r->dir);
	free(r);
	return ret;
}

const char *cli_recorder_socket(const struct cli_recorder *r)
{
	return r->sock;
}

int cli_recorder_finish(struct cli_recorder *r)
{
	int ret;

	for (int i = 0; i < RECORDER_DRAIN_MS && !r->done; i++)
		usleep(1000);
	r->stop = 1;
	pthread_join(r->thread, NULL);
	ret = trace_writer_close(r->po.trace);
	/* Stopped by us after the drain: the trace is whole all the same. */
	if (!ret && r->rc && r->rc != -EINTR)
		ret = r->rc;
	unlink(r->sock);
	rmdir(r->dir);
	free(r);
	return ret;
}
