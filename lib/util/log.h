/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_LOG_H
#define STORLAB_UTIL_LOG_H

/*
 * Logging for every part of storlab.
 *
 * A line is "<time> <level> <component>: <message>" on stderr (or the sink set
 * with log_set_sink). Each .c file that logs defines LOG_COMPONENT before it
 * includes this header, e.g. #define LOG_COMPONENT "vhost".
 *
 * Libraries never exit or print on their own: they log through here and return
 * a negative errno. A rule enforced on bad input logs the spec section that
 * requires it: log_warn("virtio 1.2 §2.7.5.3.1: descriptor %u ...").
 *
 * Thread safe: one call writes one whole line.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#ifndef LOG_COMPONENT
#define LOG_COMPONENT "storlab"
#endif

/* Lines above this level are dropped. Default: LOG_LEVEL_NOTICE, or the value
 * of the environment variable STORLAB_LOG_LEVEL (err, warn, notice, info, debug). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "err", "warn", "notice", "info", "debug". Returns 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *level);

/* Where lines go: a callback that gets a whole formatted line (no newline).
 * NULL restores stderr. Used by tests and by reporters that keep traces. */
typedef void (*log_sink_fn)(enum log_level level, const char *component, const char *line,
			    void *arg);
void log_set_sink(log_sink_fn sink, void *arg);

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level level, const char *component, const char *fmt, va_list ap);

#include "util/log_ratelimit.h"

/* True if one more line may be logged now. When a new one-second window
 * opens after lines were dropped, first logs how many, naming `what`. */
bool log_ratelimit_allow(struct log_ratelimit *rl, const char *component, const char *what);

#define log_warn_ratelimited(rl, what, ...)                             \
	do {                                                            \
		if (log_ratelimit_allow((rl), LOG_COMPONENT, (what)))   \
			log_msg(LOG_LEVEL_WARN, LOG_COMPONENT, __VA_ARGS__); \
	} while (0)

#define log_err(...) log_msg(LOG_LEVEL_ERR, LOG_COMPONENT, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, LOG_COMPONENT, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, LOG_COMPONENT, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, LOG_COMPONENT, __VA_ARGS__)
#define log_debug(...)                                                    \
	do {                                                              \
		if (log_get_level() >= LOG_LEVEL_DEBUG)                   \
			log_msg(LOG_LEVEL_DEBUG, LOG_COMPONENT, __VA_ARGS__); \
	} while (0)

#endif
