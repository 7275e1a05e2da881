/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_ENV_REACTOR_INTERNAL_H
#define STORLAB_ENV_REACTOR_INTERNAL_H

/* Between env.c (process lifecycle) and reactor.c (one reactor's loop). */

#include "env/env.h"

/* On the main thread, before the reactor's thread exists. */
int env_reactor_create(unsigned index, unsigned core, const struct env_opts *opts,
		       struct reactor **r);
/* After the thread was joined (or never started). */
void env_reactor_destroy(struct reactor *r);
/* The thread body; arg is the reactor. */
void *env_reactor_main(void *arg);
/* Any thread: marks the reactor running (call_sync may wait on it) or not. */
void env_reactor_set_running(struct reactor *r, bool running);
/* Any thread: asks the loop to end and wakes it. */
void env_reactor_request_stop(struct reactor *r);

#endif
