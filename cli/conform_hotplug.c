/* SPDX-License-Identifier: MIT */
/* The hot-plug hooks of `storlab conform` (conform_hotplug.h). */
#include "cli/conform_hotplug.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* cmd with its placeholders replaced into out; -ENAMETOOLONG if it does
 * not fit. */
static int expand(const char *cmd, bool add, unsigned target, unsigned lun, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = cmd; *p;) {
		char word[16];
		const char *rep = NULL;
		int n;

		if (!strncmp(p, "{action}", 8))
			rep = add ? "add" : "remove", p += 8;
		else if (!strncmp(p, "{target}", 8) || !strncmp(p, "{lun}", 5)) {
			bool t = p[1] == 't';

			snprintf(word, sizeof(word), "%u", t ? target : lun);
			rep = word, p += t ? 8 : 5;
		}
		n = rep ? snprintf(out + o, len - o, "%s", rep)
			: snprintf(out + o, len - o, "%c", *p++);
		if (n < 0 || (size_t)n >= len - o)
			return -ENAMETOOLONG;
		o += (size_t)n;
	}
	return 0;
}

static int run_shell(const char *line, char *err, size_t err_len)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		snprintf(err, err_len, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		/* The case's output pipe is not the command's to write. */
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, err_len, "waitpid: %s", strerror(errno));
			return -errno;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(err, err_len, "--hotplug-cmd '%s' %s %d", line,
		 WIFEXITED(status) ? "exited" : "was killed by signal",
		 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -EIO;
}

static int run_rpc(const struct conform_hotplug *h, bool add, unsigned target, unsigned lun,
		   char *err, size_t err_len)
{
	json_t *params = json_pack("{s:s,s:i,s:i}", "ctrlr", h->ctrlr, "scsi_target_num",
				   (int)target, "lun", (int)lun);
	json_t *result = NULL, *error = NULL;
	int ret;

	if (params && add)
		json_object_set_new(params, "bdev_name", json_string(h->bdev));
	if (!params)
		return -ENOMEM;
	/* Our process is a fork of the runner's: its RPC connection, if one is
	 * open, is the runner's; this call makes its own. */
	endpoint_rpc_close(h->ep);
	ret = endpoint_rpc_call(
	    h->ep, add ? "vhost_scsi_controller_add_lun" : "vhost_scsi_controller_remove_lun",
	    params, &result, &error);
	if (ret == -EREMOTEIO) {
		char *e = json_dumps(error, JSON_COMPACT);

		snprintf(err, err_len, "storlab-tgt refused: %s", e ? e : "?");
		free(e);
	} else if (ret) {
		snprintf(err, err_len, "JSON-RPC: %s", strerror(-ret));
	}
	json_decref(result);
	json_decref(error);
	endpoint_rpc_close(h->ep);
	return ret;
}

int conform_hotplug_run(void *arg, bool add, unsigned target, unsigned lun, char *err,
			size_t err_len)
{
	const struct conform_hotplug *h = arg;
	char line[4096];
	int ret;

	if (!h->cmd)
		return run_rpc(h, add, target, lun, err, err_len);
	ret = expand(h->cmd, add, target, lun, line, sizeof(line));
	if (ret) {
		snprintf(err, err_len, "--hotplug-cmd is too long");
		return ret;
	}
	return run_shell(line, err, err_len);
}
