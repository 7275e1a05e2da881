/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's vhost-user protocol switches, one line each: the switch, its name,
 * the conformance cases that must fail against it (and only they), the
 * requirement it breaks, and the bad_backend options it needs besides
 * (docs/peers.md).
 */
#include "bad_backend.h"

const struct brk_switch g_switches_vhost[] = {
    {BRK_DROP_REPLY_ACK, "drop-reply-ack", "VHOST-ACK-003 VHOST-ACK-016 VHOST-FEAT-008",
     "vhost-user.rst REPLY_ACK: no ack for SET_PROTOCOL_FEATURES", NULL},
    {BRK_WRONG_VRING_BASE, "wrong-vring-base", "VHOST-RING-008",
     "vhost-user.rst GET_VRING_BASE: after I/O, the index plus one", NULL},
    {BRK_KEEPS_RING_RUNNING, "keeps-ring-running",
     "VHOST-RING-009 VHOST-RING-010 VHOST-RING-011 VHOST-RING-013",
     "vhost-user.rst Ring states: a stopped or disabled ring goes on consuming", NULL},
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
     "VHOST-MEM-006 VHOST-MEM-010 VHOST-RING-004 VHOST-RING-005 VHOST-RING-006 VHOST-RING-007 "
     "VHOST-MQ-001 "
     "VHOST-MQ-002 VHOST-MQ-003 VHOST-MQ-004 VHOST-MQ-005 VHOST-MQ-006 VHOST-CFG-007 "
     "VHOST-MSG-005 VHOST-MSG-006 VHOST-MSG-007 VHOST-MSG-008 VHOST-MSG-009 VHOST-MSG-010 "
     "VHOST-MSG-011 VHOST-MSG-012 VHOST-MSG-013 VHOST-MSG-014 VHOST-MSG-015 VHOST-MSG-017 "
     "VHOST-MSG-018 "
     "VHOST-MSG-019 VHOST-MSG-020 VHOST-MSG-021 VHOST-MEM-014 VHOST-MEM-015 VHOST-MEM-016",
     "vhost-user.rst REPLY_ACK: every refusal is acked 0 (success)", NULL},
    {BRK_LAX_HEADER, "lax-header", "VHOST-MSG-001 VHOST-MSG-002 VHOST-MSG-003 VHOST-MSG-004",
     "vhost-user.rst Header: any version and the reply flag are accepted", NULL},
    {BRK_KEEPS_STRAY_FDS, "keeps-stray-fds", "VHOST-MEM-011 VHOST-MSG-022 VHOST-MSG-023",
     "vhost-user.rst Communication: fds a request does not take stay open", NULL},
    {BRK_FEATURES_REPLY_UNFLAGGED, "features-reply-unflagged", "VHOST-FEAT-001",
     "vhost-user.rst Header: without REPLY_ACK, GET_FEATURES after SET_FEATURES is answered "
     "without the reply flag",
     NULL},
    {BRK_PF_ANSWERS_NEGOTIATED, "pf-answers-negotiated", "VHOST-FEAT-010",
     "vhost-user.rst VHOST_USER_GET_PROTOCOL_FEATURES: after SET_PROTOCOL_FEATURES, answers the "
     "negotiated bits, not the offered ones",
     NULL},
    {BRK_QUEUE_NUM_ZERO, "queue-num-zero",
     "VHOST-FEAT-003 VHOST-MQ-001 VHOST-MQ-002 VHOST-MQ-003 VHOST-MQ-004 VHOST-MQ-005 "
     "VHOST-MQ-006 VHOST-MQ-007",
     "vhost-user.rst VHOST_USER_GET_QUEUE_NUM: after SET_FEATURES without VIRTIO_BLK_F_MQ, "
     "0 queues",
     NULL},
    {BRK_MAX_MEM_SLOTS_ZERO, "max-mem-slots-zero", "VHOST-FEAT-004",
     "vhost-user.rst VHOST_USER_GET_MAX_MEM_SLOTS: answers 0 slots", NULL},
    {BRK_STATUS_REPLY_U8, "status-reply-u8", "VHOST-FEAT-005",
     "vhost-user.rst VHOST_USER_GET_STATUS: the status in a 1-byte reply, not a u64", NULL},
    {BRK_ACK_AFTER_OWN_REPLY, "ack-after-own-reply", "VHOST-FEAT-011",
     "vhost-user.rst REPLY_ACK: need_reply on a request with a reply of its own gets an ack "
     "after the reply",
     NULL},
    {BRK_RESET_OWNER_CLOSES, "reset-owner-closes", "VHOST-OWNER-001",
     "vhost-user.rst VHOST_USER_RESET_OWNER: closes the connection (ignore it or disable the "
     "rings)",
     NULL},
    {BRK_NO_ACK_OWNER_AGAIN, "no-ack-owner-again", "VHOST-ACK-001 VHOST-ACK-016",
     "vhost-user.rst REPLY_ACK: no ack for a SET_OWNER on a connection that has an owner", NULL},
    {BRK_NO_ACK_FEATURES_AGAIN, "no-ack-features-again", "VHOST-ACK-002 VHOST-ACK-016",
     "vhost-user.rst REPLY_ACK: no ack for a SET_FEATURES after the first", NULL},
    {BRK_NO_ACK_RING_BEFORE_MEM, "no-ack-ring-before-mem",
     "VHOST-ACK-005 VHOST-ACK-007 VHOST-ACK-008 VHOST-ACK-009 VHOST-ACK-010 VHOST-ACK-011 "
     "VHOST-ACK-016",
     "vhost-user.rst REPLY_ACK: ring set-up before any memory table is done but not acked", NULL},
    {BRK_NO_ACK_ADD_MEM_REG, "no-ack-add-mem-reg",
     "VHOST-ACK-012 VHOST-ACK-013 VHOST-ACK-016 VHOST-MEM-009 VHOST-MEM-010 VHOST-MEM-011",
     "vhost-user.rst REPLY_ACK: no ack for ADD_MEM_REG", NULL},
    {BRK_NO_ACK_REM_LAST_REGION, "no-ack-rem-last-region",
     "VHOST-ACK-013 VHOST-ACK-016 VHOST-MEM-011",
     "vhost-user.rst REPLY_ACK: no ack for the REM_MEM_REG that empties the table", NULL},
    {BRK_NO_ACK_SET_STATUS, "no-ack-set-status", "VHOST-ACK-014 VHOST-ACK-016",
     "vhost-user.rst REPLY_ACK: no ack for SET_STATUS", NULL},
    {BRK_NO_ACK_RESET_DEVICE, "no-ack-reset-device", "VHOST-ACK-015 VHOST-ACK-016",
     "vhost-user.rst REPLY_ACK: no ack for RESET_DEVICE", NULL},
    {BRK_PF_NEEDS_SET_FEATURES, "pf-needs-set-features", "probe",
     "vhost-user.rst VHOST_USER_GET_PROTOCOL_FEATURES (Note): closes the connection on "
     "GET_PROTOCOL_FEATURES before SET_FEATURES (VHOST-FEAT-006, caught by the runner's probe)",
     NULL},
    {BRK_NO_ACK_TWO_REGIONS, "no-ack-two-regions",
     "VHOST-ACK-004 VHOST-ACK-016 VHOST-MEM-008 VHOST-MEM-013",
     "vhost-user.rst REPLY_ACK: no ack for a SET_MEM_TABLE of exactly two regions", NULL},
    {BRK_NO_ACK_RING_ADDR_UNALIGNED, "no-ack-ring-addr-unaligned",
     "VHOST-ACK-006 VHOST-ACK-016 VHOST-MEM-007",
     "vhost-user.rst REPLY_ACK: no ack for a SET_VRING_ADDR whose descriptor table is not "
     "page-aligned (virtio 1.2 §2.7 asks 16 bytes)",
     NULL},
    {BRK_FOUR_MEM_REGIONS, "four-mem-regions", "VHOST-MEM-001",
     "vhost-user.rst Memory regions description: tables of more than 4 regions refused", NULL},
    {BRK_UNALIGNED_OFFSET_ROUNDED, "unaligned-offset-rounded", "VHOST-MEM-007 VHOST-MEM-018",
     "vhost-user.rst Memory regions description: an unaligned mmap offset is rounded up to the "
     "page, the region's start dropped",
     NULL},
    {BRK_NEW_TABLE_IGNORED, "new-table-ignored", "VHOST-MEM-013",
     "vhost-user.rst Ring states: once a ring was stopped, a new memory table is acked, not used",
     NULL},
    {BRK_REM_MEM_REG_NOOP, "rem-mem-reg-noop", "VHOST-MEM-009 VHOST-MEM-010 VHOST-MEM-016",
     "vhost-user.rst VHOST_USER_REM_MEM_REG: acked 0, nothing removed", NULL},
    {BRK_VRING_BASE_ZERO_UNSET, "vring-base-zero-unset", "VHOST-RING-001",
     "vhost-user.rst VHOST_USER_GET_VRING_BASE: a ring set to base 0 that consumed nothing "
     "answers 0xffff",
     NULL},
    {BRK_UNSTARTED_BASE_ZERO, "unstarted-base-zero", "VHOST-RING-002",
     "vhost-user.rst Ring states: GET_VRING_BASE of a ring never kicked answers 0", NULL},
    {BRK_NO_RESTART_AFTER_STOP, "no-restart-after-stop", "VHOST-RING-003 VHOST-MEM-013",
     "vhost-user.rst Ring states: SET_VRING_KICK refused for a ring GET_VRING_BASE stopped", NULL},
    {BRK_CONFIG_CLAMPED, "config-clamped", "VHOST-CFG-002 VHOST-CFG-003",
     "vhost-user.rst VHOST_USER_GET_CONFIG: past 256 bytes, the bytes that fit (not an empty "
     "reply)",
     NULL},
    {BRK_CONFIG_SIZE_FIELD_TRUSTED, "config-size-field-trusted", "VHOST-CFG-004",
     "vhost-user.rst VHOST_USER_GET_CONFIG: the size field answered, the payload size ignored",
     NULL},
    {BRK_CONFIG_ZERO_SILENT, "config-zero-silent", "VHOST-CFG-005",
     "vhost-user.rst VHOST_USER_GET_CONFIG: size 0 gets no reply", NULL},
    {BRK_IGNORES_PAYLOAD_TAIL, "ignores-payload-tail",
     "VHOST-MSG-006 VHOST-MSG-008 VHOST-MSG-010 VHOST-MSG-016",
     "vhost-user.rst Front-end message types: a payload longer than its request's is accepted, "
     "its tail ignored",
     NULL},
    {BRK_KEEPS_OWNER, "keeps-owner", "VHOST-CONN-001",
     "vhost-user.rst Communication: after a front-end left negotiated, the next one's SET_OWNER "
     "is refused",
     NULL},
    {BRK_KEEPS_MEM_TABLE, "keeps-mem-table", "VHOST-CONN-002",
     "vhost-user.rst Communication: after a front-end left with a memory table, the next one's "
     "table is refused",
     NULL},
    {BRK_KEEPS_RINGS, "keeps-rings", "VHOST-CONN-003 VHOST-CONN-006 BLK-CFG-005",
     "vhost-user.rst Ring states: rings a front-end left started stay so: the next one's "
     "SET_VRING_NUM is refused",
     NULL},
    {BRK_KEEPS_PARTIAL_MESSAGE, "keeps-partial-message", "VHOST-CONN-004 VHOST-CONN-005",
     "vhost-user.rst Communication: the bytes of a message cut by a disconnect start the next "
     "connection's stream",
     NULL},
    {BRK_KEEPS_INFLIGHT_MEMORY, "keeps-inflight-memory", "VHOST-CONN-006",
     "vhost-user.rst Communication: after a front-end left with requests served, the next "
     "one's table is refused",
     NULL},
    /* Replies a front-end must survive (hostile.c): the case that reads the
     * reply fails, a case whose set-up cannot read it errs. */
    {BRK_CONFIG_REPLY_OVERSIZE, "config-reply-oversize",
     "VHOST-CFG-001 VHOST-CFG-006 VHOST-CFG-007",
     "vhost-user.rst VHOST_USER_GET_CONFIG: 8 bytes asked, 320 answered (more than any message)",
     NULL},
    {BRK_VRING_BASE_REPLY_CUT, "vring-base-reply-cut", "VHOST-RING-002",
     "vhost-user.rst Message Specification: GET_VRING_BASE of a ring never kicked answered "
     "with 4 of the 8 bytes its header announces, then the connection closed",
     NULL},
    {BRK_STATUS_REPLY_STALL, "status-reply-stall", "VHOST-FEAT-005",
     "vhost-user.rst Message Specification: GET_STATUS answered with 4 of the 8 bytes its "
     "header announces, then nothing",
     NULL},
    {BRK_MAX_SLOTS_WRONG_REQUEST, "max-slots-wrong-request", "VHOST-FEAT-004",
     "vhost-user.rst Communication: GET_MAX_MEM_SLOTS answered with a GET_FEATURES reply", NULL},
    {BRK_MAX_SLOTS_REPLY_GARBAGE, "max-slots-reply-garbage", "VHOST-FEAT-004",
     "vhost-user.rst Header: GET_MAX_MEM_SLOTS answered with 20 bytes of 0xff", NULL},
    {BRK_PF_REPLY_BAD_VERSION, "pf-reply-bad-version", "VHOST-FEAT-002",
     "vhost-user.rst Header: after SET_PROTOCOL_FEATURES, GET_PROTOCOL_FEATURES answered with "
     "version 2",
     NULL},
    {BRK_QUEUE_NUM_REPLY_FD, "queue-num-reply-fd",
     "VHOST-MQ-001 VHOST-MQ-002 VHOST-MQ-003 VHOST-MQ-004 VHOST-MQ-005 VHOST-MQ-006 "
     "VHOST-MQ-007 VHOST-MQ-008",
     "vhost-user.rst Communication: after SET_FEATURES without VIRTIO_BLK_F_MQ, the "
     "GET_QUEUE_NUM reply carries an fd (no verdict in the spec: the set-ups err)",
     NULL},
    {BRK_RESET_OWNER_TWO_ACKS, "reset-owner-two-acks", "VHOST-OWNER-001",
     "vhost-user.rst REPLY_ACK: RESET_OWNER with need_reply acknowledged twice", NULL},
    {BRK_CONFIG_IGNORES_OFFSET, "config-ignores-offset", "VHOST-CFG-008",
     "vhost-user.rst Virtio device config space: GET_CONFIG answers the bytes from offset 0, "
     "whatever offset was asked",
     NULL},
    {BRK_COMPLETES_AFTER_BASE, "completes-after-base", "VHOST-RING-010",
     "vhost-user.rst Ring states, Suspended device state: requests are used one poll after "
     "they are done, and GET_VRING_BASE is answered before those in hand are used",
     NULL},
    {BRK_UNALIGNED_RING_ACCEPTED, "unaligned-ring-accepted", "VHOST-RING-012",
     "virtio 1.2 §2.7.1: SET_VRING_ADDR with a ring part off its alignment is acked 0", NULL},
    {BRK_DISABLED_RING_RUNS, "disabled-ring-runs", "VHOST-RING-013",
     "vhost-user.rst Ring states: SET_VRING_ENABLE 0 is acked and ignored, the ring runs on", NULL},
    {BRK_STALLS_AT_INDEX_WRAP, "stalls-at-index-wrap", "VHOST-RING-014",
     "virtio 1.2 §2.7.13.3: ring indexes compared as plain numbers: the ring looks empty once "
     "avail->idx wrapped",
     NULL},
    {BRK_FD_FIT_IGNORES_OFFSET, "fd-fit-ignores-offset", "VHOST-MEM-014",
     "vhost-user.rst SET_MEM_TABLE: a region checked against its fd's size without its mmap "
     "offset: one that runs past the fd from its offset is acked 0",
     NULL},
    {BRK_ZERO_SIZE_AT_OFFSET_ACKED, "zero-size-at-offset-acked", "VHOST-MEM-015",
     "vhost-user.rst SET_MEM_TABLE: a region of size 0 at an unaligned mmap offset is acked 0",
     NULL},
    {BRK_REM_MEM_REG_IGNORES_UVA, "rem-mem-reg-ignores-uva", "VHOST-MEM-016",
     "vhost-user.rst VHOST_USER_REM_MEM_REG: the region to remove found by guest address and "
     "size, its user address ignored",
     NULL},
    {BRK_REGIONS_SHIFTED_A_PAGE, "regions-shifted-a-page", "VHOST-MEM-017",
     "vhost-user.rst Memory access: a SET_MEM_TABLE region at a guest address other than 0 "
     "(page-aligned mmap offset) is mapped a page above it",
     NULL},
    {BRK_QUEUE_NUM_PLUS_ONE, "queue-num-plus-one", "VHOST-MQ-008",
     "vhost-user.rst VHOST_USER_GET_QUEUE_NUM: one queue more than the back-end serves", NULL},
    {BRK_NO_PF_RING_DISABLED, "no-pf-ring-disabled", "VHOST-RING-015",
     "vhost-user.rst Ring states: without VHOST_USER_F_PROTOCOL_FEATURES a kicked ring stays "
     "disabled (it must be enabled from SET_FEATURES on)",
     NULL},
    {BRK_RUNNING_TABLE_REFUSED, "running-table-refused", "VHOST-MEM-019",
     "vhost-user.rst Ring states: a new memory table is refused while a ring runs (memory "
     "hot-plug)",
     NULL},
    {BRK_RESET_KEEPS_BASE, "reset-keeps-base", "VHOST-RING-016",
     "vhost-user.rst VHOST_USER_RESET_DEVICE: a ring keeps the base it had before the reset", NULL},
    {BRK_DRAIN_UNNOTIFIED, "drain-unnotified", "VHOST-RING-017",
     "virtio 1.2 §2.7.7.2: a slow device (a chain a poll) drains what is available when "
     "GET_VRING_BASE stops the ring, without the notification used_event asks for",
     "--slow-us 200"},
    /* Migration: no conformance case migrates; `storlab migrate run` catches
     * them (tests/system/test_migrate.py). */
    {BRK_NO_USED_LOG, "no-used-log", "",
     "vhost-user.rst Migration: the used ring's writes are not marked in the dirty log "
     "(VHOST_VRING_F_LOG ignored); data writes are",
     "--logs-writes"},
    {BRK_EARLY_VRING_BASE, "early-vring-base", "",
     "vhost-user.rst Ring states, Suspended device state: a ring's stop (GET_VRING_BASE, and "
     "those SET_FEATURES and SET_LOG_BASE make) is answered before the requests in hand are "
     "used; they are used after it",
     "--logs-writes"},
    {BRK_USED_REGRESS, "used-regress", "",
     "vhost-user.rst VHOST_USER_SET_VRING_BASE: on a new connection the used index restarts "
     "below the one in guest memory",
     "--logs-writes"},
};

const unsigned g_switches_vhost_count = sizeof(g_switches_vhost) / sizeof(g_switches_vhost[0]);
