/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_IO_STATUS_H
#define STORLAB_NVMF_IO_STATUS_H

/*
 * How Identify, Get Log Page and the I/O decoder refuse a command: the
 * (SCT, SC) pair (NVME_SCT_SC) the completion carries, and a warning line
 * naming the rule, rate limited by the caller's limiter (the guest decides
 * how often a refusal happens).
 */

#include <stdint.h>

#include "util/log_ratelimit.h"

/* Logs fmt (if rl allows) and returns status. */
uint16_t nvmf_refuse(struct log_ratelimit *rl, uint16_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
