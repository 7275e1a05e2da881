/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_MEMFD_H
#define STORLAB_CONFORMANCE_MEMFD_H

/* The memory a case's device reaches (guest memory, DMA memory): one
 * memfd of size bytes mapped shared, so that it can be sent to the
 * endpoint. 0 with *fd and *mem, or a negative errno with nothing left. */

#include <stdint.h>

int conform_memfd_map(uint64_t size, int *fd, void **mem);

#endif
