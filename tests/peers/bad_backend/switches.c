/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's switches: one table, one line each (name, the conformance
 * cases that must fail against it, the requirement it breaks). docs/peers.md
 * says the same at more length; test_conform_proof.py reads it from
 * `bad_backend --list --json` and checks that exactly the targets fail.
 */
#include <stdio.h>
#include <string.h>

#include "bad_backend.h"

const struct brk_switch g_switches[BRK_COUNT] = {
    [BRK_WRONG_STATUS] = {"wrong-status", "BLK-RW-005 BLK-RW-007 BLK-RW-009",
			  "virtio 1.2 §5.2.6: a read past capacity gets OK"},
    [BRK_WRITE_PAST_END_OK] =
	{"write-past-end-ok", "BLK-RW-006 BLK-RW-008",
	 "virtio 1.2 §5.2.6: a write past capacity gets OK (nothing written)"},
    [BRK_DROPS_LAST_BLOCK_WRITE] =
	{"drops-last-block-write", "BLK-RW-004",
	 "virtio 1.2 §5.2.6: a write to the last block gets OK, is not done"},
    [BRK_TRUNCATES_LARGE_WRITES] =
	{"truncates-large-writes", "BLK-RW-002",
	 "virtio 1.2 §5.2.6: a write over 128 KiB gets OK, only 128 KiB done"},
    [BRK_PARTIAL_READ_OK] = {"partial-read-ok", "BLK-RW-013",
			     "virtio 1.2 §5.2.6.1: a read of part of a sector gets OK"},
    [BRK_NO_DATA_IOERR] = {"no-data-ioerr", "BLK-RW-010 BLK-RW-011",
			   "virtio 1.2 §5.2.6.1: a read or write of 0 bytes gets IOERR"},
    [BRK_DROPS_FIRST_BLOCK_WRITE] = {"drops-first-block-write", "BLK-RW-003",
				     "virtio 1.2 §5.2.6: a write to sector 0 gets OK, is not done"},
    [BRK_REJECTS_ODD_LAYOUT] = {"rejects-odd-layout",
				"BLK-LAY-003 BLK-LAY-004 BLK-LAY-005 BLK-LAY-007",
				"virtio 1.2 §2.7.4.1: IOERR unless header, data and status are "
				"descriptors of their own"},
    [BRK_NO_USED_LEN] = {"no-used-len", "BLK-RW-023 BLK-ID-001",
			 "virtio 1.2 §2.7.8: used len is always 0"},
    [BRK_USED_LEN_SHORT] = {"used-len-short", "BLK-RW-023",
			    "virtio 1.2 §2.7.8: a read's used len leaves out the status byte"},
    [BRK_USED_LEN_LONG] = {"used-len-long", "BLK-RW-022 BLK-RW-023",
			   "virtio 1.2 §2.7.8.1: used len one more than the writable bytes"},
    [BRK_FLUSH_UNSUPP] = {"flush-unsupp", "BLK-RW-014",
			  "virtio 1.2 §5.2.6.2: FLUSH offered, answered UNSUPP"},
    [BRK_NO_FLUSH] = {"no-flush", "BLK-CFG-003",
		      "virtio 1.2 §5.2.5.2: FLUSH is not offered (a SHOULD)"},
    [BRK_FLUSH_WITHOUT_FEATURE] = {"flush-without-feature", "BLK-CFG-003 BLK-RW-015",
				   "virtio 1.2 §5.2.6: FLUSH not offered (implies no-flush), "
				   "answered OK"},
    [BRK_GET_ID_UNPADDED] = {"get-id-unpadded", "BLK-ID-004",
			     "virtio 1.2 §5.2.6: a short GET_ID id and its NUL, no NUL padding"},
    [BRK_GET_ID_OVERRUN] = {"get-id-overrun", "BLK-ID-003",
			    "virtio 1.2 §2.7.8.1: GET_ID writes 20 bytes past a shorter buffer"},
    [BRK_IGNORE_READONLY] = {"ignore-readonly", "BLK-RW-021",
			     "virtio 1.2 §5.2.6.2: RO offered, writes accepted and done"},
    [BRK_UNKNOWN_TYPE_OK] = {"unknown-type-ok", "BLK-RW-016 BLK-RW-017 BLK-RW-018",
			     "virtio 1.2 §5.2.6: an unknown request type gets OK"},
    [BRK_DWZ_WITHOUT_FEATURE] = {"dwz-without-feature", "BLK-RW-019 BLK-RW-020",
				 "virtio 1.2 §2.2: DISCARD/WRITE_ZEROES done when not negotiated"},
    [BRK_DISCARD_IGNORES_UNMAP_FLAG] = {"discard-ignores-unmap-flag", "BLK-DWZ-005",
					"virtio 1.2 §5.2.6.2: DISCARD with unmap set gets OK"},
    [BRK_DWZ_IGNORES_FLAGS] = {"dwz-ignores-flags", "BLK-DWZ-006 BLK-DWZ-007",
			       "virtio 1.2 §5.2.6.2: unknown DISCARD/WRITE_ZEROES flags get OK"},
    [BRK_DISCARD_UNSUPP] = {"discard-unsupp", "BLK-DWZ-004",
			    "virtio 1.2 §5.2.6: DISCARD offered, answered UNSUPP"},
    [BRK_DWZ_PAST_END_OK] = {"dwz-past-end-ok", "BLK-DWZ-010",
			     "virtio 1.2 §5.2.6: WRITE_ZEROES past capacity gets OK"},
    [BRK_WRITE_ZEROES_NOOP] = {"write-zeroes-noop", "BLK-DWZ-001 BLK-DWZ-002",
			       "virtio 1.2 §5.2.6.2: WRITE_ZEROES gets OK and zeroes nothing"},
    [BRK_CONFIG_PADDING_DIRTY] = {"config-padding-dirty", "BLK-CFG-001",
				  "virtio 1.2 §5.2.5.2: config padding bytes are not 0"},
    [BRK_NO_EVENT_IDX_NOTIFY] = {"no-event-idx-notify", "BLK-Q-005",
				 "virtio 1.2 §2.7.7.2: EVENT_IDX: once used_event is ahead, never "
				 "notifies again"},
    [BRK_NO_NOTIFY_WITHOUT_EVENT_IDX] = {"no-notify-without-event-idx", "BLK-Q-008",
					 "virtio 1.2 §2.7.7.2: without EVENT_IDX, never notifies"},
    [BRK_NOTIFY_ALWAYS] = {"notify-always", "BLK-Q-006 BLK-Q-007 BLK-Q-009",
			   "virtio 1.2 §2.7.7.2: notifies after every batch, whatever the "
			   "driver asked"},
    [BRK_SERVES_FIRST_QUEUE_ONLY] = {"serves-first-queue-only",
				     "BLK-CFG-005 BLK-Q-002 BLK-Q-003 BLK-Q-004",
				     "virtio 1.2 §5.2.4: num_queues offered, only queue 0 served"},
    [BRK_DROP_REPLY_ACK] = {"drop-reply-ack", "VHOST-ACK-003 VHOST-FEAT-008",
			    "vhost-user.rst REPLY_ACK: no ack for SET_PROTOCOL_FEATURES"},
    [BRK_WRONG_VRING_BASE] = {"wrong-vring-base", "VHOST-RING-008",
			      "vhost-user.rst GET_VRING_BASE: after I/O, the index plus one"},
    [BRK_KEEPS_RING_RUNNING] = {"keeps-ring-running", "VHOST-RING-009",
				"vhost-user.rst Ring states: consumes after GET_VRING_BASE"},
    [BRK_VRING_BASE_ANY_INDEX] = {"vring-base-any-index", "VHOST-MQ-007",
				  "vhost-user.rst Multiple queue support: GET_VRING_BASE of any "
				  "index answers a state"},
    [BRK_CONFIG_SIZE_WRONG] =
	{"config-size-wrong", "VHOST-CFG-001 VHOST-CFG-006 VHOST-CFG-007",
	 "vhost-user.rst GET_CONFIG: the whole struct, whatever size was asked"},
    [BRK_CONFIG_SIZE_STRICT] = {"config-size-strict", "",
				"vhost-user.rst GET_CONFIG: empty reply above 60 bytes (as QEMU; "
				"tolerated)"},
    [BRK_ACK_UNKNOWN_REQUEST] = {"ack-unknown-request", "VHOST-MSG-013 VHOST-MSG-014 VHOST-MSG-015",
				 "vhost-user.rst REPLY_ACK: an unknown request is acked 0"},
    [BRK_NACK_AS_ACK] =
	{"nack-as-ack",
	 "VHOST-FEAT-007 VHOST-FEAT-008 VHOST-MEM-002 VHOST-MEM-003 VHOST-MEM-004 VHOST-MEM-005 "
	 "VHOST-MEM-006 VHOST-RING-004 VHOST-RING-005 VHOST-RING-006 VHOST-RING-007 VHOST-MQ-001 "
	 "VHOST-MQ-002 VHOST-MQ-003 VHOST-MQ-004 VHOST-MQ-005 VHOST-MQ-006 VHOST-CFG-007 "
	 "VHOST-MSG-005 VHOST-MSG-006 VHOST-MSG-007 VHOST-MSG-008 VHOST-MSG-009 VHOST-MSG-010 "
	 "VHOST-MSG-011 VHOST-MSG-013 VHOST-MSG-014 VHOST-MSG-015 VHOST-MSG-017 VHOST-MSG-018 "
	 "VHOST-MSG-019 VHOST-MSG-021",
	 "vhost-user.rst REPLY_ACK: every refusal is acked 0 (success)"},
    [BRK_LAX_HEADER] = {"lax-header", "VHOST-MSG-001 VHOST-MSG-002 VHOST-MSG-003 VHOST-MSG-004",
			"vhost-user.rst Header: any version and the reply flag are accepted"},
    [BRK_KEEPS_STRAY_FDS] = {"keeps-stray-fds", "VHOST-MSG-022 VHOST-MSG-023",
			     "vhost-user.rst Communication: fds a request does not take stay open"},
};

bool g_break[BRK_COUNT];

int brk_set(const char *name)
{
	for (unsigned i = 0; i < BRK_COUNT; i++) {
		if (!strcmp(name, g_switches[i].name)) {
			g_break[i] = true;
			return 0;
		}
	}
	fprintf(stderr, "bad_backend: no switch %s (--list shows them)\n", name);
	return -1;
}

/* The table's strings are plain ASCII and UTF-8 without quotes or
 * backslashes, so they go into JSON as they are. */
static void print_targets_json(const char *t)
{
	const char *sep = "";

	printf("[");
	while (*t) {
		size_t n = strcspn(t, " ");

		if (n)
			printf("%s\"%.*s\"", sep, (int)n, t);
		sep = ", ";
		t += n;
		t += strspn(t, " ");
	}
	printf("]");
}

void brk_list(bool json)
{
	if (!json) {
		for (unsigned i = 0; i < BRK_COUNT; i++)
			printf("%-28s %s\n", g_switches[i].name, g_switches[i].breaks);
		return;
	}
	printf("[\n");
	for (unsigned i = 0; i < BRK_COUNT; i++) {
		printf("  {\"name\": \"%s\", \"targets\": ", g_switches[i].name);
		print_targets_json(g_switches[i].targets);
		printf(", \"breaks\": \"%s\"}%s\n", g_switches[i].breaks,
		       i + 1 < BRK_COUNT ? "," : "");
	}
	printf("]\n");
}
