/* Host tests for the multiboot2 parser: tag lists are built here, valid ones
 * checked field by field, broken ones checked for the right error, and random
 * lists run under ASan to show nothing outside the buffer is read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/x86_64/boot/multiboot2.h>

#define MB2_BUF_BYTES 16384

typedef struct {
	uint64_t words[MB2_BUF_BYTES / 8]; /* 8-byte aligned, as the loader guarantees */
	size_t len;
} mb2_builder_t;

static uint8_t *mb2_bytes(mb2_builder_t *b)
{
	return (uint8_t *)b->words;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void mb2_begin(mb2_builder_t *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

/* Appends a tag of 8 + len bytes, padded to 8 with pad_byte; returns its offset. */
static size_t mb2_tag_padded(mb2_builder_t *b, uint32_t type, const void *payload, size_t len,
			     uint8_t pad_byte)
{
	size_t at = b->len;
	size_t size = 8 + len;
	size_t padded = (size + 7) & ~(size_t)7;

	assert_true(at + padded <= MB2_BUF_BYTES);
	put_u32(mb2_bytes(b) + at, type);
	put_u32(mb2_bytes(b) + at + 4, (uint32_t)size);
	if (len > 0)
		memcpy(mb2_bytes(b) + at + 8, payload, len);
	memset(mb2_bytes(b) + at + size, pad_byte, padded - size);
	b->len += padded;
	return at;
}

static size_t mb2_tag(mb2_builder_t *b, uint32_t type, const void *payload, size_t len)
{
	return mb2_tag_padded(b, type, payload, len, 0);
}

/* Sets total_size to what has been built, without adding an END tag. */
static void mb2_seal(mb2_builder_t *b)
{
	put_u32(mb2_bytes(b), (uint32_t)b->len);
}

static void mb2_finish(mb2_builder_t *b)
{
	mb2_tag(b, 0, NULL, 0);
	mb2_seal(b);
}

static void mb2_string_tag(mb2_builder_t *b, uint32_t type, const char *s)
{
	mb2_tag(b, type, s, strlen(s) + 1);
}

static void mb2_module_tag(mb2_builder_t *b, uint32_t start, uint32_t end, const char *cmdline)
{
	uint8_t p[256];
	size_t n = strlen(cmdline) + 1;

	assert_true(8 + n <= sizeof(p));
	put_u32(p, start);
	put_u32(p + 4, end);
	memcpy(p + 8, cmdline, n);
	mb2_tag(b, 3, p, 8 + n);
}

typedef struct {
	uint64_t base, length;
	uint32_t type;
} mmap_entry_t;

/* A memory map tag with the given entry_size (>= 24 to hold the fields written). */
static size_t mb2_mmap_tag(mb2_builder_t *b, uint32_t entry_size, const mmap_entry_t *e, size_t n)
{
	static uint8_t p[MB2_BUF_BYTES];
	size_t len = 8 + n * entry_size;

	assert_true(len <= sizeof(p));
	memset(p, 0, len);
	put_u32(p, entry_size);
	put_u32(p + 4, 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t *q = p + 8 + i * entry_size;

		put_u64(q, e[i].base);
		put_u64(q + 8, e[i].length);
		put_u32(q + 16, e[i].type);
	}
	return mb2_tag(b, 6, p, len);
}

typedef struct {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
	uint8_t colour[6];
	size_t colour_len; /* bytes of colour info to append */
} fb_desc_t;

static size_t mb2_fb_tag(mb2_builder_t *b, const fb_desc_t *fb)
{
	uint8_t p[64] = {0};

	put_u64(p, fb->addr);
	put_u32(p + 8, fb->pitch);
	put_u32(p + 12, fb->width);
	put_u32(p + 16, fb->height);
	p[20] = fb->bpp;
	p[21] = fb->type;
	memcpy(p + 24, fb->colour, fb->colour_len);
	return mb2_tag(b, 8, p, 24 + fb->colour_len);
}

static const fb_desc_t fb_rgb = {
    .addr = 0xfd000000,
    .pitch = 4096,
    .width = 1024,
    .height = 768,
    .bpp = 32,
    .type = 1,
    .colour = {16, 8, 8, 8, 0, 8},
    .colour_len = 6,
};

static void mb2_efi64_tag(mb2_builder_t *b, uint64_t table)
{
	uint8_t p[8];

	put_u64(p, table);
	mb2_tag(b, 12, p, 8);
}

static uint8_t rsdp_v1[20] = "RSD PTR \x42OEMID\x00\x10\x20\x30\x40";
static uint8_t rsdp_v2[36] =
    "RSD PTR \x99OEMID\x02\x11\x22\x33\x44\x24\0\0\0\xa0\xb0\xc0\xd0\0\0\0\0\x5c";

static boot_info_t info_out;
static char err[256];

/* Parses an exact-size heap copy of the list, so ASan catches any overread. */
static rae_status_t parse_exact(const uint8_t *src, size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	rae_status_t status;

	assert_non_null(copy);
	assert_int_equal((uintptr_t)copy % 8, 0);
	memcpy(copy, src, len);
	status = mb2_parse(MB2_BOOTLOADER_MAGIC, copy, len, &info_out, err, sizeof(err));
	/* Every outcome leaves a terminated message: empty exactly on success. */
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	if (status == RAE_OK)
		assert_string_equal(err, "");
	else
		assert_true(strncmp(err, "multiboot2: ", 12) == 0);
	free(copy);
	return status;
}

static rae_status_t parse_builder(mb2_builder_t *b)
{
	return parse_exact(mb2_bytes(b), b->len);
}

static mb2_builder_t builder;

static void build_bios_like(mb2_builder_t *b)
{
	static const mmap_entry_t mmap[] = {
	    {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},      {0xf0000, 0x10000, 2},
	    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 3},  {0xfffc0000, 0x40000, 4},
	    {0x100000000, 0x1000, 5}, {0x200000000, 0x1000, 7},
	};
	uint8_t meminfo[8];
	uint8_t elf[24] = {1, 2, 3};

	mb2_begin(b);
	mb2_string_tag(b, 1, "console=serial loglevel=7");
	mb2_string_tag(b, 2, "GRUB 2.06-13+deb12u1");
	put_u32(meminfo, 639);
	put_u32(meminfo + 4, 130048);
	mb2_tag(b, 4, meminfo, 8);
	mb2_tag(b, 5, "\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		12); /* BIOS boot device */
	mb2_mmap_tag(b, 24, mmap, sizeof(mmap) / sizeof(mmap[0]));
	mb2_module_tag(b, 0x200000, 0x2a3400, "initrd.tar");
	mb2_fb_tag(b, &fb_rgb);
	mb2_tag(b, 9, elf, sizeof(elf)); /* ELF sections: skipped */
	mb2_tag(b, 14, rsdp_v1, sizeof(rsdp_v1));
	mb2_tag(b, 21, "\0\0\x20\0", 4); /* image load base: skipped */
	mb2_tag(b, 999, "future", 6);    /* unknown: skipped */
	mb2_finish(b);
}

static void test_mb2_valid_bios(void **state)
{
	(void)state;
	build_bios_like(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.firmware, BOOT_FIRMWARE_BIOS);
	assert_string_equal(info_out.cmdline, "console=serial loglevel=7");
	assert_string_equal(info_out.loader_name, "GRUB 2.06-13+deb12u1");

	assert_int_equal(info_out.mem_region_count, 8);
	assert_int_equal(info_out.mem_regions[0].base, 0);
	assert_int_equal(info_out.mem_regions[0].length, 0x9fc00);
	assert_int_equal(info_out.mem_regions[0].type, BOOT_MEM_USABLE);
	assert_int_equal(info_out.mem_regions[1].type, BOOT_MEM_RESERVED);
	assert_int_equal(info_out.mem_regions[3].base, 0x100000);
	assert_int_equal(info_out.mem_regions[3].length, 0x7ee0000);
	assert_int_equal(info_out.mem_regions[4].type, BOOT_MEM_ACPI_RECLAIMABLE);
	assert_int_equal(info_out.mem_regions[5].type, BOOT_MEM_ACPI_NVS);
	assert_int_equal(info_out.mem_regions[6].type, BOOT_MEM_BAD);
	assert_int_equal(info_out.mem_regions[6].base, 0x100000000);
	assert_int_equal(info_out.mem_regions[7].type, BOOT_MEM_RESERVED); /* unknown type 7 */

	assert_int_equal(info_out.module_count, 1);
	assert_int_equal(info_out.modules[0].start, 0x200000);
	assert_int_equal(info_out.modules[0].end, 0x2a3400);
	assert_string_equal(info_out.modules[0].cmdline, "initrd.tar");

	assert_true(info_out.has_framebuffer);
	assert_int_equal(info_out.framebuffer.phys_addr, 0xfd000000);
	assert_int_equal(info_out.framebuffer.pitch, 4096);
	assert_int_equal(info_out.framebuffer.width, 1024);
	assert_int_equal(info_out.framebuffer.height, 768);
	assert_int_equal(info_out.framebuffer.bpp, 32);
	assert_int_equal(info_out.framebuffer.type, BOOT_FB_RGB);
	assert_int_equal(info_out.framebuffer.red_pos, 16);
	assert_int_equal(info_out.framebuffer.red_size, 8);
	assert_int_equal(info_out.framebuffer.green_pos, 8);
	assert_int_equal(info_out.framebuffer.blue_pos, 0);
	assert_int_equal(info_out.framebuffer.blue_size, 8);

	assert_int_equal(info_out.rsdp_length, 20);
	assert_memory_equal(info_out.rsdp, rsdp_v1, 20);
	assert_int_equal(info_out.efi_system_table, 0);
}

static void test_mb2_valid_uefi(void **state)
{
	static const mmap_entry_t mmap[] = {{0x1000, 0x9f000, 1}, {0x100000, 0x3ff00000, 1}};
	uint8_t efi_mmap[56] = {48, 0, 0, 0, 1, 0, 0, 0};
	uint8_t efi32[4];

	(void)state;
	/* Old RSDP before the new one. */
	mb2_begin(&builder);
	mb2_string_tag(&builder, 2, "GRUB 2.12");
	mb2_efi64_tag(&builder, 0x7f9e4018);
	mb2_mmap_tag(&builder, 24, mmap, 2);
	mb2_tag(&builder, 17, efi_mmap, sizeof(efi_mmap));    /* EFI memory map: skipped */
	mb2_tag(&builder, 18, NULL, 0);                       /* boot services not terminated */
	mb2_tag(&builder, 20, "\x18\x40\x9e\x7f\0\0\0\0", 8); /* EFI64 image handle */
	mb2_tag(&builder, 14, rsdp_v1, sizeof(rsdp_v1));
	mb2_tag(&builder, 15, rsdp_v2, sizeof(rsdp_v2));
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.firmware, BOOT_FIRMWARE_UEFI);
	assert_int_equal(info_out.efi_system_table, 0x7f9e4018);
	assert_int_equal(info_out.rsdp_length, 36);
	assert_memory_equal(info_out.rsdp, rsdp_v2, 36);
	assert_int_equal(info_out.mem_region_count, 2);
	assert_false(info_out.has_framebuffer);
	assert_string_equal(info_out.cmdline, "");

	/* New RSDP before the old one: the new one still wins. */
	mb2_begin(&builder);
	mb2_tag(&builder, 15, rsdp_v2, sizeof(rsdp_v2));
	mb2_tag(&builder, 14, rsdp_v1, sizeof(rsdp_v1));
	put_u32(efi32, 0x7fab0000);
	mb2_tag(&builder, 11, efi32, 4);
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.rsdp_length, 36);
	assert_memory_equal(info_out.rsdp, rsdp_v2, 36);
	assert_int_equal(info_out.firmware, BOOT_FIRMWARE_UEFI);
	assert_int_equal(info_out.efi_system_table, 0x7fab0000);

	/* A longer-than-36-byte v2 tag is copied only up to 36 bytes. */
	mb2_begin(&builder);
	{
		uint8_t big[48];

		memset(big, 0xee, sizeof(big));
		memcpy(big, rsdp_v2, 36);
		mb2_tag(&builder, 15, big, sizeof(big));
	}
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.rsdp_length, 36);
	assert_memory_equal(info_out.rsdp, rsdp_v2, 36);
}

static void test_mb2_minimal(void **state)
{
	(void)state;
	mb2_begin(&builder);
	mb2_finish(&builder);
	assert_int_equal(builder.len, 16);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.firmware, BOOT_FIRMWARE_BIOS);
	assert_int_equal(info_out.mem_region_count, 0);
	assert_int_equal(info_out.rsdp_length, 0);

	/* Bytes after the END tag but inside total_size are ignored. */
	put_u32(mb2_bytes(&builder), 32);
	memset(mb2_bytes(&builder) + 16, 0xff, 16);
	builder.len = 32;
	assert_int_equal(parse_builder(&builder), RAE_OK);
}

static void test_mb2_wrong_magic(void **state)
{
	(void)state;
	build_bios_like(&builder);
	memset(&info_out, 0xaa, sizeof(info_out));
	assert_int_equal(
	    mb2_parse(0x2badb002, builder.words, builder.len, &info_out, err, sizeof(err)),
	    RAE_ERR_INVALID);
	assert_string_equal(err, "multiboot2: bad loader magic 0x2badb002 (expected 0x36d76289)");
	/* out was reset to a defined state before the failure. */
	assert_int_equal(info_out.mem_region_count, 0);
	assert_int_equal(info_out.firmware, BOOT_FIRMWARE_UNKNOWN);
	assert_int_equal(info_out.cmdline[0], '\0');
	assert_false(info_out.has_framebuffer);
}

static void test_mb2_bad_pointer(void **state)
{
	(void)state;
	build_bios_like(&builder);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, NULL, 4096, &info_out, err, sizeof(err)),
			 RAE_ERR_INVALID);
	assert_non_null(strstr(err, "NULL"));
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, mb2_bytes(&builder) + 4, builder.len - 4,
				   &info_out, err, sizeof(err)),
			 RAE_ERR_INVALID);
	assert_non_null(strstr(err, "not 8-byte aligned"));
	assert_int_equal(
	    mb2_parse(MB2_BOOTLOADER_MAGIC, builder.words, builder.len, NULL, err, sizeof(err)),
	    RAE_ERR_INVALID);
	/* No error buffer at all is fine, and a tiny one is still terminated. */
	assert_int_equal(mb2_parse(0, builder.words, builder.len, &info_out, NULL, 0),
			 RAE_ERR_INVALID);
	assert_int_equal(mb2_parse(0, builder.words, builder.len, &info_out, err, 8),
			 RAE_ERR_INVALID);
	assert_string_equal(err, "multibo");
}

static void test_mb2_total_size(void **state)
{
	(void)state;
	build_bios_like(&builder);
	/* Fewer bytes readable than the fixed header. */
	assert_int_equal(parse_exact(mb2_bytes(&builder), 4), RAE_ERR_TRUNCATED);
	assert_int_equal(parse_exact(mb2_bytes(&builder), 0), RAE_ERR_TRUNCATED);

	/* total_size larger than what may be read. */
	assert_int_equal(parse_exact(mb2_bytes(&builder), 100), RAE_ERR_TRUNCATED);
	{
		char want[128];

		snprintf(want, sizeof(want),
			 "multiboot2: total_size %zu exceeds the 100 bytes available", builder.len);
		assert_string_equal(err, want);
	}
	assert_int_equal(parse_exact(mb2_bytes(&builder), builder.len - 1), RAE_ERR_TRUNCATED);

	/* total_size below the 16-byte minimum. */
	put_u32(mb2_bytes(&builder), 8);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	put_u32(mb2_bytes(&builder), 0);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	put_u32(mb2_bytes(&builder), 0xffffffff);
	assert_int_equal(parse_builder(&builder), RAE_ERR_TRUNCATED);
}

static void test_mb2_tag_past_end(void **state)
{
	static const mmap_entry_t mmap[] = {{0, 0x1000, 1}};
	size_t at;
	char want[160];

	(void)state;
	mb2_begin(&builder);
	mb2_string_tag(&builder, 1, "cmd"); /* offset 8, 16 bytes */
	at = mb2_mmap_tag(&builder, 24, mmap, 1);
	mb2_finish(&builder);
	put_u32(mb2_bytes(&builder) + at + 4, 40000);
	assert_int_equal(parse_builder(&builder), RAE_ERR_TRUNCATED);
	snprintf(want, sizeof(want),
		 "multiboot2: tag 1 (type 6, memory map) at offset 0x%zx has size 40000 but only "
		 "%zu bytes remain",
		 at, builder.len - at);
	assert_string_equal(err, want);

	/* One byte too many is already too many. */
	put_u32(mb2_bytes(&builder) + at + 4, (uint32_t)(builder.len - at + 1));
	assert_int_equal(parse_builder(&builder), RAE_ERR_TRUNCATED);

	/* A size reaching exactly to total_size swallows the END tag. */
	put_u32(mb2_bytes(&builder) + at + 4, (uint32_t)(builder.len - at));
	put_u32(mb2_bytes(&builder) + at + 8, 32); /* keep the map itself well formed */
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "no END tag"));
}

static void test_mb2_tag_size_too_small(void **state)
{
	size_t at;

	(void)state;
	for (uint32_t size = 0; size < 8; size++) {
		mb2_begin(&builder);
		at = mb2_tag(&builder, 1, "x", 1);
		mb2_finish(&builder);
		put_u32(mb2_bytes(&builder) + at + 4, size);
		assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
		assert_non_null(strstr(err, "less than its 8-byte header"));
	}
}

static void test_mb2_overlapping_tags(void **state)
{
	static const mmap_entry_t mmap[] = {{0, 0x1000, 1}};

	(void)state;
	/* The module tag claims only 16 bytes, so the next "tag header" is read from
	 * its command line: type 0x41414141, size 0x42424242, far past the end. */
	mb2_begin(&builder);
	mb2_module_tag(&builder, 0x1000, 0x2000, "AAAABBBBCCCCDDDD");
	mb2_finish(&builder);
	put_u32(mb2_bytes(&builder) + 8 + 4, 16);
	assert_int_equal(parse_builder(&builder), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "tag 1 (type 1094795585, unknown) at offset 0x18"));

	/* A cmdline tag whose size runs over the mmap tag that follows it: the mmap
	 * is never parsed, and the END tag is still found at the right offset. */
	mb2_begin(&builder);
	mb2_string_tag(&builder, 1, "abc");
	mb2_mmap_tag(&builder, 24, mmap, 1);
	mb2_finish(&builder);
	put_u32(mb2_bytes(&builder) + 8 + 4, 16 + 40);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.mem_region_count, 0);
	assert_string_equal(info_out.cmdline, "abc");
}

static void test_mb2_missing_end(void **state)
{
	(void)state;
	mb2_begin(&builder);
	mb2_string_tag(&builder, 1, "no end here");
	mb2_seal(&builder);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "no END tag"));

	/* Four stray bytes where the END tag should be. */
	builder.len += 4;
	mb2_seal(&builder);
	assert_int_equal(parse_builder(&builder), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "header needs 8 bytes but only 4 remain"));

	/* An END tag of the wrong size. */
	mb2_begin(&builder);
	mb2_tag(&builder, 0, "12345678", 8);
	mb2_seal(&builder);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "an END tag is 8 bytes"));

	/* The last tag's padding lies beyond total_size: no room for END. */
	mb2_begin(&builder);
	mb2_tag(&builder, 1, "abcde", 5);
	put_u32(mb2_bytes(&builder), 8 + 13);
	builder.len = 8 + 13;
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
}

static void test_mb2_mmap_errors(void **state)
{
	static const mmap_entry_t one[] = {{0x100000, 0x1000, 1}};
	static const mmap_entry_t wrap[] = {{0x1000, 0x1000, 1}, {0xfffffffffffff000, 0x1000, 2}};
	size_t at;

	(void)state;
	/* entry_size below 24. */
	mb2_begin(&builder);
	at = mb2_mmap_tag(&builder, 24, one, 1);
	mb2_finish(&builder);
	put_u32(mb2_bytes(&builder) + at + 8, 16);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "entry_size 16"));
	put_u32(mb2_bytes(&builder) + at + 8, 0);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);

	/* entry_size not a multiple of 8. */
	put_u32(mb2_bytes(&builder) + at + 8, 28);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);

	/* A larger entry_size than we know is fine (future versions grow it). */
	mb2_begin(&builder);
	mb2_mmap_tag(&builder, 32, one, 1);
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.mem_region_count, 1);
	assert_int_equal(info_out.mem_regions[0].base, 0x100000);

	/* The last entry does not fit in the tag. */
	mb2_begin(&builder);
	at = mb2_mmap_tag(&builder, 24, one, 1);
	mb2_finish(&builder);
	put_u32(mb2_bytes(&builder) + at + 4, 16 + 24 - 8);
	assert_int_equal(parse_builder(&builder), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "entry 0 runs past the end of the tag"));

	/* entry_size larger than the whole tag. */
	put_u32(mb2_bytes(&builder) + at + 4, 16 + 24);
	put_u32(mb2_bytes(&builder) + at + 8, 4096);
	assert_int_equal(parse_builder(&builder), RAE_ERR_TRUNCATED);

	/* The tag too small for its own header. */
	put_u32(mb2_bytes(&builder) + at + 4, 12);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "less than the 16 bytes its fields need"));

	/* base + length wraps around 2^64. */
	mb2_begin(&builder);
	mb2_mmap_tag(&builder, 24, wrap, 2);
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_ERR_RANGE);
	assert_non_null(strstr(err, "entry 1: base 0xfffffffffffff000 + length 0x1000 overflows"));
}

static void test_mb2_module_errors(void **state)
{
	(void)state;
	mb2_begin(&builder);
	mb2_module_tag(&builder, 0x300000, 0x200000, "backwards");
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "starts at 0x300000, after its end 0x200000"));

	/* Empty module: allowed. */
	mb2_begin(&builder);
	mb2_module_tag(&builder, 0x300000, 0x300000, "");
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.module_count, 1);

	/* A module tag too short for start and end. */
	mb2_begin(&builder);
	mb2_module_tag(&builder, 1, 2, "");
	mb2_finish(&builder);
	put_u32(mb2_bytes(&builder) + 8 + 4, 12);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
}

static void test_mb2_clamped_arrays(void **state)
{
	static mmap_entry_t many[200];
	char name[16];

	(void)state;
	for (size_t i = 0; i < 200; i++)
		many[i] = (mmap_entry_t){.base = i * 0x10000, .length = 0x1000, .type = 1};
	mb2_begin(&builder);
	mb2_mmap_tag(&builder, 24, many, 200);
	for (uint32_t i = 0; i < BOOT_INFO_MAX_MODULES + 4; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		mb2_module_tag(&builder, i * 0x1000, i * 0x1000 + 0x800, name);
	}
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(info_out.mem_region_count, BOOT_INFO_MAX_MEM_REGIONS);
	assert_int_equal(info_out.mem_regions[0].base, 0);
	assert_int_equal(info_out.mem_regions[BOOT_INFO_MAX_MEM_REGIONS - 1].base,
			 (BOOT_INFO_MAX_MEM_REGIONS - 1) * 0x10000ull);
	assert_int_equal(info_out.module_count, BOOT_INFO_MAX_MODULES);
	assert_string_equal(info_out.modules[BOOT_INFO_MAX_MODULES - 1].cmdline, "mod15");
}

static void test_mb2_strings_without_nul(void **state)
{
	char long_cmd[700];
	uint8_t mod[8 + 100];

	(void)state;
	/* Ten characters, no NUL, and non-zero padding after the tag. */
	mb2_begin(&builder);
	mb2_tag_padded(&builder, 1, "0123456789", 10, 'X');
	mb2_tag_padded(&builder, 2, "loader", 6, 'Y');
	put_u32(mod, 0x1000);
	put_u32(mod + 4, 0x2000);
	memset(mod + 8, 'm', 100);
	mb2_tag_padded(&builder, 3, mod, sizeof(mod), 'Z');
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_string_equal(info_out.cmdline, "0123456789");
	assert_string_equal(info_out.loader_name, "loader");
	assert_int_equal(strlen(info_out.modules[0].cmdline), BOOT_INFO_MODULE_CMDLINE_MAX - 1);

	/* Longer than boot_info holds: truncated, terminated. */
	memset(long_cmd, 'c', sizeof(long_cmd) - 1);
	long_cmd[sizeof(long_cmd) - 1] = '\0';
	mb2_begin(&builder);
	mb2_string_tag(&builder, 1, long_cmd);
	mb2_string_tag(&builder, 2, long_cmd);
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(strlen(info_out.cmdline), BOOT_INFO_CMDLINE_MAX - 1);
	assert_int_equal(strlen(info_out.loader_name), BOOT_INFO_LOADER_NAME_MAX - 1);

	/* An empty string tag (size 8) is fine. */
	mb2_begin(&builder);
	mb2_tag(&builder, 1, NULL, 0);
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_string_equal(info_out.cmdline, "");
}

static void test_mb2_duplicates(void **state)
{
	static const mmap_entry_t first[] = {{0, 0x1000, 1}, {0x2000, 0x1000, 1}};
	static const mmap_entry_t second[] = {{0x100000, 0x5000, 3}};

	(void)state;
	mb2_begin(&builder);
	mb2_string_tag(&builder, 1, "first");
	mb2_mmap_tag(&builder, 24, first, 2);
	mb2_string_tag(&builder, 1, "second");
	mb2_mmap_tag(&builder, 24, second, 1);
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_string_equal(info_out.cmdline, "second");
	assert_int_equal(info_out.mem_region_count, 1);
	assert_int_equal(info_out.mem_regions[0].base, 0x100000);
	assert_int_equal(info_out.mem_regions[0].type, BOOT_MEM_ACPI_RECLAIMABLE);
}

/* Builds a list holding one framebuffer tag and parses it. */
static rae_status_t fb_try(const fb_desc_t *fb)
{
	mb2_begin(&builder);
	mb2_fb_tag(&builder, fb);
	mb2_finish(&builder);
	return parse_builder(&builder);
}

static void test_mb2_framebuffer(void **state)
{
	fb_desc_t fb;

	(void)state;
	/* Degenerate framebuffers are ignored without error. */
	fb = fb_rgb;
	fb.bpp = 0;
	assert_int_equal(fb_try(&fb), RAE_OK);
	assert_false(info_out.has_framebuffer);
	fb = fb_rgb;
	fb.width = 0;
	assert_int_equal(fb_try(&fb), RAE_OK);
	assert_false(info_out.has_framebuffer);
	fb = fb_rgb;
	fb.height = 0;
	assert_int_equal(fb_try(&fb), RAE_OK);
	assert_false(info_out.has_framebuffer);
	fb = fb_rgb;
	fb.type = 7;
	assert_int_equal(fb_try(&fb), RAE_OK);
	assert_false(info_out.has_framebuffer);

	/* Pitch shorter than a line of pixels. */
	fb = fb_rgb;
	fb.pitch = 4095;
	assert_int_equal(fb_try(&fb), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "pitch 4095, less than width 1024 x 32 bits"));
	fb = fb_rgb;
	fb.width = 0xffffffff;
	assert_int_equal(fb_try(&fb), RAE_ERR_INVALID);

	/* RGB without its colour bytes, and colour fields outside the pixel. */
	fb = fb_rgb;
	fb.colour_len = 0;
	assert_int_equal(fb_try(&fb), RAE_ERR_INVALID);
	fb = fb_rgb;
	fb.colour_len = 5;
	assert_int_equal(fb_try(&fb), RAE_ERR_INVALID);
	fb = fb_rgb;
	fb.colour[0] = 30; /* red at bit 30, 8 bits wide: past bit 32 */
	assert_int_equal(fb_try(&fb), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "red field at bit 30 size 8"));
	fb = fb_rgb;
	fb.colour[5] = 255;
	assert_int_equal(fb_try(&fb), RAE_ERR_INVALID);

	/* Buffer running past the top of the address space. */
	fb = fb_rgb;
	fb.addr = 0xffffffffffff0000;
	assert_int_equal(fb_try(&fb), RAE_ERR_RANGE);

	/* A tag shorter than the common part. */
	mb2_begin(&builder);
	mb2_tag(&builder, 8, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	mb2_finish(&builder);
	assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);

	/* EGA text and indexed modes carry no colour bytes. */
	fb = (fb_desc_t){
	    .addr = 0xb8000, .pitch = 160, .width = 80, .height = 25, .bpp = 16, .type = 2};
	assert_int_equal(fb_try(&fb), RAE_OK);
	assert_true(info_out.has_framebuffer);
	assert_int_equal(info_out.framebuffer.type, BOOT_FB_EGA_TEXT);
	assert_int_equal(info_out.framebuffer.width, 80);
	fb = (fb_desc_t){.addr = 0xa0000,
			 .pitch = 320,
			 .width = 320,
			 .height = 200,
			 .bpp = 8,
			 .type = 0,
			 .colour = {2, 0},
			 .colour_len = 2};
	assert_int_equal(fb_try(&fb), RAE_OK);
	assert_int_equal(info_out.framebuffer.type, BOOT_FB_INDEXED);

	/* 24 bpp: three bytes a pixel. */
	fb = fb_rgb;
	fb.bpp = 24;
	fb.pitch = 3072;
	assert_int_equal(fb_try(&fb), RAE_OK);
	assert_int_equal(info_out.framebuffer.pitch, 3072);
}

static void test_mb2_small_known_tags(void **state)
{
	/* Each known tag one byte shorter than its fields need: type, minimum size. */
	static const uint32_t cases[][2] = {{4, 16}, {11, 12}, {12, 16}, {14, 28}, {15, 28}};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t payload[64] = {0};

		mb2_begin(&builder);
		mb2_tag(&builder, cases[i][0], payload, cases[i][1] - 8 - 1);
		mb2_finish(&builder);
		assert_int_equal(parse_builder(&builder), RAE_ERR_INVALID);
		assert_non_null(strstr(err, "bytes its fields need"));

		mb2_begin(&builder);
		memcpy(payload, rsdp_v2, 36);
		mb2_tag(&builder, cases[i][0], payload, cases[i][1] - 8);
		mb2_finish(&builder);
		assert_int_equal(parse_builder(&builder), RAE_OK);
	}
	assert_int_equal(info_out.rsdp_length, 20); /* type 15 with only 20 bytes */
}

/* xorshift64*: a fixed sequence so a failing iteration can be replayed. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* What must hold after any parse, good or bad. */
static void info_sane_check(void)
{
	assert_true(info_out.mem_region_count <= BOOT_INFO_MAX_MEM_REGIONS);
	assert_true(info_out.module_count <= BOOT_INFO_MAX_MODULES);
	assert_true(strnlen(info_out.cmdline, sizeof(info_out.cmdline)) < sizeof(info_out.cmdline));
	assert_true(strnlen(info_out.loader_name, sizeof(info_out.loader_name)) <
		    sizeof(info_out.loader_name));
	for (uint32_t i = 0; i < info_out.module_count; i++)
		assert_true(info_out.modules[i].start <= info_out.modules[i].end);
	for (uint32_t i = 0; i < info_out.mem_region_count; i++) {
		assert_true(info_out.mem_regions[i].type >= BOOT_MEM_USABLE &&
			    info_out.mem_regions[i].type <= BOOT_MEM_BAD);
		assert_true(info_out.mem_regions[i].length <=
			    UINT64_MAX - info_out.mem_regions[i].base);
	}
	assert_true(info_out.rsdp_length == 0 ||
		    (info_out.rsdp_length >= 20 && info_out.rsdp_length <= 36));
}

/* A random but plausible tag list: real header, tags of random type and size. */
static size_t garbage_build(uint8_t *buf, size_t cap)
{
	size_t len = 16 + (size_t)(rng_next() % (cap - 16));
	size_t off = 8;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rng_next();
	while (off + 8 <= len && rng_next() % 8 != 0) {
		uint32_t type = (uint32_t)(rng_next() % 24);
		uint32_t size = (uint32_t)(8 + rng_next() % 128);

		if (rng_next() % 16 == 0)
			size = (uint32_t)rng_next();
		if (type == 6 && off + 16 <= len)
			put_u32(buf + off + 8, (uint32_t)(rng_next() % 4 == 0 ? rng_next() : 24));
		put_u32(buf + off, type);
		put_u32(buf + off + 4, size);
		off += (size + 7) & ~(size_t)7;
	}
	put_u32(buf, rng_next() % 8 == 0 ? (uint32_t)rng_next() % (len + 32) : (uint32_t)len);
	return len;
}

static void test_mb2_garbage_loop(void **state)
{
	static uint8_t buf[2048];
	unsigned outcome[16] = {0};

	(void)state;
	rng_state = 0x6d756c7469626f6fULL;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len;
		rae_status_t status;

		if (iter % 2 == 0) {
			len = garbage_build(buf, sizeof(buf));
		} else {
			/* Bit flips in a valid list. */
			build_bios_like(&builder);
			len = builder.len;
			memcpy(buf, mb2_bytes(&builder), len);
			for (unsigned f = 1 + (unsigned)(rng_next() % 4); f > 0; f--)
				buf[rng_next() % len] ^= (uint8_t)(1u << (rng_next() % 8));
			if (rng_next() % 4 == 0)
				len = (size_t)(rng_next() % (len + 1));
		}
		status = parse_exact(buf, len);
		info_sane_check();
		outcome[-status & 15]++;
	}
	assert_true(outcome[0] > 0);
	assert_true(outcome[-RAE_ERR_INVALID] > 0);
	assert_true(outcome[-RAE_ERR_TRUNCATED] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mb2_valid_bios),
	    cmocka_unit_test(test_mb2_valid_uefi),
	    cmocka_unit_test(test_mb2_minimal),
	    cmocka_unit_test(test_mb2_wrong_magic),
	    cmocka_unit_test(test_mb2_bad_pointer),
	    cmocka_unit_test(test_mb2_total_size),
	    cmocka_unit_test(test_mb2_tag_past_end),
	    cmocka_unit_test(test_mb2_tag_size_too_small),
	    cmocka_unit_test(test_mb2_overlapping_tags),
	    cmocka_unit_test(test_mb2_missing_end),
	    cmocka_unit_test(test_mb2_mmap_errors),
	    cmocka_unit_test(test_mb2_module_errors),
	    cmocka_unit_test(test_mb2_clamped_arrays),
	    cmocka_unit_test(test_mb2_strings_without_nul),
	    cmocka_unit_test(test_mb2_duplicates),
	    cmocka_unit_test(test_mb2_framebuffer),
	    cmocka_unit_test(test_mb2_small_known_tags),
	    cmocka_unit_test(test_mb2_garbage_loop),
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
