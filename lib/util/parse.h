/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_PARSE_H
#define STORLAB_UTIL_PARSE_H

/* Sizes and numbers as users write them, on command lines and in scenario
 * files. */

#include <stddef.h>
#include <stdint.h>

/* "4096", "4k", "4K", "4KiB", "1M", "1G", "1T" (binary multiples, as fio and
 * rpc.py take them), "0x1000". Returns 0 or -EINVAL (also on overflow). */
int util_parse_size(const char *s, uint64_t *out);
/* A whole number in [min, max], decimal or 0x-hex (never octal). 0 or -EINVAL. */
int util_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Seconds: "5", "0.5", "2s", "500ms"; not negative. 0 or -EINVAL. */
int util_parse_seconds(const char *s, double *out);

/* Exactly 2 * n hex digits (either case) into n bytes. 0 or -EINVAL. */
int util_parse_hex(const char *s, uint8_t *out, size_t n);
/* A UUID in its RFC 4122 text form, 8-4-4-4-12 hex digits, into its 16
 * bytes (out may be NULL: only checked). 0 or -EINVAL. */
int util_parse_uuid(const char *s, uint8_t *out);

#endif
