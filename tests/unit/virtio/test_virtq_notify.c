/* SPDX-License-Identifier: MIT */
/*
 * Notification suppression in both directions, both sides talking through
 * one ring: used-buffer notifications (§2.7.7: avail flags / used_event) and
 * available-buffer notifications, the kicks (§2.7.10: used flags /
 * avail_event), with and without VIRTIO_F_EVENT_IDX.
 */
#include <errno.h>

#include "guest.h"

static const uint64_t F_EVENT_IDX = VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);

/* Adds n one-buffer chains and publishes them; returns publish's answer. */
static bool add_publish(struct guest *g, int n)
{
	const struct virtq_buf buf = {guest_buf(0), 8};

	for (int i = 0; i < n; i++)
		assert_int_equal(virtq_drv_add(&g->drv, &buf, 1, 0, g), 0);
	return virtq_drv_publish(&g->drv);
}

/* Pops and pushes back n chains. */
static void serve(struct guest *g, int n)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), 0);
		virtq_dev_push(&g->dev, g->chain.head, 0);
	}
}

static void reap(struct guest *g, int n)
{
	void *cookie;
	uint32_t len;

	for (int i = 0; i < n; i++)
		assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), -EAGAIN);
}

static void test_need_event_helper(void **state)
{
	(void)state;
	/* Notify iff event is in [old, new), modulo 2^16. */
	assert_true(virtq_need_event(5, 6, 5));
	assert_false(virtq_need_event(6, 6, 5));
	assert_false(virtq_need_event(4, 6, 5));
	assert_true(virtq_need_event(65535, 1, 65534));
	assert_true(virtq_need_event(0, 1, 65534));
	assert_false(virtq_need_event(1, 1, 65534));
	assert_false(virtq_need_event(65535, 65535, 65534));
	assert_false(virtq_need_event(3, 3, 3));
}

static void test_used_notify_flags(void **state)
{
	struct guest *g = guest_new(8, 0, 0);

	(void)state;
	/* Nothing pushed: nothing to say. */
	assert_false(virtq_dev_need_notify(&g->dev));
	add_publish(g, 2);
	serve(g, 1);
	assert_true(virtq_dev_need_notify(&g->dev));
	/* Decided already: no second notification for the same entries. */
	assert_false(virtq_dev_need_notify(&g->dev));

	assert_true(virtq_drv_enable_notify(&g->drv, false));
	assert_int_equal(g->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	serve(g, 1);
	assert_false(virtq_dev_need_notify(&g->dev));
	reap(g, 2);
	assert_false(virtq_drv_enable_notify(&g->drv, true));
	assert_int_equal(g->avail->flags, 0);
	add_publish(g, 1);
	serve(g, 1);
	assert_true(virtq_drv_enable_notify(&g->drv, true)); /* pending */
	assert_true(virtq_dev_need_notify(&g->dev));
	guest_free(g);
}

static void test_used_notify_event_idx(void **state)
{
	struct guest *g = guest_new(8, F_EVENT_IDX, 0);
	uint16_t *used_event = virtq_used_event(g->avail, 8);

	(void)state;
	add_publish(g, 8);
	/* used_event 0 (as the driver initialised it): entry 0 crosses it. */
	serve(g, 1);
	assert_true(virtq_dev_need_notify(&g->dev));
	reap(g, 1);
	/* Ask for the entry after the one reaped: used idx 1 -> 2 crosses it. */
	assert_false(virtq_drv_enable_notify(&g->drv, true));
	assert_int_equal(*used_event, 1);
	assert_int_equal(g->avail->flags, 0);
	serve(g, 1);
	assert_true(virtq_dev_need_notify(&g->dev));
	/* Only that one: the next entry passes no event. */
	serve(g, 1);
	assert_false(virtq_dev_need_notify(&g->dev));
	reap(g, 2);
	/* used_event 5: a batch 3 -> 5 stops short, the next one crosses it. */
	*used_event = 5;
	serve(g, 2);
	assert_false(virtq_dev_need_notify(&g->dev));
	serve(g, 2);
	assert_true(virtq_dev_need_notify(&g->dev));
	reap(g, 4);
	/* Suppressed: used_event one behind the reaped entries, flags still 0. */
	assert_false(virtq_drv_enable_notify(&g->drv, false));
	assert_int_equal(*used_event, 6);
	assert_int_equal(g->avail->flags, 0);
	add_publish(g, 2);
	serve(g, 2);
	assert_false(virtq_dev_need_notify(&g->dev));
	guest_free(g);
}

/* §2.7.7.2: SHOULD NOT notify before used_event is crossed, from the very
 * first entry of a fresh ring; a resumed ring's first decision notifies. */
static void test_used_notify_event_idx_first_entry(void **state)
{
	struct guest *g = guest_new(8, F_EVENT_IDX, 0);
	uint16_t *used_event = virtq_used_event(g->avail, 8);

	(void)state;
	*used_event = 2;
	add_publish(g, 4);
	serve(g, 1);
	assert_false(virtq_dev_need_notify(&g->dev));
	serve(g, 1);
	assert_false(virtq_dev_need_notify(&g->dev));
	serve(g, 1); /* used idx 2 -> 3 crosses used_event 2 */
	assert_true(virtq_dev_need_notify(&g->dev));
	reap(g, 3);
	/* A resumed ring (used idx 3, as after a reconnect): whatever the
	 * driver last asked for may have been owed by the previous back-end. */
	guest_dev_init(g, F_EVENT_IDX, 0, 3);
	*used_event = 1;
	serve(g, 1);
	assert_true(virtq_dev_need_notify(&g->dev));
	guest_free(g);
}

static void test_used_notify_event_idx_wrap(void **state)
{
	struct guest *g = guest_new(4, F_EVENT_IDX, 0);

	(void)state;
	g->used->idx = 65534;
	guest_dev_init(g, F_EVENT_IDX, 0, 0);
	for (uint16_t h = 0; h < 4; h++) {
		guest_desc(g, h, guest_buf(0), 1, 0, 0);
		guest_make_avail(g, h);
	}
	serve(g, 1);
	assert_true(virtq_dev_need_notify(&g->dev)); /* first: 65535 */
	*virtq_used_event(g->avail, 4) = 0;
	serve(g, 1); /* 65535 -> 0: event 0 not yet written */
	assert_false(virtq_dev_need_notify(&g->dev));
	serve(g, 1); /* entry 0 written: 0 -> 1 */
	assert_true(virtq_dev_need_notify(&g->dev));
	assert_int_equal(g->used->idx, 1);
	guest_free(g);
}

static void test_kick_flags(void **state)
{
	struct guest *g = guest_new(8, 0, 0);

	(void)state;
	/* Nothing published: no kick, whatever the device wants. */
	assert_false(virtq_drv_publish(&g->drv));
	assert_true(add_publish(g, 1));
	virtq_dev_set_kick(&g->dev, false);
	assert_int_equal(g->used->flags, VIRTQ_USED_F_NO_NOTIFY);
	assert_false(add_publish(g, 1));
	virtq_dev_set_kick(&g->dev, true);
	assert_int_equal(g->used->flags, 0);
	assert_true(virtq_dev_has_work(&g->dev));
	assert_true(add_publish(g, 1));
	guest_free(g);
}

static void test_kick_event_idx(void **state)
{
	struct guest *g = guest_new(8, F_EVENT_IDX, 0);
	uint16_t *avail_event = virtq_avail_event(g->used, 8);

	(void)state;
	virtq_dev_set_kick(&g->dev, true);
	assert_int_equal(*avail_event, 0);
	assert_int_equal(g->used->flags, 0);
	/* 0 -> 1 crosses avail_event 0; 1 -> 2 does not. */
	assert_true(add_publish(g, 1));
	assert_false(add_publish(g, 1));
	serve(g, 2);
	virtq_dev_set_kick(&g->dev, true);
	assert_int_equal(*avail_event, 2);
	assert_true(add_publish(g, 2));
	serve(g, 2);
	/* Disabling leaves avail_event behind and the flags alone. */
	virtq_dev_set_kick(&g->dev, false);
	assert_int_equal(*avail_event, 2);
	assert_int_equal(g->used->flags, 0);
	reap(g, 4);
	assert_false(add_publish(g, 1));
	guest_free(g);
}

/* A reactor going to sleep: enable kicks, look once more; the driver that
 * publishes after that look is told to kick. And the driver going to sleep:
 * enable notifications, and learn of entries already there. */
static void test_sleep_protocol(void **state)
{
	struct guest *g = guest_new(8, F_EVENT_IDX, 0);

	(void)state;
	add_publish(g, 3);
	serve(g, 3);
	virtq_dev_set_kick(&g->dev, false);
	virtq_dev_set_kick(&g->dev, true);
	assert_false(virtq_dev_has_work(&g->dev));
	assert_true(add_publish(g, 1));
	assert_true(virtq_dev_has_work(&g->dev));

	assert_true(virtq_drv_enable_notify(&g->drv, true)); /* 3 used, none reaped */
	reap(g, 3);
	assert_false(virtq_drv_enable_notify(&g->drv, true));
	serve(g, 1);
	assert_true(virtq_dev_need_notify(&g->dev));
	guest_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_event_helper),
		cmocka_unit_test(test_used_notify_flags),
		cmocka_unit_test(test_used_notify_event_idx),
		cmocka_unit_test(test_used_notify_event_idx_first_entry),
		cmocka_unit_test(test_used_notify_event_idx_wrap),
		cmocka_unit_test(test_kick_flags),
		cmocka_unit_test(test_kick_event_idx),
		cmocka_unit_test(test_sleep_protocol),
	};

	log_set_sink(guest_log_sink, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
