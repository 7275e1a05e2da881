/* SPDX-License-Identifier: MIT */
/*
 * What only the io_uring backend does: sizing of files (rounding down to
 * whole blocks), O_DIRECT for aligned buffers and the buffered fallback for
 * unaligned ones (told apart by page-cache residency), more I/O in flight
 * than the rings hold, a short read at EOF, fallocate zeroing and its
 * fallback on tmpfs (which refuses FALLOC_FL_ZERO_RANGE), and completions
 * that wake a sleeping reactor (interrupt mode). Contents are checked
 * through an independent fd on the file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bdev_ut.h"

#define BS 4096
#define MANY 2048 /* more than the SQ (512) and the CQ (1024) */

static char g_dir[256];

static const char *tmp_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir ? dir : "/tmp";
}

/* A fresh file of size bytes in dir; its path in path. Returns an fd. */
static int make_file(const char *dir, char *path, size_t path_size, off_t size)
{
	int fd;

	snprintf(path, path_size, "%s/bdev_uring_ut_XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	return fd;
}

static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
}

static void pread_all(int fd, void *buf, size_t len, off_t off)
{
	assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
}

/* A file in dir, a uring bdev on it, and that bdev's channel on reactor 0. */
struct fixture {
	char path[300];
	int fd;
	const char *name;
	struct bdev *bdev;
	struct bdev_channel *ch;
};

static void fixture_open(struct fixture *f, const char *dir, const char *name, off_t size,
			 uint32_t block_size)
{
	f->fd = make_file(dir, f->path, sizeof(f->path), size);
	f->name = name;
	assert_int_equal(bdev_uring_create(name, f->path, block_size), 0);
	f->bdev = bdev_get_by_name(name);
	assert_non_null(f->bdev);
	f->ch = ut_channel_get(0, f->bdev);
	assert_non_null(f->ch);
}

static void fixture_close(struct fixture *f)
{
	ut_channel_put(0, f->ch);
	assert_int_equal(bdev_unregister(f->name), 0);
	close(f->fd);
	unlink(f->path);
}

static int setup_adaptive(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "%s", tmp_dir());
	return ut_env_start(ENV_MODE_ADAPTIVE);
}

static int setup_interrupt(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "%s", tmp_dir());
	return ut_env_start(ENV_MODE_INTERRUPT);
}

static int teardown(void **state)
{
	(void)state;
	env_stop();
	return bdev_first() == NULL ? 0 : -1;
}

static void test_create_geometry(void **state)
{
	unsigned fds = count_fds();
	char path[300], empty[300];
	struct bdev *bdev;
	int fd, efd;

	(void)state;
	fd = make_file(g_dir, path, sizeof(path), 10 * BS + 100);
	efd = make_file(g_dir, empty, sizeof(empty), 0);

	assert_int_equal(bdev_uring_create("g1", path, BS), 0);
	bdev = bdev_get_by_name("g1");
	assert_non_null(bdev);
	assert_int_equal(bdev->block_size, BS);
	assert_int_equal(bdev->num_blocks, 10); /* the last 100 bytes are no block */
	assert_true(bdev->write_cache);
	assert_int_equal(bdev_uring_create("g2", path, 0), 0);
	bdev = bdev_get_by_name("g2");
	assert_int_equal(bdev->block_size, 512);
	assert_int_equal(bdev->num_blocks, (10 * BS + 100) / 512);

	assert_int_equal(bdev_uring_create("g1", path, BS), -EEXIST);
	assert_int_equal(bdev_uring_create("bad", "/nonexistent/storlab", BS), -ENOENT);
	assert_int_equal(bdev_uring_create("bad", g_dir, BS), -EISDIR);
	assert_int_equal(bdev_uring_create("bad", "/dev/null", BS), -EINVAL);
	assert_int_equal(bdev_uring_create("bad", path, 1000), -EINVAL);
	assert_int_equal(bdev_uring_create("bad", path, 256), -EINVAL);
	assert_int_equal(bdev_uring_create("bad", empty, BS), -EINVAL);
	assert_null(bdev_get_by_name("bad"));

	assert_int_equal(bdev_unregister("g1"), 0);
	assert_int_equal(bdev_unregister("g2"), 0);
	close(fd);
	close(efd);
	unlink(path);
	unlink(empty);
	/* Failed creates and unregistered bdevs left no fd behind. */
	assert_int_equal(count_fds(), fds);
}

/* Pages of [off, off + len) of the file that are in the page cache. */
static unsigned resident_pages(int fd, off_t off, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec[64];
	unsigned n = 0;
	void *map;

	assert_true(len / (size_t)page <= sizeof(vec));
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mincore(map, len, vec), 0);
	for (size_t i = 0; i < len / (size_t)page; i++)
		n += vec[i] & 1;
	munmap(map, len);
	return n;
}

static bool uses_o_direct(struct bdev *bdev)
{
	json_t *j = bdev_to_json(bdev);
	json_t *uring = json_object_get(json_object_get(j, "driver_specific"), "uring");
	bool direct = json_is_true(json_object_get(uring, "o_direct"));

	json_decref(j);
	return direct;
}

/*
 * Aligned buffers go through O_DIRECT: the range never enters the page
 * cache. An unaligned buffer goes through the buffered fd: it does. Both
 * read the same data.
 */
static void test_direct_and_fallback(void **state)
{
	size_t len = 4 * BS;
	uint8_t *aligned = NULL, *raw, *unaligned;
	struct fixture f;

	(void)state;
	fixture_open(&f, g_dir, "d", 64 * BS, BS);
	if (!uses_o_direct(f.bdev)) {
		fixture_close(&f);
		print_message("no O_DIRECT on %s: nothing to compare\n", g_dir);
		skip();
	}
	assert_int_equal(posix_memalign((void **)&aligned, BS, len), 0);
	raw = malloc(len + 1);
	unaligned = raw + 1;

	ut_fill(aligned, len, 10);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_WRITE, 8, 4, aligned, len), 0);
	assert_int_equal(resident_pages(f.fd, 8 * BS, len), 0);
	memset(aligned, 0, len);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_READ, 8, 4, aligned, len), 0);
	assert_int_equal(resident_pages(f.fd, 8 * BS, len), 0);

	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_READ, 8, 4, unaligned, len), 0);
	assert_true(resident_pages(f.fd, 8 * BS, len) > 0);
	assert_memory_equal(unaligned, aligned, len);

	ut_fill(unaligned, len, 11);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_WRITE, 8, 4, unaligned, len), 0);
	pread_all(f.fd, aligned, len, 8 * BS);
	assert_memory_equal(aligned, unaligned, len);

	fixture_close(&f);
	free(aligned);
	free(raw);
}

/* Odd addresses and lengths, split differently for writing and reading. */
static void test_unaligned_iovs(void **state)
{
	size_t len = 3 * BS;
	uint8_t *raw = malloc(len + 16), *buf = raw + 3, *check = malloc(len);
	struct fixture f;
	struct ut_io u;

	(void)state;
	fixture_open(&f, g_dir, "u", 16 * BS, BS);
	ut_fill(buf, len, 20);
	ut_io_prep(&u, BDEV_IO_WRITE, 5, 3, buf, 1);
	u.iov[1] = (struct iovec){ buf + 1, 4095 + 13 };
	u.iov[2] = (struct iovec){ buf + 4109, len - 4109 };
	u.io.iovcnt = 3;
	ut_submit(0, f.ch, &u, 1);
	ut_wait(0, &u, 1);
	assert_int_equal(u.status, 0);
	pread_all(f.fd, check, len, 5 * BS);
	assert_memory_equal(check, buf, len);

	ut_fill(check, len, 21);
	pwrite_all(f.fd, check, len, 9 * BS);
	memset(buf, 0, len);
	ut_io_prep(&u, BDEV_IO_READ, 9, 3, buf, 777);
	u.iov[1] = (struct iovec){ buf + 777, len - 777 };
	u.io.iovcnt = 2;
	ut_submit(0, f.ch, &u, 1);
	ut_wait(0, &u, 1);
	assert_int_equal(u.status, 0);
	assert_memory_equal(buf, check, len);

	fixture_close(&f);
	free(raw);
	free(check);
}

struct many {
	struct ut_io ios[MANY];
	uint8_t data[MANY][512];
	uint8_t got[MANY][512];
};

/* More I/O at once than the rings take: the rest waits, none is refused,
 * each completes once. Also checks that channels leave no fd behind. */
static void test_more_than_the_rings(void **state)
{
	struct many *m = malloc(sizeof(*m));
	unsigned fds = count_fds();
	struct fixture f;

	(void)state;
	fixture_open(&f, g_dir, "m", MANY * 512, 512);
	for (unsigned i = 0; i < MANY; i++) {
		ut_fill(m->data[i], 512, 3000 + i);
		ut_io_prep(&m->ios[i], BDEV_IO_WRITE, MANY - 1 - i, 1, m->data[i], 512);
	}
	ut_submit(0, f.ch, m->ios, MANY);
	ut_wait(0, m->ios, MANY);
	for (unsigned i = 0; i < MANY; i++) {
		assert_int_equal(m->ios[i].submit_rc, 0);
		assert_int_equal(m->ios[i].status, 0);
		ut_io_prep(&m->ios[i], BDEV_IO_READ, MANY - 1 - i, 1, m->got[i], 512);
	}
	ut_submit(0, f.ch, m->ios, MANY);
	ut_wait(0, m->ios, MANY);
	for (unsigned i = 0; i < MANY; i++) {
		assert_int_equal(m->ios[i].status, 0);
		assert_memory_equal(m->got[i], m->data[i], 512);
	}
	pread_all(f.fd, m->got[0], 512, (MANY - 1) * 512);
	assert_memory_equal(m->got[0], m->data[0], 512);
	fixture_close(&f);
	/* The channel's ring and eventfd, the bdev's fds: all closed. */
	assert_int_equal(count_fds(), fds);
	free(m);
}

/* The file shrank under the bdev: reading past its new end is -EIO. */
static void test_short_read_at_eof(void **state)
{
	uint8_t *buf = malloc(2 * BS);
	struct bdev_io_stat st;
	struct fixture f;

	(void)state;
	fixture_open(&f, g_dir, "s", 16 * BS, BS);
	assert_int_equal(ftruncate(f.fd, 8 * BS + 512), 0);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_READ, 12, 1, buf, BS), -EIO);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_READ, 7, 2, buf, 2 * BS), -EIO);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_READ, 2, 2, buf, 2 * BS), 0);
	bdev_get_io_stat(f.bdev, &st);
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.ops[BDEV_IO_READ], 1);
	fixture_close(&f);
	free(buf);
}

/* Zeroing ranges of a file full of pattern, checked byte for byte. */
static void zero_ranges(const char *dir)
{
	size_t size = 1536 * BS; /* 6 MiB */
	uint8_t *expect = malloc(size), *got = malloc(size);
	struct fixture f;

	fixture_open(&f, dir, "z", (off_t)size, BS);
	ut_fill(expect, size, 30);
	pwrite_all(f.fd, expect, size, 0);

	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_WRITE_ZEROES, 256, 1024, NULL, 0), 0);
	memset(expect + 256 * BS, 0, 1024 * BS);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_UNMAP, 3, 5, NULL, 0), 0);
	memset(expect + 3 * BS, 0, 5 * BS);
	/* A second time starts from the way that worked. */
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_WRITE_ZEROES, 1400, 2, NULL, 0), 0);
	memset(expect + 1400 * BS, 0, 2 * BS);
	pread_all(f.fd, got, size, 0);
	assert_memory_equal(got, expect, size);
	/* And through the bdev (the page cache and the file agree). */
	memset(got, 0xff, size);
	assert_int_equal(ut_io_run(0, f.ch, BDEV_IO_READ, 0, 1536, got, size), 0);
	assert_memory_equal(got, expect, size);

	fixture_close(&f);
	free(expect);
	free(got);
}

static void test_zeroes(void **state)
{
	(void)state;
	zero_ranges(g_dir);
}

static void test_zeroes_tmpfs(void **state)
{
	struct stat st;

	(void)state;
	if (stat("/dev/shm", &st) || !S_ISDIR(st.st_mode)) {
		print_message("no /dev/shm\n");
		skip();
	}
	zero_ranges("/dev/shm");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_geometry),
		cmocka_unit_test(test_direct_and_fallback),
		cmocka_unit_test(test_unaligned_iovs),
		cmocka_unit_test(test_more_than_the_rings),
		cmocka_unit_test(test_short_read_at_eof),
		cmocka_unit_test(test_zeroes),
		cmocka_unit_test(test_zeroes_tmpfs),
	};
	/* Nothing but the rings' eventfds wakes a reactor in interrupt mode. */
	const struct CMUnitTest interrupt_tests[] = {
		cmocka_unit_test(test_direct_and_fallback),
		cmocka_unit_test(test_more_than_the_rings),
		cmocka_unit_test(test_zeroes),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("uring_adaptive", tests, setup_adaptive, teardown);
	failed += cmocka_run_group_tests_name("uring_interrupt", interrupt_tests, setup_interrupt,
					      teardown);
	return failed;
}
