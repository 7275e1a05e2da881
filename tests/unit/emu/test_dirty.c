/* SPDX-License-Identifier: MIT */
/* The dirty page set of a migration's rounds: marks at page edges, the
 * vhost-user log taken and cleared, rounds that copy and converge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "emu/emu_dirty.h"

#define PAGES 200

static void test_mark_edges(void **state)
{
	struct emu_dirty d;

	(void)state;
	assert_int_equal(emu_dirty_init(&d, PAGES), 0);
	/* The last byte of page 0 and the first of page 1: two pages. */
	emu_dirty_mark(&d, EMU_PAGE - 1, 2);
	assert_true(emu_dirty_test(&d, 0));
	assert_true(emu_dirty_test(&d, 1));
	assert_false(emu_dirty_test(&d, 2));
	/* A whole page from its first byte: that page only. */
	emu_dirty_mark(&d, 5 * EMU_PAGE, EMU_PAGE);
	assert_true(emu_dirty_test(&d, 5));
	assert_false(emu_dirty_test(&d, 4));
	assert_false(emu_dirty_test(&d, 6));
	/* Length 0 marks nothing; past the end is ignored, up to it is kept. */
	emu_dirty_mark(&d, 9 * EMU_PAGE, 0);
	assert_false(emu_dirty_test(&d, 9));
	emu_dirty_mark(&d, (PAGES - 1) * EMU_PAGE, 10 * EMU_PAGE);
	emu_dirty_mark(&d, (uint64_t)PAGES * EMU_PAGE, EMU_PAGE);
	assert_true(emu_dirty_test(&d, PAGES - 1));
	assert_false(emu_dirty_test(&d, PAGES));
	assert_int_equal(emu_dirty_count(&d), 4);
	/* Iteration finds exactly those, in order, across word boundaries. */
	assert_int_equal(emu_dirty_next(&d, 0), 0);
	assert_int_equal(emu_dirty_next(&d, 2), 5);
	assert_int_equal(emu_dirty_next(&d, 6), PAGES - 1);
	assert_int_equal(emu_dirty_next(&d, PAGES), PAGES);
	emu_dirty_fini(&d);
}

static void test_take_log(void **state)
{
	uint8_t log[32] = {0};
	struct emu_dirty d;

	(void)state;
	assert_int_equal(emu_dirty_init(&d, PAGES), 0);
	/* vhost-user.rst "Migration": page p is bit p % 8 of byte p / 8. */
	log[0] = 0x81;	/* pages 0 and 7 */
	log[2] = 0x10;	/* page 20 */
	log[24] = 0x80; /* page 199 */
	assert_int_equal(emu_dirty_log_count(log, sizeof(log)), 4);
	assert_int_equal(emu_dirty_take_log(&d, log, sizeof(log)), 4);
	assert_true(emu_dirty_test(&d, 0));
	assert_true(emu_dirty_test(&d, 7));
	assert_true(emu_dirty_test(&d, 20));
	assert_true(emu_dirty_test(&d, 199));
	assert_int_equal(emu_dirty_count(&d), 4);
	/* Taken means cleared: the next round starts from an empty log. */
	assert_int_equal(emu_dirty_log_count(log, sizeof(log)), 0);
	assert_int_equal(emu_dirty_take_log(&d, log, sizeof(log)), 0);
	emu_dirty_fini(&d);
}

static void test_rounds_move(void **state)
{
	struct emu_dirty guest, todo;

	(void)state;
	assert_int_equal(emu_dirty_init(&guest, PAGES), 0);
	assert_int_equal(emu_dirty_init(&todo, PAGES), 0);
	/* Round 0 takes everything. */
	emu_dirty_mark_all(&todo);
	assert_int_equal(emu_dirty_count(&todo), PAGES);
	emu_dirty_clear(&todo);
	assert_int_equal(emu_dirty_count(&todo), 0);
	/* The guest's writes of a round move into the next copy and are gone
	 * from the guest's set: a page written again shows again. */
	emu_dirty_mark(&guest, 3 * EMU_PAGE, 1);
	emu_dirty_mark(&guest, 70 * EMU_PAGE, 1);
	emu_dirty_move(&guest, &todo);
	assert_int_equal(emu_dirty_count(&guest), 0);
	assert_int_equal(emu_dirty_count(&todo), 2);
	emu_dirty_mark(&guest, 3 * EMU_PAGE, 1);
	emu_dirty_move(&guest, &todo);
	assert_int_equal(emu_dirty_count(&todo), 2);
	emu_dirty_fini(&guest);
	emu_dirty_fini(&todo);
}

static void test_log_bytes(void **state)
{
	(void)state;
	/* One bit a page, rounded up to a whole page to be mapped. */
	assert_int_equal(emu_dirty_log_bytes(1), EMU_PAGE);
	assert_int_equal(emu_dirty_log_bytes(8 * EMU_PAGE), EMU_PAGE);
	assert_int_equal(emu_dirty_log_bytes(8 * EMU_PAGE + 1), 2 * EMU_PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mark_edges),
	    cmocka_unit_test(test_take_log),
	    cmocka_unit_test(test_rounds_move),
	    cmocka_unit_test(test_log_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
