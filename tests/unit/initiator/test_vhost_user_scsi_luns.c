/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi transport's LUN table (struct vus_luns): a copy is
 * changed aside and published whole, a table once published is never
 * written (a queue may be reading it), the selected LUN is found again
 * after a change or marked gone, and every table is freed at close (ASan
 * sees a leak otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "initiator/vhost_user_scsi.h"

static struct vus_luns *table(unsigned n, uint8_t sel_target)
{
	struct vus_luns *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	for (unsigned i = 0; i < n; i++)
		t->lun[i] = (struct storlab_scsi_lun){.target = (uint8_t)i, .block_len = 512};
	t->nluns = n;
	t->sel_target = sel_target;
	vus_luns_locate_selected(t);
	return t;
}

static void test_locate_selected(void **state)
{
	struct vus_luns *t = table(3, 2);

	(void)state;
	assert_true(t->present);
	assert_int_equal(t->selected, 2);
	/* Gone: past the end, as storlab_virtio_scsi_info says. */
	t->nluns = 2;
	vus_luns_locate_selected(t);
	assert_false(t->present);
	assert_int_equal(t->selected, 2);
	t->lun[0].target = 2;
	vus_luns_locate_selected(t);
	assert_true(t->present);
	assert_int_equal(t->selected, 0);
	free(t);
}

static void test_copy_publish(void **state)
{
	struct vus_dev vdev = {0};
	const struct vus_luns *first;
	struct vus_luns *next;

	(void)state;
	vus_luns_publish(&vdev, table(2, 1));
	first = vus_luns_get(&vdev);
	next = vus_luns_copy(&vdev);
	assert_non_null(next);
	assert_ptr_not_equal(next, first);
	assert_memory_equal(next->lun, first->lun, sizeof(first->lun));
	next->nluns = 1;
	vus_luns_locate_selected(next);
	/* Until it is published the readers see the first, unchanged. */
	assert_ptr_equal(vus_luns_get(&vdev), first);
	assert_int_equal(first->nluns, 2);
	assert_true(first->present);
	vus_luns_publish(&vdev, next);
	assert_ptr_equal(vus_luns_get(&vdev), next);
	assert_false(vus_luns_get(&vdev)->present);
	/* The one replaced stays readable, retired, until close. */
	assert_ptr_equal(next->retired, first);
	assert_int_equal(first->nluns, 2);
	vus_luns_free(&vdev);
	assert_null(vdev.luns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_locate_selected),
	    cmocka_unit_test(test_copy_publish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
