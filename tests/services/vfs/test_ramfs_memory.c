/* Host tests that the RAMFS, on librae's heap as in vfsd, gives memory
 * back: filling a directory with files (big ones, or 20 000 empty ones)
 * and removing them all, or truncating, brings the heap's pages back to
 * within a few runs of what they were (issue 12: a fill and delete of /tmp
 * used to leave its size in use until vfsd restarted). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ramfs.h"
#include <rae_heap.h>

/* What may stay: the heap's kept empty runs, a partly used run per size
 * class, descriptor pages. Far below the 1 MiB the in-OS test allows. */
#define SLACK (512u << 10)

static ramfs_t fs;
static uint8_t chunk[RAMFS_BLOCK];

static ramfs_node_t *mkfile(ramfs_node_t *dir, const char *name)
{
	ramfs_node_t *n = NULL;
	assert_int_equal(ramfs_create(&fs, dir, name, strlen(name), RAE_VFS_S_IFREG | 0644, &n),
			 RAE_OK);
	return n;
}

static ramfs_node_t *tmp_dir(void)
{
	ramfs_node_t *n = NULL;
	assert_int_equal(ramfs_create(&fs, fs.root, "tmp", 3, RAE_VFS_S_IFDIR | 01777, &n), RAE_OK);
	return n;
}

static void fill(ramfs_node_t *f, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += RAMFS_BLOCK) {
		memset(chunk, (int)(off >> 12), sizeof(chunk));
		assert_int_equal(ramfs_write(&fs, f, off, chunk, sizeof(chunk)), sizeof(chunk));
	}
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(ramfs_init(&fs, 64ull << 20), RAE_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ramfs_destroy(&fs);
	return 0;
}

static void test_big_files_go_back(void **state)
{
	(void)state;
	ramfs_node_t *tmp = tmp_dir();
	for (int round = 0; round < 2; round++) {
		size_t before = rae_heap_mapped();
		char name[32];
		/* 47 MiB: files of 1 MiB to 8 MiB and a few odd sizes. */
		uint64_t total = 0;
		for (int i = 0; total < (47ull << 20); i++) {
			uint64_t size = (1ull << 20) << (i % 4);
			size += (uint64_t)i * 777; /* not a whole block */
			if (size > (47ull << 20) - total)
				size = (47ull << 20) - total;
			snprintf(name, sizeof(name), "big%d", i);
			fill(mkfile(tmp, name), size);
			total += size;
		}
		assert_true(rae_heap_mapped() >= before + (47ull << 20));
		for (int i = 0; tmp->u.dir.count; i++) {
			snprintf(name, sizeof(name), "big%d", i);
			assert_int_equal(ramfs_remove(&fs, tmp, name, strlen(name)), RAE_OK);
		}
		assert_int_equal(fs.data_bytes, 0);
		assert_true(rae_heap_mapped() <= before + SLACK);
	}
}

#define EMPTY_FILES 20000

static void test_empty_files_go_back(void **state)
{
	(void)state;
	ramfs_node_t *tmp = tmp_dir();
	size_t before = rae_heap_mapped();
	char name[32];
	for (int i = 0; i < EMPTY_FILES; i++) {
		snprintf(name, sizeof(name), "empty-file-%05d", i);
		mkfile(tmp, name);
	}
	assert_true(rae_heap_mapped() >= before + EMPTY_FILES * 64);
	/* Removed in creation order: the array's last entry moves each time. */
	for (int i = 0; i < EMPTY_FILES; i++) {
		snprintf(name, sizeof(name), "empty-file-%05d", i);
		assert_int_equal(ramfs_remove(&fs, tmp, name, strlen(name)), RAE_OK);
	}
	assert_true(tmp->u.dir.cap <= 16); /* the entry array shrank */
	assert_true(rae_heap_mapped() <= before + SLACK);
}

/* An open file that is removed keeps its blocks until the last close. */
static void test_open_file_goes_back_at_release(void **state)
{
	(void)state;
	ramfs_node_t *tmp = tmp_dir();
	size_t before = rae_heap_mapped();
	ramfs_node_t *f = mkfile(tmp, "held");
	fill(f, 4ull << 20);
	ramfs_hold(f);
	assert_int_equal(ramfs_remove(&fs, tmp, "held", 4), RAE_OK);
	assert_true(rae_heap_mapped() >= before + (4ull << 20));
	ramfs_release(&fs, f);
	assert_true(rae_heap_mapped() <= before + SLACK);
}

static void test_truncation_goes_back(void **state)
{
	(void)state;
	ramfs_node_t *tmp = tmp_dir();
	size_t before = rae_heap_mapped();
	ramfs_node_t *f = mkfile(tmp, "t");
	fill(f, 16ull << 20);
	assert_true(rae_heap_mapped() >= before + (16ull << 20));
	/* To one block and a bit: the rest and most of the table go. */
	assert_int_equal(ramfs_truncate(&fs, f, RAMFS_BLOCK + 1), RAE_OK);
	assert_int_equal(fs.data_bytes, 2 * RAMFS_BLOCK);
	assert_true(f->u.file.nblocks <= 4);
	assert_true(rae_heap_mapped() <= before + SLACK);
	uint8_t buf[8];
	assert_int_equal(ramfs_read(f, RAMFS_BLOCK - 4, buf, sizeof(buf)), 5);
	fill(f, 8ull << 20);
	assert_int_equal(ramfs_truncate(&fs, f, 0), RAE_OK);
	assert_int_equal(fs.data_bytes, 0);
	assert_true(rae_heap_mapped() <= before + SLACK);
	assert_int_equal(ramfs_remove(&fs, tmp, "t", 1), RAE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_big_files_go_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_files_go_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_file_goes_back_at_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncation_goes_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
