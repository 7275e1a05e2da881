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
    {
	.id = "VHOST-FEAT-001",
	.title = "GET_FEATURES gets a u64 reply with the reply flag",
	.spec = "vhost-user.rst: Communication; Header",
	.level = CONFORM_MUST,
	.description =
	    "GET_FEATURES is one of the requests that require a reply; the reply carries the same "
	    "request, version 1, the reply flag (bit 2) and a u64 payload.",
	.run = vu_feat_get_features,
    },
    {
	.id = "VHOST-FEAT-002",
	.title = "GET_PROTOCOL_FEATURES gets a u64 reply",
	.spec = "vhost-user.rst: Communication; VHOST_USER_GET_PROTOCOL_FEATURES",
	.level = CONFORM_MUST,
	.description = "A back-end offering VHOST_USER_F_PROTOCOL_FEATURES answers "
		       "GET_PROTOCOL_FEATURES with a u64 reply, the same bits on every connection.",
	.features = F_PROTO,
	.run = vu_feat_get_protocol_features,
    },
    {
	.id = "VHOST-FEAT-003",
	.title = "GET_QUEUE_NUM gets a u64 reply of at least 1",
	.spec = "vhost-user.rst: Multiple queue support; VHOST_USER_GET_QUEUE_NUM",
	.level = CONFORM_MUST,
	.description = "With VHOST_USER_PROTOCOL_F_MQ the back-end answers GET_QUEUE_NUM with the "
		       "number of queues it supports, a u64; a device has at least one queue.",
	.features = F_PROTO,
	.protocol_features = VU_PF(MQ),
	.run = vu_feat_get_queue_num,
    },
    {
	.id = "VHOST-FEAT-004",
	.title = "GET_MAX_MEM_SLOTS gets a u64 reply of at least 1",
	.spec = "vhost-user.rst: VHOST_USER_GET_MAX_MEM_SLOTS",
	.level = CONFORM_SHOULD,
	.description =
	    "With CONFIGURE_MEM_SLOTS negotiated the back-end should reply with a u64, the number "
	    "of memory slots it supports (0 would make the feature unusable).",
	.features = F_PROTO,
	.protocol_features = VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_feat_get_max_mem_slots,
    },
    {
	.id = "VHOST-FEAT-005",
	.title = "GET_STATUS gets a u64 reply",
	.spec = "vhost-user.rst: VHOST_USER_GET_STATUS",
	.level = CONFORM_MUST,
	.description = "With VHOST_USER_PROTOCOL_F_STATUS negotiated GET_STATUS has a u64 reply.",
	.features = F_PROTO,
	.protocol_features = VU_PF(STATUS),
	.run = vu_feat_get_status,
    },
    {
	.id = "VHOST-FEAT-006",
	.title = "Protocol features negotiated before SET_FEATURES",
	.spec = "vhost-user.rst: VHOST_USER_GET_PROTOCOL_FEATURES (Note)",
	.level = CONFORM_MUST,
	.description = "Back-ends that report VHOST_USER_F_PROTOCOL_FEATURES must support "
		       "GET/SET_PROTOCOL_FEATURES before SET_FEATURES: the case sends them right "
		       "after GET_FEATURES.",
	.features = F_PROTO,
	.run = vu_feat_pf_before_set_features,
    },
    {
	.id = "VHOST-FEAT-007",
	.title = "SET_FEATURES with a bit that was not offered is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_FEATURES; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "vhost-user.rst does not word a check, but a feature the back-end did not "
		       "offer cannot be enabled (virtio 1.2 §2.2: only offered bits may be "
		       "accepted), so the back-end should report failure." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_feat_unoffered_features,
    },
    {
	.id = "VHOST-FEAT-008",
	.title = "SET_PROTOCOL_FEATURES with a bit that was not offered is refused",
	.spec = "vhost-user.rst: Protocol features; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "After a valid negotiation with REPLY_ACK, SET_PROTOCOL_FEATURES with one "
		       "more, unoffered bit: an extension the back-end does not implement cannot "
		       "be enabled, so it should report failure." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_feat_unoffered_protocol_features,
    },
    {
	.id = "VHOST-FEAT-009",
	.title = "need_reply on GET_FEATURES changes nothing",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = "For requests that already have a reply, need_reply brings no behavioural "
		       "change: one reply, the features, and no ack after it.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_feat_need_reply_on_get,
    },
    /* ---- Ownership ---- */
    {
	.id = "VHOST-OWNER-001",
	.title = "RESET_OWNER is ignored or disables the rings; serving goes on",
	.spec = "vhost-user.rst: VHOST_USER_RESET_OWNER",
	.level = CONFORM_SHOULD,
	.description =
	    "RESET_OWNER is deprecated; back-ends are recommended to ignore it or to disable all "
	    "rings. With rings started, the case sends it with need_reply: either ack value is "
	    "accepted, but the connection must stay open and answer GET_FEATURES.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_owner_reset_owner,
    },
    /* ---- REPLY_ACK on every request without a reply of its own ---- */
    {
	.id = "VHOST-ACK-001",
	.title = "REPLY_ACK: SET_OWNER acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_owner,
    },
    {
	.id = "VHOST-ACK-002",
	.title = "REPLY_ACK: SET_FEATURES acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_features,
    },
    {
	.id = "VHOST-ACK-003",
	.title = "REPLY_ACK: SET_PROTOCOL_FEATURES acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC " Sent a second time, with the bits already negotiated.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_protocol_features,
    },
    {
	.id = "VHOST-ACK-004",
	.title = "REPLY_ACK: SET_MEM_TABLE acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description =
	    ACK_DESC " Two regions, each half of a 1 MiB memfd (guest addresses 0 and 1 GiB).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_mem_table,
    },
    {
	.id = "VHOST-ACK-005",
	.title = "REPLY_ACK: SET_VRING_NUM acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_num,
    },
    {
	.id = "VHOST-ACK-006",
	.title = "REPLY_ACK: SET_VRING_ADDR acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description =
	    ACK_DESC " A ring of 128 entries inside the memory table, each part 64 bytes into its "
		     "page (split rings need only 16-, 2- and 4-byte alignment).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_addr,
    },
    {
	.id = "VHOST-ACK-007",
	.title = "REPLY_ACK: SET_VRING_BASE acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_base,
    },
    {
	.id = "VHOST-ACK-008",
	.title = "REPLY_ACK: SET_VRING_KICK acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_kick,
    },
    {
	.id = "VHOST-ACK-009",
	.title = "REPLY_ACK: SET_VRING_CALL acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_call,
    },
    {
	.id = "VHOST-ACK-010",
	.title = "REPLY_ACK: SET_VRING_ERR acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_err,
    },
    {
	.id = "VHOST-ACK-011",
	.title = "REPLY_ACK: SET_VRING_ENABLE acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_enable,
    },
    {
	.id = "VHOST-ACK-012",
	.title = "REPLY_ACK: ADD_MEM_REG acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_ack_add_mem_reg,
    },
    {
	.id = "VHOST-ACK-013",
	.title = "REPLY_ACK: REM_MEM_REG acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC " The region removed is the one just added.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_ack_rem_mem_reg,
    },
    {
	.id = "VHOST-ACK-014",
	.title = "REPLY_ACK: SET_STATUS acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC " Status 0.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(STATUS),
	.run = vu_ack_set_status,
    },
    {
	.id = "VHOST-ACK-015",
	.title = "REPLY_ACK: RESET_DEVICE acked 0",
	.spec = "vhost-user.rst: REPLY_ACK",
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(RESET_DEVICE),
	.run = vu_ack_reset_device,
    },
    /* ---- Memory ---- */
    {
	.id = "VHOST-MEM-001",
	.title = "SET_MEM_TABLE with 8 regions is accepted",
	.spec = "vhost-user.rst: Memory regions description; VHOST_USER_SET_MEM_TABLE",
	.level = CONFORM_MUST,
	.description = "A table may carry up to 8 regions, one fd each in the same order: 8 valid "
		       "64 KiB regions are acknowledged with 0.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_eight_regions,
    },
    {
	.id = "VHOST-MEM-002",
	.title = "SET_MEM_TABLE counting 9 regions is refused",
	.spec = "vhost-user.rst: Memory regions description",
	.level = CONFORM_SHOULD,
	.description = "num regions 9 with 8 regions and 8 fds (the most a message carries): the "
		       "count and the fds do not match." MALFORMED REFUSED
		       " When the connection stays open, ring addresses in the previous table must "
		       "still be accepted (the refused table is not in use).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_too_many_regions,
    },
    {
	.id = "VHOST-MEM-003",
	.title = "Regions overlapping in guest addresses are refused",
	.spec = "vhost-user.rst: Memory access",
	.level = CONFORM_SHOULD,
	.description =
	    "Guest addresses map to the region containing them; two regions sharing guest "
	    "addresses make that ambiguous, so the table should be refused." REFUSED
	    " When the connection stays open, the previous table must still be in use.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_overlap_gpa,
    },
    {
	.id = "VHOST-MEM-004",
	.title = "Regions overlapping in user addresses are refused",
	.spec = "vhost-user.rst: Memory access",
	.level = CONFORM_SHOULD,
	.description =
	    "User addresses (ring addresses) map to the region containing them; two regions of "
	    "different fds sharing user addresses make that ambiguous." REFUSED
	    " When the connection stays open, the previous table must still be in use.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_overlap_uva,
    },
    {
	.id = "VHOST-MEM-005",
	.title = "A region of size 0 is refused",
	.spec = "vhost-user.rst: Memory regions description",
	.level = CONFORM_SHOULD,
	.description = "A region without bytes cannot be mapped." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_zero_size,
    },
    {
	.id = "VHOST-MEM-006",
	.title = "A region larger than its fd is refused",
	.spec = "vhost-user.rst: Memory regions description",
	.level = CONFORM_SHOULD,
	.description = "A 2 MiB region on a 1 MiB memfd: mmap succeeds but the first access past "
		       "the end of the file raises SIGBUS in the back-end, so a robust back-end "
		       "refuses the table (fstat). The spec words no check; SHOULD." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_past_fd,
    },
    {
	.id = "VHOST-MEM-007",
	.title = "A region with an unaligned mmap offset is refused or usable",
	.spec = "vhost-user.rst: Memory regions description",
	.level = CONFORM_MAY,
	.description = "The spec puts no alignment on the mmap offset (0x800 here). The back-end "
		       "may refuse the table, but if it acknowledges it with 0, ring addresses "
		       "inside it must be accepted.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_unaligned_offset,
    },
    {
	.id = "VHOST-MEM-008",
	.title = "A new table replaces the old one while the rings are stopped",
	.spec = "vhost-user.rst: Ring states; VHOST_USER_SET_MEM_TABLE",
	.level = CONFORM_MUST,
	.description = "A ring is started, stopped by GET_VRING_BASE, the table is replaced by one "
		       "of another memfd at other user addresses, and the ring is set up again in "
		       "it: every step is acknowledged and GET_VRING_BASE returns the new base.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_replace_stopped,
    },
    {
	.id = "VHOST-MEM-009",
	.title = "ADD_MEM_REG and REM_MEM_REG change the table region by region",
	.spec = "vhost-user.rst: VHOST_USER_ADD_MEM_REG; VHOST_USER_REM_MEM_REG",
	.level = CONFORM_MUST,
	.description =
	    "Add A, add B, remove A (identified by guest address, user address and size): all "
	    "acknowledged; ring addresses in B are accepted; A can be added again.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_mem_add_rem_roundtrip,
    },
    {
	.id = "VHOST-MEM-010",
	.title = "REM_MEM_REG of a region that is not in the table is refused",
	.spec = "vhost-user.rst: VHOST_USER_REM_MEM_REG; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "Nothing can be unmapped, so the request fails." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_mem_rem_unknown,
    },
    {
	.id = "VHOST-MEM-011",
	.title = "An fd sent with REM_MEM_REG is closed",
	.spec = "vhost-user.rst: VHOST_USER_REM_MEM_REG",
	.level = CONFORM_MUST,
	.description =
	    "The back-end MAY accept REM_MEM_REG with one fd, and MUST close it without using it. "
	    "The fd is a pipe's write end: once the back-end answered, the read end must see "
	    "end-of-file. Either ack value and a closed connection are accepted.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_mem_rem_closes_fd,
    },
    /* ---- Rings ---- */
    {
	.id = "VHOST-RING-001",
	.title = "Ring set-up in QEMU's order, each step acknowledged",
	.spec = "vhost-user.rst: Ring states; REPLY_ACK",
	.level = CONFORM_MUST,
	.description =
	    "SET_VRING_NUM, ADDR, BASE, KICK, CALL, ERR, then ENABLE 1 (PROTOCOL_FEATURES is "
	    "negotiated, so the ring starts disabled): all acknowledged with 0; GET_VRING_BASE "
	    "then stops the ring and returns 0, as nothing was made available.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_setup_order,
    },
    {
	.id = "VHOST-RING-002",
	.title = "GET_VRING_BASE of a ring never kicked returns SET_VRING_BASE's value",
	.spec = "vhost-user.rst: Ring states; VHOST_USER_GET_VRING_BASE",
	.level = CONFORM_MUST,
	.description = "Ring 1 is given a size, addresses and base 1234 but no kick, so it is "
		       "still stopped; GET_VRING_BASE returns 1234.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_base_unstarted,
    },
    {
	.id = "VHOST-RING-003",
	.title = "A ring stopped by GET_VRING_BASE restarts at a new base",
	.spec = "vhost-user.rst: Ring states",
	.level = CONFORM_MUST,
	.description = "Started at base 10 and stopped by GET_VRING_BASE (10), the ring is given "
		       "base 20, a kick and ENABLE again; GET_VRING_BASE returns 20.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_base_restart,
    },
    {
	.id = "VHOST-RING-004",
	.title = "SET_VRING_NUM 0 is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_NUM",
	.level = CONFORM_SHOULD,
	.description = "A split ring's size is a power of 2 up to 32768 (virtio 1.2 §2.7); "
		       "vhost-user.rst words no check." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_num_zero,
    },
    {
	.id = "VHOST-RING-005",
	.title = "SET_VRING_NUM 100 (not a power of 2) is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_NUM",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-RING-004, size 100." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_num_not_pow2,
    },
    {
	.id = "VHOST-RING-006",
	.title = "SET_VRING_NUM 65536 is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_NUM",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-RING-004, size 65536 (past 32768)." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_num_too_big,
    },
    {
	.id = "VHOST-RING-007",
	.title = "SET_VRING_ADDR outside every memory region is refused",
	.spec = "vhost-user.rst: Memory access; VHOST_USER_SET_VRING_ADDR",
	.level = CONFORM_SHOULD,
	.description =
	    "The used ring's user address lies 1 MiB past the only region: it maps to no region. A "
	    "back-end may check when the ring starts instead, but then it would start a ring it "
	    "cannot reach; the case asks for the refusal at SET_VRING_ADDR." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_addr_outside,
    },
    /* ---- Vring index past the queue count ---- */
    {
	.id = "VHOST-MQ-001",
	.title = "SET_VRING_NUM for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support",
	.level = CONFORM_SHOULD,
	.description =
	    "The queue count is GET_QUEUE_NUM's answer; an index at or past it names no queue. The "
	    "spec tells the front-end not to ask for more queues but words no back-end check; a "
	    "back-end that indexes its rings with it corrupts memory." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_num,
    },
    {
	.id = "VHOST-MQ-002",
	.title = "SET_VRING_ADDR for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MQ-001." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_addr,
    },
    {
	.id = "VHOST-MQ-003",
	.title = "SET_VRING_BASE for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MQ-001." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_base,
    },
    {
	.id = "VHOST-MQ-004",
	.title = "SET_VRING_KICK for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support; VHOST_USER_SET_VRING_KICK",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MQ-001, with an eventfd (index in bits 0-7)." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_kick,
    },
    {
	.id = "VHOST-MQ-005",
	.title = "SET_VRING_CALL for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support; VHOST_USER_SET_VRING_CALL",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MQ-004." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_call,
    },
    {
	.id = "VHOST-MQ-006",
	.title = "SET_VRING_ENABLE for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support; VHOST_USER_SET_VRING_ENABLE",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MQ-001, enable 1." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_enable,
    },
    {
	.id = "VHOST-MQ-007",
	.title = "GET_VRING_BASE for a vring index >= GET_QUEUE_NUM returns no ring state",
	.spec = "vhost-user.rst: Multiple queue support; VHOST_USER_GET_VRING_BASE",
	.level = CONFORM_SHOULD,
	.description =
	    "GET_VRING_BASE has a reply of its own and no failure value: the case accepts an empty "
	    "or otherwise sized reply or a closed connection, not a vring state for a queue that "
	    "does not exist; then a new connection must be served.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_get_vring_base,
    },
    /* ---- Config space ---- */
    {
	.id = "VHOST-CFG-001",
	.title = "GET_CONFIG reply payload size matches the request",
	.spec = "vhost-user.rst: VHOST_USER_GET_CONFIG",
	.level = CONFORM_MUST,
	.description = "The back-end's payload size MUST match the front-end's request: 8 bytes at "
		       "offset 0 (the capacity) give a 20-byte reply with the reply flag.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_header,
    },
    {
	.id = "VHOST-CFG-002",
	.title = "GET_CONFIG past 256 bytes gets the error reply",
	.spec = "vhost-user.rst: VHOST_USER_GET_CONFIG; Virtio device config space",
	.level = CONFORM_SHOULD,
	.description =
	    "Offset 200, size 100 reaches past the 256 bytes a vhost-user config payload holds. A "
	    "zero-length payload is the back-end's error answer; a closed connection is accepted; "
	    "a 112-byte reply fails. Reads past the device's own struct but within 256 bytes are "
	    "not checked: the spec leaves them open.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_past_256,
    },
    {
	.id = "VHOST-CFG-003",
	.title = "GET_CONFIG of 257 bytes gets the error reply",
	.spec = "vhost-user.rst: VHOST_USER_GET_CONFIG",
	.level = CONFORM_SHOULD,
	.description =
	    "Size 257 with 269 bytes of payload: larger than any config space message. An empty "
	    "reply or a closed connection passes; then a new connection must be served.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_size_over_256,
    },
    {
	.id = "VHOST-CFG-004",
	.title = "GET_CONFIG whose size field disagrees with the payload",
	.spec = "vhost-user.rst: VHOST_USER_GET_CONFIG",
	.level = CONFORM_SHOULD,
	.description = "Size field 8 in a 28-byte payload. The reply's size must match the "
		       "request: an empty (error) reply, a 28-byte reply or a closed connection "
		       "pass; then a new connection must be served." MALFORMED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_size_mismatch,
    },
    {
	.id = "VHOST-CFG-005",
	.title = "GET_CONFIG of 0 bytes is answered",
	.spec = "vhost-user.rst: VHOST_USER_GET_CONFIG",
	.level = CONFORM_MAY,
	.description =
	    "The spec does not say whether size 0 is an error: a 12-byte echo, an empty reply or a "
	    "closed connection pass, silence fails; then a new connection must be served.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_size_zero,
    },
    {
	.id = "VHOST-CFG-006",
	.title = "SET_CONFIG of a read-only field does not change it",
	.spec = "vhost-user.rst: VHOST_USER_SET_CONFIG",
	.level = CONFORM_MUST,
	.description = "Back-ends MUST NOT accept SET_CONFIG for read-only fields unless the "
		       "migration flag is set: after writing the block capacity (virtio 1.2 "
		       "§5.2.4, read-only) with flags 0, GET_CONFIG on a new connection returns "
		       "the old capacity. The ack is VHOST-CFG-007's business.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_set_read_only,
    },
    {
	.id = "VHOST-CFG-007",
	.title = "SET_CONFIG of a read-only field gets a non-zero ack",
	.spec = "vhost-user.rst: VHOST_USER_SET_CONFIG; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description =
	    "The write of VHOST-CFG-006 is not accepted, so with need_reply the ack should be "
	    "non-zero (REPLY_ACK: zero on success, non-zero on failure)." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_set_read_only_nack,
    },
    {
	.id = "VHOST-CFG-008",
	.title = "GET_CONFIG at an offset returns those bytes of the config space",
	.spec = "vhost-user.rst: Virtio device config space; VHOST_USER_GET_CONFIG",
	.quote = ":offset: a 32-bit offset of virtio device's configuration space ... :payload: "
		 "Size bytes array holding the contents of the virtio device's configuration "
		 "space",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "After a read of the whole virtio-blk struct, windows of it (size_max, blk_size, "
	    "num_queues, and two that start inside a field) are read at their offsets: each "
	    "reply's first size bytes must be the whole struct's bytes there. A back-end that "
	    "ignores the offset gives a front-end that reads one field (as virtio drivers read "
	    "config space) the bytes of another. Advisory: the only keyword of "
	    "VHOST_USER_GET_CONFIG (\"payload size MUST match the front-end's request\") is on "
	    "the size, which VHOST-CFG-001 checks; what the payload holds comes from the message "
	    "layout, which has none.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_at_offset,
    },
    /* ---- Malformed headers ---- */
    {
	.id = "VHOST-MSG-001",
	.title = "A request with version 0 is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.level = CONFORM_SHOULD,
	.description = "The version bits are 0x1. GET_FEATURES with version 0 must not get a "
		       "features reply; silence or a closed connection pass, then a new connection "
		       "must be served (the spec defines no answer to a bad header).",
	.run = vu_msg_version_0,
    },
    {
	.id = "VHOST-MSG-002",
	.title = "A request with version 2 is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MSG-001, version 2.",
	.run = vu_msg_version_2,
    },
    {
	.id = "VHOST-MSG-003",
	.title = "A request with version 3 is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MSG-001, version 3.",
	.run = vu_msg_version_3,
    },
    {
	.id = "VHOST-MSG-004",
	.title = "A request with the reply flag is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.level = CONFORM_SHOULD,
	.description = "The reply flag marks replies from the back-end; a front-end message "
		       "carrying it is not a request. As VHOST-MSG-001.",
	.run = vu_msg_reply_flag,
    },
    /* ---- Payload sizes ---- */
    {
	.id = "VHOST-MSG-005",
	.title = "SET_FEATURES one byte short is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_FEATURES; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "7 bytes instead of the u64." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_set_features,
    },
    {
	.id = "VHOST-MSG-006",
	.title = "SET_FEATURES one byte long is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_FEATURES; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "9 bytes instead of the u64." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_long_set_features,
    },
    {
	.id = "VHOST-MSG-007",
	.title = "SET_VRING_NUM one byte short is refused",
	.spec = "vhost-user.rst: A vring state description; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "7 bytes instead of 8." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_vring_num,
    },
    {
	.id = "VHOST-MSG-008",
	.title = "SET_VRING_NUM one byte long is refused",
	.spec = "vhost-user.rst: A vring state description; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "9 bytes instead of 8." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_long_vring_num,
    },
    {
	.id = "VHOST-MSG-009",
	.title = "SET_VRING_ADDR one byte short is refused",
	.spec = "vhost-user.rst: A vring address description; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "39 bytes instead of 40." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_vring_addr,
    },
    {
	.id = "VHOST-MSG-010",
	.title = "SET_VRING_ADDR one byte long is refused",
	.spec = "vhost-user.rst: A vring address description; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "41 bytes instead of 40." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_long_vring_addr,
    },
    {
	.id = "VHOST-MSG-011",
	.title = "SET_MEM_TABLE one byte short of its regions is refused",
	.spec = "vhost-user.rst: Memory regions description; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "num regions 1 and one fd, but 39 bytes instead of 40." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_mem_table,
    },
    {
	.id = "VHOST-MSG-012",
	.title = "ADD_MEM_REG one byte short is refused",
	.spec = "vhost-user.rst: Single memory region description; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "39 bytes instead of 40, with its fd." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_msg_short_add_mem_reg,
    },
    /* ---- Unknown requests, oversized payload ---- */
    {
	.id = "VHOST-MSG-013",
	.title = "Request type 0 is refused",
	.spec = "vhost-user.rst: Front-end message types; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "Type 0 is not a request. With need_reply the back-end MUST answer "
		       "(REPLY_ACK) and should answer non-zero: nothing was done." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_unknown_0,
    },
    {
	.id = "VHOST-MSG-014",
	.title = "Request type 200 is refused",
	.spec = "vhost-user.rst: Front-end message types; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MSG-013, an undefined type." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_unknown_max,
    },
    {
	.id = "VHOST-MSG-015",
	.title = "Request type 0xffffffff is refused",
	.spec = "vhost-user.rst: Front-end message types; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description =
	    "As VHOST-MSG-013, the largest type (catches signed or table-bound indexing)." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_unknown_huge,
    },
    {
	.id = "VHOST-MSG-016",
	.title = "A 4 KiB payload is refused",
	.spec = "vhost-user.rst: Header; REPLY_ACK",
	.level = CONFORM_SHOULD,
	.description =
	    "SET_FEATURES announcing and carrying 4096 bytes, more than any request has." MALFORMED
		REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_oversized,
    },
    /* ---- fds ---- */
    {
	.id = "VHOST-MSG-017",
	.title = "SET_VRING_KICK without fd and without the invalid-FD flag is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_KICK; Communication",
	.level = CONFORM_SHOULD,
	.description =
	    "Bit 8 says there is no fd; here it is clear and no fd comes." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_kick_missing_fd,
    },
    {
	.id = "VHOST-MSG-018",
	.title = "SET_VRING_CALL without fd and without the invalid-FD flag is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_CALL; Communication",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MSG-017." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_call_missing_fd,
    },
    {
	.id = "VHOST-MSG-019",
	.title = "SET_MEM_TABLE with a region and no fd is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_MEM_TABLE",
	.level = CONFORM_SHOULD,
	.description =
	    "The fds match the regions in number and order; one region, no fd." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_mem_table_missing_fd,
    },
    {
	.id = "VHOST-MSG-020",
	.title = "ADD_MEM_REG without its fd is refused",
	.spec = "vhost-user.rst: VHOST_USER_ADD_MEM_REG",
	.level = CONFORM_SHOULD,
	.description = "Exactly one fd comes with ADD_MEM_REG; none here." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_msg_add_mem_reg_missing_fd,
    },
    {
	.id = "VHOST-MSG-021",
	.title = "SET_MEM_TABLE with one region and two fds is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_MEM_TABLE",
	.level = CONFORM_SHOULD,
	.description =
	    "The number of fds matches the number of regions; one region, two fds." MALFORMED
		REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_mem_table_extra_fd,
    },
    {
	.id = "VHOST-MSG-022",
	.title = "An fd sent with a request that takes none is closed",
	.spec = "vhost-user.rst: Communication",
	.level = CONFORM_SHOULD,
	.description = "SET_VRING_NUM (valid) with a pipe's write end: the spec lists the requests "
		       "that carry fds and this is not one. The back-end may accept or refuse the "
		       "request, but should not keep the fd (a leak per message): the read end "
		       "must see end-of-file. Then it must still serve.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_extra_fd_closed,
    },
    {
	.id = "VHOST-MSG-023",
	.title = "An fd sent with the invalid-FD flag set is closed",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_CALL",
	.level = CONFORM_SHOULD,
	.description =
	    "SET_VRING_CALL with bit 8 set (no fd) and an fd all the same: as VHOST-MSG-022.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_nofd_with_fd_closed,
    },
    /* ---- Connections ---- */
    {
	.id = "VHOST-CONN-001",
	.title = "A new front-end is served after one left after negotiation",
	.spec = "vhost-user.rst: Communication",
	.level = CONFORM_SHOULD,
	.description =
	    "The first front-end negotiates features and closes. The next one negotiates, sets a "
	    "memory table, sets up and starts ring 0 at base 7 and reads 7 back with "
	    "GET_VRING_BASE. Reconnection is optional in the spec, hence SHOULD.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_after_features,
    },
    {
	.id = "VHOST-CONN-002",
	.title = "A new front-end is served after one left after SET_MEM_TABLE",
	.spec = "vhost-user.rst: Communication",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-CONN-001, the first front-end also set a memory table.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_after_mem_table,
    },
    {
	.id = "VHOST-CONN-003",
	.title = "A new front-end is served after one left with rings started",
	.spec = "vhost-user.rst: Communication; Ring states",
	.level = CONFORM_SHOULD,
	.description = "As VHOST-CONN-001, the first front-end started rings 0 and 1 and closed "
		       "without stopping them: the back-end must drop them, and the new "
		       "front-end's ring 0 starts at its own base.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_after_rings,
    },
    {
	.id = "VHOST-CONN-004",
	.title = "A front-end that leaves mid-header does not stop the back-end",
	.spec = "vhost-user.rst: Communication",
	.level = CONFORM_SHOULD,
	.description = "6 of the 12 header bytes, then close. As VHOST-CONN-001 afterwards.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_truncated_header,
    },
    {
	.id = "VHOST-CONN-005",
	.title = "A front-end that leaves mid-payload does not stop the back-end",
	.spec = "vhost-user.rst: Communication",
	.level = CONFORM_SHOULD,
	.description = "SET_FEATURES' header and 3 of its 8 payload bytes, then close. As "
		       "VHOST-CONN-001 afterwards.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_truncated_payload,
    },
    {
	.id = "VHOST-CONN-006",
	.title = "A new front-end is served after one left with I/O in flight",
	.spec = "vhost-user.rst: Communication; Ring states",
	.level = CONFORM_SHOULD,
	.description = "The first front-end brings up a device (conform_dev) with 2 queues, makes "
		       "32 reads available on each, kicks and closes at once. The back-end must "
		       "drop the rings (their requests may complete into memory no one reads) and "
		       "serve the next front-end as in VHOST-CONN-001.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_io_in_flight,
    },
    /* ---- Data path ---- */
    {
	.id = "VHOST-RING-008",
	.title = "GET_VRING_BASE after I/O returns the number of requests consumed",
	.spec = "vhost-user.rst: Ring states; VHOST_USER_GET_VRING_BASE",
	.level = CONFORM_MUST,
	.description =
	    "5 reads are made available and all 5 come back used; GET_VRING_BASE (which stops the "
	    "ring) must return 5, the next available index the back-end would have read.",
	.features = F_PROTO,
	.run = vu_io_base_after_io,
    },
    {
	.id = "VHOST-RING-009",
	.title = "No request is processed after GET_VRING_BASE stopped the ring",
	.spec = "vhost-user.rst: Ring states",
	.level = CONFORM_MUST,
	.description = "After VHOST-RING-008's GET_VRING_BASE, a sixth read is made available and "
		       "kicked: a stopped ring must not be processed at all, so no used entry may "
		       "appear within the timeout.",
	.features = F_PROTO,
	.run = vu_io_stopped_after_base,
    },
    {
	.id = "VHOST-RING-010",
	.title = "GET_VRING_BASE with requests in flight: nothing is used after the reply",
	.spec = "vhost-user.rst: Ring states; VHOST_USER_GET_VRING_BASE",
	.level = CONFORM_MUST,
	.description =
	    "A 1024-entry ring is filled with 1 MiB writes (reads on a read-only device) and "
	    "kicked; GET_VRING_BASE is sent as soon as the first is used, so that the back-end "
	    "is at work on the rest (tried again, up to 3 times, if all were used before it "
	    "could be sent; the trace says how many were in flight). The back-end may finish "
	    "them before it replies or drop them, but the stopped ring must not be processed at "
	    "all: the base must count every used request and no more than were made available, "
	    "and the used index must not move after the reply (watched for one reply timeout "
	    "when requests were consumed and not used at the reply, else for 50 ms). Where the "
	    "reply lands in the back-end's work is a race: three rounds, each on a new "
	    "connection.",
	.features = F_PROTO,
	.run = vu_io_base_with_requests_in_flight,
    },
    {
	.id = "VHOST-RING-012",
	.title = "SET_VRING_ADDR with a ring part off its alignment is refused",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_ADDR; virtio 1.2 §2.7.1",
	.quote = "The driver MUST ensure that the physical address of the first byte of each "
		 "virtqueue part is a multiple of the specified alignment value in the above "
		 "table.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Three probes, each on a new connection: the descriptor table 8 bytes past its "
	    "16-byte alignment, the available ring 1 byte past its 2, the used ring 2 bytes past "
	    "its 4. The sentence binds the driver, not the back-end, hence advisory: a back-end "
	    "that takes such a ring reads and writes its indexes unaligned, where a 16-bit index "
	    "can straddle a cache line and its updates are no longer atomic." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_addr_unaligned,
    },
    {
	.id = "VHOST-RING-013",
	.title = "A write on a disabled ring has no effect",
	.spec = "vhost-user.rst: Ring states; VHOST_USER_SET_VRING_ENABLE",
	.quote = "started and disabled: The back-end must process the ring without causing "
		 "any side effects.",
	.level = CONFORM_MUST,
	.description =
	    "A write of a pattern completes on the started ring, SET_VRING_ENABLE 0 is "
	    "acknowledged, and a write of another pattern to the same sectors is made available "
	    "and kicked. The back-end may leave it or process and discard it (a used entry is "
	    "noted, not judged), but the data must not change: a new connection reads the first "
	    "pattern back. Not applicable to a read-only device.",
	.features = F_PROTO,
	.run = vu_io_disabled_ring_no_effect,
    },
    {
	.id = "VHOST-RING-014",
	.title = "A ring started at base 65535 serves requests across the index wrap",
	.spec = "vhost-user.rst: VHOST_USER_SET_VRING_BASE; virtio 1.2 §2.7.13.3",
	.quote = "idx always increments, and wraps naturally at 65536",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Both ring indexes at 65535 in memory (as after 65535 requests, or a migration), "
	    "SET_VRING_BASE 65535 and SET_VRING_ADDR (QEMU's order), the kick, then 4 reads: "
	    "all complete OK and GET_VRING_BASE returns 3. The "
	    "sentence describes the driver's index and SET_VRING_BASE takes any 16-bit index "
	    "without a keyword, hence advisory: a back-end that mishandles the wrap stops "
	    "serving a queue after 65536 requests.",
	.features = F_PROTO,
	.run = vu_io_index_wrap,
    },
};

const struct conform_suite g_suite_vhost_user = {
    .name = "vhost-user",
    .description = "vhost-user protocol conformance of a back-end (QEMU "
		   "docs/interop/vhost-user.rst)",
    .cases = g_cases,
    .ncases = sizeof(g_cases) / sizeof(g_cases[0]),
};
