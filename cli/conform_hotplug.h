/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CLI_CONFORM_HOTPLUG_H
#define STORLAB_CLI_CONFORM_HOTPLUG_H

/*
 * The hot-plug hooks of `storlab conform` and of scenario conform steps
 * (conform_run_opts.hotplug): a vendor's command (--hotplug-cmd), or
 * JSON-RPC to a storlab-tgt we run (--spawn-tgt; a scenario's endpoint).
 * Called in a case's process, forked from the runner.
 */

#include <stdbool.h>
#include <stddef.h>

#include "endpoint/endpoint.h"

struct conform_hotplug {
	/* --hotplug-cmd: /bin/sh -c cmd with {action} (add, remove), {target}
	 * and {lun} replaced (an NVMe case's target is 0, its LUN an NSID);
	 * exit 0 means done. */
	const char *cmd;
	/* Or JSON-RPC to ep. On a vhost-user-scsi controller ctrlr:
	 * vhost_scsi_controller_add_lun / _remove_lun, an added LUN being bdev
	 * (which is not a LUN yet). On an NVMe subsystem (ctrlr an NQN, target
	 * 0, the LUN an NSID): a namespace added from a fresh 1 MiB malloc bdev
	 * named bdev<NSID> (nvmf_subsystem_add_ns), or removed and that bdev
	 * deleted (nvmf_subsystem_remove_ns). */
	struct endpoint *ep;
	const char *ctrlr;
	const char *bdev;
};

/* conform_run_opts.hotplug; arg a struct conform_hotplug. */
int conform_hotplug_run(void *arg, bool add, unsigned target, unsigned lun, char *err,
			size_t err_len);

#endif
