/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user suite: what a vhost-user back-end does on its socket, case
 * by case, from QEMU docs/interop/vhost-user.rst (sections cited by name).
 * The code of each area is in suite_vhost_user_<area>.c; this file is the
 * one list of cases, with their IDs, quotes, levels and readings of the spec.
 *
 * Levels come from the quoted sentence, for the back-end: MUST where it says
 * must, MUST NOT or needs to; SHOULD where it says should or recommends. A
 * sentence in the indicative that defines a message ("Stops the vring and
 * returns the current descriptor index") states no level: what a case
 * checks from a definition alone is an advisory, as is what no sentence
 * asks of a back-end but a robust one does (refusing malformed or
 * inconsistent requests, serving a second front-end); an advisory has a
 * severity and says why no sentence requires it. A sentence on what the
 * front-end does is never a back-end verdict. docs/conformance/
 * audit-vhost-user.md records the audit of every case.
 */
#include "conformance/suite_vhost_user.h"

#define F_PROTO VU_F_PROTOCOL_FEATURES
#define PF_ACK	VU_PF(REPLY_ACK)

/* ---- Sentences several cases quote (vhost-user.rst, markup dropped) ---- */
#define Q_REPLY_ACK_MUST                                                                           \
	"With this protocol extension negotiated, the sender (QEMU) can set the need_reply [Bit "  \
	"3] flag to any command. This indicates that the back-end MUST respond with a Payload "    \
	"VhostUserMsg indicating success or failure."
#define Q_REPLY_ACK_SHOULD                                                                         \
	"The payload should be set to zero on success or non-zero on failure, unless the message " \
	"already has an explicit reply body."
#define Q_GET_CONFIG                                                                               \
	"vhost-user back-end's payload size MUST match the front-end's request, vhost-user "       \
	"back-end uses zero length of payload to indicate an error to the vhost-user front-end."
#define Q_VRING_BASE                                                                               \
	"For a split virtqueue, returns only the 16-bit next descriptor index to process in the "  \
	"Available Ring."
#define Q_STOPPED                                                                                  \
	"While a ring is stopped, the back-end must not process the ring at all, regardless of "   \
	"whether it is enabled or disabled."
#define Q_START_STOP                                                                               \
	"The back-end must start a ring upon receiving a kick (that is, detecting that file "      \
	"descriptor is readable) on the descriptor specified by VHOST_USER_SET_VRING_KICK or "     \
	"receiving the in-band message VHOST_USER_VRING_KICK if negotiated, and stop a ring upon " \
	"receiving VHOST_USER_GET_VRING_BASE."
#define Q_PF_SUPPORT                                                                               \
	"Back-ends that report VHOST_USER_F_PROTOCOL_FEATURES must support this message even "     \
	"before VHOST_USER_SET_FEATURES was called."
#define Q_QUEUE_NUM  "Front-end should stop when the number of requested queues is bigger than that."
#define Q_VERSION    "Lower 2 bits are the version (currently 0x01)"
#define Q_REPLY_FLAG "Bit 2 is the reply flag - needs to be sent on each reply from the back-end"
#define Q_RECONNECT                                                                                \
	"If front-end is unable to send the full message or receives a wrong reply it will close " \
	"the connection. An optional reconnection mechanism can be implemented."
#define Q_MEM_FDS                                                                                  \
	"In the ancillary data there is an array of file descriptors for each memory mapped "      \
	"region. The size and ordering of the fds matches the number and ordering of memory "      \
	"regions."
#define Q_NOFD                                                                                     \
	"Bit 8 is the invalid FD flag. This flag is set when there is no file descriptor in the "  \
	"ancillary data."
#define Q_QUEUE_SIZE                                                                               \
	"Queue Size value is always a power of 2. The maximum Queue Size value is 32768."

/* ---- Readings several cases share ---- */
/* The advisories' reading of "refused" (vu_expect_refused). */
#define REFUSED                                                                                    \
	" Refused means: with need_reply, a non-zero ack or a closed connection "                  \
	"(\"Communication\" "                                                                      \
	"lets a back-end close on an error); an ack of 0 or silence fails. Then the back-end "     \
	"must "                                                                                    \
	"still serve: the connection, if open, answers GET_FEATURES, and a new connection is "     \
	"served."
#define MALFORMED                                                                                  \
	" Advisory: vhost-user.rst defines the payload and fds of each request and says nothing "  \
	"of the answer to a request that does not match them; a back-end that acts on one reads "  \
	"what it was not sent or sets state it was not asked to. One that drops the connection "   \
	"(libvhost-user's vu_panic) passes."
#define ACK_DESC                                                                                   \
	"With REPLY_ACK negotiated and need_reply set, a valid request without a reply of its "    \
	"own MUST be answered: a u64 reply of that request, with the reply flag. Either value "    \
	"passes (a non-zero ack is the failure answer; VHOST-ACK-016 reports valid requests that " \
	"fail), and so does a closed connection (\"Communication\": a back-end may close on an "   \
	"error it detects); silence or another reply fails."
#define MQ_INDEX                                                                                   \
	"Advisory: the quoted sentence binds the front-end (it stays below GET_QUEUE_NUM's "       \
	"answer), and vhost-user.rst says nothing of a back-end's answer to a vring index at or "  \
	"past it; a back-end that indexes its rings with such an index reads and writes past "     \
	"them."
#define RING_SIZE                                                                                  \
	"Advisory: virtio 1.2 §2.7 states the sizes a split ring can have, and its transports "   \
	"put the check on the driver (§4.1.4.3.2: \"the driver MUST NOT write a value which is "  \
	"not a power of 2 to queue_size\"); vhost-user.rst's SET_VRING_NUM (\"Set the size of "    \
	"the queue\") says nothing of a size outside them."
/* VHOST-LOG-001 to -003 read passive sentences of "Migration", which also
 * says "The front-end should mark the dirty pages in a log". */
#define WHO_MARKS                                                                                  \
	"The quoted sentence is passive; the case reads it as binding the back-end, the only "    \
	"side that sees its own writes: SET_LOG_BASE hands it the log, and a back-end declares " \
	"VHOST_F_LOG_ALL once it logs (\"Once it complies to this logging\")."
#define RECONNECT                                                                                  \
	" Advisory: reconnection is optional in vhost-user.rst and no sentence asks a back-end "   \
	"to "                                                                                      \
	"serve a second front-end; one that cannot is unusable across a front-end restart or a "   \
	"VM reboot."

static const struct conform_case g_cases[] = {
    /* ---- Features ---- */
    {
	.id = "VHOST-FEAT-001",
	.title = "GET_FEATURES gets a u64 reply with the reply flag",
	.spec = "vhost-user.rst: Header; Communication",
	.quote = Q_REPLY_FLAG,
	.level = CONFORM_MUST,
	.description =
	    "GET_FEATURES is one of the requests that require a reply (\"Communication\"); the "
	    "reply carries the same request, version 1, the reply flag (bit 2) and a u64 payload.",
	.run = vu_feat_get_features,
    },
    {
	.id = "VHOST-FEAT-002",
	.title = "GET_PROTOCOL_FEATURES gets a u64 reply",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_PROTOCOL_FEATURES "
		"(Note); Header",
	.quote = Q_PF_SUPPORT " [...] " Q_REPLY_FLAG,
	.level = CONFORM_MUST,
	.description =
	    "A back-end offering VHOST_USER_F_PROTOCOL_FEATURES must support "
	    "GET_PROTOCOL_FEATURES, before SET_FEATURES (VHOST-FEAT-006) and after it, as here. "
	    "The case reads \"support\" as answering the message as vhost-user.rst defines it: "
	    "a reply (\"Communication\" lists it among the requests that require one) of that "
	    "request, version 1, with the reply flag, which \"needs to be sent on each reply\", "
	    "and the u64 of its reply payload. The value is not judged: whether the bits stay the "
	    "same after SET_PROTOCOL_FEATURES is VHOST-FEAT-010.",
	.features = F_PROTO,
	.run = vu_feat_get_protocol_features,
    },
    {
	.id = "VHOST-FEAT-003",
	.title = "GET_QUEUE_NUM gets a u64 reply of at least 1",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_QUEUE_NUM",
	.quote = "Query how many queues the back-end supports.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "With VHOST_USER_PROTOCOL_F_MQ the back-end answers GET_QUEUE_NUM with a u64 (its "
	    "reply payload) with the reply flag: the number of queues it supports, at least one "
	    "for a block device (virtio 1.2 §5.2.2: requestq1). Advisory: vhost-user.rst defines "
	    "GET_QUEUE_NUM without a keyword and leaves it out of the requests that "
	    "\"Communication\" says require replies; its one keyword on MQ (\"Back-ends should "
	    "always implement the VHOST_USER_PROTOCOL_F_MQ protocol feature\") asks that the "
	    "feature be offered, not how the message is answered. A back-end that offers MQ and "
	    "answers nothing, or 0, leaves the front-end without a queue count: QEMU refuses the "
	    "device.",
	.features = F_PROTO,
	.protocol_features = VU_PF(MQ),
	.run = vu_feat_get_queue_num,
    },
    {
	.id = "VHOST-FEAT-004",
	.title = "GET_MAX_MEM_SLOTS gets a u64 reply of at least 1",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_MAX_MEM_SLOTS",
	.quote = "The back-end should return the message with a u64 payload containing the maximum "
		 "number of memory slots for QEMU to expose to the guest.",
	.level = CONFORM_SHOULD,
	.description =
	    "With CONFIGURE_MEM_SLOTS negotiated the back-end should reply with a u64, the number "
	    "of memory slots it supports. 0 is not that number: a back-end offering the feature "
	    "must map in a region ADD_MEM_REG adds, so it has at least one slot.",
	.features = F_PROTO,
	.protocol_features = VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_feat_get_max_mem_slots,
    },
    {
	.id = "VHOST-FEAT-005",
	.title = "GET_STATUS gets a u64 reply",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_STATUS",
	.quote = "When the VHOST_USER_PROTOCOL_F_STATUS protocol feature has been successfully "
		 "negotiated, this message is submitted by the front-end to query the back-end for "
		 "its device status as defined in the Virtio specification.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "With VHOST_USER_PROTOCOL_F_STATUS negotiated GET_STATUS gets a u64 (its reply "
	    "payload) with the reply flag. Advisory: vhost-user.rst defines GET_STATUS without a "
	    "keyword, and the requests \"Communication\" says require replies do not include "
	    "it. A back-end that answers nothing, or another size, leaves a front-end that reads "
	    "the status (QEMU does, before it adds a bit with SET_STATUS) waiting, or reading "
	    "bytes that are no status.",
	.features = F_PROTO,
	.protocol_features = VU_PF(STATUS),
	.run = vu_feat_get_status,
    },
    {
	.id = "VHOST-FEAT-006",
	.title = "Protocol features negotiated before SET_FEATURES",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_PROTOCOL_FEATURES, "
		"VHOST_USER_SET_PROTOCOL_FEATURES (Notes)",
	.quote = Q_PF_SUPPORT,
	.level = CONFORM_MUST,
	.description = "The same Note stands under GET_ and SET_PROTOCOL_FEATURES: the case sends "
		       "them right after GET_FEATURES, before any SET_FEATURES.",
	.features = F_PROTO,
	.run = vu_feat_pf_before_set_features,
    },
    {
	.id = "VHOST-FEAT-007",
	.title = "SET_FEATURES with a bit that was not offered is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_FEATURES",
	.quote = "Enable features in the underlying vhost implementation using a bitmask.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: no sentence asks the back-end to check the bits (virtio 1.2 §2.2.1 forbids "
	    "the driver, i.e. the front-end, to accept a feature that was not offered). A back-end "
	    "that acknowledges such a bit with 0 tells the front-end a feature is on that it does "
	    "not implement." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_feat_unoffered_features,
    },
    {
	.id = "VHOST-FEAT-008",
	.title = "SET_PROTOCOL_FEATURES with a bit that was not offered is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_PROTOCOL_FEATURES",
	.quote = "Enable protocol features in the underlying vhost implementation.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: after a valid negotiation with REPLY_ACK, SET_PROTOCOL_FEATURES with one "
	    "more, unoffered bit. No sentence asks the back-end to check (only the in-band "
	    "notifications combination has a rule); acknowledging it with 0 claims an extension "
	    "the back-end does not implement." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_feat_unoffered_protocol_features,
    },
    {
	.id = "VHOST-FEAT-009",
	.title = "need_reply on GET_FEATURES is answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description =
	    "need_reply may be set on \"any command\", GET_FEATURES too, and then the back-end "
	    "MUST respond: a u64 reply to GET_FEATURES with the reply flag, whatever its value, or "
	    "a closed connection, as for VHOST-ACK-001..015; silence or another reply fails. What "
	    "the answer holds, and that nothing follows it, is VHOST-FEAT-011 (split from this "
	    "case).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_feat_need_reply_on_get,
    },
    {
	.id = "VHOST-FEAT-010",
	.title = "GET_PROTOCOL_FEATURES answers the same bits after SET_PROTOCOL_FEATURES",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_PROTOCOL_FEATURES",
	.quote = "Get the protocol feature bitmask from the underlying vhost implementation.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory (split from VHOST-FEAT-002): the runner's probe asks before any "
	    "SET_PROTOCOL_FEATURES, this case after one (of 0); the answers should be the same. "
	    "The sentence does not say whether the bitmask is what the implementation supports or "
	    "what is enabled now, and read as the latter it requires nothing of a second answer; "
	    "a back-end that answers the negotiated bits misreports what it can do to a front-end "
	    "that asks again.",
	.features = F_PROTO,
	.run = vu_feat_pf_same_bits,
    },
    {
	.id = "VHOST-FEAT-011",
	.title = "need_reply on GET_FEATURES changes nothing",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = "For the message types that already solicit a reply from the back-end, the "
		 "presence of VHOST_USER_PROTOCOL_F_REPLY_ACK or need_reply bit being set brings "
		 "no behavioural change.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory (split from VHOST-FEAT-009): with need_reply set, GET_FEATURES gets one "
	    "reply, the features offered, and no ack or other message after it. The quoted "
	    "sentence states the protocol in the indicative, without a keyword. A back-end that "
	    "adds an ack has it read as the reply to the front-end's next request, and one that "
	    "answers an ack instead of the features has it read as the feature bits.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_feat_need_reply_no_change,
    },
    /* ---- Ownership ---- */
    {
	.id = "VHOST-OWNER-001",
	.title = "RESET_OWNER is ignored or disables the rings; the connection goes on",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_RESET_OWNER (Deprecated)",
	.quote = "It is recommended that back-ends either ignore this message, or use it to "
		 "disable all rings.",
	.level = CONFORM_SHOULD,
	.description =
	    "With rings started, the case sends RESET_OWNER with need_reply: either ack value is "
	    "accepted, but the connection must stay open and answer GET_FEATURES (closing it is "
	    "neither ignoring the message nor disabling the rings).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_owner_reset_owner,
    },
    /* ---- REPLY_ACK on every request without a reply of its own ---- */
    {
	.id = "VHOST-ACK-001",
	.title = "REPLY_ACK: SET_OWNER answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_owner,
    },
    {
	.id = "VHOST-ACK-002",
	.title = "REPLY_ACK: SET_FEATURES answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC " The bits already negotiated.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_features,
    },
    {
	.id = "VHOST-ACK-003",
	.title = "REPLY_ACK: SET_PROTOCOL_FEATURES answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC " Sent a second time, with the bits already negotiated.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_protocol_features,
    },
    {
	.id = "VHOST-ACK-004",
	.title = "REPLY_ACK: SET_MEM_TABLE answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description =
	    ACK_DESC " Two regions, each half of a 1 MiB memfd (guest addresses 0 and 1 GiB).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_mem_table,
    },
    {
	.id = "VHOST-ACK-005",
	.title = "REPLY_ACK: SET_VRING_NUM answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_num,
    },
    {
	.id = "VHOST-ACK-006",
	.title = "REPLY_ACK: SET_VRING_ADDR answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
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
	.title = "REPLY_ACK: SET_VRING_BASE answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_base,
    },
    {
	.id = "VHOST-ACK-008",
	.title = "REPLY_ACK: SET_VRING_KICK answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_kick,
    },
    {
	.id = "VHOST-ACK-009",
	.title = "REPLY_ACK: SET_VRING_CALL answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_call,
    },
    {
	.id = "VHOST-ACK-010",
	.title = "REPLY_ACK: SET_VRING_ERR answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_err,
    },
    {
	.id = "VHOST-ACK-011",
	.title = "REPLY_ACK: SET_VRING_ENABLE answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_set_vring_enable,
    },
    {
	.id = "VHOST-ACK-012",
	.title = "REPLY_ACK: ADD_MEM_REG answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_ack_add_mem_reg,
    },
    {
	.id = "VHOST-ACK-013",
	.title = "REPLY_ACK: REM_MEM_REG answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC " The region removed is the one just added.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_ack_rem_mem_reg,
    },
    {
	.id = "VHOST-ACK-014",
	.title = "REPLY_ACK: SET_STATUS answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC " Status 0.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(STATUS),
	.run = vu_ack_set_status,
    },
    {
	.id = "VHOST-ACK-015",
	.title = "REPLY_ACK: RESET_DEVICE answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description = ACK_DESC,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(RESET_DEVICE),
	.run = vu_ack_reset_device,
    },
    {
	.id = "VHOST-ACK-016",
	.title = "REPLY_ACK: every valid request of VHOST-ACK-001..015 acked 0",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_SHOULD,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory (split from VHOST-ACK-001..015): each of their valid requests whose "
	    "protocol feature is offered is sent again on a connection of its own and must be "
	    "acknowledged with 0. The quoted sentence asks for 0 on success; no sentence makes a "
	    "back-end succeed at every valid request (it may lack resources), so a non-zero ack is "
	    "no spec verdict. But a front-end such as QEMU gives up on a back-end that fails "
	    "these requests.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ack_all_valid_zero,
    },
    /* ---- Memory ---- */
    {
	.id = "VHOST-MEM-001",
	.title = "SET_MEM_TABLE with 8 regions is accepted",
	.spec = "vhost-user.rst: Multiple Memory regions description; Front-end message types; "
		"VHOST_USER_SET_MEM_TABLE",
	.quote = "regions field contains 8 regions of type Memory region description.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: 8 valid 64 KiB regions, one fd each in the same order, must be acknowledged "
	    "with 0. The message holds 8 regions and QEMU sends up to 8 without "
	    "CONFIGURE_MEM_SLOTS, but no sentence makes a back-end accept every table it can "
	    "carry; one that refuses cannot serve a guest with that many memory regions.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_eight_regions,
    },
    {
	.id = "VHOST-MEM-002",
	.title = "SET_MEM_TABLE counting 9 regions is refused",
	.spec = "vhost-user.rst: Multiple Memory regions description; Front-end message types; "
		"VHOST_USER_SET_MEM_TABLE",
	.quote = Q_MEM_FDS,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "num regions 9 with 8 regions and 8 fds (the most a message carries): a "
		       "back-end that trusts the count reads a ninth region past the payload and "
		       "an fd that was not sent. The quoted sentence binds the front-end (the fds "
		       "it sends match its regions)." MALFORMED REFUSED
		       " Whether the previous table is still in use is VHOST-MEM-012.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_too_many_regions,
    },
    {
	.id = "VHOST-MEM-003",
	.title = "Regions overlapping in guest addresses are refused",
	.spec = "vhost-user.rst: Memory access",
	.quote = "Guest addresses map to the vhost memory region containing that guest address.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "Advisory: two regions sharing guest addresses leave the sentence with two regions to "
	    "map an address to; no sentence asks the back-end to refuse the table, but one that "
	    "accepts it may read and write a guest buffer through the wrong region." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_overlap_gpa,
    },
    {
	.id = "VHOST-MEM-004",
	.title = "Regions overlapping in user addresses are refused",
	.spec = "vhost-user.rst: Memory access",
	.quote = "User addresses map to the vhost memory region containing that user address.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "Advisory: as VHOST-MEM-003 for user (ring) addresses, on two regions of different "
	    "fds. The quoted sentence says how a user address maps and says nothing of a table in "
	    "which two regions contain it; a back-end that accepts one may translate a ring "
	    "address into the wrong file." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_overlap_uva,
    },
    {
	.id = "VHOST-MEM-005",
	.title = "A region of size 0 is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_MEM_TABLE",
	.quote = "Sets the memory map regions on the back-end so it can translate the vring "
		 "addresses.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "Advisory: a region without bytes cannot be mapped, and a back-end that "
		       "computes its end as start + size - 1 covers the whole address space. No "
		       "sentence asks for the check." REFUSED
		       " Whether the previous table is still in use is VHOST-MEM-012.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_zero_size,
    },
    {
	.id = "VHOST-MEM-006",
	.title = "A region larger than its fd is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_MEM_TABLE",
	.quote = Q_MEM_FDS,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Advisory: a 2 MiB region on a 1 MiB memfd. mmap succeeds, but the first "
		       "access past the end of the file raises SIGBUS in the back-end; a robust "
		       "back-end checks the size (fstat). No sentence asks for it." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_past_fd,
    },
    {
	.id = "VHOST-MEM-007",
	.title = "A region with an unaligned mmap offset is refused or usable",
	.spec = "vhost-user.rst: Memory region description",
	.quote = "mmap offset: a 64-bit offset where region starts in the mapped memory",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Advisory: the spec puts no alignment on the mmap offset (0x800 here) and says nothing "
	    "of one a back-end cannot map. It may refuse the table; if it acknowledges it with 0, "
	    "ring addresses inside it must be accepted: a back-end that rounds the offset to a "
	    "page moves the region, and guest data with it.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_unaligned_offset,
    },
    {
	.id = "VHOST-MEM-008",
	.title = "SET_MEM_TABLE after a ring was stopped is answered",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK; Ring states",
	.quote = Q_REPLY_ACK_MUST,
	.level = CONFORM_MUST,
	.description =
	    "A ring is started and stopped by GET_VRING_BASE, and a new table (the old region and "
	    "one of another memfd) is sent with need_reply: the back-end MUST respond, as "
	    "VHOST-ACK-004 asks of a first table. Either ack value and a closed connection pass; "
	    "silence or another reply fails. A set-up step that fails is an ERROR. Whether the "
	    "new table is then in use is VHOST-MEM-013 (split from this case).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_replace_stopped,
    },
    {
	.id = "VHOST-MEM-009",
	.title = "ADD_MEM_REG and REM_MEM_REG change the table region by region",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_ADD_MEM_REG, "
		"VHOST_USER_REM_MEM_REG",
	.quote = "The message payload contains a memory region descriptor struct, describing a "
		 "region of guest memory which the back-end device must map in. [...] The message "
		 "payload contains a memory region descriptor struct, describing a region of guest "
		 "memory which the back-end device must unmap.",
	.level = CONFORM_MUST,
	.description =
	    "Add A, add B, remove A (identified by guest address, user address and size): all "
	    "acknowledged with 0; ring addresses in B are accepted; A can be added again.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_mem_add_rem_roundtrip,
    },
    {
	.id = "VHOST-MEM-010",
	.title = "REM_MEM_REG of a region that is not in the table is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_REM_MEM_REG",
	.quote = "The memory region to be removed is identified by its guest address, user "
		 "address and size.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: no region matches, so nothing can be unmapped. vhost-user.rst does not say "
	    "whether that is a failure (a non-zero ack) or nothing to do (0), and read as the "
	    "latter no sentence requires the refusal; a back-end that says 0 lets a front-end "
	    "believe in a table it does not have." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_mem_rem_unknown,
    },
    {
	.id = "VHOST-MEM-011",
	.title = "An fd sent with REM_MEM_REG is closed",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_REM_MEM_REG",
	.quote = "If a file descriptor is passed, the back-end MUST close it without using it "
		 "otherwise.",
	.level = CONFORM_MUST,
	.description =
	    "The back-end MAY accept REM_MEM_REG with one fd, and MUST close it. The fd is a "
	    "pipe's write end: once the back-end answered, the read end must see end-of-file. "
	    "Either ack value and a closed connection are accepted; silence fails (REPLY_ACK: the "
	    "back-end MUST respond).",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_mem_rem_closes_fd,
    },
    {
	.id = "VHOST-MEM-012",
	.title = "After a refused SET_MEM_TABLE the previous table is still in use",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = "The reply payload gives QEMU a deterministic indication of the result of the "
		 "command.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory (split from VHOST-MEM-002..006): bad tables (a region of size 0, one past "
	    "its "
	    "fd, regions overlapping in guest addresses) are sent in turn, each on a new "
	    "connection with a good table, until one is refused with a non-zero ack; ring "
	    "addresses inside the good table must then still be accepted. No sentence says what a "
	    "refused request leaves behind; a back-end that dropped its table first leaves a "
	    "front-end that goes on with nothing to serve. N/A when no table is refused with a "
	    "nack on an open connection.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_refused_keeps_old,
    },
    {
	.id = "VHOST-MEM-013",
	.title = "A new table replaces the old one while the rings are stopped",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_MEM_TABLE; Ring states",
	.quote = "Sets the memory map regions on the back-end so it can translate the vring "
		 "addresses.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Advisory (split from VHOST-MEM-008): as VHOST-MEM-008; if the back-end acknowledges "
	    "the new table with 0, the ring set up again in its new region must be accepted and "
	    "GET_VRING_BASE must return its new base (3). The quoted sentence defines "
	    "SET_MEM_TABLE without a keyword, and no sentence says that a table acknowledged with "
	    "0 is the one in use. A back-end that goes on translating through the old table "
	    "reads and writes guest buffers where the front-end no longer keeps them. A table "
	    "refused, or not answered (VHOST-MEM-008), leaves nothing to check: ERROR.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_replace_in_use,
    },
    {
	.id = "VHOST-MEM-014",
	.title = "A region that runs past its fd from its mmap offset is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_MEM_TABLE",
	.quote = Q_MEM_FDS,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "Advisory, VHOST-MEM-006 at an offset: a region of 1 MiB at mmap offset 512 KiB of a "
	    "1 MiB memfd ends 512 KiB past the end of its fd. No sentence makes a back-end check "
	    "that a region fits its fd; one that maps it anyway takes a SIGBUS at the first "
	    "access past the end, and with it every device it serves." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_past_fd_at_offset,
    },
    {
	.id = "VHOST-MEM-015",
	.title = "A region of size 0 at an unaligned mmap offset is refused",
	.spec = "vhost-user.rst: Memory region description; VHOST_USER_SET_MEM_TABLE",
	.quote = "size: a 64-bit size",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory, VHOST-MEM-005 at mmap offset 0x800: a region of 0 bytes. The spec says "
	    "nothing of an empty region; mapping from the page below an unaligned offset makes "
	    "a mapping of one page for a region of no bytes, which a back-end that refuses size "
	    "0 only because mmap() fails on it accepts." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_mem_zero_size_unaligned,
    },
    {
	.id = "VHOST-MEM-016",
	.title = "REM_MEM_REG with another user address removes no region",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_REM_MEM_REG",
	.quote = "The memory region to be removed is identified by its guest address, user "
		 "address and size. The mmap offset is ignored.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Advisory: after ADD_MEM_REG of a region, REM_MEM_REG with its guest address and size "
	    "but a user address 16 MiB away. The quoted text identifies a region by all three; no "
	    "sentence says what a back-end does with a description that matches none, and one "
	    "that matches by guest address and size alone unmaps a region the front-end still "
	    "uses. With need_reply: a non-zero ack or a closed connection; after a non-zero "
	    "ack, ring addresses inside the region must still be accepted; then the back-end "
	    "must still serve.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_mem_rem_other_uva,
    },
    {
	.id = "VHOST-MEM-017",
	.title = "Buffers at the first byte of regions out of order and away from gpa 0",
	.spec = "vhost-user.rst: Memory access",
	.quote = "Guest addresses map to the vhost memory region containing that guest address.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Advisory: one memfd as three regions, sent in the order gpa 64 MiB (its offset 5 "
	    "MiB), gpa 32 MiB (offset 4 MiB), gpa 0 (the rings). A write from the first byte of "
	    "the region at 64 MiB reads back into the first byte of the one at 32 MiB. The "
	    "quoted sentence defines the mapping but words no requirement for a back-end; one "
	    "that looks regions up in the order sent, misses a region's first byte or forgets "
	    "to subtract its guest address reads and writes other guest memory. N/A on a "
	    "read-only device.",
	.features = F_PROTO,
	.run = vu_io_regions,
    },
    {
	.id = "VHOST-MEM-018",
	.title = "Data read into a region at an unaligned mmap offset lands there",
	.spec = "vhost-user.rst: Memory region description",
	.quote = "mmap offset: a 64-bit offset where region starts in the mapped memory",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Advisory, VHOST-MEM-007 with data: a second region starts at offset 4 MiB + 0x800 "
	    "of the memfd. The spec puts no alignment on the offset and says nothing of one a "
	    "back-end cannot map: N/A when the table is refused. Once it is taken, a write read "
	    "back into the region's first byte must land there; a back-end that maps from the "
	    "page below and forgets the 0x800 writes guest memory 2 KiB before the buffer. N/A "
	    "on a read-only device.",
	.features = F_PROTO,
	.run = vu_io_unaligned_region,
    },
    {
	.id = "VHOST-MEM-019",
	.title = "A new memory table while a ring runs: the ring serves on it",
	.spec = "vhost-user.rst: Ring states; VHOST_USER_SET_MEM_TABLE",
	.quote = "While processing the rings (whether they are enabled or not), the back-end must "
		 "support changing some configuration aspects on the fly.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: a read on the running ring, then (as QEMU's memory hot-plug does, without "
	    "stopping the rings) SET_MEM_TABLE with the device's region and a new one at 64 MiB, "
	    "acked 0; a read into the new region's first byte on the same running ring must then "
	    "complete with the same data. The quoted sentence leaves which aspects open, so no "
	    "sentence requires a new table among them (the weaker reading); a back-end that "
	    "swaps the table under a running ring without restarting it reads freed memory. "
	    "VHOST-MEM-008 is the same with the ring stopped.",
	.features = F_PROTO,
	.run = vu_io_mem_table_while_running,
    },
    /* ---- Rings ---- */
    {
	.id = "VHOST-RING-001",
	.title = "GET_VRING_BASE of a ring started with nothing available returns its base",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_VRING_BASE",
	.quote = Q_VRING_BASE,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Ring 0 is set up in QEMU's order (SET_VRING_NUM, ADDR, BASE 0, KICK, CALL, ERR, then "
	    "ENABLE 1, as PROTOCOL_FEATURES is negotiated) and started with nothing made "
	    "available: GET_VRING_BASE returns 0. A refused set-up step is an ERROR (whether valid "
	    "requests are acknowledged with 0 is VHOST-ACK-016). Advisory: the quoted sentence "
	    "defines GET_VRING_BASE's reply without a keyword. A back-end that answers another "
	    "index has a front-end that restarts the ring there, or migrates it, skip or repeat "
	    "requests.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_setup_order,
    },
    {
	.id = "VHOST-RING-002",
	.title = "GET_VRING_BASE of a ring never kicked returns SET_VRING_BASE's value",
	.spec = "vhost-user.rst: Ring states; Front-end message types; VHOST_USER_GET_VRING_BASE",
	.quote = "Each ring is initialized in a stopped and disabled state. [...] " Q_STOPPED,
	.level = CONFORM_MUST,
	.description = "Ring 1 is given a size, addresses and base 1234 but no kick, so it is "
		       "still stopped and was not processed: GET_VRING_BASE, which returns the "
		       "next descriptor index to process, returns 1234.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_base_unstarted,
    },
    {
	.id = "VHOST-RING-003",
	.title = "A ring stopped by GET_VRING_BASE restarts at a new base",
	.spec = "vhost-user.rst: Ring states",
	.quote = Q_START_STOP,
	.level = CONFORM_MUST,
	.description = "Started at base 10 and stopped by GET_VRING_BASE (10), the ring is given "
		       "base 20, a kick fd and ENABLE again, as after the first start: every step "
		       "must be accepted (a kick must start it) and GET_VRING_BASE returns 20.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_base_restart,
    },
    {
	.id = "VHOST-RING-004",
	.title = "SET_VRING_NUM 0 is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_VRING_NUM; virtio 1.2 "
		"§2.7",
	.quote = Q_QUEUE_SIZE,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = RING_SIZE " A size of 0 makes the index mask num - 1 all ones." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_num_zero,
    },
    {
	.id = "VHOST-RING-005",
	.title = "SET_VRING_NUM 100 (not a power of 2) is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_VRING_NUM; virtio 1.2 "
		"§2.7",
	.quote = Q_QUEUE_SIZE,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = RING_SIZE " Size 100, not a power of 2: the free-running 16-bit indexes do "
				 "not wrap with the ring, so entries are read in the wrong "
				 "place." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_num_not_pow2,
    },
    {
	.id = "VHOST-RING-006",
	.title = "SET_VRING_NUM 65536 is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_VRING_NUM; virtio 1.2 "
		"§2.7",
	.quote = Q_QUEUE_SIZE,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = RING_SIZE " Size 65536: past 32768, and past what a 16-bit index "
				 "holds." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_num_too_big,
    },
    {
	.id = "VHOST-RING-007",
	.title = "SET_VRING_ADDR outside every memory region is refused",
	.spec = "vhost-user.rst: Memory access; Front-end message types; VHOST_USER_SET_VRING_ADDR",
	.quote = "User addresses map to the vhost memory region containing that user address.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "Advisory: the used ring's user address lies 1 MiB past the only region, so it maps "
	    "to no region. No sentence asks for a check; a back-end that does not translate "
	    "through its table writes where the front-end has no memory. (A back-end may check "
	    "when the ring starts instead; the case asks for the refusal at "
	    "SET_VRING_ADDR.)" REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_ring_addr_outside,
    },
    /* ---- Vring index past the queue count ---- */
    {
	.id = "VHOST-MQ-001",
	.title = "SET_VRING_NUM for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support",
	.quote = Q_QUEUE_NUM,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = MQ_INDEX REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_num,
    },
    {
	.id = "VHOST-MQ-002",
	.title = "SET_VRING_ADDR for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support",
	.quote = Q_QUEUE_NUM,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = MQ_INDEX REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_addr,
    },
    {
	.id = "VHOST-MQ-003",
	.title = "SET_VRING_BASE for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support",
	.quote = Q_QUEUE_NUM,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = MQ_INDEX REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_base,
    },
    {
	.id = "VHOST-MQ-004",
	.title = "SET_VRING_KICK for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support; Front-end message types; "
		"VHOST_USER_SET_VRING_KICK",
	.quote = Q_QUEUE_NUM,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = MQ_INDEX " With an eventfd; the index is in bits 0-7." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_kick,
    },
    {
	.id = "VHOST-MQ-005",
	.title = "SET_VRING_CALL for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support; Front-end message types; "
		"VHOST_USER_SET_VRING_CALL",
	.quote = Q_QUEUE_NUM,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = MQ_INDEX " With an eventfd; the index is in bits 0-7." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_call,
    },
    {
	.id = "VHOST-MQ-006",
	.title = "SET_VRING_ENABLE for a vring index >= GET_QUEUE_NUM is refused",
	.spec = "vhost-user.rst: Multiple queue support; Front-end message types; "
		"VHOST_USER_SET_VRING_ENABLE",
	.quote = Q_QUEUE_NUM,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = MQ_INDEX " Enable 1." REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_set_vring_enable,
    },
    {
	.id = "VHOST-MQ-007",
	.title = "GET_VRING_BASE for a vring index >= GET_QUEUE_NUM returns no ring state",
	.spec = "vhost-user.rst: Multiple queue support; Front-end message types; "
		"VHOST_USER_GET_VRING_BASE",
	.quote = Q_QUEUE_NUM,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = MQ_INDEX
	" GET_VRING_BASE has a reply of its own and no failure value: the case "
	"accepts an empty or otherwise sized reply or a closed connection, not a vring "
	"state for a queue that does not exist; then a new connection must be served.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_get_vring_base,
    },
    {
	.id = "VHOST-MQ-008",
	.title = "The last of GET_QUEUE_NUM's queues can be set up and started",
	.spec = "vhost-user.rst: Multiple queue support; VHOST_USER_GET_QUEUE_NUM",
	.quote = "The max number of queues the back-end supports can be queried with message "
		 "VHOST_USER_GET_QUEUE_NUM.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: vring GET_QUEUE_NUM - 1 is set up and started as QEMU starts a queue "
	    "(SET_VRING_NUM, ADDR, BASE 0, KICK, CALL, ENABLE 1), every step with need_reply, "
	    "and must be acked 0; GET_VRING_BASE then returns 0. The quoted sentence makes the "
	    "answer the back-end's maximum but no sentence requires it to start every queue it "
	    "counts; a back-end that counts more queues than it serves leaves a front-end that "
	    "sized itself by the answer (QEMU's num-queues) with queues that never start.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(MQ),
	.run = vu_mq_last_queue_starts,
    },
    /* ---- Config space ---- */
    {
	.id = "VHOST-CFG-001",
	.title = "GET_CONFIG reply payload size matches the request",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_CONFIG",
	.quote = Q_GET_CONFIG,
	.level = CONFORM_MUST,
	.description = "8 bytes at offset 0 (the capacity): the reply, with the reply flag, is "
		       "20 bytes (12 + 8) or, the error answer, empty. A closed connection passes "
		       "(\"Communication\"); silence or another size fails.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_header,
    },
    {
	.id = "VHOST-CFG-002",
	.title = "GET_CONFIG reaching past 256 bytes: the size asked, or the error reply",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_CONFIG",
	.quote = Q_GET_CONFIG,
	.level = CONFORM_MUST,
	.description =
	    "Offset 200, size 100. vhost-user.rst puts no bound on a config access (256 bytes is "
	    "QEMU's buffer, not the spec's), so the one rule is the size: a 112-byte reply or an "
	    "empty one pass, as does a closed connection; a reply of the bytes that fit in 256 "
	    "(68) fails, as does silence.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_past_256,
    },
    {
	.id = "VHOST-CFG-003",
	.title = "GET_CONFIG of 257 bytes: the size asked, or the error reply",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_CONFIG",
	.quote = Q_GET_CONFIG,
	.level = CONFORM_MUST,
	.description =
	    "Size 257 with 269 bytes of payload, more than QEMU's 256-byte buffer but nothing the "
	    "spec forbids: a 269-byte reply or an empty one pass, as does a closed connection; a "
	    "reply of another size fails, as does silence. This front-end takes replies of up to "
	    "268 bytes: a larger one is not measured and passes with a note.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_size_over_256,
    },
    {
	.id = "VHOST-CFG-004",
	.title = "GET_CONFIG whose size field disagrees with the payload is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_CONFIG",
	.quote = Q_GET_CONFIG,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "Size field 8 in a 28-byte payload: the request has two sizes, and the quoted MUST "
	    "does not say which one is \"the front-end's request\". An empty (error) reply, a "
	    "28-byte reply or a closed connection pass; a reply sized by the field alone fails, as "
	    "a back-end that trusts the field over the bytes received reads past them when the "
	    "field is the larger. Then the back-end must still serve." MALFORMED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_size_mismatch,
    },
    {
	.id = "VHOST-CFG-005",
	.title = "GET_CONFIG of 0 bytes is answered",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_CONFIG",
	.quote = Q_GET_CONFIG,
	.level = CONFORM_MUST,
	.description =
	    "The spec does not say whether size 0 is an error, and the quoted rule covers both: a "
	    "12-byte reply or an empty one pass, as does a closed connection; silence fails.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_size_zero,
    },
    {
	.id = "VHOST-CFG-006",
	.title = "SET_CONFIG of a read-only field does not change it",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_CONFIG",
	.quote = "The vhost-user back-end must check the flags field, and back-ends MUST NOT "
		 "accept SET_CONFIG for read-only configuration space fields unless the live "
		 "migration bit is set.",
	.level = CONFORM_MUST,
	.description = "After writing the block capacity (read-only: virtio 1.2 §5.2.5 lets the "
		       "driver set only writeback) with flags 0, GET_CONFIG on a new connection "
		       "returns the old capacity. The ack is VHOST-CFG-007's business.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_set_read_only,
    },
    {
	.id = "VHOST-CFG-007",
	.title = "SET_CONFIG of a read-only field gets a non-zero ack",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK; Front-end message types; "
		"VHOST_USER_SET_CONFIG",
	.quote = Q_REPLY_ACK_SHOULD,
	.level = CONFORM_SHOULD,
	.description =
	    "The write of VHOST-CFG-006 must not be accepted, so it did not succeed: with "
	    "need_reply the ack should be non-zero, or the back-end closes the connection "
	    "(\"Communication\"); an ack of 0 or silence fails. The case reads \"success\" as "
	    "\"the write was done\" (the reply \"gives QEMU a deterministic indication of the "
	    "result of the command\"). Read with \"accept\" meaning \"acknowledge\", the ack of 0 "
	    "would break SET_CONFIG's MUST NOT: the case grades by the weaker SHOULD.",
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
	    "the size, which VHOST-CFG-001 checks; the message layout defines offset and payload "
	    "without a keyword.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIG),
	.run = vu_cfg_get_at_offset,
    },
    /* ---- Malformed headers ---- */
    {
	.id = "VHOST-MSG-001",
	.title = "A request with version 0 is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.quote = Q_VERSION,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Advisory: GET_FEATURES with version 0 must not get a features reply; "
		       "silence or a closed connection pass, then a new connection must be served. "
		       "The Header gives the version and says nothing of a request with another "
		       "one; a back-end that answers reads a message of a protocol it does not "
		       "speak as its own.",
	.run = vu_msg_version_0,
    },
    {
	.id = "VHOST-MSG-002",
	.title = "A request with version 2 is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.quote = Q_VERSION,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Advisory: as VHOST-MSG-001, version 2, which the Header says nothing of "
		       "either.",
	.run = vu_msg_version_2,
    },
    {
	.id = "VHOST-MSG-003",
	.title = "A request with version 3 is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.quote = Q_VERSION,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Advisory: as VHOST-MSG-001, version 3, which the Header says nothing of "
		       "either.",
	.run = vu_msg_version_3,
    },
    {
	.id = "VHOST-MSG-004",
	.title = "A request with the reply flag is not answered as valid",
	.spec = "vhost-user.rst: Header",
	.quote = Q_REPLY_FLAG,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Advisory: the reply flag marks replies from the back-end; a front-end "
		       "message carrying it is not a request, but no sentence says what a back-end "
		       "does with one. As VHOST-MSG-001.",
	.run = vu_msg_reply_flag,
    },
    /* ---- Payload sizes ---- */
    {
	.id = "VHOST-MSG-005",
	.title = "SET_FEATURES one byte short is refused",
	.spec = "vhost-user.rst: Payload; A single 64-bit integer; Front-end message types; "
		"VHOST_USER_SET_FEATURES",
	.quote = "u64: a 64-bit unsigned integer",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "7 bytes instead of the u64." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_set_features,
    },
    {
	.id = "VHOST-MSG-006",
	.title = "SET_FEATURES one byte long is refused",
	.spec = "vhost-user.rst: Payload; A single 64-bit integer; Front-end message types; "
		"VHOST_USER_SET_FEATURES",
	.quote = "u64: a 64-bit unsigned integer",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "9 bytes instead of the u64." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_long_set_features,
    },
    {
	.id = "VHOST-MSG-007",
	.title = "SET_VRING_NUM one byte short is refused",
	.spec = "vhost-user.rst: Payload; A vring state description",
	.quote = "index: a 32-bit index [...] num: a 32-bit number",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "7 bytes instead of 8." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_vring_num,
    },
    {
	.id = "VHOST-MSG-008",
	.title = "SET_VRING_NUM one byte long is refused",
	.spec = "vhost-user.rst: Payload; A vring state description",
	.quote = "index: a 32-bit index [...] num: a 32-bit number",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "9 bytes instead of 8." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_long_vring_num,
    },
    {
	.id = "VHOST-MSG-009",
	.title = "SET_VRING_ADDR one byte short is refused",
	.spec = "vhost-user.rst: Payload; A vring address description",
	.quote = "index: a 32-bit vring index [...] log: a 64-bit guest address for logging",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "39 bytes instead of 40." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_vring_addr,
    },
    {
	.id = "VHOST-MSG-010",
	.title = "SET_VRING_ADDR one byte long is refused",
	.spec = "vhost-user.rst: Payload; A vring address description",
	.quote = "index: a 32-bit vring index [...] log: a 64-bit guest address for logging",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "41 bytes instead of 40." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_long_vring_addr,
    },
    {
	.id = "VHOST-MSG-011",
	.title = "SET_MEM_TABLE one byte short of its regions is refused",
	.spec = "vhost-user.rst: Payload; Multiple Memory regions description",
	.quote = "num regions: a 32-bit number of regions [...] regions: regions field contains 8 "
		 "regions of type Memory region description.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "num regions 1 and one fd, but 39 bytes instead of 40." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_short_mem_table,
    },
    {
	.id = "VHOST-MSG-012",
	.title = "ADD_MEM_REG one byte short is refused",
	.spec = "vhost-user.rst: Payload; Single memory region description",
	.quote =
	    "padding: 64-bit [...] region: region is represented by Memory region description.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "39 bytes instead of 40, with its fd." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_msg_short_add_mem_reg,
    },
    /* ---- Unknown requests, oversized payload ---- */
    {
	.id = "VHOST-MSG-013",
	.title = "Request type 0 is refused",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST " " Q_REPLY_ACK_SHOULD,
	.level = CONFORM_SHOULD,
	.description =
	    "Type 0 is not a request. REPLY_ACK lets need_reply be set on any command, and then "
	    "the back-end MUST respond; a request it does not know is not done, so the answer "
	    "should be non-zero, or the back-end closes the connection (\"Communication\"). An ack "
	    "of 0 (claiming success) or silence fails. The case judges the answer only.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_unknown_0,
    },
    {
	.id = "VHOST-MSG-014",
	.title = "Request type 200 is refused",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST " " Q_REPLY_ACK_SHOULD,
	.level = CONFORM_SHOULD,
	.description = "As VHOST-MSG-013, a type no message has.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_unknown_max,
    },
    {
	.id = "VHOST-MSG-015",
	.title = "Request type 0xffffffff is refused",
	.spec = "vhost-user.rst: VHOST_USER_PROTOCOL_F_REPLY_ACK",
	.quote = Q_REPLY_ACK_MUST " " Q_REPLY_ACK_SHOULD,
	.level = CONFORM_SHOULD,
	.description =
	    "As VHOST-MSG-013, the largest type (catches signed or table-bound indexing).",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_unknown_huge,
    },
    {
	.id = "VHOST-MSG-016",
	.title = "A 4 KiB payload is refused",
	.spec = "vhost-user.rst: Header",
	.quote = "size: 32-bit size of the payload",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "SET_FEATURES announcing and carrying 4096 bytes, more than any request "
		       "has: a back-end that reads the payload into a buffer of the largest "
		       "request it knows overruns it." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_oversized,
    },
    /* ---- fds ---- */
    {
	.id = "VHOST-MSG-017",
	.title = "SET_VRING_KICK without fd and without the invalid-FD flag is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_VRING_KICK",
	.quote = Q_NOFD,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Bit 8 says there is no fd; here it is clear and no fd comes. The quoted sentence "
	    "binds the front-end (it sets the bit when it sends no fd); a back-end that takes a "
	    "missing fd as given waits on, or signals, an fd it never received." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_kick_missing_fd,
    },
    {
	.id = "VHOST-MSG-018",
	.title = "SET_VRING_CALL without fd and without the invalid-FD flag is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_VRING_CALL",
	.quote = Q_NOFD,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As VHOST-MSG-017: the invalid-FD sentence binds the front-end; a back-end "
		       "that takes the missing fd as given signals an fd it never "
		       "received." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_call_missing_fd,
    },
    {
	.id = "VHOST-MSG-019",
	.title = "SET_MEM_TABLE with a region and no fd is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_MEM_TABLE",
	.quote = Q_MEM_FDS,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "One region, no fd. The quoted sentence binds the front-end (the fds it "
	    "sends match its regions); a back-end that maps the region from an fd it did "
	    "not receive maps something else, or nothing." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_mem_table_missing_fd,
    },
    {
	.id = "VHOST-MSG-020",
	.title = "ADD_MEM_REG without its fd is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_ADD_MEM_REG",
	.quote = "Exactly one file descriptor from which the memory is mapped is passed in the "
		 "ancillary data.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "No fd: as VHOST-MSG-019 for a single region; the quoted sentence says what "
		       "the front-end passes." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(CONFIGURE_MEM_SLOTS),
	.run = vu_msg_add_mem_reg_missing_fd,
    },
    {
	.id = "VHOST-MSG-021",
	.title = "SET_MEM_TABLE with one region and two fds is refused",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_MEM_TABLE",
	.quote = Q_MEM_FDS,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "One region, two fds: the quoted sentence binds the front-end (one fd per region), "
	    "and which of the two backs the region is not said." MALFORMED REFUSED,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_mem_table_extra_fd,
    },
    {
	.id = "VHOST-MSG-022",
	.title = "An fd sent with a request that takes none is closed",
	.spec = "vhost-user.rst: Communication",
	.quote = "There are several messages that the front-end sends with file descriptors passed "
		 "in the ancillary data:",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Advisory: SET_VRING_NUM (valid) with a pipe's write end. The spec lists "
		       "the requests that carry fds and this is not one, but says nothing of an fd "
		       "that comes anyway. The back-end may accept or refuse the request, but "
		       "should not keep the fd (a leak per message, until it runs out of fds): the "
		       "read end must see end-of-file. Then it must still serve.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_extra_fd_closed,
    },
    {
	.id = "VHOST-MSG-023",
	.title = "An fd sent with the invalid-FD flag set is closed",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_SET_VRING_CALL",
	.quote = Q_NOFD,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: SET_VRING_CALL with bit 8 set (no fd) and an fd all the same. "
	    "The quoted sentence binds the front-end (it sets the bit when it sends no "
	    "fd) and says nothing of an fd that comes with the bit set. As VHOST-MSG-022, "
	    "the back-end should not keep the fd: the read end must see end-of-file. "
	    "Then it must still serve.",
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_msg_nofd_with_fd_closed,
    },
    /* ---- Connections ---- */
    {
	.id = "VHOST-CONN-001",
	.title = "A new front-end is served after one left after negotiation",
	.spec = "vhost-user.rst: Communication",
	.quote = Q_RECONNECT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "The first front-end negotiates features and closes. The next one "
		       "negotiates, sets a memory table, sets up and starts ring 0 at base 7 and "
		       "reads 7 back with GET_VRING_BASE." RECONNECT,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_after_features,
    },
    {
	.id = "VHOST-CONN-002",
	.title = "A new front-end is served after one left after SET_MEM_TABLE",
	.spec = "vhost-user.rst: Communication",
	.quote = Q_RECONNECT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As VHOST-CONN-001, the first front-end also set a memory table." RECONNECT,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_after_mem_table,
    },
    {
	.id = "VHOST-CONN-003",
	.title = "A new front-end is served after one left with rings started",
	.spec = "vhost-user.rst: Communication; Ring states",
	.quote = Q_RECONNECT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As VHOST-CONN-001, the first front-end started rings 0 and 1 and closed "
		       "without stopping them: the back-end drops them, and the new front-end's "
		       "ring 0 starts at its own base." RECONNECT,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_after_rings,
    },
    {
	.id = "VHOST-CONN-004",
	.title = "A front-end that leaves mid-header does not stop the back-end",
	.spec = "vhost-user.rst: Communication",
	.quote = Q_RECONNECT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "6 of the 12 header bytes, then close. As VHOST-CONN-001 afterwards." RECONNECT,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_truncated_header,
    },
    {
	.id = "VHOST-CONN-005",
	.title = "A front-end that leaves mid-payload does not stop the back-end",
	.spec = "vhost-user.rst: Communication",
	.quote = Q_RECONNECT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "SET_FEATURES' header and 3 of its 8 payload bytes, then close. As "
		       "VHOST-CONN-001 afterwards." RECONNECT,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_truncated_payload,
    },
    {
	.id = "VHOST-CONN-006",
	.title = "A new front-end is served after one left with I/O in flight",
	.spec = "vhost-user.rst: Communication; Ring states",
	.quote = Q_RECONNECT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "The first front-end brings up a device (conform_dev) with 2 queues, makes "
		       "32 reads available on each, kicks and closes at once. The back-end drops "
		       "the rings (their requests may complete into memory no one reads) and "
		       "serves the next front-end as in VHOST-CONN-001." RECONNECT,
	.features = F_PROTO,
	.protocol_features = PF_ACK,
	.run = vu_conn_io_in_flight,
    },
    /* ---- Data path ---- */
    {
	.id = "VHOST-RING-008",
	.title = "GET_VRING_BASE after I/O returns the number of requests consumed",
	.spec = "vhost-user.rst: Front-end message types; VHOST_USER_GET_VRING_BASE",
	.quote = Q_VRING_BASE,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "5 reads are made available and all 5 come back used; GET_VRING_BASE (which stops the "
	    "ring) must return 5, the next available index the back-end would have read. "
	    "Advisory: the quoted sentence defines GET_VRING_BASE's reply without a keyword. A "
	    "back-end that answers another index has a front-end that restarts the ring there, "
	    "or migrates it, skip or repeat requests.",
	.features = F_PROTO,
	.run = vu_io_base_after_io,
    },
    {
	.id = "VHOST-RING-009",
	.title = "No request is processed after GET_VRING_BASE stopped the ring",
	.spec = "vhost-user.rst: Ring states",
	.quote = Q_STOPPED,
	.level = CONFORM_MUST,
	.description =
	    "After VHOST-RING-008's GET_VRING_BASE, a sixth read is made available without a "
	    "kick: a stopped ring must not be processed at all, so no used entry may appear within "
	    "the timeout. (Whether a kick on the old kick fd starts the ring again is open: "
	    "VHOST-RING-011.)",
	.features = F_PROTO,
	.run = vu_io_stopped_after_base,
    },
    {
	.id = "VHOST-RING-010",
	.title = "GET_VRING_BASE with requests in flight: nothing is used after the reply",
	.spec = "vhost-user.rst: Suspended device state; Ring states; Front-end message types; "
		"VHOST_USER_GET_VRING_BASE",
	.quote = "While all vrings are stopped, the device is suspended. In addition to not "
		 "processing any vring (because they are stopped), the device must: not write to "
		 "any guest memory regions, [...]",
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
	.id = "VHOST-RING-011",
	.title = "A kick after GET_VRING_BASE does not restart the stopped ring",
	.spec = "vhost-user.rst: Ring states",
	.quote = Q_START_STOP,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Advisory (split from VHOST-RING-009): as VHOST-RING-009, but the sixth read is kicked "
	    "on the kick fd given before GET_VRING_BASE. The quoted sentence does not say whether "
	    "a kick on that fd starts a ring GET_VRING_BASE stopped, and read as starting it, it "
	    "requires nothing of this kick; but QEMU restarts a ring with a new "
	    "SET_VRING_KICK, and a back-end that lets a late kick restart it serves requests that "
	    "a front-end which stopped the ring (to migrate) no longer tracks.",
	.features = F_PROTO,
	.run = vu_io_kick_after_base,
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
    {
	.id = "VHOST-RING-015",
	.title = "Without PROTOCOL_FEATURES a kicked ring serves requests",
	.spec = "vhost-user.rst: Ring states",
	.quote = "In addition, upon receiving a VHOST_USER_SET_FEATURES message from the "
		 "front-end without VHOST_USER_F_PROTOCOL_FEATURES set, the back-end must enable "
		 "all rings immediately.",
	.level = CONFORM_MUST,
	.description =
	    "A device set up with SET_FEATURES that leaves VHOST_USER_F_PROTOCOL_FEATURES out "
	    "(as a front-end without the extension does: no protocol features, one queue, no "
	    "SET_VRING_ENABLE); three reads are made available and the ring kicked, which starts "
	    "it (\"The back-end must start a ring upon receiving a kick\"). Enabled since "
	    "SET_FEATURES, the started ring must serve them.",
	.run = vu_io_no_protocol_features,
    },
    {
	.id = "VHOST-RING-016",
	.title = "After RESET_DEVICE a ring's base is 0 again",
	.spec = "vhost-user.rst: VHOST_USER_RESET_DEVICE",
	.quote = "Ask the vhost user back-end to disable all rings and reset all internal device "
		 "state to the initial state, ready to be reinitialized.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Advisory: vring 1 is given SET_VRING_NUM, ADDR and BASE 1234 (never kicked), then "
	    "RESET_DEVICE and SET_FEATURES again; GET_VRING_BASE of vring 1 must answer 0. No "
	    "sentence gives a ring's initial base; the reading taken is that a ring nothing was "
	    "made available on starts at index 0, as a reset virtqueue does (virtio 1.2 §2.7: "
	    "idx starts at 0). A back-end that keeps the old base serves a ring set up again "
	    "after the reset from the wrong index. N/A when the back-end closes the connection "
	    "on RESET_DEVICE.",
	.features = F_PROTO,
	.protocol_features = PF_ACK | VU_PF(RESET_DEVICE),
	.run = vu_ring_base_after_reset,
    },
    {
	.id = "VHOST-RING-017",
	.title = "A read used while GET_VRING_BASE drains the ring is notified",
	.spec = "vhost-user.rst: Ring states; virtio 1.2 §2.7.7.2",
	.quote = "If the idx field in the used ring (which determined where that descriptor index "
		 "was placed) was equal to used_event, the device MUST send a notification.",
	.level = CONFORM_MUST,
	.description =
	    "With VIRTIO_F_EVENT_IDX and used_event at 63, 32 reads are made available; once "
	    "the first is used, 32 more, and GET_VRING_BASE right after them, so that a device "
	    "that takes a while per request drains them on the way to its reply. When the reply "
	    "finds all 64 consumed and used, the entry at used_event was written and must have "
	    "been notified (the call eventfd is readable by then, or within the reply timeout). "
	    "A back-end that stopped before consuming them all leaves nothing to judge: tried 5 "
	    "times, then N/A.",
	.features = F_PROTO | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX),
	.run = vu_io_drain_notified,
    },
    /* ---- Dirty log (live migration) ---- */
    {
	.id = "VHOST-LOG-001",
	.title = "With logging on, what the back-end writes through a descriptor is marked",
	.spec = "vhost-user.rst: Migration",
	.quote = "All the modifications to memory pointed by vring \"descriptor\" should be "
		 "marked.",
	.level = CONFORM_SHOULD,
	.description =
	    "Logging is started on a ring set up and enabled, as QEMU starts it for a migration "
	    "(SET_LOG_BASE with a memfd log covering guest memory, SET_FEATURES with "
	    "VHOST_F_LOG_ALL, SET_VRING_ADDR with VHOST_VRING_F_LOG; without REPLY_ACK, a "
	    "GET_FEATURES behind them so that the kick cannot overtake them); a read into a "
	    "buffer that "
	    "crosses a page boundary completes, and GET_VRING_BASE stops the ring (the source's "
	    "last look at the log follows it). Both data pages and the status byte's page must "
	    "be marked (page = gpa / 4096, bit page % 8 of byte page / 8). A page missed is a "
	    "page the migration does not copy: the guest reads stale data on the destination. "
	    "N/A when the back-end does not offer VHOST_F_LOG_ALL and LOG_SHMFD. " WHO_MARKS,
	.features = F_PROTO,
	.run = vu_log_descriptor_writes,
    },
    {
	.id = "VHOST-LOG-002",
	.title = "With VHOST_VRING_F_LOG, the used ring's writes are marked",
	.spec = "vhost-user.rst: Migration",
	.quote = "Modifications to \"used\" vring should be marked if VHOST_VRING_F_LOG is part "
		 "of ring's flags.",
	.level = CONFORM_SHOULD,
	.description =
	    "As VHOST-LOG-001, with log_guest_addr the used ring's guest address (as QEMU sets "
	    "it): after one read and GET_VRING_BASE, the pages of the used idx and of used "
	    "element 0 must be marked. Missed, the destination's guest sees a used index or "
	    "element older than the request it completed: a request lost across the migration. "
	    WHO_MARKS,
	.features = F_PROTO,
	.run = vu_log_used_ring,
    },
    {
	.id = "VHOST-LOG-003",
	.title = "The used ring is logged at log_guest_addr, which may lie outside guest memory",
	.spec = "vhost-user.rst: Migration; A vring address description",
	.quote = "Note that when logging modifications to the used ring (when VHOST_VRING_F_LOG "
		 "is set for this ring), log_guest_addr should be used to calculate the log "
		 "offset: the write to first byte of the used ring is logged at this offset from "
		 "log start.",
	.level = CONFORM_SHOULD,
	.description =
	    "As VHOST-LOG-002 with log_guest_addr 64 MiB - 4, past guest memory (\"this value "
	    "might be outside the legal guest physical address range\") and placed so that the "
	    "used idx and element 0 fall in two log pages: both must be marked there. A "
	    "back-end that logs the used ring at its translated guest address instead marks "
	    "pages the front-end does not look at for it. " WHO_MARKS,
	.features = F_PROTO,
	.run = vu_log_used_at_log_guest_addr,
    },
    {
	.id = "VHOST-LOG-004",
	.title = "SET_LOG_BASE with LOG_SHMFD negotiated is answered",
	.spec = "vhost-user.rst: Communication; VHOST_USER_SET_LOG_BASE",
	.quote = "Most of the requests don't require replies, except for the following "
		 "requests: [...] VHOST_USER_SET_LOG_BASE (if VHOST_USER_PROTOCOL_F_LOG_SHMFD)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: the quoted sentence lists the requests with a reply without a keyword "
	    "(\"require\" of the requests, not of the back-end), and the reply's payload is "
	    "N/A. QEMU waits for this reply before it goes on: a back-end that does not send "
	    "it hangs the start of every migration. As VHOST-LOG-001's set-up: a reply of "
	    "SET_LOG_BASE with the reply flag, of any payload size, must come within the "
	    "timeout.",
	.features = F_PROTO,
	.run = vu_log_base_answered,
    },
    {
	.id = "VHOST-LOG-005",
	.title = "A log too small for guest memory is not written past its end",
	.spec = "vhost-user.rst: Migration; Log description",
	.quote = "The size of the log is supplied as part of VhostUserMsg which should be large "
		 "enough to cover all known guest addresses.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "Advisory: the sentence binds the front-end. SET_LOG_BASE gives a 1-byte log (8 "
	    "pages) in a 1-byte memfd for 16 MiB of guest memory, logging is started, and a "
	    "read into the last page of guest memory is made available. The back-end may "
	    "refuse the log (a reply, a closed connection, or no marks at all) or leave that "
	    "read unserved; it must not mark past the log: no bit may appear in the rest of the "
	    "memfd's page (the read's mark would fall in byte 511), and a new connection must "
	    "be served afterwards.",
	.features = F_PROTO,
	.run = vu_log_too_small,
    },
};

const struct conform_suite g_suite_vhost_user = {
    .name = "vhost-user",
    .description = "vhost-user protocol conformance of a back-end (QEMU "
		   "docs/interop/vhost-user.rst)",
    .cases = g_cases,
    .ncases = sizeof(g_cases) / sizeof(g_cases[0]),
    .transport = &g_conform_transport_vhost_user,
};
