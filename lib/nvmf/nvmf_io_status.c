/* SPDX-License-Identifier: MIT */
/* A refused NVMe command's status and log line; see nvmf_io_status.h. */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_io_status.h"

#include <stdarg.h>

#include "util/log.h"

uint16_t nvmf_refuse(struct log_ratelimit *rl, uint16_t status, const char *fmt, ...)
{
	va_list ap;

	if (log_ratelimit_allow(rl, LOG_COMPONENT, "nvmf command refusal")) {
		va_start(ap, fmt);
		log_vmsg(LOG_LEVEL_WARN, LOG_COMPONENT, fmt, ap);
		va_end(ap);
	}
	return status;
}
