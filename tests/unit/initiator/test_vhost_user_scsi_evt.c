/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi transport's events (virtio 1.2 §5.6.6.3) as the
 * driver decodes them: what each asks it to do, the LUN it names, the
 * EVENTS_MISSED flag, and what is not an event §5.6.6.3 has. What the
 * driver then does against a device is tests/system/test_ini_scsi.py's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "initiator/vhost_user_scsi.h"
#include "scsi/scsi_host.h"

static struct virtio_scsi_event event(uint32_t type, uint8_t target, uint16_t lun,
				      uint32_t reason)
{
	struct virtio_scsi_event ev = {.event = type, .reason = reason};

	assert_int_equal(scsi_host_virtio_lun_encode(ev.lun, target, lun), 0);
	return ev;
}

static struct vus_event decode(const struct virtio_scsi_event *ev, uint32_t len)
{
	struct vus_event e;

	vus_event_decode(ev, len, &e);
	return e;
}

static void test_transport_reset(void **state)
{
	struct virtio_scsi_event ev =
	    event(VIRTIO_SCSI_T_TRANSPORT_RESET, 4, 300, VIRTIO_SCSI_EVT_RESET_RESCAN);
	struct vus_event e = decode(&ev, sizeof(ev));

	(void)state;
	assert_int_equal(e.kind, VUS_EVENT_RESCAN);
	assert_int_equal(e.target, 4);
	assert_int_equal(e.lun, 300);
	assert_false(e.missed);
	ev.reason = VIRTIO_SCSI_EVT_RESET_REMOVED;
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_REMOVED);
	/* A hard reset asks nothing of the driver's LUN table. */
	ev.reason = VIRTIO_SCSI_EVT_RESET_HARD;
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_IGNORED);
	ev.reason = 7;
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_MALFORMED);
}

static void test_param_change(void **state)
{
	/* §5.6.6.3.3: ASC in bits 0-7 of reason, ASCQ in bits 8-15. */
	struct virtio_scsi_event ev = event(VIRTIO_SCSI_T_PARAM_CHANGE, 0, 1, 0x2a | 0x09 << 8);
	struct vus_event e = decode(&ev, sizeof(ev));

	(void)state;
	assert_int_equal(e.kind, VUS_EVENT_CAPACITY);
	assert_int_equal(e.target, 0);
	assert_int_equal(e.lun, 1);
	assert_int_equal(e.reason, 0x092a);
	/* The bytes the other way round are another condition (09h/2Ah). */
	ev.reason = 0x09 | 0x2a << 8;
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_IGNORED);
	/* MODE PARAMETERS CHANGED (2Ah/01h): nothing the driver keeps. */
	ev.reason = 0x2a | 0x01 << 8;
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_IGNORED);
}

static void test_events_missed(void **state)
{
	struct virtio_scsi_event ev = event(VIRTIO_SCSI_T_TRANSPORT_RESET | VIRTIO_SCSI_T_EVENTS_MISSED,
					    5, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
	struct vus_event e = decode(&ev, sizeof(ev));

	(void)state;
	assert_int_equal(e.kind, VUS_EVENT_RESCAN);
	assert_true(e.missed);
	assert_int_equal(e.target, 5);
	/* §5.6.6.3: NO_EVENT with the flag only says events were dropped. */
	memset(&ev, 0, sizeof(ev));
	ev.event = VIRTIO_SCSI_T_EVENTS_MISSED;
	e = decode(&ev, sizeof(ev));
	assert_int_equal(e.kind, VUS_EVENT_NONE);
	assert_true(e.missed);
	ev.event = VIRTIO_SCSI_T_NO_EVENT;
	e = decode(&ev, sizeof(ev));
	assert_int_equal(e.kind, VUS_EVENT_NONE);
	assert_false(e.missed);
}

static void test_malformed(void **state)
{
	struct virtio_scsi_event ev =
	    event(VIRTIO_SCSI_T_TRANSPORT_RESET, 1, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);

	(void)state;
	/* Shorter than the event: nothing in it is read. */
	assert_int_equal(decode(&ev, sizeof(ev) - 1).kind, VUS_EVENT_MALFORMED);
	assert_int_equal(decode(&ev, 0).kind, VUS_EVENT_MALFORMED);
	/* A LUN field that is not §5.6.6.1's (byte 0 must be 1). */
	ev.lun[0] = 2;
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_MALFORMED);
	/* ASYNC_NOTIFY is never asked for (no VIRTIO_SCSI_T_AN_* subscribed);
	 * an unknown type is not an event either. */
	ev = event(VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 0, 0);
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_MALFORMED);
	ev = event(9, 1, 0, 0);
	assert_int_equal(decode(&ev, sizeof(ev)).kind, VUS_EVENT_MALFORMED);
	assert_string_equal(vus_event_kind_name(VUS_EVENT_MALFORMED), "malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transport_reset),
	    cmocka_unit_test(test_param_change),
	    cmocka_unit_test(test_events_missed),
	    cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
