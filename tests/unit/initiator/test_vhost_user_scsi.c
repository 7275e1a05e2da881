/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi transport without a device: its URI (socket path and
 * the LUN options), and a command's response as the neutral completion
 * (virtio 1.2 §5.6.6.1; the sense mapping of storlab/virtio_scsi.h) with
 * the names reports print. The transport against a device is
 * tests/system/test_ini_scsi.py's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "initiator/vhost_user_scsi.h"
#include "util/log.h"

static void test_scheme(void **state)
{
	const struct initiator_transport *tp;
	const char *address;

	(void)state;
	assert_int_equal(initiator_uri_parse("vhost-user-scsi:/tmp/s.sock?lun=1", &tp, &address),
			 0);
	assert_ptr_equal(tp, &g_transport_vhost_user_scsi);
	assert_string_equal(address, "/tmp/s.sock?lun=1");
	assert_int_equal(tp->kind, INITIATOR_DEV_VIRTIO_SCSI);
}

static void test_address(void **state)
{
	char *path;
	bool has;
	uint8_t target;
	uint16_t lun;

	(void)state;
	assert_int_equal(vus_address_parse("/tmp/a.sock", &path, &has, &target, &lun), 0);
	assert_string_equal(path, "/tmp/a.sock");
	assert_false(has);
	free(path);
	assert_int_equal(
	    vus_address_parse("/tmp/a.sock?target=3&lun=300", &path, &has, &target, &lun), 0);
	assert_string_equal(path, "/tmp/a.sock");
	assert_true(has);
	assert_int_equal(target, 3);
	assert_int_equal(lun, 300);
	free(path);
	/* Only the last '?' starts options: a '?' in a directory name stays. */
	assert_int_equal(vus_address_parse("/tmp/w?x/a.sock?lun=2", &path, &has, &target, &lun), 0);
	assert_string_equal(path, "/tmp/w?x/a.sock");
	assert_int_equal(target, 0);
	assert_int_equal(lun, 2);
	free(path);
	/* §5.6.6.1: one byte of target, a single level LUN up to 16383. */
	assert_int_equal(vus_address_parse("/s?target=256", &path, &has, &target, &lun), -EINVAL);
	assert_int_equal(vus_address_parse("/s?lun=16384", &path, &has, &target, &lun), -EINVAL);
	assert_int_equal(vus_address_parse("/s?lun=", &path, &has, &target, &lun), -EINVAL);
	assert_int_equal(vus_address_parse("/s?channel=0", &path, &has, &target, &lun), -EINVAL);
	assert_int_equal(vus_address_parse("?lun=1", &path, &has, &target, &lun), -EINVAL);
}

static struct virtio_scsi_cmd_resp resp_of(uint8_t response, uint8_t status, const uint8_t *sense,
					   uint32_t sense_len)
{
	struct virtio_scsi_cmd_resp r = {
	    .response = response, .status = status, .sense_len = sense_len};

	if (sense)
		memcpy(r.sense, sense, sense_len);
	return r;
}

static void test_complete(void **state)
{
	static const uint8_t invalid_opcode[18] = {
	    0x70, 0, SCSI_SK_ILLEGAL_REQUEST, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0};
	static const uint8_t lba_range[] = {0x72, SCSI_SK_ILLEGAL_REQUEST, 0x21, 0, 0, 0, 0, 0};
	static const uint8_t ua[18] = {0x70, 0, SCSI_SK_UNIT_ATTENTION, 0, 0, 0, 0, 10, 0, 0, 0, 0,
				       0x29, 0};
	static const uint8_t medium[18] = {
	    0x70, 0, SCSI_SK_MEDIUM_ERROR, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0};
	struct virtio_scsi_cmd_resp r;
	struct storlab_completion c;
	int tag;
	bool unit_attention;

	(void)state;
	/* GOOD, with 4096 bytes of data-in after the response. */
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_GOOD, NULL, 0);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r) + 4096, &unit_attention);
	assert_ptr_equal(c.tag, &tag);
	assert_int_equal(c.status, STORLAB_STATUS_OK);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.len, 4096);
	assert_false(unit_attention);
	assert_string_equal(storlab_virtio_scsi_status_name(c.transport_status), "GOOD");

	/* CHECK CONDITION: an opcode the device does not do is UNSUPPORTED. */
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_CHECK_CONDITION, invalid_opcode, 18);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.status, STORLAB_STATUS_UNSUPPORTED);
	assert_int_equal(c.ret, -ENOTSUP);
	assert_int_equal(STORLAB_VIRTIO_SCSI_TS_STATUS(c.transport_status),
			 SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(STORLAB_VIRTIO_SCSI_TS_KEY(c.transport_status), SCSI_SK_ILLEGAL_REQUEST);
	assert_string_equal(storlab_virtio_scsi_status_name(c.transport_status),
			    "CHECK CONDITION/ILLEGAL REQUEST");
	/* ... an LBA out of range (descriptor format) is an ERROR. */
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_CHECK_CONDITION, lba_range, sizeof(lba_range));
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.status, STORLAB_STATUS_ERROR);
	assert_int_equal(c.ret, -EIO);
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_CHECK_CONDITION, medium, 18);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.ret, -EIO);
	assert_string_equal(storlab_virtio_scsi_status_name(c.transport_status),
			    "CHECK CONDITION/MEDIUM ERROR");
	assert_false(unit_attention);
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_CHECK_CONDITION, ua, 18);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_true(unit_attention);
	/* Sense that cannot be read, or sense_len 0: the answer is nonsense. */
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_CHECK_CONDITION, ua, 10);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.ret, -EPROTO);
	assert_false(unit_attention);
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_CHECK_CONDITION, NULL, 0);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.ret, -EPROTO);

	/* BUSY is an error; a virtio response other than OK ignores status. */
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_BUSY, NULL, 0);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.ret, -EIO);
	assert_string_equal(storlab_virtio_scsi_status_name(c.transport_status), "BUSY");
	r = resp_of(VIRTIO_SCSI_S_BAD_TARGET, SCSI_STATUS_GOOD, NULL, 0);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.status, STORLAB_STATUS_ERROR);
	assert_int_equal(c.ret, -EIO);
	assert_int_equal(STORLAB_VIRTIO_SCSI_TS_RESPONSE(c.transport_status),
			 VIRTIO_SCSI_S_BAD_TARGET);
	assert_string_equal(storlab_virtio_scsi_status_name(c.transport_status), "BAD_TARGET");
	/* Nothing written (used length short of the response byte), or a
	 * response §5.6.6.1 does not define. */
	r = resp_of(VIRTIO_SCSI_S_OK, SCSI_STATUS_GOOD, NULL, 0);
	virtio_scsi_complete(&c, &tag, &r, 11, &unit_attention);
	assert_int_equal(c.ret, -EPROTO);
	assert_string_equal(storlab_virtio_scsi_status_name(c.transport_status), "NONE");
	r = resp_of(200, SCSI_STATUS_GOOD, NULL, 0);
	virtio_scsi_complete(&c, &tag, &r, sizeof(r), &unit_attention);
	assert_int_equal(c.ret, -EPROTO);
	assert_string_equal(storlab_virtio_scsi_response_name(VIRTIO_SCSI_S_FUNCTION_REJECTED),
			    "FUNCTION_REJECTED");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scheme),
	    cmocka_unit_test(test_address),
	    cmocka_unit_test(test_complete),
	};

	log_set_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
