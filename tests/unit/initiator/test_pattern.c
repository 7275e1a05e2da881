/* SPDX-License-Identifier: MIT */
/* The verify pattern: what it writes, and what each kind of damage reads as. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "initiator/pattern.h"

#define SECTORS 8
#define SEED	0xfeedULL

static uint8_t g_buf[SECTORS * PATTERN_SECTOR];

static void test_stamp_layout(void **state)
{
	struct pattern_stamp st;

	(void)state;
	pattern_fill(g_buf, 100, SECTORS, 3, SEED);
	for (unsigned i = 0; i < SECTORS; i++) {
		memcpy(&st, g_buf + i * PATTERN_SECTOR, sizeof(st));
		assert_int_equal(st.magic, PATTERN_MAGIC);
		assert_int_equal(st.lba, 100 + i);
		assert_int_equal(st.seq, 3);
		assert_int_equal(st.seed, SEED);
	}
	/* The payload depends on the LBA: two sectors never carry the same bytes. */
	assert_memory_not_equal(g_buf + sizeof(st), g_buf + PATTERN_SECTOR + sizeof(st),
				PATTERN_SECTOR - sizeof(st));
	assert_int_equal(pattern_check(g_buf, 100, SECTORS, 3, SEED, NULL, 0), 0);
}

static void test_flipped_byte(void **state)
{
	struct pattern_mismatch mm[4];

	(void)state;
	pattern_fill(g_buf, 0, SECTORS, 1, SEED);
	g_buf[5 * PATTERN_SECTOR + 300] ^= 0x10;
	assert_int_equal(pattern_check(g_buf, 0, SECTORS, 1, SEED, mm, 4), 1);
	assert_int_equal(mm[0].lba, 5);
	assert_int_equal(mm[0].fault, PATTERN_BAD_DATA);
	assert_int_equal(mm[0].byte, 300);
	assert_string_equal(pattern_fault_name(mm[0].fault), "bad-data");
	/* ... and a flip in the stamp itself. */
	pattern_fill(g_buf, 0, SECTORS, 1, SEED);
	g_buf[2 * PATTERN_SECTOR + 1] ^= 1; /* magic */
	assert_int_equal(pattern_check(g_buf, 0, SECTORS, 1, SEED, mm, 4), 1);
	assert_int_equal(mm[0].lba, 2);
	assert_int_equal(mm[0].fault, PATTERN_NO_STAMP);
	assert_int_equal(mm[0].byte, 1);
}

/* Data of LBA 40.. read where 0.. was expected: a misdirected write or read. */
static void test_wrong_lba(void **state)
{
	struct pattern_mismatch mm[SECTORS];

	(void)state;
	pattern_fill(g_buf, 40, SECTORS, 1, SEED);
	assert_int_equal(pattern_check(g_buf, 0, SECTORS, 1, SEED, mm, SECTORS), SECTORS);
	for (unsigned i = 0; i < SECTORS; i++) {
		assert_int_equal(mm[i].lba, i);
		assert_int_equal(mm[i].fault, PATTERN_WRONG_LBA);
		assert_int_equal(mm[i].expected.lba, i);
		assert_int_equal(mm[i].found.lba, 40 + i);
		assert_int_equal(mm[i].byte, offsetof(struct pattern_stamp, lba));
	}
}

/* Pass 2 reads pass 1's data for one sector: a lost write. */
static void test_stale_sequence(void **state)
{
	struct pattern_mismatch mm[2];

	(void)state;
	pattern_fill(g_buf, 0, SECTORS, 2, SEED);
	pattern_fill(g_buf + 6 * PATTERN_SECTOR, 6, 1, 1, SEED);
	assert_int_equal(pattern_check(g_buf, 0, SECTORS, 2, SEED, mm, 2), 1);
	assert_int_equal(mm[0].lba, 6);
	assert_int_equal(mm[0].fault, PATTERN_STALE_SEQ);
	assert_int_equal(mm[0].expected.seq, 2);
	assert_int_equal(mm[0].found.seq, 1);
}

static void test_wrong_seed_and_zeroes(void **state)
{
	struct pattern_mismatch mm[SECTORS];

	(void)state;
	pattern_fill(g_buf, 0, SECTORS, 1, SEED + 1);
	assert_int_equal(pattern_check(g_buf, 0, SECTORS, 1, SEED, mm, 1), SECTORS);
	assert_int_equal(mm[0].fault, PATTERN_WRONG_SEED);
	memset(g_buf, 0, sizeof(g_buf));
	assert_int_equal(pattern_check(g_buf, 0, SECTORS, 1, SEED, mm, SECTORS), SECTORS);
	assert_int_equal(mm[7].fault, PATTERN_NO_STAMP);
	assert_int_equal(mm[7].lba, 7);
	assert_int_equal(mm[7].found.magic, 0);
}

/* More bad sectors than room: all are counted, the first max described. */
static void test_report_limit(void **state)
{
	struct pattern_mismatch mm[3];

	(void)state;
	memset(mm, 0xee, sizeof(mm));
	pattern_fill(g_buf, 0, SECTORS, 1, SEED);
	for (unsigned i = 1; i < SECTORS; i += 2)
		g_buf[i * PATTERN_SECTOR + 511] ^= 0xff;
	assert_int_equal(pattern_check(g_buf, 0, SECTORS, 1, SEED, mm, 2), 4);
	assert_int_equal(mm[0].lba, 1);
	assert_int_equal(mm[1].lba, 3);
	assert_int_equal(mm[0].byte, 511);
	assert_int_equal(mm[2].lba, 0xeeeeeeeeeeeeeeeeULL); /* untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stamp_layout),
	    cmocka_unit_test(test_flipped_byte),
	    cmocka_unit_test(test_wrong_lba),
	    cmocka_unit_test(test_stale_sequence),
	    cmocka_unit_test(test_wrong_seed_and_zeroes),
	    cmocka_unit_test(test_report_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
