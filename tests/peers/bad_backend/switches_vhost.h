/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_PEERS_BAD_BACKEND_SWITCHES_VHOST_H
#define STORLAB_TESTS_PEERS_BAD_BACKEND_SWITCHES_VHOST_H

/* bad_backend's vhost-user protocol switches: their table is switches_vhost.c,
 * they act in bad_backend.c (the message proxy). */

enum brk_vhost {
	BRK_DROP_REPLY_ACK,
	BRK_WRONG_VRING_BASE,
	BRK_KEEPS_RING_RUNNING,
	BRK_VRING_BASE_ANY_INDEX,
	BRK_CONFIG_SIZE_WRONG,
	BRK_CONFIG_SIZE_STRICT,
	BRK_ACK_UNKNOWN_REQUEST,
	BRK_NACK_AS_ACK,
	BRK_LAX_HEADER,
	BRK_KEEPS_STRAY_FDS,
	BRK_VHOST_END,
};

#endif
