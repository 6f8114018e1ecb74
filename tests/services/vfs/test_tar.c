/* Host tests of rae-vfsd's USTAR loader: a good archive loads with its
 * names, modes, times, bytes and links; each kind of bad entry is skipped
 * with a report naming it while the rest loads; and seeded random and
 * mutated archives never crash it or leave a file pointing outside the
 * archive (ASan and UBSan watch every access). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tar.h"
#include "tar_check.h"

#define BLOCK 512

typedef struct {
	uint8_t buf[64 * 1024];
	size_t len;
} archive_t;

static ramfs_t fs;
static char reports[16][320];
static unsigned nreports;

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	if (nreports < 16)
		snprintf(reports[nreports], sizeof(reports[0]), "%s", line);
	nreports++;
}

/* Appends a member: name (prefix/name split past 100 bytes), type, link,
 * data; then lets `damage` change the header before it is sealed. */
static uint8_t *add(archive_t *a, const char *name, char type, const char *link, const char *data,
		    unsigned mode)
{
	uint8_t *h = a->buf + a->len;
	size_t n = strlen(name), len = data ? strlen(data) : 0;
	memset(h, 0, BLOCK);
	if (n > 100) {
		const char *slash = name + n - 101;
		while (*slash != '/')
			slash++;
		memcpy(h + 345, name, (size_t)(slash - name));
		memcpy(h, slash + 1, strlen(slash + 1));
	} else {
		memcpy(h, name, n);
	}
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)len);
	snprintf((char *)h + 136, 12, "%011o", 1234567u);
	h[156] = (uint8_t)type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	tar_check_seal(h);
	memcpy(h + BLOCK, data ? data : "", len);
	a->len += BLOCK + (len + BLOCK - 1) / BLOCK * BLOCK;
	memset(a->buf + a->len, 0, 2 * BLOCK);
	return h;
}

static void load(archive_t *a)
{
	vfs_tar_stats_t st;
	nreports = 0;
	assert_int_equal(ramfs_init(&fs, 4 << 20), RAE_OK);
	assert_int_equal(vfs_tar_load(&fs, a->buf, a->len + 2 * BLOCK, collect, NULL, &st), RAE_OK);
	assert_int_equal(st.skipped, nreports);
	tar_check_tree(&fs, a->buf, a->len + 2 * BLOCK);
}

static ramfs_node_t *at(const char *path, unsigned flags)
{
	static ramfs_lookup_t lk;
	return ramfs_lookup(&fs, path, strlen(path), flags, &lk) == RAE_OK ? lk.node : NULL;
}

static void assert_content(const char *path, const char *want)
{
	char buf[256];
	ramfs_node_t *n = at(path, RAMFS_FOLLOW);
	assert_non_null(n);
	assert_true(ramfs_is_file(n));
	assert_int_equal(ramfs_read(n, 0, buf, sizeof(buf)), strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void assert_reported(const char *what)
{
	for (unsigned i = 0; i < nreports && i < 16; i++) {
		if (strstr(reports[i], what))
			return;
	}
	fail_msg("no report contains \"%s\"", what);
}

static archive_t arch;

static void test_good_archive(void **state)
{
	(void)state;
	arch.len = 0;
	char longname[200];
	snprintf(longname, sizeof(longname), "%s/%s",
		 "p/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		 "bbbbbbbbb/file");
	add(&arch, "etc/", '5', NULL, NULL, 0750);
	add(&arch, "etc/motd", '0', NULL, "hello\n", 0644);
	add(&arch, "./bin/tool", '0', NULL, "#!x", 0755); /* bin is made on the way */
	add(&arch, "etc/link", '2', NULL, NULL, 0777)[157] = 'm';
	tar_check_seal(arch.buf + arch.len - BLOCK); /* fix up after the edit above */
	add(&arch, "etc/hard", '1', "etc/motd", NULL, 0644);
	add(&arch, longname, '0', NULL, "long", 0600);
	add(&arch, "etc/motd", '0', NULL, "replaced\n", 0600); /* later entries win */
	add(&arch, "empty", '0', NULL, NULL, 0644);
	load(&arch);
	assert_int_equal(nreports, 0);
	assert_content("etc/motd", "replaced\n");
	assert_content("etc/hard", "hello\n"); /* linked to the first motd */
	assert_content("bin/tool", "#!x");
	assert_content(longname, "long");
	assert_content("empty", "");
	assert_int_equal(at("etc", 0)->mode, RAE_VFS_S_IFDIR | 0750);
	assert_int_equal(at("etc", 0)->mtime, 1234567);
	assert_int_equal(at("bin", 0)->mode, RAE_VFS_S_IFDIR | 0755);
	assert_int_equal(at("etc/motd", 0)->mode, RAE_VFS_S_IFREG | 0600);
	ramfs_node_t *l = at("etc/link", 0);
	assert_non_null(l);
	assert_true(ramfs_is_link(l));
	assert_int_equal(l->u.link.len, 1);
	ramfs_destroy(&fs);
}

/* One bad entry between two good ones: it is reported with `why`, the
 * good ones load. */
static void bad_between(void (*make)(archive_t *), const char *why)
{
	arch.len = 0;
	add(&arch, "before", '0', NULL, "b", 0644);
	make(&arch);
	add(&arch, "after", '0', NULL, "a", 0644);
	load(&arch);
	if (nreports != 1)
		fail_msg("%u reports, first: %s", nreports, nreports ? reports[0] : "");
	assert_reported(why);
	assert_content("before", "b");
	assert_content("after", "a");
	ramfs_destroy(&fs);
}

static void bad_checksum(archive_t *a)
{
	add(a, "bad", '0', NULL, "xxxxxxxxxxxxxxxx", 0644)[0] = 'B';
}
static void bad_magic(archive_t *a)
{
	uint8_t *h = add(a, "bad", '0', NULL, "x", 0644);
	h[257] = 'U';
	tar_check_seal(h);
}
static void bad_size(archive_t *a)
{
	uint8_t *h = add(a, "bad", '0', NULL, "x", 0644);
	h[130] = '9';
	tar_check_seal(h);
}
static void bad_mode(archive_t *a)
{
	uint8_t *h = add(a, "bad", '0', NULL, "x", 0644);
	h[101] = 'z';
	tar_check_seal(h);
}
static void escape(archive_t *a)
{
	add(a, "x/../../escape", '0', NULL, "x", 0644);
}
static void abs_link(archive_t *a)
{
	add(a, "l", '2', "/etc/passwd", NULL, 0777);
}
static void up_link(archive_t *a)
{
	add(a, "d/l", '2', "../x/../../y", NULL, 0777);
}
static void empty_link(archive_t *a)
{
	add(a, "l", '2', "", NULL, 0777);
}
static void hard_out(archive_t *a)
{
	add(a, "h", '1', "../before", NULL, 0644);
}
static void hard_missing(archive_t *a)
{
	add(a, "h", '1', "nothing", NULL, 0644);
}
static void hard_dir(archive_t *a)
{
	add(a, "d/", '5', NULL, NULL, 0755);
	add(a, "h", '1', "d", NULL, 0644);
}
static void pax(archive_t *a)
{
	add(a, "pax", 'x', NULL, "30 path=whatever\n", 0644);
}
static void device(archive_t *a)
{
	add(a, "dev", '3', NULL, NULL, 0644);
}
static void file_over_dir(archive_t *a)
{
	add(a, "d/", '5', NULL, NULL, 0755);
	add(a, "d", '0', NULL, "x", 0644);
}
static void under_a_file(archive_t *a)
{
	add(a, "before/x", '0', NULL, "x", 0644);
}

static void test_bad_entries(void **state)
{
	(void)state;
	bad_between(bad_checksum, "'Bad' at offset 1024: header checksum mismatch");
	bad_between(bad_magic, "no ustar magic");
	bad_between(bad_size, "size field is not a number");
	bad_between(bad_mode, "mode field is not an octal number");
	bad_between(escape, "'x/../../escape' at offset 1024: '..' leads out of the root");
	bad_between(abs_link, "symbolic link with an absolute target");
	bad_between(up_link, "symbolic link target leads out of the root");
	bad_between(empty_link, "empty target");
	bad_between(hard_out, "hard link target leads out of the root");
	bad_between(hard_missing, "not in the archive");
	bad_between(hard_dir, "not a regular file");
	bad_between(pax, "pax extended headers are not supported");
	bad_between(device, "device and FIFO entries are not supported");
	bad_between(file_over_dir, "a directory of that name came earlier");
	bad_between(under_a_file, "a directory on its path is not a directory");
}

static void test_truncated(void **state)
{
	(void)state;
	/* The last entry's data runs past the end: reported, the rest loads. */
	arch.len = 0;
	add(&arch, "ok", '0', NULL, "fine", 0644);
	uint8_t *h = add(&arch, "cut", '0', NULL, "x", 0644);
	snprintf((char *)h + 124, 12, "%011o", 100000u);
	tar_check_seal(h);
	load(&arch);
	assert_int_equal(nreports, 1);
	assert_reported("data runs past the end of the archive");
	assert_content("ok", "fine");
	ramfs_destroy(&fs);
	/* A partial header at the end is ignored; so is an empty archive. */
	assert_int_equal(ramfs_init(&fs, 1 << 20), RAE_OK);
	vfs_tar_stats_t st;
	assert_int_equal(vfs_tar_load(&fs, arch.buf, 300, collect, NULL, &st), RAE_OK);
	assert_int_equal(vfs_tar_load(&fs, arch.buf, 0, collect, NULL, &st), RAE_OK);
	ramfs_destroy(&fs);
}

/* Loads len bytes into a fresh tree, checks its invariants, frees it. */
static void load_and_check(const uint8_t *buf, size_t len)
{
	ramfs_t f;
	vfs_tar_stats_t st;
	assert_int_equal(ramfs_init(&f, 1 << 20), RAE_OK);
	vfs_tar_load(&f, buf, len, NULL, NULL, &st);
	tar_check_tree(&f, buf, len);
	ramfs_destroy(&f);
}

/* Seeded mutations of a good archive and random archives: never a crash,
 * never a file outside the archive (tar_check_tree). */
static void test_mutations(void **state)
{
	(void)state;
	archive_t *base = malloc(sizeof(*base));
	base->len = 0;
	add(base, "etc/", '5', NULL, NULL, 0755);
	add(base, "etc/motd", '0', NULL, "hello there\n", 0644);
	add(base, "etc/l", '2', "motd", NULL, 0777);
	add(base, "etc/h", '1', "etc/motd", NULL, 0644);
	add(base, "a/b/c/d", '0', NULL, "deep", 0644);
	add(base, "a/b/../x", '0', NULL, "dots", 0644);
	size_t size = base->len + 2 * BLOCK;
	uint8_t *buf = malloc(size);
	srand(12345);
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(buf, base->buf, size);
		int edits = 1 + rand() % 8;
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)rand() % size;
			buf[at] =
			    rand() % 3 ? (uint8_t)rand() : (uint8_t) "0123456789/.\0 "[rand() % 14];
			/* Half the time keep headers believable, so damage gets past the checksum. */
			if (rand() % 2)
				tar_check_seal(buf + at / BLOCK * BLOCK);
		}
		load_and_check(buf, iter % 10 == 0 ? (size_t)rand() % size : size);
	}
	for (int iter = 0; iter < 1000; iter++) {
		for (size_t i = 0; i < size; i++)
			buf[i] = (uint8_t)rand();
		load_and_check(buf, size);
	}
	free(buf);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_archive),
	    cmocka_unit_test(test_bad_entries),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
