/* Host tests of the RAMFS: path resolution (".", "..", repeated and
 * trailing slashes, symbolic links, loops, length limits, mounts) and the
 * file, directory and rename rules, under ASan (which also catches leaks). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ramfs.h"

static ramfs_t fs;
static ramfs_lookup_t lk;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(ramfs_init(&fs, 1 << 20), RAE_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ramfs_destroy(&fs);
	return 0;
}

static rae_status_t look(const char *path, unsigned flags)
{
	return ramfs_lookup(&fs, path, strlen(path), flags, &lk);
}

/* The node a path names (following links), or NULL. */
static ramfs_node_t *node_at(const char *path)
{
	return look(path, RAMFS_FOLLOW) == RAE_OK ? lk.node : NULL;
}

static ramfs_node_t *mkdir_at(ramfs_node_t *parent, const char *name)
{
	ramfs_node_t *n = NULL;
	assert_int_equal(ramfs_create(&fs, parent, name, strlen(name), RAE_VFS_S_IFDIR | 0755, &n),
			 RAE_OK);
	return n;
}

static ramfs_node_t *file_at(ramfs_node_t *parent, const char *name)
{
	ramfs_node_t *n = NULL;
	assert_int_equal(ramfs_create(&fs, parent, name, strlen(name), RAE_VFS_S_IFREG | 0644, &n),
			 RAE_OK);
	return n;
}

static void link_at(ramfs_node_t *parent, const char *name, const char *target)
{
	assert_int_equal(
	    ramfs_symlink(&fs, parent, name, strlen(name), target, strlen(target), NULL), RAE_OK);
}

static void test_dots_and_slashes(void **state)
{
	(void)state;
	ramfs_node_t *a = mkdir_at(fs.root, "a"), *b = mkdir_at(a, "b");
	ramfs_node_t *f = file_at(b, "f");
	assert_ptr_equal(node_at("/"), fs.root);
	assert_ptr_equal(node_at("///"), fs.root);
	assert_ptr_equal(node_at("a/b/f"), f);
	assert_ptr_equal(node_at("/a//b///f"), f);
	assert_ptr_equal(node_at("./a/./b/./f"), f);
	assert_ptr_equal(node_at("a/b/../b/f"), f);
	assert_ptr_equal(node_at("a/b/.."), a);
	assert_ptr_equal(node_at(".."), fs.root);
	assert_ptr_equal(node_at("/../../a/../../a/b"), b);
	assert_ptr_equal(node_at("a/b/"), b);
	assert_true(lk.dir_wanted);
	/* The final name and its directory, for create and remove. */
	assert_int_equal(look("a/b/new", 0), RAE_OK);
	assert_null(lk.node);
	assert_ptr_equal(lk.parent, b);
	assert_string_equal(lk.name, "new");
	assert_int_equal(look("a/b/f", 0), RAE_OK);
	assert_ptr_equal(lk.parent, b);
	assert_int_equal(look("a/.", 0), RAE_OK);
	assert_null(lk.parent);
	assert_ptr_equal(lk.node, a);
}

static void test_errors(void **state)
{
	(void)state;
	ramfs_node_t *a = mkdir_at(fs.root, "a");
	file_at(a, "f");
	assert_int_equal(look("", 0), RAE_ERR_NOT_FOUND);
	assert_int_equal(look("missing/x", 0), RAE_ERR_NOT_FOUND);
	assert_int_equal(look("a/f/x", 0), RAE_ERR_NOT_DIR);
	assert_int_equal(look("a/f/", 0), RAE_ERR_NOT_DIR);
	assert_int_equal(look("a/f/..", 0), RAE_ERR_NOT_DIR);
	assert_int_equal(ramfs_lookup(&fs, "a\0f", 3, 0, &lk), RAE_ERR_INVALID);
	char path[RAE_VFS_PATH_MAX + 2];
	memset(path, 'x', sizeof(path));
	assert_int_equal(ramfs_lookup(&fs, path, RAE_VFS_PATH_MAX + 1, 0, &lk), RAE_ERR_RANGE);
	assert_int_equal(ramfs_lookup(&fs, path, RAE_VFS_NAME_MAX + 1, 0, &lk), RAE_ERR_RANGE);
	assert_int_equal(ramfs_lookup(&fs, path, RAE_VFS_NAME_MAX, 0, &lk), RAE_OK);
	assert_null(lk.node);
	/* A path of RAE_VFS_PATH_MAX bytes is fine: "a/./././...". */
	path[0] = 'a';
	for (size_t i = 1; i + 1 < RAE_VFS_PATH_MAX; i += 2) {
		path[i] = '/';
		path[i + 1] = '.';
	}
	path[RAE_VFS_PATH_MAX - 1] = '/';
	assert_int_equal(ramfs_lookup(&fs, path, RAE_VFS_PATH_MAX, 0, &lk), RAE_OK);
	assert_ptr_equal(lk.node, a);
	assert_false(ramfs_name_ok(".", 1));
	assert_false(ramfs_name_ok("..", 2));
	assert_false(ramfs_name_ok("", 0));
	assert_false(ramfs_name_ok("a/b", 3));
	assert_true(ramfs_name_ok("...", 3));
}

static void test_symlinks(void **state)
{
	(void)state;
	ramfs_node_t *a = mkdir_at(fs.root, "a"), *b = mkdir_at(a, "b");
	ramfs_node_t *f = file_at(b, "f");
	link_at(fs.root, "abs", "/a/b");
	link_at(a, "rel", "b/f");
	link_at(b, "up", "../../a");
	link_at(fs.root, "dangling", "nowhere/x");
	link_at(fs.root, "self", "self");
	link_at(fs.root, "p", "q");
	link_at(fs.root, "q", "p");
	assert_ptr_equal(node_at("abs/f"), f);
	assert_ptr_equal(node_at("a/rel"), f);
	assert_ptr_equal(node_at("a/b/up/b/up/rel"), f);
	assert_ptr_equal(node_at("abs/../b/f"), f); /* ".." of the link's target */
	assert_ptr_equal(node_at("abs/"), b);
	/* A final link is followed only when asked (or with a trailing slash). */
	assert_int_equal(look("a/rel", 0), RAE_OK);
	assert_true(ramfs_is_link(lk.node));
	assert_int_equal(look("abs/", 0), RAE_OK);
	assert_ptr_equal(lk.node, b);
	assert_int_equal(look("dangling", RAMFS_FOLLOW), RAE_ERR_NOT_FOUND);
	assert_int_equal(look("self", RAMFS_FOLLOW), RAE_ERR_LOOP);
	assert_int_equal(look("p", RAMFS_FOLLOW), RAE_ERR_LOOP);
	assert_int_equal(look("p/x", 0), RAE_ERR_LOOP);
	assert_int_equal(look("self", 0), RAE_OK); /* the link itself is fine */
	/* A chain of exactly RAE_VFS_SYMLINK_MAX links resolves; one more does not. */
	char name[16], target[16];
	for (int i = 0; i < RAE_VFS_SYMLINK_MAX; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), i + 1 < RAE_VFS_SYMLINK_MAX ? "c%d" : "a/b/f",
			 i + 1);
		link_at(fs.root, name, target);
	}
	assert_ptr_equal(node_at("c0"), f);
	link_at(fs.root, "c-1", "c0");
	assert_int_equal(look("c-1", RAMFS_FOLLOW), RAE_ERR_LOOP);
	/* Links whose expansion makes the path too long: "l1/<1000>" becomes
	 * "l2/<995>/<1000>", then "<1000>/<995>/<1000>". */
	char longt[1000];
	memset(longt, 'y', sizeof(longt));
	for (size_t i = 100; i < sizeof(longt); i += 100)
		longt[i] = '/';
	assert_int_equal(ramfs_symlink(&fs, fs.root, "l2", 2, longt, sizeof(longt), NULL), RAE_OK);
	memcpy(longt, "l2/", 3);
	assert_int_equal(ramfs_symlink(&fs, fs.root, "l1", 2, longt, sizeof(longt), NULL), RAE_OK);
	char path[1003];
	memset(path, 'z', sizeof(path));
	memcpy(path, "l1/", 3);
	for (size_t i = 103; i < sizeof(path); i += 100)
		path[i] = '/';
	assert_int_equal(ramfs_lookup(&fs, path, sizeof(path), 0, &lk), RAE_ERR_RANGE);
	assert_int_equal(ramfs_lookup(&fs, path, 2, RAMFS_FOLLOW, &lk), RAE_ERR_NOT_FOUND);
	/* Limits when creating. */
	assert_int_equal(ramfs_symlink(&fs, fs.root, "e", 1, "", 0, NULL), RAE_ERR_INVALID);
	assert_int_equal(ramfs_symlink(&fs, fs.root, "abs", 3, "x", 1, NULL), RAE_ERR_EXISTS);
}

static int fake_mount;

static void test_mounts(void **state)
{
	(void)state;
	ramfs_node_t *m = mkdir_at(fs.root, "mnt");
	m->u.dir.mount = &fake_mount;
	link_at(fs.root, "to-mnt", "mnt/deep");
	assert_int_equal(look("mnt/a//b/c", 0), RAE_OK);
	assert_ptr_equal(lk.mount, &fake_mount);
	assert_string_equal(lk.rest, "a//b/c");
	assert_int_equal(look("mnt", 0), RAE_OK);
	assert_ptr_equal(lk.mount, &fake_mount);
	assert_int_equal(lk.rest_len, 0);
	/* ".." right below the mount point is ours; "." stays at it. */
	assert_int_equal(look("mnt/../mnt/./x", 0), RAE_OK);
	assert_string_equal(lk.rest, "x");
	assert_int_equal(look("mnt/..", 0), RAE_OK);
	assert_null(lk.mount);
	assert_ptr_equal(lk.node, fs.root);
	assert_int_equal(look("to-mnt/f", RAMFS_FOLLOW), RAE_OK);
	assert_string_equal(lk.rest, "deep/f");
}

static void test_files(void **state)
{
	(void)state;
	ramfs_node_t *f = file_at(fs.root, "f");
	char buf[9000];
	assert_int_equal(ramfs_write(&fs, f, 5000, "xy", 2), 2);
	assert_int_equal(f->u.file.size, 5002);
	memset(buf, 1, sizeof(buf));
	assert_int_equal(ramfs_read(f, 0, buf, sizeof(buf)), 5002);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf[i], 0);
	assert_memory_equal(buf + 5000, "xy", 2);
	assert_int_equal(fs.data_bytes, RAMFS_BLOCK); /* the hole has no block */
	assert_int_equal(ramfs_truncate(&fs, f, 5001), RAE_OK);
	assert_int_equal(ramfs_truncate(&fs, f, 6000), RAE_OK);
	assert_int_equal(ramfs_read(f, 5000, buf, 10), 10);
	assert_memory_equal(buf, "x\0\0\0\0\0\0\0\0\0", 10);
	assert_int_equal(ramfs_write(&fs, f, RAE_VFS_FILE_MAX, "z", 1), RAE_ERR_RANGE);
	assert_int_equal(ramfs_write(&fs, f, RAE_VFS_FILE_MAX - 1, "zz", 2), 1);
	assert_int_equal(ramfs_truncate(&fs, f, RAE_VFS_FILE_MAX + 1), RAE_ERR_RANGE);
	assert_int_equal(ramfs_truncate(&fs, f, 0), RAE_OK);
	assert_int_equal(fs.data_bytes, 0);
	/* Backed by read-only data until the first change. */
	static const uint8_t data[] = "archive bytes";
	ramfs_set_backing(&fs, f, data, sizeof(data));
	assert_int_equal(ramfs_read(f, 8, buf, 100), sizeof(data) - 8);
	assert_int_equal(ramfs_write(&fs, f, 0, "A", 1), 1);
	assert_int_equal(ramfs_read(f, 0, buf, 100), sizeof(data));
	assert_memory_equal(buf, "Archive bytes", 13);
	assert_memory_equal(data, "archive bytes", 13);
	/* The data limit: 1 MiB here. */
	static uint8_t chunk[RAMFS_BLOCK];
	int64_t r = 0;
	for (uint64_t off = 0; r >= 0 && off < (2u << 20); off += RAMFS_BLOCK)
		r = ramfs_write(&fs, f, off, chunk, sizeof(chunk));
	assert_int_equal(r, RAE_ERR_NO_MEMORY);
	assert_true(fs.data_bytes <= fs.data_max);
}

static void test_directories_and_rename(void **state)
{
	(void)state;
	ramfs_node_t *a = mkdir_at(fs.root, "a"), *b = mkdir_at(a, "b");
	ramfs_node_t *f = file_at(a, "f"), *g = file_at(fs.root, "g"), *n = NULL;
	assert_int_equal(ramfs_create(&fs, a, "f", 1, RAE_VFS_S_IFREG, &n), RAE_ERR_EXISTS);
	assert_int_equal(ramfs_remove(&fs, fs.root, "a", 1), RAE_ERR_NOT_EMPTY);
	assert_int_equal(ramfs_rename(&fs, fs.root, "a", 1, b, "x", 1), RAE_ERR_INVALID);
	assert_int_equal(ramfs_rename(&fs, fs.root, "a", 1, a, "x", 1), RAE_ERR_INVALID);
	assert_int_equal(ramfs_rename(&fs, a, "f", 1, a, "b", 1), RAE_ERR_IS_DIR);
	assert_int_equal(ramfs_rename(&fs, a, "b", 1, fs.root, "g", 1), RAE_ERR_NOT_DIR);
	assert_int_equal(ramfs_rename(&fs, a, "f", 1, fs.root, "g", 1), RAE_OK);
	assert_ptr_equal(node_at("g"), f);
	assert_null(node_at("a/f"));
	(void)g; /* replaced and freed: ASan would catch a use */
	/* A hard link keeps a file alive after one name goes. */
	assert_int_equal(ramfs_link(&fs, b, "h", 1, f), RAE_OK);
	assert_int_equal(f->nlink, 2);
	assert_int_equal(ramfs_link(&fs, b, "d", 1, a), RAE_ERR_IS_DIR);
	assert_int_equal(ramfs_remove(&fs, fs.root, "g", 1), RAE_OK);
	assert_ptr_equal(node_at("a/b/h"), f);
	/* A held node outlives its last name. */
	ramfs_hold(f);
	assert_int_equal(ramfs_remove(&fs, b, "h", 1), RAE_OK);
	assert_int_equal(ramfs_write(&fs, f, 0, "still", 5), 5);
	ramfs_release(&fs, f);
	/* Directories move with their contents. */
	file_at(b, "inside");
	assert_int_equal(ramfs_rename(&fs, a, "b", 1, fs.root, "moved", 5), RAE_OK);
	assert_non_null(node_at("moved/inside"));
	assert_ptr_equal(node_at("moved/.."), fs.root);
	/* getdents: ".", "..", then the entries, across small buffers. */
	uint8_t buf[64];
	uint64_t pos = 0;
	int names = 0;
	int64_t got;
	while ((got = ramfs_getdents(fs.root, &pos, buf, sizeof(buf))) > 0) {
		for (int64_t at = 0; at < got; at += ((struct rae_dirent *)(buf + at))->reclen)
			names++;
	}
	assert_int_equal(got, 0);
	assert_int_equal(names, 4); /* ".", "..", "a", "moved" */
	pos = 0;
	assert_int_equal(ramfs_getdents(fs.root, &pos, buf, 8), RAE_ERR_RANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dots_and_slashes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mounts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_directories_and_rename, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
