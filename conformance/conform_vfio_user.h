/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_CONFORM_VFIO_USER_H
#define STORLAB_CONFORMANCE_CONFORM_VFIO_USER_H

/*
 * The vfio-user transport's part of the case API (transport_vfio_user.c):
 * an endpoint is a vfio-user server's socket (QEMU docs/interop/
 * vfio-user.rst), today an NVMe controller's (nvme-vfio-user:DIR/cntrl, as
 * SPDK lays it out). The runner's probe and conform_backend_alive() are a
 * whole set-up: VERSION, DEVICE_GET_INFO, the region infos, a read of CAP.
 */

#include "conformance/conform.h"
#include "vfio-user/vfio_user_client.h"

/* A new client, set up as a VMM does (vfio_user_client_connect: VERSION,
 * DEVICE_GET_INFO, DEVICE_GET_REGION_INFO of every region), registered
 * with the case. 0 or a negative errno. */
int conform_vfu_connect(struct conform_ctx *ctx, struct vfio_user_client **client);

/* A connected socket on which nothing was sent yet, registered with the
 * case: for the cases that speak the protocol byte by byte (malformed
 * headers, a message before VERSION). 0 with *fd (the case's to close), or
 * a negative errno. */
int conform_vfu_connect_raw(struct conform_ctx *ctx, int *fd);

#endif
