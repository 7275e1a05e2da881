/* SPDX-License-Identifier: MIT */
/*
 * bad_scsi's switches: one per requirement of the virtio-scsi suite it
 * breaks, each naming the cases that must then fail (and only they:
 * test_conform_scsi_proof.py checks it against `bad_scsi --list --json`).
 */
#include <stdio.h>
#include <string.h>

#include "bad_scsi.h"
#include "util/common.h"

bool g_break[BRK_END];

/* Commands in flight when a TMF comes: the request queues serve one chain
 * every 20 ms, so that 16 READs are still there. */
#define SLOW "--slow-us 20000"
/* Two request queues. */
#define TWO_QUEUES "--queues 2"

#define SW(id, name, targets, breaks) {BRK_##id, name, targets, breaks, NULL}
#define SWA(id, name, targets, breaks, args) {BRK_##id, name, targets, breaks, args}

static const struct brk_switch g_switches[] = {
    SW(SENSE_SIZE_64, "sense-size-64", "SCSI-CFG-001", "sense_size is 64 after reset"),
    SW(CDB_SIZE_16, "cdb-size-16", "SCSI-CFG-002", "cdb_size is 16 after reset"),
    SW(MAX_CHANNEL_1, "max-channel-1", "SCSI-CFG-003", "max_channel is 1"),
    SW(MAX_TARGET_256, "max-target-256", "SCSI-CFG-004", "max_target is 256"),
    SW(MAX_LUN_16384, "max-lun-16384", "SCSI-CFG-005", "max_lun is 16384"),
    SW(NUM_QUEUES_0, "num-queues-0", "SCSI-CFG-006", "num_queues is 0"),
    SWA(LAST_QUEUE_DEAD, "last-queue-dead", "SCSI-CFG-007 SCSI-REQ-018",
	"the last request queue is never served", TWO_QUEUES),
    SW(EVENT_INFO_SIZE_0, "event-info-size-0", "SCSI-CFG-008",
       "event_info_size is 0 with HOTPLUG offered"),
    SW(RESPONSE_UNDEFINED, "response-undefined", "SCSI-REQ-001 SCSI-CDB-016",
       "a READ(16) past the end gets response byte 20h"),
    SW(STATUS_NOT_SAM, "status-not-sam", "SCSI-REQ-002 SCSI-CDB-031",
       "an unknown opcode gets OK with status 01h"),
    SW(BAD_TARGET_OK, "bad-target-ok", "SCSI-REQ-003",
       "a missing target answers OK / CHECK CONDITION, not BAD_TARGET"),
    SW(INOUT_ACCEPTED, "inout-accepted", "SCSI-REQ-004",
       "dataout and datain without INOUT are served"),
    SW(OVERRUN_SILENT, "overrun-silent", "SCSI-REQ-005",
       "a READ into too small a datain is cut, GOOD, residual 0"),
    SW(SENSE_LEN_OVER, "sense-len-over", "SCSI-REQ-006", "sense_len says 200"),
    SW(RESID_WHEN_FULL, "resid-when-full", "SCSI-REQ-007",
       "a READ that fills datain reports a block of residual"),
    SW(RESID_ZERO_ON_READS, "resid-zero-on-reads", "SCSI-REQ-008",
       "a READ shorter than datain reports residual 0"),
    SW(USED_LEN_WHOLE_DATAIN, "used-len-whole-datain", "SCSI-REQ-019",
       "the used length counts the whole datain of a command that moved data"),
    SW(WRITES_READABLE, "writes-readable", "SCSI-REQ-009",
       "a READ without datain writes its data into the dataout buffer"),
    SW(READ_NO_DATAIN_GOOD, "read-no-datain-good", "SCSI-REQ-010",
       "a READ without datain is GOOD with residual 0"),
    SW(READS_WRITABLE, "reads-writable", "SCSI-REQ-011",
       "a WRITE without dataout takes its data from the datain buffer"),
    SW(LONG_CDB_GOOD, "long-cdb-good", "SCSI-REQ-012",
       "a variable-length CDB longer than cdb_size is GOOD"),
    SW(SHORT_HEADER_STALLS, "short-header-stalls", "SCSI-REQ-013",
       "a request header cut short is never answered"),
    SW(NO_RESPONSE_WRITES_HEADER, "no-response-writes-header", "SCSI-REQ-014",
       "a request without a writable part gets its response in the header"),
    SW(ORDERED_REFUSED, "ordered-refused", "SCSI-REQ-015",
       "task_attr other than SIMPLE gets FAILURE"),
    SW(NO_REPORT_LUNS_WLUN, "no-report-luns-wlun", "SCSI-REQ-016",
       "the REPORT LUNS well-known LU answers BAD_TARGET"),
    SW(UNKNOWN_LUN_GOOD, "unknown-lun-good", "SCSI-REQ-017", "a LUN not listed is served as LUN 0"),
    SWA(SECOND_QUEUE_DROPS_WRITES, "second-queue-drops-writes", "SCSI-REQ-018",
	"writes on the second request queue are GOOD and dropped", TWO_QUEUES),
    SW(INQUIRY_FORMAT_1, "inquiry-format-1", "SCSI-CDB-001",
       "standard INQUIRY data says RESPONSE DATA FORMAT 1"),
    SW(INQUIRY_ALLOC_IGNORED, "inquiry-alloc-ignored", "SCSI-CDB-002",
       "standard INQUIRY transfers 36 bytes whatever the ALLOCATION LENGTH"),
    SW(VPD_LIST_UNSORTED, "vpd-list-unsorted", "SCSI-CDB-003",
       "VPD page 00h lists two pages out of order"),
    SW(VPD_PAGE_WRONG_CODE, "vpd-page-wrong-code", "SCSI-CDB-004",
       "VPD page 80h answers with page code 81h"),
    SW(INQUIRY_PAGE_NO_EVPD_OK, "inquiry-page-no-evpd-ok", "SCSI-CDB-005",
       "INQUIRY with EVPD 0 and a page code is GOOD"),
    SW(VPD_UNKNOWN_GOOD, "vpd-unknown-good", "SCSI-CDB-006",
       "an unlisted VPD page is GOOD and empty"),
    SW(REPORT_LUNS_PHANTOM, "report-luns-phantom", "SCSI-CDB-007",
       "REPORT LUNS lists LUN 200, which is not served"),
    SW(REPORT_LUNS_SHORT_EMPTY, "report-luns-short-empty", "SCSI-CDB-008",
       "REPORT LUNS with ALLOCATION LENGTH 16 says LUN LIST LENGTH 0"),
    SW(TUR_NOT_READY, "tur-not-ready", "SCSI-CDB-009 SCSI-TMF-012",
       "TEST UNIT READY is always NOT READY"),
    SW(CAPACITY_10_OFF_BY_ONE, "capacity-10-off-by-one", "SCSI-CDB-010",
       "READ CAPACITY(10) gives the block count as the last LBA"),
    SW(SERVICE_ACTION_UNKNOWN_GOOD, "service-action-unknown-good", "SCSI-CDB-011",
       "SERVICE ACTION IN(16) of an unknown service action is GOOD"),
    SW(WRITE10_DROPS_LAST_BLOCK, "write10-drops-last-block", "SCSI-CDB-012",
       "WRITE(10) of several blocks does not write the last"),
    SW(RW6_ZERO_IS_ZERO, "rw6-zero-is-zero", "SCSI-CDB-013",
       "READ(6)/WRITE(6) of TRANSFER LENGTH 0 move no block"),
    SW(READ12_OFF_BY_ONE, "read12-off-by-one", "SCSI-CDB-014", "READ(12) reads from the next LBA"),
    SW(LAST_BLOCK_UNWRITABLE, "last-block-unwritable", "SCSI-CDB-015 SCSI-CDB-018",
       "writes to the last block are GOOD and dropped"),
    SW(READ_AT_CAPACITY_ZEROES, "read-at-capacity-zeroes", "SCSI-CDB-016",
       "READ(16) at the capacity is GOOD with zeroes"),
    SW(READ_PAST_END_PARTIAL, "read-past-end-partial", "SCSI-CDB-017",
       "READ(10) across the end is GOOD with what is inside"),
    SW(WRITE_PAST_END_PARTIAL, "write-past-end-partial", "SCSI-CDB-018",
       "WRITE(16) across the end writes what is inside, then fails"),
    SW(LBA_WRAPS, "lba-wraps", "SCSI-CDB-019", "an LBA range wrapping 2^64 is served from LBA 0"),
    SW(ZERO_LEN_READ_ERROR, "zero-len-read-error", "SCSI-CDB-020",
       "READ(10) of 0 blocks is INVALID FIELD IN CDB"),
    SW(SYNC_CACHE_FAILS, "sync-cache-fails", "SCSI-CDB-021",
       "SYNCHRONIZE CACHE fails with HARDWARE ERROR"),
    SW(UNMAP_WIDE, "unmap-wide", "SCSI-CDB-022", "UNMAP zeroes a block more on each side"),
    SW(UNMAP_PAST_END_OK, "unmap-past-end-ok", "SCSI-CDB-023", "UNMAP across the end is GOOD"),
    SW(WRITE_SAME_FIRST_ONLY, "write-same-first-only", "SCSI-CDB-024",
       "WRITE SAME writes the first block only"),
    SW(MODE_SENSE6_LENGTH_WRONG, "mode-sense6-length-wrong", "SCSI-CDB-025",
       "MODE SENSE(6) says MODE DATA LENGTH 200"),
    SW(MODE_SENSE10_WRONG_PAGE, "mode-sense10-wrong-page", "SCSI-CDB-026",
       "MODE SENSE(10) of the caching page returns the control page's code"),
    SW(REQUEST_SENSE_DEFERRED, "request-sense-deferred", "SCSI-CDB-027",
       "REQUEST SENSE returns deferred sense data"),
    SW(START_STOP_FAILS, "start-stop-fails", "SCSI-CDB-028",
       "START STOP UNIT fails with HARDWARE ERROR"),
    SW(VERIFY_FAILS, "verify-fails", "SCSI-CDB-029", "VERIFY(10) fails with MEDIUM ERROR"),
    SW(VERIFY_NO_RANGE_CHECK, "verify-no-range-check", "SCSI-CDB-030",
       "VERIFY(16) across the end is GOOD"),
    SW(UNKNOWN_OPCODE_INVALID_FIELD, "unknown-opcode-invalid-field", "SCSI-CDB-031",
       "an unknown opcode gets INVALID FIELD IN CDB"),
    SW(SENSE_LEN_SHORT, "sense-len-short", "SCSI-CDB-032",
       "sense_len is 14, short of the ADDITIONAL SENSE LENGTH"),
    SW(LU_RESET_REJECTED, "lu-reset-rejected", "SCSI-TMF-001",
       "LOGICAL UNIT RESET is FUNCTION REJECTED"),
    SWA(TMF_COMPLETES_FIRST, "tmf-completes-first",
	"SCSI-TMF-002 SCSI-TMF-003 SCSI-TMF-004 SCSI-TMF-005",
	"a reset or abort completes before the commands it cancels", SLOW),
    SW(ABORT_UNKNOWN_REJECTED, "abort-unknown-rejected", "SCSI-TMF-006",
       "ABORT TASK of a tag not in flight is FUNCTION REJECTED"),
    SW(TMF_BAD_TARGET_COMPLETE, "tmf-bad-target-complete", "SCSI-TMF-007",
       "a TMF for a missing target is FUNCTION COMPLETE"),
    SW(TMF_UNKNOWN_SUBTYPE_OK, "tmf-unknown-subtype-ok", "SCSI-TMF-008",
       "an unknown TMF subtype is FUNCTION COMPLETE"),
    SW(CTRL_UNKNOWN_TYPE_OK, "ctrl-unknown-type-ok", "SCSI-TMF-009",
       "an unknown controlq type gets OK"),
    SW(AN_QUERY_EXTRA_EVENTS, "an-query-extra-events", "SCSI-TMF-010",
       "AN_QUERY answers event_actual FFFFFFFFh"),
    SW(TMF_SHORT_SUCCEEDS, "tmf-short-succeeds", "SCSI-TMF-011",
       "a TMF of 8 bytes is FUNCTION COMPLETE"),
    SW(RESET_NO_UNIT_ATTENTION, "reset-no-unit-attention", "SCSI-TMF-012",
       "LOGICAL UNIT RESET leaves no unit attention"),
    SW(RESET_LOSES_DATA, "reset-loses-data", "SCSI-TMF-013",
       "LOGICAL UNIT RESET zeroes the medium"),
    SWA(ABORT_TASK_ENDS_ALL, "abort-task-ends-all", "SCSI-TMF-014",
	"ABORT TASK ends every command in flight, not the one it names", SLOW),
    SWA(RESET_ENDS_GOOD, "reset-ends-good", "SCSI-TMF-015",
	"the commands a reset ends are answered OK / GOOD with all their data as residual", SLOW),
    SW(RESCAN_WITHOUT_HOTPLUG, "rescan-without-hotplug", "SCSI-EVT-001",
       "a RESCAN event is sent without HOTPLUG negotiated"),
    SW(EVENT_BAD_REASON, "event-bad-reason", "SCSI-EVT-002", "a reset event carries reason 7"),
    SW(EVENT_OVERRUNS_SHORT_BUFFER, "event-overruns-short-buffer", "SCSI-EVT-003",
       "a 16-byte event is written into a 4-byte buffer"),
};
_Static_assert(ARRAY_SIZE(g_switches) == BRK_END, "a switch without its table entry");

int brk_set(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(g_switches); i++) {
		if (!strcmp(name, g_switches[i].name)) {
			g_break[g_switches[i].id] = true;
			return 0;
		}
	}
	fprintf(stderr, "bad_scsi: no switch %s (--list shows them)\n", name);
	return -1;
}

/* A space-separated list as a JSON array (the strings hold no quotes). */
static void json_words(const char *t)
{
	printf("[");
	for (const char *sep = ""; t && *t; sep = ", ") {
		size_t n = strcspn(t, " ");

		printf("%s\"%.*s\"", sep, (int)n, t);
		t += n + strspn(t + n, " ");
	}
	printf("]");
}

void brk_list(bool json)
{
	const unsigned n = ARRAY_SIZE(g_switches);

	for (unsigned i = 0; !json && i < n; i++)
		printf("%-30s %s\n", g_switches[i].name, g_switches[i].breaks);
	if (!json)
		return;
	printf("[\n");
	for (unsigned i = 0; i < n; i++) {
		printf("  {\"name\": \"%s\", \"targets\": ", g_switches[i].name);
		json_words(g_switches[i].targets);
		printf(", \"args\": ");
		json_words(g_switches[i].args);
		printf(", \"breaks\": \"%s\"}%s\n", g_switches[i].breaks, i + 1 < n ? "," : "");
	}
	printf("]\n");
}
