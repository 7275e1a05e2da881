/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_EMU_EMU_SHRINK_H
#define STORLAB_EMU_EMU_SHRINK_H

/*
 * Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
 * Failure-Inducing Input", 2002: the ddmin algorithm) over n units: finds a
 * set of units to keep, 1-minimal (removing any one more makes the test
 * pass), for which the test still fails. The units are a trace's removable
 * parts (emu_script.h); the test replays the trace minus the others. Pure
 * and deterministic: the same answers from the test give the same steps.
 */

#include <stdbool.h>

/* keep[i]: unit i is kept. 1: it still fails the same way, 0: not, or a
 * negative errno to stop. */
typedef int (*emu_ddmin_test_fn)(void *ctx, const bool *keep);

/* keep (n entries) starts all true (the whole input, which fails) and ends
 * as the smallest set found. The number of tests, or the test's error. */
int emu_ddmin(unsigned n, emu_ddmin_test_fn test, void *ctx, bool *keep);

#endif
