/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's vhost-user protocol switches, one line each: the switch, its name,
 * the conformance cases that must fail against it (and only they), the
 * requirement it breaks, and the bad_backend options it needs besides
 * (docs/peers.md).
 */
#include "bad_backend.h"

const struct brk_switch g_switches_vhost[] = {
    {BRK_DROP_REPLY_ACK, "drop-reply-ack", "VHOST-ACK-003 VHOST-FEAT-008",
     "vhost-user.rst REPLY_ACK: no ack for SET_PROTOCOL_FEATURES", NULL},
    {BRK_WRONG_VRING_BASE, "wrong-vring-base", "VHOST-RING-008",
     "vhost-user.rst GET_VRING_BASE: after I/O, the index plus one", NULL},
    {BRK_KEEPS_RING_RUNNING, "keeps-ring-running", "VHOST-RING-009",
     "vhost-user.rst Ring states: consumes after GET_VRING_BASE", NULL},
    {BRK_VRING_BASE_ANY_INDEX, "vring-base-any-index", "VHOST-MQ-007",
     "vhost-user.rst Multiple queue support: GET_VRING_BASE of any "
     "index answers a state",
     NULL},
    {BRK_CONFIG_SIZE_WRONG, "config-size-wrong", "VHOST-CFG-001 VHOST-CFG-006 VHOST-CFG-007",
     "vhost-user.rst GET_CONFIG: the whole struct, whatever size was asked", NULL},
    {BRK_CONFIG_SIZE_STRICT, "config-size-strict", "",
     "vhost-user.rst GET_CONFIG: empty reply above 60 bytes (as QEMU; "
     "tolerated)",
     NULL},
    {BRK_ACK_UNKNOWN_REQUEST, "ack-unknown-request", "VHOST-MSG-013 VHOST-MSG-014 VHOST-MSG-015",
     "vhost-user.rst REPLY_ACK: an unknown request is acked 0", NULL},
    {BRK_NACK_AS_ACK, "nack-as-ack",
     "VHOST-FEAT-007 VHOST-FEAT-008 VHOST-MEM-002 VHOST-MEM-003 VHOST-MEM-004 VHOST-MEM-005 "
     "VHOST-MEM-006 VHOST-RING-004 VHOST-RING-005 VHOST-RING-006 VHOST-RING-007 VHOST-MQ-001 "
     "VHOST-MQ-002 VHOST-MQ-003 VHOST-MQ-004 VHOST-MQ-005 VHOST-MQ-006 VHOST-CFG-007 "
     "VHOST-MSG-005 VHOST-MSG-006 VHOST-MSG-007 VHOST-MSG-008 VHOST-MSG-009 VHOST-MSG-010 "
     "VHOST-MSG-011 VHOST-MSG-013 VHOST-MSG-014 VHOST-MSG-015 VHOST-MSG-017 VHOST-MSG-018 "
     "VHOST-MSG-019 VHOST-MSG-021",
     "vhost-user.rst REPLY_ACK: every refusal is acked 0 (success)", NULL},
    {BRK_LAX_HEADER, "lax-header", "VHOST-MSG-001 VHOST-MSG-002 VHOST-MSG-003 VHOST-MSG-004",
     "vhost-user.rst Header: any version and the reply flag are accepted", NULL},
    {BRK_KEEPS_STRAY_FDS, "keeps-stray-fds", "VHOST-MSG-022 VHOST-MSG-023",
     "vhost-user.rst Communication: fds a request does not take stay open", NULL},
};

const unsigned g_switches_vhost_count = sizeof(g_switches_vhost) / sizeof(g_switches_vhost[0]);
