/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user suite: what a vhost-user back-end must do on its socket,
 * case by case, from QEMU docs/interop/vhost-user.rst (sections cited by
 * name). The code of each area is in suite_vhost_user_<area>.c; this file is
 * the one list of cases, with their IDs, levels and readings of the spec.
 *
 * Levels follow the spec's words: MUST where it says must, SHOULD where it
 * says should or where it defines the message but not the answer to a
 * malformed one (there the suite asks for what a robust back-end does, and
 * says so), MAY where it leaves the choice open.
 */
#include "conformance/suite_vhost_user.h"

#define F_PROTO VU_F_PROTOCOL_FEATURES
#define PF_ACK	VU_PF(REPLY_ACK)

/* The suite's reading of "rejected", repeated in the cases that use it. */
#define REFUSED                                                                                    \
	" Rejected means: with need_reply, a non-zero ack (REPLY_ACK) or a closed connection "     \
	"(\"Communication\" lets a back-end close on an error); an ack of 0 or silence fails. "    \
	"After a nack the same connection must still answer GET_FEATURES; in every case a new "    \
	"connection must be served."
#define ACK_DESC                                                                                   \
	"With REPLY_ACK negotiated and need_reply set, a valid request without a reply of its "    \
	"own MUST be answered with a u64 of 0 on success."
#define MALFORMED                                                                                  \
	" The spec defines the payload of each request but not the answer to a malformed one: "    \
	"the case asks the back-end not to claim success and to keep serving; a back-end that "    \
	"drops the connection (libvhost-user's vu_panic) passes."

static const struct conform_case g_cases[] = {
    /* ---- Features ---- */
    {"VHOST-FEAT-001", "GET_FEATURES gets a u64 reply with the reply flag",
     "vhost-user.rst: Communication; Header", CONFORM_MUST,
     "GET_FEATURES is one of the requests that require a reply; the reply carries the same "
     "request, version 1, the reply flag (bit 2) and a u64 payload.",
     0, 0, vu_feat_get_features},
    {"VHOST-FEAT-002", "GET_PROTOCOL_FEATURES gets a u64 reply",
     "vhost-user.rst: Communication; VHOST_USER_GET_PROTOCOL_FEATURES", CONFORM_MUST,
     "A back-end offering VHOST_USER_F_PROTOCOL_FEATURES answers GET_PROTOCOL_FEATURES with a "
     "u64 reply, the same bits on every connection.",
     F_PROTO, 0, vu_feat_get_protocol_features},
    {"VHOST-FEAT-003", "GET_QUEUE_NUM gets a u64 reply of at least 1",
     "vhost-user.rst: Multiple queue support; VHOST_USER_GET_QUEUE_NUM", CONFORM_MUST,
     "With VHOST_USER_PROTOCOL_F_MQ the back-end answers GET_QUEUE_NUM with the number of "
     "queues it supports, a u64; a device has at least one queue.",
     F_PROTO, VU_PF(MQ), vu_feat_get_queue_num},
    {"VHOST-FEAT-004", "GET_MAX_MEM_SLOTS gets a u64 reply of at least 1",
     "vhost-user.rst: VHOST_USER_GET_MAX_MEM_SLOTS", CONFORM_SHOULD,
     "With CONFIGURE_MEM_SLOTS negotiated the back-end should reply with a u64, the number of "
     "memory slots it supports (0 would make the feature unusable).",
     F_PROTO, VU_PF(CONFIGURE_MEM_SLOTS), vu_feat_get_max_mem_slots},
    {"VHOST-FEAT-005", "GET_STATUS gets a u64 reply", "vhost-user.rst: VHOST_USER_GET_STATUS",
     CONFORM_MUST, "With VHOST_USER_PROTOCOL_F_STATUS negotiated GET_STATUS has a u64 reply.",
     F_PROTO, VU_PF(STATUS), vu_feat_get_status},
    {"VHOST-FEAT-006", "Protocol features negotiated before SET_FEATURES",
     "vhost-user.rst: VHOST_USER_GET_PROTOCOL_FEATURES (Note)", CONFORM_MUST,
     "Back-ends that report VHOST_USER_F_PROTOCOL_FEATURES must support GET/SET_PROTOCOL_"
     "FEATURES before SET_FEATURES: the case sends them right after GET_FEATURES.",
     F_PROTO, 0, vu_feat_pf_before_set_features},
    {"VHOST-FEAT-007", "SET_FEATURES with a bit that was not offered is refused",
     "vhost-user.rst: VHOST_USER_SET_FEATURES; REPLY_ACK", CONFORM_SHOULD,
     "vhost-user.rst does not word a check, but a feature the back-end did not offer cannot "
     "be enabled (virtio 1.2 §2.2: only offered bits may be accepted), so the back-end should "
     "report failure." REFUSED,
     F_PROTO, PF_ACK, vu_feat_unoffered_features},
    {"VHOST-FEAT-008", "SET_PROTOCOL_FEATURES with a bit that was not offered is refused",
     "vhost-user.rst: Protocol features; REPLY_ACK", CONFORM_SHOULD,
     "After a valid negotiation with REPLY_ACK, SET_PROTOCOL_FEATURES with one more, unoffered "
     "bit: an extension the back-end does not implement cannot be enabled, so it should "
     "report failure." REFUSED,
     F_PROTO, PF_ACK, vu_feat_unoffered_protocol_features},
    {"VHOST-FEAT-009", "need_reply on GET_FEATURES changes nothing", "vhost-user.rst: REPLY_ACK",
     CONFORM_MUST,
     "For requests that already have a reply, need_reply brings no behavioural change: one "
     "reply, the features, and no ack after it.",
     F_PROTO, PF_ACK, vu_feat_need_reply_on_get},
    /* ---- Ownership ---- */
    {"VHOST-OWNER-001", "RESET_OWNER is ignored or disables the rings; serving goes on",
     "vhost-user.rst: VHOST_USER_RESET_OWNER", CONFORM_SHOULD,
     "RESET_OWNER is deprecated; back-ends are recommended to ignore it or to disable all "
     "rings. With rings started, the case sends it with need_reply: either ack value is "
     "accepted, but the connection must stay open and answer GET_FEATURES.",
     F_PROTO, PF_ACK, vu_owner_reset_owner},
    /* ---- REPLY_ACK on every request without a reply of its own ---- */
    {"VHOST-ACK-001", "REPLY_ACK: SET_OWNER acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_owner},
    {"VHOST-ACK-002", "REPLY_ACK: SET_FEATURES acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_features},
    {"VHOST-ACK-003", "REPLY_ACK: SET_PROTOCOL_FEATURES acked 0", "vhost-user.rst: REPLY_ACK",
     CONFORM_MUST, ACK_DESC " Sent a second time, with the bits already negotiated.", F_PROTO,
     PF_ACK, vu_ack_set_protocol_features},
    {"VHOST-ACK-004", "REPLY_ACK: SET_MEM_TABLE acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC " Two regions, each half of a 1 MiB memfd (guest addresses 0 and 1 GiB).", F_PROTO,
     PF_ACK, vu_ack_set_mem_table},
    {"VHOST-ACK-005", "REPLY_ACK: SET_VRING_NUM acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_vring_num},
    {"VHOST-ACK-006", "REPLY_ACK: SET_VRING_ADDR acked 0", "vhost-user.rst: REPLY_ACK",
     CONFORM_MUST,
     ACK_DESC " A ring of 128 entries inside the memory table, each part 64 bytes into its "
	      "page (split rings need only 16-, 2- and 4-byte alignment).",
     F_PROTO, PF_ACK, vu_ack_set_vring_addr},
    {"VHOST-ACK-007", "REPLY_ACK: SET_VRING_BASE acked 0", "vhost-user.rst: REPLY_ACK",
     CONFORM_MUST, ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_vring_base},
    {"VHOST-ACK-008", "REPLY_ACK: SET_VRING_KICK acked 0", "vhost-user.rst: REPLY_ACK",
     CONFORM_MUST, ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_vring_kick},
    {"VHOST-ACK-009", "REPLY_ACK: SET_VRING_CALL acked 0", "vhost-user.rst: REPLY_ACK",
     CONFORM_MUST, ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_vring_call},
    {"VHOST-ACK-010", "REPLY_ACK: SET_VRING_ERR acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_vring_err},
    {"VHOST-ACK-011", "REPLY_ACK: SET_VRING_ENABLE acked 0", "vhost-user.rst: REPLY_ACK",
     CONFORM_MUST, ACK_DESC, F_PROTO, PF_ACK, vu_ack_set_vring_enable},
    {"VHOST-ACK-012", "REPLY_ACK: ADD_MEM_REG acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC, F_PROTO, PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS), vu_ack_add_mem_reg},
    {"VHOST-ACK-013", "REPLY_ACK: REM_MEM_REG acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC " The region removed is the one just added.", F_PROTO,
     PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS), vu_ack_rem_mem_reg},
    {"VHOST-ACK-014", "REPLY_ACK: SET_STATUS acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC " Status 0.", F_PROTO, PF_ACK | VU_PF(STATUS), vu_ack_set_status},
    {"VHOST-ACK-015", "REPLY_ACK: RESET_DEVICE acked 0", "vhost-user.rst: REPLY_ACK", CONFORM_MUST,
     ACK_DESC, F_PROTO, PF_ACK | VU_PF(RESET_DEVICE), vu_ack_reset_device},
    /* ---- Memory ---- */
    {"VHOST-MEM-001", "SET_MEM_TABLE with 8 regions is accepted",
     "vhost-user.rst: Memory regions description; VHOST_USER_SET_MEM_TABLE", CONFORM_MUST,
     "A table may carry up to 8 regions, one fd each in the same order: 8 valid 64 KiB "
     "regions are acknowledged with 0.",
     F_PROTO, PF_ACK, vu_mem_eight_regions},
    {"VHOST-MEM-002", "SET_MEM_TABLE counting 9 regions is refused",
     "vhost-user.rst: Memory regions description", CONFORM_SHOULD,
     "num regions 9 with 8 regions and 8 fds (the most a message carries): the count and the "
     "fds do not match." MALFORMED REFUSED
     " When the connection stays open, ring addresses in the previous table must still be "
     "accepted (the refused table is not in use).",
     F_PROTO, PF_ACK, vu_mem_too_many_regions},
    {"VHOST-MEM-003", "Regions overlapping in guest addresses are refused",
     "vhost-user.rst: Memory access", CONFORM_SHOULD,
     "Guest addresses map to the region containing them; two regions sharing guest addresses "
     "make that ambiguous, so the table should be refused." REFUSED
     " When the connection stays open, the previous table must still be in use.",
     F_PROTO, PF_ACK, vu_mem_overlap_gpa},
    {"VHOST-MEM-004", "Regions overlapping in user addresses are refused",
     "vhost-user.rst: Memory access", CONFORM_SHOULD,
     "User addresses (ring addresses) map to the region containing them; two regions of "
     "different fds sharing user addresses make that ambiguous." REFUSED
     " When the connection stays open, the previous table must still be in use.",
     F_PROTO, PF_ACK, vu_mem_overlap_uva},
    {"VHOST-MEM-005", "A region of size 0 is refused", "vhost-user.rst: Memory regions description",
     CONFORM_SHOULD, "A region without bytes cannot be mapped." REFUSED, F_PROTO, PF_ACK,
     vu_mem_zero_size},
    {"VHOST-MEM-006", "A region larger than its fd is refused",
     "vhost-user.rst: Memory regions description", CONFORM_SHOULD,
     "A 2 MiB region on a 1 MiB memfd: mmap succeeds but the first access past the end of the "
     "file raises SIGBUS in the back-end, so a robust back-end refuses the table (fstat). The "
     "spec words no check; SHOULD." REFUSED,
     F_PROTO, PF_ACK, vu_mem_past_fd},
    {"VHOST-MEM-007", "A region with an unaligned mmap offset is refused or usable",
     "vhost-user.rst: Memory regions description", CONFORM_MAY,
     "The spec puts no alignment on the mmap offset (0x800 here). The back-end may refuse the "
     "table, but if it acknowledges it with 0, ring addresses inside it must be accepted.",
     F_PROTO, PF_ACK, vu_mem_unaligned_offset},
    {"VHOST-MEM-008", "A new table replaces the old one while the rings are stopped",
     "vhost-user.rst: Ring states; VHOST_USER_SET_MEM_TABLE", CONFORM_MUST,
     "A ring is started, stopped by GET_VRING_BASE, the table is replaced by one of another "
     "memfd at other user addresses, and the ring is set up again in it: every step is "
     "acknowledged and GET_VRING_BASE returns the new base.",
     F_PROTO, PF_ACK, vu_mem_replace_stopped},
    {"VHOST-MEM-009", "ADD_MEM_REG and REM_MEM_REG change the table region by region",
     "vhost-user.rst: VHOST_USER_ADD_MEM_REG; VHOST_USER_REM_MEM_REG", CONFORM_MUST,
     "Add A, add B, remove A (identified by guest address, user address and size): all "
     "acknowledged; ring addresses in B are accepted; A can be added again.",
     F_PROTO, PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS), vu_mem_add_rem_roundtrip},
    {"VHOST-MEM-010", "REM_MEM_REG of a region that is not in the table is refused",
     "vhost-user.rst: VHOST_USER_REM_MEM_REG; REPLY_ACK", CONFORM_SHOULD,
     "Nothing can be unmapped, so the request fails." REFUSED, F_PROTO,
     PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS), vu_mem_rem_unknown},
    {"VHOST-MEM-011", "An fd sent with REM_MEM_REG is closed",
     "vhost-user.rst: VHOST_USER_REM_MEM_REG", CONFORM_MUST,
     "The back-end MAY accept REM_MEM_REG with one fd, and MUST close it without using it. "
     "The fd is a pipe's write end: once the back-end answered, the read end must see "
     "end-of-file. Either ack value and a closed connection are accepted.",
     F_PROTO, PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS), vu_mem_rem_closes_fd},
    /* ---- Rings ---- */
    {"VHOST-RING-001", "Ring set-up in QEMU's order, each step acknowledged",
     "vhost-user.rst: Ring states; REPLY_ACK", CONFORM_MUST,
     "SET_VRING_NUM, ADDR, BASE, KICK, CALL, ERR, then ENABLE 1 (PROTOCOL_FEATURES is "
     "negotiated, so the ring starts disabled): all acknowledged with 0; GET_VRING_BASE then "
     "stops the ring and returns 0, as nothing was made available.",
     F_PROTO, PF_ACK, vu_ring_setup_order},
    {"VHOST-RING-002", "GET_VRING_BASE of a ring never kicked returns SET_VRING_BASE's value",
     "vhost-user.rst: Ring states; VHOST_USER_GET_VRING_BASE", CONFORM_MUST,
     "Ring 1 is given a size, addresses and base 1234 but no kick, so it is still stopped; "
     "GET_VRING_BASE returns 1234.",
     F_PROTO, PF_ACK, vu_ring_base_unstarted},
    {"VHOST-RING-003", "A ring stopped by GET_VRING_BASE restarts at a new base",
     "vhost-user.rst: Ring states", CONFORM_MUST,
     "Started at base 10 and stopped by GET_VRING_BASE (10), the ring is given base 20, a kick "
     "and ENABLE again; GET_VRING_BASE returns 20.",
     F_PROTO, PF_ACK, vu_ring_base_restart},
    {"VHOST-RING-004", "SET_VRING_NUM 0 is refused", "vhost-user.rst: VHOST_USER_SET_VRING_NUM",
     CONFORM_SHOULD,
     "A split ring's size is a power of 2 up to 32768 (virtio 1.2 §2.7); vhost-user.rst words "
     "no check." REFUSED,
     F_PROTO, PF_ACK, vu_ring_num_zero},
    {"VHOST-RING-005", "SET_VRING_NUM 100 (not a power of 2) is refused",
     "vhost-user.rst: VHOST_USER_SET_VRING_NUM", CONFORM_SHOULD,
     "As VHOST-RING-004, size 100." REFUSED, F_PROTO, PF_ACK, vu_ring_num_not_pow2},
    {"VHOST-RING-006", "SET_VRING_NUM 65536 is refused", "vhost-user.rst: VHOST_USER_SET_VRING_NUM",
     CONFORM_SHOULD, "As VHOST-RING-004, size 65536 (past 32768)." REFUSED, F_PROTO, PF_ACK,
     vu_ring_num_too_big},
    {"VHOST-RING-007", "SET_VRING_ADDR outside every memory region is refused",
     "vhost-user.rst: Memory access; VHOST_USER_SET_VRING_ADDR", CONFORM_SHOULD,
     "The used ring's user address lies 1 MiB past the only region: it maps to no region. A "
     "back-end may check when the ring starts instead, but then it would start a ring it "
     "cannot reach; the case asks for the refusal at SET_VRING_ADDR." REFUSED,
     F_PROTO, PF_ACK, vu_ring_addr_outside},
    /* ---- Vring index past the queue count ---- */
    {"VHOST-MQ-001", "SET_VRING_NUM for a vring index >= GET_QUEUE_NUM is refused",
     "vhost-user.rst: Multiple queue support", CONFORM_SHOULD,
     "The queue count is GET_QUEUE_NUM's answer; an index at or past it names no queue. The "
     "spec tells the front-end not to ask for more queues but words no back-end check; a "
     "back-end that indexes its rings with it corrupts memory." REFUSED,
     F_PROTO, PF_ACK | VU_PF(MQ), vu_mq_set_vring_num},
    {"VHOST-MQ-002", "SET_VRING_ADDR for a vring index >= GET_QUEUE_NUM is refused",
     "vhost-user.rst: Multiple queue support", CONFORM_SHOULD, "As VHOST-MQ-001." REFUSED, F_PROTO,
     PF_ACK | VU_PF(MQ), vu_mq_set_vring_addr},
    {"VHOST-MQ-003", "SET_VRING_BASE for a vring index >= GET_QUEUE_NUM is refused",
     "vhost-user.rst: Multiple queue support", CONFORM_SHOULD, "As VHOST-MQ-001." REFUSED, F_PROTO,
     PF_ACK | VU_PF(MQ), vu_mq_set_vring_base},
    {"VHOST-MQ-004", "SET_VRING_KICK for a vring index >= GET_QUEUE_NUM is refused",
     "vhost-user.rst: Multiple queue support; VHOST_USER_SET_VRING_KICK", CONFORM_SHOULD,
     "As VHOST-MQ-001, with an eventfd (index in bits 0-7)." REFUSED, F_PROTO, PF_ACK | VU_PF(MQ),
     vu_mq_set_vring_kick},
    {"VHOST-MQ-005", "SET_VRING_CALL for a vring index >= GET_QUEUE_NUM is refused",
     "vhost-user.rst: Multiple queue support; VHOST_USER_SET_VRING_CALL", CONFORM_SHOULD,
     "As VHOST-MQ-004." REFUSED, F_PROTO, PF_ACK | VU_PF(MQ), vu_mq_set_vring_call},
    {"VHOST-MQ-006", "SET_VRING_ENABLE for a vring index >= GET_QUEUE_NUM is refused",
     "vhost-user.rst: Multiple queue support; VHOST_USER_SET_VRING_ENABLE", CONFORM_SHOULD,
     "As VHOST-MQ-001, enable 1." REFUSED, F_PROTO, PF_ACK | VU_PF(MQ), vu_mq_set_vring_enable},
    {"VHOST-MQ-007", "GET_VRING_BASE for a vring index >= GET_QUEUE_NUM returns no ring state",
     "vhost-user.rst: Multiple queue support; VHOST_USER_GET_VRING_BASE", CONFORM_SHOULD,
     "GET_VRING_BASE has a reply of its own and no failure value: the case accepts an empty or "
     "otherwise sized reply or a closed connection, not a vring state for a queue that does "
     "not exist; then a new connection must be served.",
     F_PROTO, PF_ACK | VU_PF(MQ), vu_mq_get_vring_base},
    /* ---- Config space ---- */
    {"VHOST-CFG-001", "GET_CONFIG reply payload size matches the request",
     "vhost-user.rst: VHOST_USER_GET_CONFIG", CONFORM_MUST,
     "The back-end's payload size MUST match the front-end's request: 8 bytes at offset 0 "
     "(the capacity) give a 20-byte reply with the reply flag.",
     F_PROTO, PF_ACK | VU_PF(CONFIG), vu_cfg_get_header},
    {"VHOST-CFG-002", "GET_CONFIG past 256 bytes gets the error reply",
     "vhost-user.rst: VHOST_USER_GET_CONFIG; Virtio device config space", CONFORM_SHOULD,
     "Offset 200, size 100 reaches past the 256 bytes a vhost-user config payload holds. A "
     "zero-length payload is the back-end's error answer; a closed connection is accepted; "
     "a 112-byte reply fails. Reads past the device's own struct but within 256 bytes are "
     "not checked: the spec leaves them open.",
     F_PROTO, PF_ACK | VU_PF(CONFIG), vu_cfg_get_past_256},
    {"VHOST-CFG-003", "GET_CONFIG of 257 bytes gets the error reply",
     "vhost-user.rst: VHOST_USER_GET_CONFIG", CONFORM_SHOULD,
     "Size 257 with 269 bytes of payload: larger than any config space message. An empty "
     "reply or a closed connection passes; then a new connection must be served.",
     F_PROTO, PF_ACK | VU_PF(CONFIG), vu_cfg_get_size_over_256},
    {"VHOST-CFG-004", "GET_CONFIG whose size field disagrees with the payload",
     "vhost-user.rst: VHOST_USER_GET_CONFIG", CONFORM_SHOULD,
     "Size field 8 in a 28-byte payload. The reply's size must match the request: an empty "
     "(error) reply, a 28-byte reply or a closed connection pass; then a new connection must "
     "be served." MALFORMED,
     F_PROTO, PF_ACK | VU_PF(CONFIG), vu_cfg_get_size_mismatch},
    {"VHOST-CFG-005", "GET_CONFIG of 0 bytes is answered", "vhost-user.rst: VHOST_USER_GET_CONFIG",
     CONFORM_MAY,
     "The spec does not say whether size 0 is an error: a 12-byte echo, an empty reply or a "
     "closed connection pass, silence fails; then a new connection must be served.",
     F_PROTO, PF_ACK | VU_PF(CONFIG), vu_cfg_get_size_zero},
    {"VHOST-CFG-006", "SET_CONFIG of a read-only field does not change it",
     "vhost-user.rst: VHOST_USER_SET_CONFIG", CONFORM_MUST,
     "Back-ends MUST NOT accept SET_CONFIG for read-only fields unless the migration flag is "
     "set: after writing the block capacity (virtio 1.2 §5.2.4, read-only) with flags 0, "
     "GET_CONFIG on a new connection returns the old capacity. The ack is VHOST-CFG-007's "
     "business.",
     F_PROTO, PF_ACK | VU_PF(CONFIG), vu_cfg_set_read_only},
    {"VHOST-CFG-007", "SET_CONFIG of a read-only field gets a non-zero ack",
     "vhost-user.rst: VHOST_USER_SET_CONFIG; REPLY_ACK", CONFORM_SHOULD,
     "The write of VHOST-CFG-006 is not accepted, so with need_reply the ack should be "
     "non-zero (REPLY_ACK: zero on success, non-zero on failure)." REFUSED,
     F_PROTO, PF_ACK | VU_PF(CONFIG), vu_cfg_set_read_only_nack},
    /* ---- Malformed headers ---- */
    {"VHOST-MSG-001", "A request with version 0 is not answered as valid", "vhost-user.rst: Header",
     CONFORM_SHOULD,
     "The version bits are 0x1. GET_FEATURES with version 0 must not get a features reply; "
     "silence or a closed connection pass, then a new connection must be served (the spec "
     "defines no answer to a bad header).",
     0, 0, vu_msg_version_0},
    {"VHOST-MSG-002", "A request with version 2 is not answered as valid", "vhost-user.rst: Header",
     CONFORM_SHOULD, "As VHOST-MSG-001, version 2.", 0, 0, vu_msg_version_2},
    {"VHOST-MSG-003", "A request with version 3 is not answered as valid", "vhost-user.rst: Header",
     CONFORM_SHOULD, "As VHOST-MSG-001, version 3.", 0, 0, vu_msg_version_3},
    {"VHOST-MSG-004", "A request with the reply flag is not answered as valid",
     "vhost-user.rst: Header", CONFORM_SHOULD,
     "The reply flag marks replies from the back-end; a front-end message carrying it is not "
     "a request. As VHOST-MSG-001.",
     0, 0, vu_msg_reply_flag},
    /* ---- Payload sizes ---- */
    {"VHOST-MSG-005", "SET_FEATURES one byte short is refused",
     "vhost-user.rst: VHOST_USER_SET_FEATURES; REPLY_ACK", CONFORM_SHOULD,
     "7 bytes instead of the u64." MALFORMED REFUSED, F_PROTO, PF_ACK, vu_msg_short_set_features},
    {"VHOST-MSG-006", "SET_FEATURES one byte long is refused",
     "vhost-user.rst: VHOST_USER_SET_FEATURES; REPLY_ACK", CONFORM_SHOULD,
     "9 bytes instead of the u64." MALFORMED REFUSED, F_PROTO, PF_ACK, vu_msg_long_set_features},
    {"VHOST-MSG-007", "SET_VRING_NUM one byte short is refused",
     "vhost-user.rst: A vring state description; REPLY_ACK", CONFORM_SHOULD,
     "7 bytes instead of 8." MALFORMED REFUSED, F_PROTO, PF_ACK, vu_msg_short_vring_num},
    {"VHOST-MSG-008", "SET_VRING_NUM one byte long is refused",
     "vhost-user.rst: A vring state description; REPLY_ACK", CONFORM_SHOULD,
     "9 bytes instead of 8." MALFORMED REFUSED, F_PROTO, PF_ACK, vu_msg_long_vring_num},
    {"VHOST-MSG-009", "SET_VRING_ADDR one byte short is refused",
     "vhost-user.rst: A vring address description; REPLY_ACK", CONFORM_SHOULD,
     "39 bytes instead of 40." MALFORMED REFUSED, F_PROTO, PF_ACK, vu_msg_short_vring_addr},
    {"VHOST-MSG-010", "SET_VRING_ADDR one byte long is refused",
     "vhost-user.rst: A vring address description; REPLY_ACK", CONFORM_SHOULD,
     "41 bytes instead of 40." MALFORMED REFUSED, F_PROTO, PF_ACK, vu_msg_long_vring_addr},
    {"VHOST-MSG-011", "SET_MEM_TABLE one byte short of its regions is refused",
     "vhost-user.rst: Memory regions description; REPLY_ACK", CONFORM_SHOULD,
     "num regions 1 and one fd, but 39 bytes instead of 40." MALFORMED REFUSED, F_PROTO, PF_ACK,
     vu_msg_short_mem_table},
    {"VHOST-MSG-012", "ADD_MEM_REG one byte short is refused",
     "vhost-user.rst: Single memory region description; REPLY_ACK", CONFORM_SHOULD,
     "39 bytes instead of 40, with its fd." MALFORMED REFUSED, F_PROTO,
     PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS), vu_msg_short_add_mem_reg},
    /* ---- Unknown requests, oversized payload ---- */
    {"VHOST-MSG-013", "Request type 0 is refused",
     "vhost-user.rst: Front-end message types; REPLY_ACK", CONFORM_SHOULD,
     "Type 0 is not a request. With need_reply the back-end MUST answer (REPLY_ACK) and should "
     "answer non-zero: nothing was done." REFUSED,
     F_PROTO, PF_ACK, vu_msg_unknown_0},
    {"VHOST-MSG-014", "Request type 200 is refused",
     "vhost-user.rst: Front-end message types; REPLY_ACK", CONFORM_SHOULD,
     "As VHOST-MSG-013, an undefined type." REFUSED, F_PROTO, PF_ACK, vu_msg_unknown_max},
    {"VHOST-MSG-015", "Request type 0xffffffff is refused",
     "vhost-user.rst: Front-end message types; REPLY_ACK", CONFORM_SHOULD,
     "As VHOST-MSG-013, the largest type (catches signed or table-bound indexing)." REFUSED,
     F_PROTO, PF_ACK, vu_msg_unknown_huge},
    {"VHOST-MSG-016", "A 4 KiB payload is refused", "vhost-user.rst: Header; REPLY_ACK",
     CONFORM_SHOULD,
     "SET_FEATURES announcing and carrying 4096 bytes, more than any request has." MALFORMED
	 REFUSED,
     F_PROTO, PF_ACK, vu_msg_oversized},
    /* ---- fds ---- */
    {"VHOST-MSG-017", "SET_VRING_KICK without fd and without the invalid-FD flag is refused",
     "vhost-user.rst: VHOST_USER_SET_VRING_KICK; Communication", CONFORM_SHOULD,
     "Bit 8 says there is no fd; here it is clear and no fd comes." MALFORMED REFUSED, F_PROTO,
     PF_ACK, vu_msg_kick_missing_fd},
    {"VHOST-MSG-018", "SET_VRING_CALL without fd and without the invalid-FD flag is refused",
     "vhost-user.rst: VHOST_USER_SET_VRING_CALL; Communication", CONFORM_SHOULD,
     "As VHOST-MSG-017." MALFORMED REFUSED, F_PROTO, PF_ACK, vu_msg_call_missing_fd},
    {"VHOST-MSG-019", "SET_MEM_TABLE with a region and no fd is refused",
     "vhost-user.rst: VHOST_USER_SET_MEM_TABLE", CONFORM_SHOULD,
     "The fds match the regions in number and order; one region, no fd." MALFORMED REFUSED, F_PROTO,
     PF_ACK, vu_msg_mem_table_missing_fd},
    {"VHOST-MSG-020", "ADD_MEM_REG without its fd is refused",
     "vhost-user.rst: VHOST_USER_ADD_MEM_REG", CONFORM_SHOULD,
     "Exactly one fd comes with ADD_MEM_REG; none here." MALFORMED REFUSED, F_PROTO,
     PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS), vu_msg_add_mem_reg_missing_fd},
    {"VHOST-MSG-021", "SET_MEM_TABLE with one region and two fds is refused",
     "vhost-user.rst: VHOST_USER_SET_MEM_TABLE", CONFORM_SHOULD,
     "The number of fds matches the number of regions; one region, two fds." MALFORMED REFUSED,
     F_PROTO, PF_ACK, vu_msg_mem_table_extra_fd},
    {"VHOST-MSG-022", "An fd sent with a request that takes none is closed",
     "vhost-user.rst: Communication", CONFORM_SHOULD,
     "SET_VRING_NUM (valid) with a pipe's write end: the spec lists the requests that carry "
     "fds and this is not one. The back-end may accept or refuse the request, but should not "
     "keep the fd (a leak per message): the read end must see end-of-file. Then it must "
     "still serve.",
     F_PROTO, PF_ACK, vu_msg_extra_fd_closed},
    {"VHOST-MSG-023", "An fd sent with the invalid-FD flag set is closed",
     "vhost-user.rst: VHOST_USER_SET_VRING_CALL", CONFORM_SHOULD,
     "SET_VRING_CALL with bit 8 set (no fd) and an fd all the same: as VHOST-MSG-022.", F_PROTO,
     PF_ACK, vu_msg_nofd_with_fd_closed},
    /* ---- Connections ---- */
    {"VHOST-CONN-001", "A new front-end is served after one left after negotiation",
     "vhost-user.rst: Communication", CONFORM_SHOULD,
     "The first front-end negotiates features and closes. The next one negotiates, sets a "
     "memory table, sets up and starts ring 0 at base 7 and reads 7 back with GET_VRING_BASE. "
     "Reconnection is optional in the spec, hence SHOULD.",
     F_PROTO, PF_ACK, vu_conn_after_features},
    {"VHOST-CONN-002", "A new front-end is served after one left after SET_MEM_TABLE",
     "vhost-user.rst: Communication", CONFORM_SHOULD,
     "As VHOST-CONN-001, the first front-end "
     "also set a memory table.",
     F_PROTO, PF_ACK, vu_conn_after_mem_table},
    {"VHOST-CONN-003", "A new front-end is served after one left with rings started",
     "vhost-user.rst: Communication; Ring states", CONFORM_SHOULD,
     "As VHOST-CONN-001, the first front-end started rings 0 and 1 and closed without "
     "stopping them: the back-end must drop them, and the new front-end's ring 0 starts at its "
     "own base.",
     F_PROTO, PF_ACK, vu_conn_after_rings},
    {"VHOST-CONN-004", "A front-end that leaves mid-header does not stop the back-end",
     "vhost-user.rst: Communication", CONFORM_SHOULD,
     "6 of the 12 header bytes, then close. As VHOST-CONN-001 afterwards.", F_PROTO, PF_ACK,
     vu_conn_truncated_header},
    {"VHOST-CONN-005", "A front-end that leaves mid-payload does not stop the back-end",
     "vhost-user.rst: Communication", CONFORM_SHOULD,
     "SET_FEATURES' header and 3 of its 8 payload bytes, then close. As VHOST-CONN-001 "
     "afterwards.",
     F_PROTO, PF_ACK, vu_conn_truncated_payload},
    {"VHOST-CONN-006", "A new front-end is served after one left with I/O in flight",
     "vhost-user.rst: Communication; Ring states", CONFORM_SHOULD,
     "The first front-end brings up a device (conform_dev) with 2 queues, makes 32 reads "
     "available on each, kicks and closes at once. The back-end must drop the rings (their "
     "requests may complete into memory no one reads) and serve the next front-end as in "
     "VHOST-CONN-001.",
     F_PROTO, PF_ACK, vu_conn_io_in_flight},
    /* ---- Data path ---- */
    {"VHOST-RING-008", "GET_VRING_BASE after I/O returns the number of requests consumed",
     "vhost-user.rst: Ring states; VHOST_USER_GET_VRING_BASE", CONFORM_MUST,
     "5 reads are made available and all 5 come back used; GET_VRING_BASE (which stops the "
     "ring) must return 5, the next available index the back-end would have read.",
     F_PROTO, 0, vu_io_base_after_io},
    {"VHOST-RING-009", "No request is processed after GET_VRING_BASE stopped the ring",
     "vhost-user.rst: Ring states", CONFORM_MUST,
     "After VHOST-RING-008's GET_VRING_BASE, a sixth read is made available and kicked: a "
     "stopped ring must not be processed at all, so no used entry may appear within the "
     "timeout.",
     F_PROTO, 0, vu_io_stopped_after_base},
    {"VHOST-RING-010", "GET_VRING_BASE with requests in flight: nothing is used after the reply",
     "vhost-user.rst: Ring states; VHOST_USER_GET_VRING_BASE", CONFORM_MUST,
     "Up to 64 reads of 128 KiB are made available and kicked, and GET_VRING_BASE is sent at "
     "once, so that some may be in flight. The back-end may finish them before it replies or "
     "drop them, but the stopped ring must not be processed at all: the used index must not "
     "move after the reply (watched for one reply timeout), the base must count every used "
     "request and no more than were made available.",
     F_PROTO, 0, vu_io_base_with_requests_in_flight},
};

const struct conform_suite g_suite_vhost_user = {
    .name = "vhost-user",
    .description = "vhost-user protocol conformance of a back-end (QEMU "
		   "docs/interop/vhost-user.rst)",
    .cases = g_cases,
    .ncases = sizeof(g_cases) / sizeof(g_cases[0]),
};
