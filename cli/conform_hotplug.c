/* SPDX-License-Identifier: MIT */
/* The hot-plug hooks of `storlab conform` (conform_hotplug.h). */
#include "cli/conform_hotplug.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A controller named by an NQN ("nqn." first) is an NVMe subsystem, as
 * lib/endpoint reads a storlab-tgt device's name. */
#define NQN_PREFIX "nqn."
/* The namespaces the hook adds: 1 MiB of 512-byte blocks. */
#define HOTPLUG_NS_BLOCKS 2048

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

/* One call to the target: 0, or a negative errno with err; *code the
 * JSON-RPC error's code when it refused (-EREMOTEIO). */
static int call(const struct conform_hotplug *h, const char *method, json_t *params, int *code,
		char *err, size_t err_len)
{
	json_t *result = NULL, *error = NULL;
	int ret;

	if (!params)
		return -ENOMEM;
	ret = endpoint_rpc_call(h->ep, method, params, &result, &error);
	if (ret == -EREMOTEIO) {
		char *e = json_dumps(error, JSON_COMPACT);

		*code = (int)json_integer_value(json_object_get(error, "code"));
		snprintf(err, err_len, "storlab-tgt refused %s: %s", method, e ? e : "?");
		free(e);
	} else if (ret) {
		snprintf(err, err_len, "JSON-RPC %s: %s", method, strerror(-ret));
	}
	json_decref(result);
	json_decref(error);
	return ret;
}

static int scsi_lun(const struct conform_hotplug *h, bool add, unsigned target, unsigned lun,
		    char *err, size_t err_len)
{
	json_t *params = json_pack("{s:s,s:i,s:i}", "ctrlr", h->ctrlr, "scsi_target_num",
				   (int)target, "lun", (int)lun);
	int code;

	if (params && add)
		json_object_set_new(params, "bdev_name", json_string(h->bdev));
	return call(h, add ? "vhost_scsi_controller_add_lun" : "vhost_scsi_controller_remove_lun",
		    params, &code, err, err_len);
}

static int delete_bdev(const struct conform_hotplug *h, const char *bdev, int *code, char *err,
		       size_t err_len)
{
	return call(h, "bdev_malloc_delete", json_pack("{s:s}", "name", bdev), code, err, err_len);
}

/* Namespace nsid of subsystem h->ctrlr: added from a fresh malloc bdev
 * h->bdev<NSID>, or removed and that bdev deleted, once the target has
 * closed it (nvmf_subsystem_remove_ns answers then). A namespace the hook
 * did not add has no such bdev (-ENODEV): nothing more to delete. */
static int nvme_ns(const struct conform_hotplug *h, bool add, unsigned nsid, char *err,
		   size_t err_len)
{
	char bdev[64], ignored[64];
	int code = 0, ret;

	snprintf(bdev, sizeof(bdev), "%s%u", h->bdev, nsid);
	if (!add) {
		json_t *ns = json_pack("{s:s,s:i}", "nqn", h->ctrlr, "nsid", (int)nsid);

		ret = call(h, "nvmf_subsystem_remove_ns", ns, &code, err, err_len);
		if (ret)
			return ret;
		ret = delete_bdev(h, bdev, &code, err, err_len);
		return ret == -EREMOTEIO && code == -ENODEV ? 0 : ret;
	}
	ret = call(h, "bdev_malloc_create",
		   json_pack("{s:s,s:i,s:i}", "name", bdev, "num_blocks", HOTPLUG_NS_BLOCKS,
			     "block_size", 512),
		   &code, err, err_len);
	if (ret)
		return ret;
	ret = call(h, "nvmf_subsystem_add_ns",
		   json_pack("{s:s,s:{s:s,s:i}}", "nqn", h->ctrlr, "namespace", "bdev_name", bdev,
			     "nsid", (int)nsid),
		   &code, err, err_len);
	if (ret)
		delete_bdev(h, bdev, &code, ignored, sizeof(ignored));
	return ret;
}

static int run_rpc(const struct conform_hotplug *h, bool add, unsigned target, unsigned lun,
		   char *err, size_t err_len)
{
	bool nvme = !strncmp(h->ctrlr, NQN_PREFIX, strlen(NQN_PREFIX));
	int ret;

	if (nvme && target) {
		snprintf(err, err_len, "NVMe subsystem %s: target %u: the hook's target is 0",
			 h->ctrlr, target);
		return -EINVAL;
	}
	/* Our process is a fork of the runner's: its RPC connection, if one is
	 * open, is the runner's; these calls make their own. */
	endpoint_rpc_close(h->ep);
	if (nvme)
		ret = nvme_ns(h, add, lun, err, err_len);
	else
		ret = scsi_lun(h, add, target, lun, err, err_len);
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
