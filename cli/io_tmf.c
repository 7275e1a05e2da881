/* SPDX-License-Identifier: MIT */
/* storlab io tmf: a task management function (virtio 1.2 §5.6.6.2) on the
 * controlq of a virtio-scsi device, to the LUN its URI selects
 * (storlab/virtio_scsi.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/io.h"
#include "spec/virtio_scsi.h"
#include "storlab/virtio_scsi.h"
#include "util/common.h"

/* §5.6.6.2's subtypes, by the names SAM-5 §7 gives the functions. */
static const char *const g_functions[] = {
    [VIRTIO_SCSI_T_TMF_ABORT_TASK] = "abort-task",
    [VIRTIO_SCSI_T_TMF_ABORT_TASK_SET] = "abort-task-set",
    [VIRTIO_SCSI_T_TMF_CLEAR_ACA] = "clear-aca",
    [VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET] = "clear-task-set",
    [VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET] = "i-t-nexus-reset",
    [VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET] = "lun-reset",
    [VIRTIO_SCSI_T_TMF_QUERY_TASK] = "query-task",
    [VIRTIO_SCSI_T_TMF_QUERY_TASK_SET] = "query-task-set",
};

int io_cmd_tmf(const struct io_args *a)
{
	struct storlab_virtio_scsi_info vs;
	const struct storlab_scsi_lun *l;
	struct storlab_dev *dev;
	uint32_t subtype = ARRAY_SIZE(g_functions);
	uint8_t response;
	int ret;

	for (uint32_t i = 0; i < ARRAY_SIZE(g_functions); i++)
		if (!strcmp(a->function, g_functions[i]))
			subtype = i;
	if (subtype == ARRAY_SIZE(g_functions))
		return cli_usage_error(a->cmd,
				       "--function: abort-task, abort-task-set, clear-aca, "
				       "clear-task-set, i-t-nexus-reset, lun-reset, query-task "
				       "or query-task-set");
	ret = io_open(a, 1, 1, 0, &dev);
	if (ret)
		return ret;
	if (storlab_virtio_scsi_get_info(dev, &vs)) {
		storlab_dev_close(dev);
		return cli_usage_error(a->cmd, "not a virtio-scsi device");
	}
	l = &vs.luns[vs.selected];
	ret = storlab_virtio_scsi_tmf(dev, subtype, l->target, l->lun, a->id, &response);
	storlab_dev_close(dev);
	if (ret) {
		fprintf(stderr, "storlab %s: %s\n", a->cmd, strerror(-ret));
		return CLI_EXIT_FAIL;
	}
	/* §5.6.6.2: a TMF's 0 is FUNCTION COMPLETE (a command's 0 is OK). */
	printf("%s\n", response == VIRTIO_SCSI_S_FUNCTION_COMPLETE
			   ? "FUNCTION_COMPLETE"
			   : storlab_virtio_scsi_response_name(response));
	/* §5.6.6.2: FUNCTION COMPLETE or SUCCEEDED is done; the rest refused. */
	return response == VIRTIO_SCSI_S_FUNCTION_COMPLETE ||
		       response == VIRTIO_SCSI_S_FUNCTION_SUCCEEDED
		   ? CLI_EXIT_OK
		   : CLI_EXIT_FAIL;
}
