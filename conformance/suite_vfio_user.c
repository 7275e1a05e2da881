/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user suite: what a vfio-user server does on its socket, case by
 * case, from QEMU docs/interop/vfio-user.rst (sections cited by name). The
 * code of each area is in suite_vfio_user_<area>.c; this file is the one
 * list of cases, with their IDs, quotes, levels and readings of the spec.
 *
 * Levels come from the quoted sentence, for the server: MUST where it says
 * must (or must not), SHOULD where it says should. A sentence that binds
 * the client ("the client must send a VFIO_USER_VERSION message") is never
 * a server verdict, and a sentence that defines a message without a keyword
 * ("The server responds with the original DMA entry in the request") states
 * no level: what a case checks from those alone is an advisory, as is what
 * no sentence asks of a server but a robust one does (refusing what it
 * cannot carry out, serving the next client after a malformed message); an
 * advisory has a severity and says why no sentence requires it. Where the
 * rst allows several answers (an error reply or a closed connection), each
 * passes. docs/conformance/audit-vfio-user.md records the audit of every
 * case.
 */
#include "conformance/suite_vfio_user.h"

/* ---- Sentences several cases quote (vfio-user.rst, markup dropped) ---- */
#define Q_REPLY                                                                                    \
	"Each command message in Commands must be replied to with a reply message, unless the "    \
	"message sets the No_Reply bit."
#define Q_MAJOR "The major version in the reply must be the same as proposed."
#define Q_CONN_INIT                                                                                \
	"The server replies with a compatible version and set of capabilities it supports, or "    \
	"closes the connection if it cannot support the advertised version."
#define Q_SECURITY                                                                                 \
	"Standard tools and mechanisms should be used on both sides to validate input and "        \
	"prevent against denial of service scenarios, buffer overflow, etc."
#define Q_MSG_SIZE                                                                                 \
	"The request payload size is defined by the usual msg_size field in the header, not the "  \
	"argsz field."
#define Q_MAP_FD                                                                                   \
	"If the DMA region being added can be directly mapped by the server, a file descriptor "   \
	"must be sent as part of the message meta-data."
#define Q_EEXIST                                                                                   \
	"A command to map over an existing region must be failed by the server with EEXIST set "   \
	"in error field in the reply."
#define Q_UNMAP_EXACT                                                                              \
	"The address and size of the DMA region being unmapped must match exactly a previous "     \
	"mapping."
#define Q_RW_SUPPORT                                                                               \
	"Note that all of these operations must be supported by the client and/or server, even "   \
	"if the corresponding memory or device region has been shared as mappable."
#define Q_IRQ_KNOW                                                                                 \
	"The client must know the capabilities of the device and IRQ index before it sends a "     \
	"VFIO_USER_DEVICE_SET_IRQ message."

/* ---- Readings several cases share ---- */
/* vfu_expect_refused: what "refused" means. */
#define REFUSED                                                                                    \
	" Refused means an error reply (any errno, 0 too: \"It may be zero even if the Error bit " \
	"is set\") or a closed connection; a reply without Error or silence until the timeout "    \
	"fails. Then a new client must be served (VERSION, the region infos, a read of CAP)."
#define MALFORMED                                                                                  \
	"Advisory: vfio-user.rst defines each message's layout and says nothing of the answer to " \
	"one that does not match it; a server that acts on one reads what it was not sent, or "    \
	"loses the framing of the stream. The nearest text is \"Security Considerations\"' "       \
	"general advice, which names no behaviour."

static const struct conform_case g_cases[] = {
    /* ---- Version negotiation ---- */
    {
	.id = "VFU-VER-001",
	.title = "The VERSION reply has the major proposed",
	.spec = "vfio-user.rst: VFIO_USER_VERSION",
	.quote = Q_MAJOR,
	.level = CONFORM_MUST,
	.description =
	    "VERSION 0.0 (the version QEMU's client proposes) with max_msg_fds and pgsizes: a "
	    "reply without Error must carry major 0. A server that closes the connection or "
	    "refuses 0.x does not support it (\"Connection Initiation\"): N/A.",
	.run = vfu_ver_same_major,
    },
    {
	.id = "VFU-VER-002",
	.title = "The VERSION reply has a minor no higher than proposed",
	.spec = "vfio-user.rst: VFIO_USER_VERSION",
	.quote = "The minor version in the reply must be equal to or less than the minor version "
		 "proposed.",
	.level = CONFORM_MUST,
	.description = "VERSION 0.7: a reply without Error must say 0.y with y <= 7. Closed or "
		       "refused: N/A, as VFU-VER-001.",
	.run = vfu_ver_minor_not_higher,
    },
    {
	.id = "VFU-VER-003",
	.title = "The VERSION reply's pgsizes are a subset of those proposed",
	.spec = "vfio-user.rst: VFIO_USER_VERSION",
	.quote = "The capability list must be a subset of those proposed.",
	.level = CONFORM_MUST,
	.description =
	    "VERSION 0.0 proposing pgsizes 4 KiB | 2 MiB: the reply's pgsizes (4 KiB when it "
	    "leaves it out, the table's default) must have no other bit. The case reads \"subset\" "
	    "of a capability that is a set of bits as a subset of those bits; the reply's other "
	    "capabilities are bounds of the server's own and are not judged. Reply version data "
	    "that is no capability object fails. Closed or refused: N/A.",
	.run = vfu_ver_pgsizes_subset,
    },
    {
	.id = "VFU-VER-004",
	.title = "A major the server does not support is not accepted as another",
	.spec = "vfio-user.rst: VFIO_USER_VERSION; Connection Initiation",
	.quote = Q_MAJOR " [...] " Q_CONN_INIT,
	.level = CONFORM_MUST,
	.description =
	    "VERSION 65535.0: the server closes the connection or refuses it with an error reply, "
	    "or accepts it with major 65535. A reply without Error and another major fails. Then "
	    "a new client must be served.",
	.run = vfu_ver_major_unsupported,
    },
    {
	.id = "VFU-VER-005",
	.title = "VERSION without version data is answered",
	.spec = "vfio-user.rst: Header; VFIO_USER_VERSION",
	.quote = Q_REPLY,
	.level = CONFORM_MUST,
	.description =
	    "VERSION 0.0 without version data (\"Optional\"; the capabilities then take their "
	    "defaults) must be replied to. A reply without Error must say major 0, and "
	    "DEVICE_GET_INFO must then be answered; an error reply passes. A server that "
	    "requires a capability closes the connection (\"it closes the connection\"): N/A.",
	.run = vfu_ver_no_version_data,
    },
    {
	.id = "VFU-VER-006",
	.title = "VERSION with version data that is no JSON is refused",
	.spec = "vfio-user.rst: VFIO_USER_VERSION",
	.quote = "The version data is an optional UTF-8 encoded JSON byte array with the following "
		 "format:",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "VERSION 0.0 whose version data is a JSON object cut short. Advisory: vfio-user.rst "
	    "defines the version data without a keyword and says nothing of the answer to "
	    "malformed data; a server that accepts it negotiates capabilities nobody sent." REFUSED,
	.run = vfu_ver_bad_json,
    },
    {
	.id = "VFU-VER-007",
	.title = "A command before VERSION is refused",
	.spec = "vfio-user.rst: VFIO_USER_VERSION",
	.quote = "Upon establishing a connection, the client must send a VFIO_USER_VERSION message "
		 "proposing a protocol version and a set of capabilities.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DEVICE_GET_INFO as the first message. Advisory: the quoted sentence binds the "
	    "client; no sentence says what the server does with a command before VERSION. One "
	    "that serves it runs a session whose capabilities were never negotiated." REFUSED,
	.run = vfu_ver_command_first,
    },
    /* ---- Header and framing ---- */
    {
	.id = "VFU-MSG-001",
	.title = "A reply carries the command's message ID",
	.spec = "vfio-user.rst: Header",
	.quote = "Message ID identifies the message, and is echoed in the command's reply message. "
		 "[...] " Q_REPLY,
	.level = CONFORM_MUST,
	.description =
	    "DEVICE_GET_INFO with message ID 0xbeef must be replied to, and the reply is the "
	    "message with that ID, command 4 and type Reply (\"acknowledging a previous command "
	    "with the same message ID\"); another message first fails.",
	.run = vfu_msg_id_echoed,
    },
    {
	.id = "VFU-MSG-002",
	.title = "Two commands with the same message ID are both answered",
	.spec = "vfio-user.rst: Header",
	.quote = "Message IDs belong entirely to the sender, can be re-used (even concurrently) "
		 "and the receiver must not make any assumptions about their uniqueness.",
	.level = CONFORM_MUST,
	.description =
	    "Two DEVICE_GET_INFO with ID 7, the second sent before the first is answered "
	    "(\"A client may pipeline multiple commands\"): two replies with ID 7, without Error, "
	    "must come.",
	.run = vfu_msg_id_reused,
    },
    {
	.id = "VFU-MSG-003",
	.title = "A command with No_reply is not answered",
	.spec = "vfio-user.rst: Header; Command Concurrency",
	.quote = "No_reply in a command message indicates that no reply is needed for this "
		 "command.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DEVICE_GET_INFO with No_reply, then one without: the first message back must be "
	    "the reply to the second. Advisory: the sentence defines the bit without a keyword, "
	    "and \"must be replied to [...] unless the message sets the No_Reply bit\" does not "
	    "forbid a reply; but a client that sets it (\"only the last needs acknowledgement\") "
	    "reads an unexpected reply as the answer to its next command.",
	.run = vfu_msg_no_reply,
    },
    {
	.id = "VFU-MSG-004",
	.title = "An error reply is the header only",
	.spec = "vfio-user.rst: Header",
	.quote = "If an error occurs, the reply message must only include the reply header.",
	.level = CONFORM_MUST,
	.description =
	    "DMA_UNMAP of a range never mapped, REGION_READ of region 65535, GET_IRQ_INFO of "
	    "index 65535: every reply with Error must have msg_size 16 and no fds. N/A when the "
	    "server fails none of them (VFU-DMA-008, VFU-REG-006, VFU-IRQ-002 judge that).",
	.run = vfu_msg_error_header_only,
    },
    {
	.id = "VFU-MSG-005",
	.title = "A command number not in the Commands table is refused",
	.spec = "vfio-user.rst: Commands",
	.quote = "The following table lists the VFIO message command IDs, and whether the message "
		 "command is sent from the client or the server.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Command 14 (not assigned) with 8 payload bytes. Advisory: the table lists the "
	    "commands and no sentence says how one not in it is answered; a server that drops "
	    "it silently leaves the client waiting, one that acts on it does what nobody "
	    "defined." REFUSED,
	.run = vfu_msg_unassigned_cmd,
    },
    {
	.id = "VFU-MSG-006",
	.title = "A server -> client command sent to the server is refused",
	.spec = "vfio-user.rst: Commands; VFIO_USER_DMA_READ",
	.quote = "The following table lists the VFIO message command IDs, and whether the message "
		 "command is sent from the client or the server.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DMA_READ (11, \"server -> client\") sent by the client. Advisory: the table gives "
	    "each command's direction without a keyword and says nothing of one that comes the "
	    "other way." REFUSED,
	.run = vfu_msg_server_cmd,
    },
    {
	.id = "VFU-MSG-007",
	.title = "A message of type Reply is not carried out as a command",
	.spec = "vfio-user.rst: Header",
	.quote = "Reply (value 0x1) indicates a reply message acknowledging a previous command "
		 "with the same message ID.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A DEVICE_GET_INFO of type Reply (the server sent no command it could answer), then "
	    "a real DEVICE_GET_INFO. The first message back must not be a reply without Error "
	    "to the fake one; an error reply, the reply to the real one, or a closed connection "
	    "pass. Advisory: the Type bits are defined without a keyword, and no sentence says "
	    "what a server does with a reply it did not ask for. Then a new client must be "
	    "served.",
	.run = vfu_msg_reply_type,
    },
    {
	.id = "VFU-MSG-008",
	.title = "A msg_size below the header is refused",
	.spec = "vfio-user.rst: Header; Security Considerations",
	.quote = Q_SECURITY,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A DEVICE_GET_INFO header with msg_size 8 (\"the size of the entire message, "
	    "including the header\", 16 at least). " MALFORMED REFUSED,
	.run = vfu_msg_size_below_header,
    },
    {
	.id = "VFU-MSG-009",
	.title = "A msg_size of 2 GiB is refused",
	.spec = "vfio-user.rst: Header; Security Considerations",
	.quote = Q_SECURITY,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "A DEVICE_GET_INFO header with msg_size 0x7fffffff and nothing after it. A server "
	    "that allocates what the header says, or waits for 2 GiB of a command whose payload "
	    "is 16 bytes, can be made to exhaust its memory by any client. " MALFORMED REFUSED,
	.run = vfu_msg_size_huge,
    },
    {
	.id = "VFU-MSG-010",
	.title = "A client that leaves in the middle of a message does not stop the server",
	.spec = "vfio-user.rst: Client Disconnection; Security Considerations",
	.quote = Q_SECURITY,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A DEVICE_GET_INFO whose header says 32 bytes, 20 of them sent, then the client "
	    "shuts its side down: a new client must be served. Advisory: \"Client "
	    "Disconnection\" says how a server should clean up (VFU-DMA-013), and no sentence "
	    "speaks of a message cut short; a server that waits for the rest of it, or fails, "
	    "serves nobody again.",
	.run = vfu_msg_truncated,
    },
    {
	.id = "VFU-MSG-011",
	.title = "A payload shorter than the command's structure is refused",
	.spec = "vfio-user.rst: Message sizes; VFIO_USER_DEVICE_GET_INFO",
	.quote = Q_MSG_SIZE,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "DEVICE_GET_INFO with 8 of its 16 payload bytes (msg_size 24, argsz 16). A server "
	    "that believes argsz reads 8 bytes past the message. " MALFORMED REFUSED,
	.run = vfu_msg_short_payload,
    },
    {
	.id = "VFU-MSG-012",
	.title = "A second client does not take the first one's place",
	.spec = "vfio-user.rst: Socket",
	.quote = "A server can serve: 1) one or more clients, and/or 2) one or more virtual "
		 "devices, belonging to one or more clients.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "While a client set up as a VMM does (lib/vfio-user) is attached, a second one "
	    "connects and sends VERSION 0.0; what it "
	    "gets (closed, refused, served, or no answer) is recorded as an observation, as the "
	    "rst leaves it open. Then the first client must still be served (a REGION_READ of "
	    "BAR0's first 8 bytes). "
	    "Advisory: no sentence requires a server to keep its client when another connects, "
	    "but a VMM whose device is taken over by a stray connection loses its guest's "
	    "disk.",
	.run = vfu_msg_second_client,
    },
    /* ---- DMA_MAP, DMA_UNMAP ---- */
    {
	.id = "VFU-DMA-001",
	.title = "DMA_MAP of memory with an fd is carried out",
	.spec = "vfio-user.rst: VFIO_USER_DMA_MAP",
	.quote = Q_MAP_FD,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DMA_MAP of 64 KiB of a memfd at 0x100000, readable and writable, with the fd: a "
	    "reply without Error and without payload (\"There is no payload in the reply "
	    "message\"). Advisory: the quoted sentence binds the client, and no sentence "
	    "requires a server to accept a mapping; one that refuses this one cannot reach "
	    "guest memory at all.",
	.run = vfu_dma_map_fd,
    },
    {
	.id = "VFU-DMA-002",
	.title = "DMA_MAP without an fd is carried out",
	.spec = "vfio-user.rst: VFIO_USER_DMA_MAP; Introduction",
	.quote = "Otherwise, if the DMA region cannot be directly mapped by the server, no file "
		 "descriptor must be sent as part of the message meta-data and the DMA region can "
		 "be accessed by the server using VFIO_USER_DMA_READ and VFIO_USER_DMA_WRITE "
		 "messages, explained in Read and Write Operations.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DMA_MAP of 64 KiB at 0x100000 without an fd (offset 0): a reply without Error. "
	    "Advisory: the sentence binds the client and says the server \"can\" use DMA_READ "
	    "and DMA_WRITE; no sentence requires it to accept such a window, though the "
	    "Introduction promises \"There is always an in-band, message-passing fall back "
	    "mechanism\".",
	.run = vfu_dma_map_no_fd,
    },
    {
	.id = "VFU-DMA-003",
	.title = "DMA_MAP over part of a mapping fails with EEXIST",
	.spec = "vfio-user.rst: VFIO_USER_DMA_MAP",
	.quote = Q_EEXIST,
	.level = CONFORM_MUST,
	.description = "After 0x100000+64 KiB is mapped with an fd, DMA_MAP of 0x108000+64 KiB "
		       "(with the fd) must get an error reply with EEXIST in its error field.",
	.run = vfu_dma_overlap_fd,
    },
    {
	.id = "VFU-DMA-004",
	.title = "DMA_MAP without an fd over part of a mapping fails with EEXIST",
	.spec = "vfio-user.rst: VFIO_USER_DMA_MAP",
	.quote = Q_EEXIST,
	.level = CONFORM_MUST,
	.description = "After 0x100000+64 KiB is mapped with an fd, DMA_MAP of 0xf8000+64 KiB "
		       "without an fd (overlapping its start) must get EEXIST.",
	.run = vfu_dma_overlap_no_fd,
    },
    {
	.id = "VFU-DMA-005",
	.title = "DMA_MAP of exactly a mapping again fails with EEXIST",
	.spec = "vfio-user.rst: VFIO_USER_DMA_MAP",
	.quote = Q_EEXIST,
	.level = CONFORM_MUST,
	.description = "After 0x100000+64 KiB is mapped, the same DMA_MAP again must get EEXIST.",
	.run = vfu_dma_same_again,
    },
    {
	.id = "VFU-DMA-006",
	.title = "DMA_MAP right after a mapping is carried out",
	.spec = "vfio-user.rst: VFIO_USER_DMA_MAP",
	.quote = Q_EEXIST,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "After 0x100000+64 KiB is mapped, DMA_MAP of 0x110000+64 KiB (the next bytes of the "
	    "same memfd) must succeed: it maps over nothing. Advisory: no sentence requires a "
	    "server to accept it, but guest memory is routinely laid out in adjacent windows, "
	    "and a server that takes touching for overlapping refuses them.",
	.run = vfu_dma_adjacent,
    },
    {
	.id = "VFU-DMA-007",
	.title = "The DMA_UNMAP reply is the request's DMA entry",
	.spec = "vfio-user.rst: VFIO_USER_DMA_UNMAP",
	.quote = "The server responds with the original DMA entry in the request.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DMA_UNMAP of exactly a mapping: a reply without Error whose payload is the 24 "
	    "bytes of the request. Advisory: the reply is defined without a keyword; a client "
	    "that checks it (as the kernel's VFIO interface returns the entry) drops a server "
	    "that answers otherwise.",
	.run = vfu_dma_unmap_echo,
    },
    {
	.id = "VFU-DMA-008",
	.title = "DMA_UNMAP of a range never mapped is refused",
	.spec = "vfio-user.rst: VFIO_USER_DMA_UNMAP",
	.quote = Q_UNMAP_EXACT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DMA_UNMAP of 1 TiB+4 KiB, where nothing is mapped. Advisory: the sentence binds the "
	    "client and says nothing of the server's answer; one that acknowledges it tells the "
	    "client something false about its table." REFUSED,
	.run = vfu_dma_unmap_unmapped,
    },
    {
	.id = "VFU-DMA-009",
	.title = "DMA_UNMAP of part of a mapping is refused",
	.spec = "vfio-user.rst: VFIO_USER_DMA_UNMAP",
	.quote = Q_UNMAP_EXACT,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "DMA_UNMAP of the first 4 KiB of a 64 KiB mapping. Advisory: the sentence binds the "
	    "client and says nothing of the server's answer; a server that acknowledges it and "
	    "keeps the whole mapping goes on using memory the client believes it took back." REFUSED,
	.run = vfu_dma_unmap_partial,
    },
    {
	.id = "VFU-DMA-010",
	.title = "DMA_UNMAP with a flag set is answered",
	.spec = "vfio-user.rst: VFIO_USER_DMA_UNMAP",
	.quote = "flags is unused in this version.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "DMA_UNMAP of a mapping with the kernel's VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP (bit "
	    "0) set: any reply, or a closed connection, passes; silence fails, and a new client "
	    "must be served. Advisory: the rst says nothing of a flag it does not use; a server "
	    "that waits for the bitmap's description the kernel would append hangs.",
	.run = vfu_dma_unmap_dirty_bitmap,
    },
    {
	.id = "VFU-DMA-011",
	.title = "No more mappings than max_dma_maps are taken",
	.spec = "vfio-user.rst: VFIO_USER_VERSION (Capabilities: max_dma_maps)",
	.quote = "Maximum number DMA map windows that can be valid simultaneously.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "The server's max_dma_maps (from its VERSION reply, 65535 when absent) windows of 4 "
	    "KiB without an fd must be taken, and one more refused. N/A past 4096. Advisory: "
	    "the capability is defined without a keyword and no sentence says what a server does "
	    "past it; one that takes more than it announced has a table it did not size for "
	    "them." REFUSED,
	.run = vfu_dma_max_maps,
    },
    {
	.id = "VFU-DMA-012",
	.title = "DMA_MAP with two fds is refused",
	.spec = "vfio-user.rst: VFIO_USER_DMA_MAP",
	.quote = Q_MAP_FD,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "DMA_MAP of one window with two memfds in its ancillary data. Advisory: the sentence "
	    "binds the client (\"a file descriptor\") and says nothing of a message with more; "
	    "a server that maps one of them may map the memory the client did not mean." REFUSED,
	.run = vfu_dma_two_fds,
    },
    {
	.id = "VFU-DMA-013",
	.title = "A client's mappings end when it disconnects",
	.spec = "vfio-user.rst: Client Disconnection",
	.quote =
	    "Therefore in order for the protocol to be forward compatible, the server should "
	    "respond to a client disconnection as follows: [...] all client memory regions are "
	    "unmapped and cleaned up (including closing any passed file descriptors)",
	.level = CONFORM_SHOULD,
	.description =
	    "A client maps 0x100000+64 KiB with an fd and disconnects; a new client's DMA_MAP "
	    "of the same window must succeed. EEXIST shows the old mapping is still in the "
	    "server's table.",
	.run = vfu_dma_cleared_on_disconnect,
    },
    {
	.id = "VFU-DMA-014",
	.title = "After the DMA_UNMAP reply, a device no longer writes the memory",
	.spec = "vfio-user.rst: VFIO_USER_DMA_UNMAP",
	.quote = "Upon receiving a VFIO_USER_DMA_UNMAP command, if the file descriptor is mapped "
		 "then the server must release all references to that DMA region before replying, "
		 "which potentially includes in-flight DMA transactions.",
	.level = CONFORM_MUST,
	.description =
	    "An NVMe controller (the transport's device) is enabled with its admin queues in a "
	    "64 KiB memfd mapped with its fd, and completes an Identify there. Then DMA_UNMAP of "
	    "that memory; once its reply came, an Identify submitted through the old queue (SQ "
	    "doorbell by REGION_WRITE) must leave the memory untouched: no completion entry, no "
	    "data, within 500 ms. How the device reacts otherwise (CSTS.CFS, ignoring the "
	    "doorbell) is not judged. A server that refuses the unmap keeps a right to the "
	    "memory: N/A.",
	.run = vfu_dma_unmap_in_use,
    },
    /* ---- Regions ---- */
    {
	.id = "VFU-REG-001",
	.title = "A region info reply is no longer than the argsz asked",
	.spec = "vfio-user.rst: Message sizes; VFIO_USER_DEVICE_GET_REGION_INFO",
	.quote = "In a request, it defines the maximum expected reply payload size, which should "
		 "be at least the size of the fixed reply payload headers defined here.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "GET_REGION_INFO of BAR0 with argsz 32 (the region info alone): the reply must have "
	    "32 payload bytes, and its argsz at least 32 (\"the size needed for a full payload\"; "
	    "more when capabilities follow). Advisory: \"Message sizes\" defines argsz as the "
	    "maximum without a keyword on the server; a reply past it overflows a client that "
	    "sized its buffer by it. N/A without a BAR0.",
	.run = vfu_reg_info_argsz,
    },
    {
	.id = "VFU-REG-002",
	.title = "A region with the MMAP flag comes with an fd",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_GET_REGION_INFO",
	.quote = "When this flag is set, the reply will include a file descriptor in its "
		 "meta-data.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "GET_REGION_INFO of every region: each reply with VFIO_REGION_INFO_FLAG_MMAP must "
	    "carry an fd. Advisory: the sentence says \"will\", without a keyword; a client "
	    "that finds no fd cannot map the region it was told it can. N/A when no region has "
	    "the flag.",
	.run = vfu_reg_info_mmap_fd,
    },
    {
	.id = "VFU-REG-003",
	.title = "GET_REGION_INFO of an index past num_regions is refused",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_GET_REGION_INFO",
	.quote = "index is the index of memory region being queried, it is the only field that is "
		 "required to be set in the command message.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "GET_REGION_INFO of the index num_regions (DEVICE_GET_INFO). Advisory: the sentence "
	    "requires the client to set the index, and no sentence says how the server answers "
	    "one past its regions; one that answers indexes a table past its end." REFUSED,
	.run = vfu_reg_info_bad_index,
    },
    {
	.id = "VFU-REG-004",
	.title = "REGION_READ is served: offset, region, count and the data",
	.spec = "vfio-user.rst: Read and Write Operations; VFIO_USER_REGION_READ",
	.quote = Q_RW_SUPPORT,
	.level = CONFORM_MUST,
	.description =
	    "REGION_READ of 8 bytes at BAR0 offset 0 (the NVMe CAP register, inside the "
	    "region) must be supported: a reply without Error of offset 0, region 0, count 8 "
	    "and 8 bytes of data, as the Reply table lays it out.",
	.run = vfu_reg_read_reply,
    },
    {
	.id = "VFU-REG-005",
	.title = "REGION_READ across the end of a region is refused",
	.spec = "vfio-user.rst: VFIO_USER_REGION_READ; Security Considerations",
	.quote = Q_SECURITY,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "REGION_READ of 4 bytes at the config space region's size - 3 (one byte past its end). "
	    "Advisory: the rst says nothing of an access past a region; a server that serves it "
	    "reads memory past the region's." REFUSED,
	.run = vfu_reg_past_end,
    },
    {
	.id = "VFU-REG-006",
	.title = "REGION_READ of a region index past num_regions is refused",
	.spec = "vfio-user.rst: VFIO_USER_REGION_READ; Security Considerations",
	.quote = Q_SECURITY,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "REGION_READ of 4 bytes of region num_regions. Advisory: the rst says nothing of an "
	    "access to a region that does not exist." REFUSED,
	.run = vfu_reg_bad_index,
    },
    {
	.id = "VFU-REG-007",
	.title = "REGION_READ past the server's max_data_xfer_size is refused",
	.spec = "vfio-user.rst: Read and Write Operations",
	.quote = "The count field must not exceed the value of max_data_xfer_size of the peer, "
		 "for both reads and writes.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "REGION_READ of BAR0 with count max_data_xfer_size + 1 (the server's, from its "
	    "VERSION reply). Advisory: the sentence binds the sender, and no sentence requires "
	    "the server to refuse; one that serves it builds a reply larger than it said it "
	    "handles (the count is also past BAR0 here: either reason to refuse passes)." REFUSED,
	.run = vfu_reg_past_xfer_max,
    },
    {
	.id = "VFU-REG-008",
	.title = "REGION_WRITE with less data than its count is refused",
	.spec = "vfio-user.rst: VFIO_USER_REGION_WRITE; Message sizes",
	.quote = Q_MSG_SIZE,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "REGION_WRITE of count 8 at BAR0 offset 0 with 4 bytes of data. A server that "
	    "believes count writes 4 bytes from past the message. " MALFORMED REFUSED,
	.run = vfu_reg_write_short,
    },
    {
	.id = "VFU-REG-009",
	.title = "REGION_READ of count 0",
	.spec = "vfio-user.rst: VFIO_USER_REGION_READ",
	.quote = "count is the size of the data to be transferred.",
	.level = CONFORM_INFO,
	.description =
	    "REGION_READ of 0 bytes at BAR0 offset 0: the rst neither allows nor forbids an "
	    "empty access, so what the server does is recorded (answered, refused, closed); "
	    "then a new client must be served.",
	.run = vfu_reg_zero_count,
    },
    {
	.id = "VFU-REG-010",
	.title = "Config space sizes BAR0 as GET_REGION_INFO does",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_GET_REGION_INFO; VFIO_USER_DEVICE_GET_INFO",
	.quote = "This version of the protocol only supports PCI devices.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "BAR0 in the config space region (index 7) is written all ones and read back, as a "
	    "guest sizes it (PCI Local Bus 3.0 §6.2.5.1); the size it gives must be BAR0's "
	    "region size, and the old value is written back. Advisory: the rst says nothing of "
	    "how a PCI device's config space and its regions agree; a guest that sizes BAR0 "
	    "otherwise than the VMM maps it reaches registers that are not there.",
	.run = vfu_reg_config_bar0,
    },
    {
	.id = "VFU-REG-011",
	.title = "REGION_WRITE works in a region's mmap area",
	.spec = "vfio-user.rst: Read and Write Operations",
	.quote = Q_RW_SUPPORT,
	.level = CONFORM_MUST,
	.description =
	    "An NVMe controller's doorbells lie in BAR0's mmap area (NVMe PCIe Transport: from "
	    "1000h). With the admin queues in DMA memory and the controller enabled, the SQ 0 "
	    "tail doorbell is written with REGION_WRITE, not through the mapping: the write must "
	    "be accepted and the Identify it submits completed within the timeout.",
	.run = vfu_reg_write_mmapped,
    },
    /* ---- Interrupts ---- */
    {
	.id = "VFU-IRQ-001",
	.title = "GET_IRQ_INFO of MSI-X is answered with its info",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_GET_IRQ_INFO",
	.quote = "argsz is the size required for the full reply payload (16 bytes today)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "GET_IRQ_INFO of VFIO_PCI_MSIX_IRQ_INDEX (below num_irqs): a reply without Error of "
	    "16 bytes, argsz 16 and index 2. Advisory: the reply is defined without a keyword; "
	    "a client reads the vector count from it. N/A when num_irqs leaves MSI-X out.",
	.run = vfu_irq_info_msix,
    },
    {
	.id = "VFU-IRQ-002",
	.title = "GET_IRQ_INFO of an index past num_irqs is refused",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_GET_IRQ_INFO; Security Considerations",
	.quote = Q_SECURITY,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "GET_IRQ_INFO of the index num_irqs. Advisory: the rst says nothing of an "
		       "IRQ index the device does not have." REFUSED,
	.run = vfu_irq_info_bad_index,
    },
    {
	.id = "VFU-IRQ-003",
	.title = "SET_IRQS past the IRQ's count is refused",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_SET_IRQS",
	.quote = Q_IRQ_KNOW,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "SET_IRQS DATA_NONE | ACTION_TRIGGER of MSI-X's last vector and one past it. "
	    "Advisory: the sentence binds the client; no sentence says how the server answers "
	    "a range past the count it gave. One that serves it indexes its vectors past their "
	    "end." REFUSED,
	.run = vfu_irq_past_count,
    },
    {
	.id = "VFU-IRQ-004",
	.title = "SET_IRQS with fewer eventfds than its count is refused",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_SET_IRQS",
	.quote = "VFIO_IRQ_SET_DATA_EVENTFD indicates an array of event file descriptors was sent "
		 "in the message meta-data.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "SET_IRQS DATA_EVENTFD | ACTION_TRIGGER of MSI-X vectors 0 and 1 with one eventfd. "
	    "Advisory: the rst defines the array without a keyword and says nothing of one "
	    "shorter than count (none at all de-assigns); a server that reads count fds reads "
	    "one that was not sent. N/A with one vector." REFUSED,
	.run = vfu_irq_missing_fds,
    },
    {
	.id = "VFU-IRQ-005",
	.title = "SET_IRQS with two DATA flags is refused",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_SET_IRQS",
	.quote = "The flags are mutually exclusive for both sets.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "SET_IRQS DATA_NONE | DATA_BOOL | ACTION_TRIGGER of MSI-X vector 0 with one bool. "
	    "Advisory: the sentence states the exclusion without a keyword and says nothing of "
	    "the answer to a request that breaks it; a server that picks one reading of it "
	    "triggers what the client may not have meant." REFUSED,
	.run = vfu_irq_two_data_flags,
    },
    {
	.id = "VFU-IRQ-006",
	.title = "SET_IRQS ACTION_MASK of an IRQ without MASKABLE is refused",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_SET_IRQS; VFIO_USER_DEVICE_GET_IRQ_INFO",
	.quote = Q_IRQ_KNOW,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "SET_IRQS DATA_NONE | ACTION_MASK of MSI-X vector 0 when its info lacks "
	    "VFIO_IRQ_INFO_MASKABLE. Advisory: the sentence binds the client; no sentence says "
	    "how a server answers an action its IRQ does not support, and one that acknowledges "
	    "it lets the client believe the vector is masked. N/A when MSI-X is maskable." REFUSED,
	.run = vfu_irq_mask_not_maskable,
    },
    {
	.id = "VFU-IRQ-007",
	.title = "A trigger the client asks for signals the vector's eventfd",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_SET_IRQS",
	.quote = "A client may trigger a device IRQ itself, by sending a VFIO_USER_DEVICE_SET_IRQ "
		 "message with flags=(VFIO_IRQ_SET_DATA_NONE/BOOL|VFIO_IRQ_SET_ACTION_TRIGGER).",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "An eventfd is set for MSI-X vector 0 (DATA_EVENTFD | ACTION_TRIGGER), then SET_IRQS "
	    "DATA_NONE | ACTION_TRIGGER of vector 0: the reply must come without Error and the "
	    "eventfd be signalled within the timeout. Advisory: \"may\" is the client's "
	    "permission, and the server's part is defined without a keyword; a server that "
	    "ignores it breaks a VMM that injects an interrupt this way. N/A when MSI-X takes no "
	    "eventfd.",
	.run = vfu_irq_client_trigger,
    },
    /* ---- Reset ---- */
    {
	.id = "VFU-RST-001",
	.title = "DEVICE_RESET is answered",
	.spec = "vfio-user.rst: Header; VFIO_USER_DEVICE_RESET",
	.quote = Q_REPLY,
	.level = CONFORM_MUST,
	.description =
	    "On a device whose info has VFIO_DEVICE_FLAGS_RESET (\"the device supports the "
	    "VFIO_USER_DEVICE_RESET message\"), DEVICE_RESET must be replied to within the "
	    "timeout; whether it succeeds is VFU-RST-002. N/A without the flag.",
	.run = vfu_rst_answered,
    },
    {
	.id = "VFU-RST-002",
	.title = "After DEVICE_RESET an enabled NVMe controller is disabled",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_RESET",
	.quote = "This command message is sent from the client to the server to reset the device.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "An NVMe controller is enabled with its admin queues in DMA memory; DEVICE_RESET "
	    "must then succeed with an empty reply, and CC.EN and CSTS.RDY read 0 (its reset "
	    "state, NVMe Base 2.1 §3.7.2). Advisory: the rst defines the message without a "
	    "keyword and says nothing of the state after it; a device that stays enabled goes "
	    "on using queues a rebooting guest has freed. N/A without VFIO_DEVICE_FLAGS_RESET.",
	.run = vfu_rst_disables,
    },
    {
	.id = "VFU-RST-003",
	.title = "A reset during I/O: nothing is posted after its reply",
	.spec = "vfio-user.rst: VFIO_USER_DEVICE_RESET; Command Concurrency",
	.quote = "Implementers should be prepared for certain commands to exhibit potentially "
		 "unbounded latencies. For example, VFIO_USER_DEVICE_RESET may take an arbitrarily "
		 "long time to complete; clients should take care not to block unnecessarily.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "An NVMe controller is enabled, 14 Identify commands are submitted with one SQ "
	    "doorbell write, and DEVICE_RESET follows at once: it must be answered without "
	    "Error, and from its reply on the queues' memory must not change for 500 ms (how "
	    "many completed before the reply is noted). Then a new client must be served. "
	    "Advisory: the quoted sentence lets the reset take long and says nothing of what "
	    "the device may still do after its reply; a device that posts completions then "
	    "writes into queues a rebooting guest has reused (the NVMe reset aborts what is "
	    "outstanding, NVMe Base 2.1 §3.7.2). N/A without VFIO_DEVICE_FLAGS_RESET or an "
	    "NVMe controller.",
	.run = vfu_rst_during_io,
    },
};

const struct conform_suite g_suite_vfio_user = {
    .name = "vfio-user",
    .description = "vfio-user protocol conformance of a server (QEMU "
		   "docs/interop/vfio-user.rst)",
    .cases = g_cases,
    .ncases = sizeof(g_cases) / sizeof(g_cases[0]),
    .transport = &g_conform_transport_vfio_user,
};
