/* Host tests for the USTAR reader: archives are built here byte by byte, then
 * damaged in specific ways and by a seeded mutation loop run under ASan. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/ustar.h>

#define BLOCK       USTAR_BLOCK_SIZE
#define ARCHIVE_MAX (64 * 1024)

typedef struct {
	const char *name;
	const char *prefix;
	const char *link;
	char type;
	unsigned mode;
	const void *data;
	size_t size;
} tar_member_t;

typedef struct {
	uint8_t buf[ARCHIVE_MAX];
	size_t len;
} tar_t;

/* Copies s into a field without a NUL when it fills the field. */
static void tar_field_set(uint8_t *h, size_t off, size_t len, const char *s)
{
	size_t n = strlen(s);

	memcpy(h + off, s, n < len ? n : len);
}

/* Writes v as len-1 zero-padded octal digits and a NUL, as GNU tar does. */
static void tar_octal_set(uint8_t *h, size_t off, size_t len, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(len - 1), v);
	assert_int_equal(strlen(tmp), len - 1);
	memcpy(h + off, tmp, len);
}

static unsigned tar_checksum_unsigned(const uint8_t *h)
{
	unsigned sum = 0;

	for (size_t i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum;
}

/* Stores the (unsigned) checksum the way tar does: six digits, NUL, space. */
static void tar_checksum_seal(uint8_t *h)
{
	char tmp[8];

	snprintf(tmp, sizeof(tmp), "%06o", tar_checksum_unsigned(h));
	memcpy(h + 148, tmp, 6);
	h[154] = '\0';
	h[155] = ' ';
}

static void tar_header_fill(uint8_t *h, const tar_member_t *m)
{
	memset(h, 0, BLOCK);
	tar_field_set(h, 0, 100, m->name);
	tar_octal_set(h, 100, 8, m->mode ? m->mode : 0644);
	tar_octal_set(h, 108, 8, 0);
	tar_octal_set(h, 116, 8, 0);
	tar_octal_set(h, 124, 12, m->size);
	tar_octal_set(h, 136, 12, 0);
	h[156] = (uint8_t)m->type;
	if (m->link != NULL)
		tar_field_set(h, 157, 100, m->link);
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	tar_field_set(h, 265, 32, "root");
	tar_field_set(h, 297, 32, "root");
	if (m->prefix != NULL)
		tar_field_set(h, 345, 155, m->prefix);
	tar_checksum_seal(h);
}

/* Appends a header, the data and its padding; returns the header's offset. */
static size_t tar_add(tar_t *t, const tar_member_t *m)
{
	size_t at = t->len;
	size_t data_blocks = (m->size + BLOCK - 1) / BLOCK * BLOCK;

	assert_true(at + BLOCK + data_blocks <= sizeof(t->buf));
	tar_header_fill(t->buf + at, m);
	memset(t->buf + at + BLOCK, 0, data_blocks);
	if (m->size > 0)
		memcpy(t->buf + at + BLOCK, m->data, m->size);
	t->len += BLOCK + data_blocks;
	return at;
}

static void tar_end(tar_t *t)
{
	assert_true(t->len + 2 * BLOCK <= sizeof(t->buf));
	memset(t->buf + t->len, 0, 2 * BLOCK);
	t->len += 2 * BLOCK;
}

static tar_t *tar_new(void)
{
	tar_t *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	return t;
}

/* A heap copy of exactly len bytes, so ASan flags any read past the archive. */
static uint8_t *exact_copy(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

static const char hello[] = "Hello, world\n";
static uint8_t pattern[1000];
static char long_prefix[151];

/* Files, a directory, a symlink, an empty file and a prefix+name path. */
static tar_t *tar_sample(void)
{
	tar_t *t = tar_new();

	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
	memset(long_prefix, 'p', sizeof(long_prefix) - 1);
	long_prefix[sizeof(long_prefix) - 1] = '\0';
	long_prefix[50] = '/';

	tar_add(t, &(tar_member_t){
		       .name = "hello.txt", .type = '0', .data = hello, .size = sizeof(hello) - 1});
	tar_add(t, &(tar_member_t){.name = "dir/", .type = '5', .mode = 0755});
	tar_add(t, &(tar_member_t){
		       .name = "dir/a.bin", .type = '0', .data = pattern, .size = sizeof(pattern)});
	tar_add(t, &(tar_member_t){.name = "link", .type = '2', .link = "hello.txt", .mode = 0777});
	tar_add(t, &(tar_member_t){.name = "empty", .type = '0'});
	tar_add(
	    t, &(tar_member_t){
		   .name = "file.txt", .prefix = long_prefix, .type = '0', .data = "x", .size = 1});
	tar_end(t);
	return t;
}

static void test_ustar_valid_archive(void **state)
{
	tar_t *t = tar_sample();
	uint8_t *a = exact_copy(t->buf, t->len);
	ustar_reader_t r;
	ustar_entry_t e;
	char expect_name[257];

	(void)state;
	ustar_reader_init(&r, a, t->len);

	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "hello.txt");
	assert_int_equal(e.type, '0');
	assert_int_equal(e.mode, 0644);
	assert_int_equal(e.size, sizeof(hello) - 1);
	assert_memory_equal(e.data, hello, sizeof(hello) - 1);
	assert_ptr_equal(e.data, a + BLOCK);
	assert_int_equal(e.header_offset, 0);

	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "dir/");
	assert_int_equal(e.type, '5');
	assert_int_equal(e.mode, 0755);
	assert_int_equal(e.size, 0);
	assert_null(e.data);
	assert_int_equal(e.header_offset, 2 * BLOCK);

	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "dir/a.bin");
	assert_int_equal(e.size, sizeof(pattern));
	assert_memory_equal(e.data, pattern, sizeof(pattern));
	assert_int_equal(e.header_offset, 3 * BLOCK);

	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "link");
	assert_int_equal(e.type, '2');
	assert_string_equal(e.link, "hello.txt");
	assert_int_equal(e.mode, 0777);
	assert_int_equal(e.header_offset, 6 * BLOCK);

	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "empty");
	assert_int_equal(e.size, 0);
	assert_null(e.data);

	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	snprintf(expect_name, sizeof(expect_name), "%s/file.txt", long_prefix);
	assert_string_equal(e.name, expect_name);
	assert_int_equal(strlen(e.name), 150 + 1 + 8);
	assert_memory_equal(e.data, "x", 1);

	assert_int_equal(ustar_next(&r, &e), RAE_ERR_END);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_END);
	assert_string_equal(r.error, "");
	free(a);
	free(t);
}

static void test_ustar_count(void **state)
{
	tar_t *t = tar_sample();
	unsigned entries = 99;
	uint64_t bytes = 99;
	char err[160] = "stale";

	(void)state;
	assert_int_equal(ustar_count(t->buf, t->len, &entries, &bytes, err, sizeof(err)), RAE_OK);
	assert_int_equal(entries, 6);
	assert_int_equal(bytes, sizeof(hello) - 1 + sizeof(pattern) + 1);
	assert_string_equal(err, "");
	assert_int_equal(ustar_count(t->buf, t->len, NULL, NULL, NULL, 0), RAE_OK);

	/* On error: the counts so far and the reader's message. */
	t->buf[2 * BLOCK + 3] ^= 0x40;
	assert_int_equal(ustar_count(t->buf, t->len, &entries, &bytes, err, sizeof(err)),
			 RAE_ERR_CHECKSUM);
	assert_int_equal(entries, 1);
	assert_int_equal(bytes, sizeof(hello) - 1);
	assert_non_null(strstr(err, "entry 1 at offset 1024: header checksum mismatch"));
	free(t);
}

static void test_ustar_empty_inputs(void **state)
{
	static const uint8_t zeros[2 * BLOCK];
	ustar_reader_t r;
	ustar_entry_t e;
	unsigned entries = 7;

	(void)state;
	ustar_reader_init(&r, NULL, 0);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_END);
	ustar_reader_init(&r, zeros, sizeof(zeros));
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_END);
	ustar_reader_init(&r, zeros, BLOCK);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_END);
	assert_int_equal(ustar_count(zeros, sizeof(zeros), &entries, NULL, NULL, 0), RAE_OK);
	assert_int_equal(entries, 0);

	ustar_reader_init(&r, NULL, 10);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_INVALID);
	assert_non_null(strstr(r.error, "NULL"));
}

static void test_ustar_truncated_header(void **state)
{
	tar_t *t = tar_sample();
	ustar_reader_t r;
	ustar_entry_t e;
	uint8_t *a;

	(void)state;
	/* Entry 1 (dir/) starts at 1024; leave 100 bytes of it. */
	a = exact_copy(t->buf, 2 * BLOCK + 100);
	ustar_reader_init(&r, a, 2 * BLOCK + 100);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_TRUNCATED);
	assert_string_equal(r.error,
			    "entry 1 at offset 1024: header needs 512 bytes but only 100 remain");
	free(a);

	/* Less than one header in the whole archive. */
	a = exact_copy(t->buf, 300);
	ustar_reader_init(&r, a, 300);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(r.error, "entry 0 at offset 0:"));
	free(a);
	free(t);
}

static void test_ustar_truncated_data(void **state)
{
	tar_t *t = tar_sample();
	ustar_reader_t r;
	ustar_entry_t e;
	uint8_t *a;
	/* dir/a.bin: header at 1536, 1000 bytes of data from 2048, padded to 3072. */
	const size_t cuts[] = {2048 + 500, 2048 + 999, 2048 + 1000, 3071, 2048};

	(void)state;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		a = exact_copy(t->buf, cuts[i]);
		ustar_reader_init(&r, a, cuts[i]);
		assert_int_equal(ustar_next(&r, &e), RAE_OK);
		assert_int_equal(ustar_next(&r, &e), RAE_OK);
		assert_int_equal(ustar_next(&r, &e), RAE_ERR_TRUNCATED);
		assert_non_null(strstr(r.error, "entry 2 at offset 1536: data of 1000 bytes"));
		free(a);
	}
	/* Cut exactly after the padding: a clean end on a block boundary. */
	a = exact_copy(t->buf, 3072);
	assert_int_equal(ustar_count(a, 3072, NULL, NULL, NULL, 0), RAE_OK);
	free(a);
	free(t);
}

static void test_ustar_bad_checksum(void **state)
{
	tar_t *t = tar_sample();
	ustar_reader_t r;
	ustar_entry_t e;
	char want[160];
	unsigned computed;

	(void)state;
	t->buf[0] = 'j'; /* hello.txt -> jello.txt, checksum not resealed */
	computed = tar_checksum_unsigned(t->buf);
	snprintf(want, sizeof(want),
		 "entry 0 at offset 0: header checksum mismatch (stored 0o%o, computed 0o%o)",
		 computed - ('j' - 'h'), computed);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_CHECKSUM);
	assert_string_equal(r.error, want);
	/* Sticky: the same error again, and e untouched. */
	memset(&e, 0x5a, sizeof(e));
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_CHECKSUM);
	assert_string_equal(r.error, want);
	assert_int_equal((uint8_t)e.name[0], 0x5a);

	/* A checksum field that is not octal at all. */
	tar_header_fill(t->buf, &(tar_member_t){.name = "x", .type = '0'});
	memcpy(t->buf + 148, "zzzzzz\0 ", 8);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_INVALID);
	assert_non_null(strstr(r.error, "checksum field"));
	free(t);
}

static void test_ustar_signed_checksum(void **state)
{
	tar_t *t = tar_new();
	ustar_reader_t r;
	ustar_entry_t e;
	int sum = 0;
	char tmp[8];

	(void)state;
	tar_add(t, &(tar_member_t){.name = "caf\xc3\xa9", .type = '0'});
	tar_end(t);
	/* Reseal with the sum of signed chars, as some old tars computed it. */
	for (size_t i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : (signed char)t->buf[i];
	snprintf(tmp, sizeof(tmp), "%06o", (unsigned)sum);
	memcpy(t->buf + 148, tmp, 6);
	assert_int_not_equal((unsigned)sum, tar_checksum_unsigned(t->buf));
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "caf\xc3\xa9");
	free(t);
}

static void test_ustar_bad_magic(void **state)
{
	tar_t *t = tar_sample();
	ustar_reader_t r;
	ustar_entry_t e;

	(void)state;
	memcpy(t->buf + 2 * BLOCK + 257,
	       "ustar\0"
	       "01",
	       8);
	tar_checksum_seal(t->buf + 2 * BLOCK);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_INVALID);
	assert_string_equal(r.error, "entry 1 at offset 1024: bad magic (not a ustar header)");

	/* A pre-POSIX v7 header (no magic) is refused too. */
	memset(t->buf + 257, 0, 8);
	tar_checksum_seal(t->buf);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_INVALID);
	free(t);
}

static void test_ustar_gnu_magic(void **state)
{
	tar_t *t = tar_new();
	ustar_reader_t r;
	ustar_entry_t e;

	(void)state;
	tar_add(t, &(tar_member_t){.name = "gnu.txt", .type = '0', .data = "abc", .size = 3});
	tar_end(t);
	memcpy(t->buf + 257, "ustar  \0", 8);
	/* GNU keeps atime/ctime where ustar has its prefix; it must not be used as one. */
	memcpy(t->buf + 345, "14560220145\0", 12);
	tar_checksum_seal(t->buf);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "gnu.txt");
	assert_int_equal(e.size, 3);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_END);
	free(t);
}

static void test_ustar_fields_without_nul(void **state)
{
	char name[101], prefix[156], link[101], want[257];
	tar_t *t = tar_new();
	ustar_reader_t r;
	ustar_entry_t e;
	uint8_t *a;

	(void)state;
	memset(name, 'n', 100);
	name[100] = '\0';
	memset(prefix, 'p', 155);
	prefix[155] = '\0';
	memset(link, 'l', 100);
	link[100] = '\0';
	tar_add(t, &(tar_member_t){.name = name, .prefix = prefix, .type = '2', .link = link});
	/* Nothing after the header: a NUL-less field may not read past the archive. */
	a = exact_copy(t->buf, t->len);
	ustar_reader_init(&r, a, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	snprintf(want, sizeof(want), "%s/%s", prefix, name);
	assert_string_equal(e.name, want);
	assert_int_equal(strlen(e.name), 256);
	assert_string_equal(e.link, link);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_END);
	free(a);
	free(t);
}

static void test_ustar_empty_name(void **state)
{
	tar_t *t = tar_new();
	ustar_reader_t r;
	ustar_entry_t e;

	(void)state;
	tar_add(t, &(tar_member_t){.name = "", .prefix = "some/dir", .type = '0'});
	tar_end(t);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_INVALID);
	assert_string_equal(r.error, "entry 0 at offset 0: empty name");
	free(t);
}

/* Overwrites the size field of a one-file archive, reseals, and returns the first result. */
static rae_status_t size_field_try(const void *field, ustar_reader_t *r, ustar_entry_t *e)
{
	static tar_t t;
	static uint8_t payload[BLOCK];

	memset(&t, 0, sizeof(t));
	tar_add(&t, &(tar_member_t){.name = "f", .type = '0', .data = payload, .size = 20});
	tar_end(&t);
	memcpy(t.buf + 124, field, 12);
	tar_checksum_seal(t.buf);
	ustar_reader_init(r, t.buf, t.len);
	return ustar_next(r, e);
}

static void test_ustar_size_field(void **state)
{
	ustar_reader_t r;
	ustar_entry_t e;

	(void)state;
	assert_int_equal(size_field_try("00000000024\0", &r, &e), RAE_OK);
	assert_int_equal(e.size, 20);
	assert_int_equal(size_field_try("      24    ", &r, &e), RAE_OK);
	assert_int_equal(e.size, 20);
	assert_int_equal(size_field_try("000000000024", &r, &e), RAE_OK); /* full width, no NUL */
	assert_int_equal(e.size, 20);

	assert_int_equal(size_field_try("00000000028\0", &r, &e), RAE_ERR_INVALID);
	assert_non_null(strstr(r.error, "size field"));
	assert_int_equal(size_field_try("0000000002x\0", &r, &e), RAE_ERR_INVALID);
	assert_int_equal(size_field_try("\0\0\0\0\0\0\0\0\0\0\0\0", &r, &e), RAE_ERR_INVALID);
	assert_int_equal(size_field_try("-0000000024\0", &r, &e), RAE_ERR_INVALID);
	assert_int_equal(size_field_try("            ", &r, &e), RAE_ERR_INVALID);
}

static void test_ustar_mode_field(void **state)
{
	tar_t *t = tar_new();
	ustar_reader_t r;
	ustar_entry_t e;

	(void)state;
	tar_add(t, &(tar_member_t){.name = "m", .type = '0', .mode = 04755});
	tar_end(t);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_int_equal(e.mode, 04755);

	memcpy(t->buf + 100, "00x0644\0", 8);
	tar_checksum_seal(t->buf);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_INVALID);
	assert_string_equal(r.error, "entry 0 at offset 0: mode field is not a valid number");
	free(t);
}

static void test_ustar_size_overflow(void **state)
{
	static const uint8_t b256_small[12] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20};
	static const uint8_t b256_u64max[12] = {0x80, 0,    0,    0,    0xff, 0xff,
						0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t b256_too_big[12] = {0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t b256_negative[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0xff, 0xec};
	ustar_reader_t r;
	ustar_entry_t e;

	(void)state;
	assert_int_equal(size_field_try(b256_small, &r, &e), RAE_OK);
	assert_int_equal(e.size, 20);
	/* 2^64-1 bytes: refused before any rounding could wrap. */
	assert_int_equal(size_field_try(b256_u64max, &r, &e), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(r.error, "data of 18446744073709551615 bytes runs past the end"));
	assert_int_equal(size_field_try(b256_too_big, &r, &e), RAE_ERR_INVALID);
	assert_int_equal(size_field_try(b256_negative, &r, &e), RAE_ERR_INVALID);
	/* The largest octal size: 8 GiB - 1, far beyond the archive. */
	assert_int_equal(size_field_try("77777777777\0", &r, &e), RAE_ERR_TRUNCATED);
	assert_int_equal(size_field_try("777777777777", &r, &e), RAE_ERR_TRUNCATED);
}

static void test_ustar_no_data_types(void **state)
{
	tar_t *t = tar_new();
	ustar_reader_t r;
	ustar_entry_t e;

	(void)state;
	/* A directory whose size field is non-zero still has no data blocks. */
	tar_add(t, &(tar_member_t){.name = "d/", .type = '5'});
	tar_octal_set(t->buf, 124, 12, 4096);
	tar_checksum_seal(t->buf);
	tar_add(t, &(tar_member_t){.name = "after", .type = '0', .data = "z", .size = 1});
	tar_end(t);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_int_equal(e.size, 0);
	assert_null(e.data);
	assert_int_equal(ustar_next(&r, &e), RAE_OK);
	assert_string_equal(e.name, "after");
	free(t);
}

static void test_ustar_end_marker(void **state)
{
	tar_t *t = tar_sample();
	size_t body = t->len - 2 * BLOCK;
	unsigned entries = 0;
	ustar_reader_t r;
	ustar_entry_t e;
	uint8_t *a;

	(void)state;
	/* No end marker at all, data ending on a block boundary: accepted. */
	a = exact_copy(t->buf, body);
	assert_int_equal(ustar_count(a, body, &entries, NULL, NULL, 0), RAE_OK);
	assert_int_equal(entries, 6);
	free(a);

	/* A single zero block as the last block: accepted. */
	a = exact_copy(t->buf, body + BLOCK);
	assert_int_equal(ustar_count(a, body + BLOCK, &entries, NULL, NULL, 0), RAE_OK);
	free(a);

	/* Garbage shorter than a block after the last entry. */
	a = exact_copy(t->buf, body + 100);
	assert_int_equal(ustar_count(a, body + 100, &entries, NULL, NULL, 0), RAE_ERR_TRUNCATED);
	free(a);

	/* One zero block, then part of another. */
	a = exact_copy(t->buf, body + BLOCK + 100);
	assert_int_equal(ustar_count(a, body + BLOCK + 100, NULL, NULL, NULL, 0),
			 RAE_ERR_TRUNCATED);
	free(a);

	/* A lone zero block followed by a real header. */
	memmove(t->buf + BLOCK, t->buf, body);
	memset(t->buf, 0, BLOCK);
	ustar_reader_init(&r, t->buf, t->len);
	assert_int_equal(ustar_next(&r, &e), RAE_ERR_INVALID);
	assert_string_equal(r.error, "entry 0 at offset 0: lone zero block followed by more data");
	free(t);
}

/* xorshift64*: a fixed, portable sequence so failures reproduce. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Walks a damaged archive and checks every reported entry lies inside it. */
static void walk_checked(const uint8_t *a, size_t len)
{
	ustar_reader_t r;
	ustar_entry_t e;
	rae_status_t status;
	unsigned steps = 0;

	ustar_reader_init(&r, a, len);
	while ((status = ustar_next(&r, &e)) == RAE_OK) {
		size_t name_len = strnlen(e.name, sizeof(e.name));

		assert_true(name_len >= 1 && name_len < sizeof(e.name));
		assert_true(strnlen(e.link, sizeof(e.link)) < sizeof(e.link));
		assert_true(e.header_offset % BLOCK == 0 && e.header_offset + BLOCK <= len);
		if (e.size > 0) {
			const uint8_t *d = e.data;

			assert_ptr_equal(d, a + e.header_offset + BLOCK);
			assert_true(e.size <= len - e.header_offset - BLOCK);
		} else {
			assert_null(e.data);
		}
		assert_true(++steps <= len / BLOCK);
	}
	if (status != RAE_ERR_END) {
		assert_true(status < 0);
		assert_true(strncmp(r.error, "entry ", 6) == 0);
	}
	assert_int_equal(ustar_next(&r, &e), status);
}

static void test_ustar_mutation_loop(void **state)
{
	tar_t *t = tar_sample();
	unsigned outcome[16] = {0};

	(void)state;
	rng_state = 0x5241454e4f53ULL; /* "RAENOS" */
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = t->len;
		uint8_t *a = exact_copy(t->buf, len);
		unsigned flips = 1 + (unsigned)(rng_next() % 8);
		unsigned mode = (unsigned)(rng_next() % 4);
		rae_status_t status;

		for (unsigned i = 0; i < flips; i++) {
			/* Mostly hit headers (offsets 0..511 of some block), where the parser looks. */
			size_t block = (size_t)(rng_next() % (len / BLOCK));
			size_t pos = block * BLOCK + (size_t)(rng_next() % BLOCK);

			if (mode == 0)
				a[pos] ^= (uint8_t)(1u << (rng_next() % 8));
			else if (mode == 1)
				a[pos] = (uint8_t)rng_next();
			else
				a[pos] = "01234567 \0\x80\xff"[rng_next() % 12];
		}
		if (mode == 3 || rng_next() % 4 == 0) {
			size_t cut = (size_t)(rng_next() % (len + 1));
			uint8_t *shorter = exact_copy(a, cut);

			free(a);
			a = shorter;
			len = cut;
		}
		walk_checked(a, len);
		status = ustar_count(a, len, NULL, NULL, NULL, 0);
		outcome[-status & 15]++;
		free(a);
	}
	/* The loop must exercise both success and several kinds of failure. */
	assert_true(outcome[0] > 0);
	assert_true(outcome[-RAE_ERR_CHECKSUM] > 0);
	assert_true(outcome[-RAE_ERR_TRUNCATED] > 0);
	assert_true(outcome[-RAE_ERR_INVALID] > 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ustar_valid_archive),
	    cmocka_unit_test(test_ustar_count),
	    cmocka_unit_test(test_ustar_empty_inputs),
	    cmocka_unit_test(test_ustar_truncated_header),
	    cmocka_unit_test(test_ustar_truncated_data),
	    cmocka_unit_test(test_ustar_bad_checksum),
	    cmocka_unit_test(test_ustar_signed_checksum),
	    cmocka_unit_test(test_ustar_bad_magic),
	    cmocka_unit_test(test_ustar_gnu_magic),
	    cmocka_unit_test(test_ustar_fields_without_nul),
	    cmocka_unit_test(test_ustar_empty_name),
	    cmocka_unit_test(test_ustar_size_field),
	    cmocka_unit_test(test_ustar_size_overflow),
	    cmocka_unit_test(test_ustar_mode_field),
	    cmocka_unit_test(test_ustar_no_data_types),
	    cmocka_unit_test(test_ustar_end_marker),
	    cmocka_unit_test(test_ustar_mutation_loop),
	};

	return cmocka_run_group_tests_name("ustar", tests, NULL, NULL);
}
