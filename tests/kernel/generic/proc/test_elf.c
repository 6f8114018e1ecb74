/* Host tests for the ELF64 executable parser: images are built here, valid ones
 * checked field by field, each rule broken once and checked for its status and
 * message, and mutated images run under ASan to show nothing outside is read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proc/elf.h>

#define BUF_BYTES 0x10000

/* The ELF constants the images use, spelled out: the test must not share the
 * parser's definitions, or a wrong one would go unnoticed. */
#define ET_REL  1
#define ET_EXEC 2
#define ET_DYN  3
#define ET_CORE 4

#define PT_LOAD         1
#define PT_DYNAMIC      2
#define PT_INTERP       3
#define PT_NOTE         4
#define PT_PHDR         6
#define PT_TLS          7
#define PT_GNU_STACK    0x6474e551u
#define PT_GNU_RELRO    0x6474e552u
#define PT_GNU_PROPERTY 0x6474e553u

#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

/* Program header field offsets. */
#define PH_TYPE   0
#define PH_FLAGS  4
#define PH_OFFSET 8
#define PH_VADDR  16
#define PH_FILESZ 32
#define PH_MEMSZ  40
#define PH_ALIGN  48

typedef struct {
	uint8_t bytes[BUF_BYTES];
	size_t len;
	unsigned phnum;
} elf_builder_t;

static void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* An ELF64 x86-64 header with the program header table right after it. */
static void elf_begin(elf_builder_t *b, uint16_t type, uint64_t entry)
{
	static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};

	memset(b, 0, sizeof(*b));
	/* Non-zero filler, so a parser reading "data" as a header shows up. */
	for (size_t i = 0; i < BUF_BYTES; i++)
		b->bytes[i] = (uint8_t)(i * 7 + 3);
	memset(b->bytes, 0, 64);
	memcpy(b->bytes, ident, 16);
	put_u16(b->bytes + 16, type);
	put_u16(b->bytes + 18, 62);
	put_u32(b->bytes + 20, 1);
	put_u64(b->bytes + 24, entry);
	put_u64(b->bytes + 32, 64);
	put_u16(b->bytes + 52, 64);
	put_u16(b->bytes + 54, 56);
	b->len = 64;
}

static uint8_t *ph_at(elf_builder_t *b, unsigned index)
{
	return b->bytes + 64 + (size_t)index * 56;
}

/* Appends a program header; returns its index. */
static unsigned elf_phdr(elf_builder_t *b, uint32_t type, uint32_t flags, uint64_t offset,
			 uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	unsigned i = b->phnum++;
	uint8_t *h = ph_at(b, i);
	size_t end = 64 + (size_t)b->phnum * 56;

	assert_true(end <= BUF_BYTES);
	memset(h, 0, 56);
	put_u32(h + PH_TYPE, type);
	put_u32(h + PH_FLAGS, flags);
	put_u64(h + PH_OFFSET, offset);
	put_u64(h + PH_VADDR, vaddr);
	put_u64(h + 24, vaddr);
	put_u64(h + PH_FILESZ, filesz);
	put_u64(h + PH_MEMSZ, memsz);
	put_u64(h + PH_ALIGN, align);
	put_u16(b->bytes + 56, (uint16_t)b->phnum);
	if (b->len < end)
		b->len = end;
	return i;
}

static void ph_set64(elf_builder_t *b, unsigned index, size_t field, uint64_t v)
{
	put_u64(ph_at(b, index) + field, v);
}

static void ph_set32(elf_builder_t *b, unsigned index, size_t field, uint32_t v)
{
	put_u32(ph_at(b, index) + field, v);
}

/* A static executable: text R+X, data R+W with bss, a note and a stack note. */
static void build_exec(elf_builder_t *b)
{
	elf_begin(b, ET_EXEC, 0x401000);
	elf_phdr(b, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1800, 0x1800, 0x1000);
	elf_phdr(b, PT_LOAD, PF_R | PF_W, 0x2000, 0x403000, 0x100, 0x3000, 0x1000);
	elf_phdr(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	elf_phdr(b, PT_NOTE, PF_R, 0x200, 0x400200, 0x20, 0x20, 4);
	b->len = 0x2100;
}

/* A static-pie: read-only headers, text, data with a dynamic section and TLS. */
static void build_pie(elf_builder_t *b)
{
	elf_begin(b, ET_DYN, 0x1040);
	elf_phdr(b, PT_PHDR, PF_R, 64, 64, 9 * 56, 9 * 56, 8);
	elf_phdr(b, PT_LOAD, PF_R, 0, 0, 0x800, 0x800, 0x1000);
	elf_phdr(b, PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x900, 0x900, 0x1000);
	elf_phdr(b, PT_LOAD, PF_R | PF_W, 0x2000, 0x3000, 0x300, 0x1200, 0x1000);
	elf_phdr(b, PT_DYNAMIC, PF_R | PF_W, 0x2100, 0x3100, 0x100, 0x100, 8);
	elf_phdr(b, PT_TLS, PF_R, 0x2000, 0x3000, 0x40, 0x80, 64);
	elf_phdr(b, PT_GNU_RELRO, PF_R, 0x2000, 0x3000, 0x100, 0x1000, 1);
	elf_phdr(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	elf_phdr(b, PT_GNU_PROPERTY, PF_R, 0x300, 0x300, 0x20, 0x20, 8);
	b->len = 0x2300;
}

static elf_builder_t builder;
static elf_image_t img;
static char err[256];

/* What must hold after a successful parse of size bytes. */
static void image_sane_check(size_t size)
{
	uint64_t lowest = UINT64_MAX, highest = 0;
	bool entry_ok = false;

	assert_true(img.segment_count >= 1 && img.segment_count <= ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < img.segment_count; i++) {
		const elf_segment_t *s = &img.segments[i];
		uint64_t start = s->vaddr & ~0xfffull;
		uint64_t end = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;

		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		assert_true(s->filesz == 0 || (s->offset <= size && s->filesz <= size - s->offset));
		assert_true(s->vaddr < ELF_USER_END && s->memsz <= ELF_USER_END - s->vaddr);
		assert_true(img.pie || s->vaddr >= ELF_EXEC_MIN_VADDR);
		assert_false(s->write && s->exec);
		for (unsigned j = 0; j < i; j++) {
			const elf_segment_t *o = &img.segments[j];
			uint64_t o_start = o->vaddr & ~0xfffull;
			uint64_t o_end = (o->vaddr + o->memsz + 0xfff) & ~0xfffull;

			assert_true(end <= o_start || o_end <= start);
		}
		if (s->exec && img.entry >= s->vaddr && img.entry - s->vaddr < s->memsz)
			entry_ok = true;
		lowest = start < lowest ? start : lowest;
		highest = end > highest ? end : highest;
	}
	assert_true(entry_ok);
	assert_int_equal(img.lowest_vaddr, lowest);
	assert_int_equal(img.image_span, highest - lowest);
	assert_int_equal(img.stack_flags_exec, 0);
	if (img.pie) {
		assert_true(img.lowest_vaddr < 0x80000000ull);
		assert_true(img.image_span <= 0x40000000ull);
	} else {
		assert_false(img.has_dynamic);
	}
}

/* Parses an exact-size, deliberately misaligned heap copy (ASan sees its end). */
static rae_status_t parse_exact(const uint8_t *src, size_t len)
{
	uint8_t *block = malloc(len + 1);
	rae_status_t status;

	assert_non_null(block);
	memcpy(block + 1, src, len);
	status = elf_parse(block + 1, len, &img, err, sizeof(err));
	free(block);
	/* Every outcome leaves a terminated message: empty exactly on success. */
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	if (status == RAE_OK) {
		assert_string_equal(err, "");
		image_sane_check(len);
	} else {
		assert_true(status == RAE_ERR_INVALID || status == RAE_ERR_TRUNCATED ||
			    status == RAE_ERR_UNSUPPORTED);
		assert_true(strncmp(err, "ELF ", 4) == 0);
	}
	return status;
}

static rae_status_t parse_builder(elf_builder_t *b)
{
	return parse_exact(b->bytes, b->len);
}

/* Parses b, expecting status and a message containing needle. */
static void expect_fail(elf_builder_t *b, rae_status_t status, const char *needle)
{
	rae_status_t got = parse_builder(b);

	if (got != status || strstr(err, needle) == NULL)
		fail_msg("expected %s with \"%s\", got %s: %s", rae_status_name(status), needle,
			 rae_status_name(got), err);
}

static void test_elf_valid_exec(void **state)
{
	(void)state;
	build_exec(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_false(img.pie);
	assert_false(img.has_dynamic);
	assert_int_equal(img.entry, 0x401000);
	assert_int_equal(img.segment_count, 2);
	assert_int_equal(img.segments[0].vaddr, 0x400000);
	assert_int_equal(img.segments[0].offset, 0);
	assert_int_equal(img.segments[0].filesz, 0x1800);
	assert_int_equal(img.segments[0].memsz, 0x1800);
	assert_true(img.segments[0].read && img.segments[0].exec && !img.segments[0].write);
	assert_int_equal(img.segments[1].vaddr, 0x403000);
	assert_int_equal(img.segments[1].offset, 0x2000);
	assert_int_equal(img.segments[1].filesz, 0x100);
	assert_int_equal(img.segments[1].memsz, 0x3000);
	assert_true(img.segments[1].read && img.segments[1].write && !img.segments[1].exec);
	assert_int_equal(img.lowest_vaddr, 0x400000);
	assert_int_equal(img.image_span, 0x6000);
	assert_int_equal(img.stack_flags_exec, 0);

	/* The lowest allowed address, and a segment ending right at ELF_USER_END. */
	build_exec(&builder);
	ph_set64(&builder, 0, PH_VADDR, ELF_EXEC_MIN_VADDR);
	put_u64(builder.bytes + 24, ELF_EXEC_MIN_VADDR + 0x10);
	ph_set64(&builder, 1, PH_VADDR, ELF_USER_END - 0x3000);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(img.lowest_vaddr, ELF_EXEC_MIN_VADDR);
	assert_int_equal(img.image_span, ELF_USER_END - ELF_EXEC_MIN_VADDR);
}

static void test_elf_valid_pie(void **state)
{
	(void)state;
	build_pie(&builder);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_true(img.pie);
	assert_true(img.has_dynamic);
	assert_int_equal(img.entry, 0x1040);
	assert_int_equal(img.segment_count, 3);
	assert_int_equal(img.segments[0].vaddr, 0);
	assert_true(img.segments[0].read && !img.segments[0].write && !img.segments[0].exec);
	assert_int_equal(img.segments[1].vaddr, 0x1000);
	assert_true(img.segments[1].exec);
	assert_int_equal(img.segments[2].vaddr, 0x3000);
	assert_int_equal(img.segments[2].memsz, 0x1200);
	assert_int_equal(img.lowest_vaddr, 0);
	assert_int_equal(img.image_span, 0x5000);

	/* A PIE without PT_DYNAMIC (nothing to relocate) is fine too. */
	ph_set32(&builder, 4, PH_TYPE, PT_NOTE);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_false(img.has_dynamic);
}

/* elf_parse_head: only the first head_len bytes are readable (a loader's
 * copy); segments are checked against the whole file's size. */
static void test_elf_parse_head(void **state)
{
	(void)state;
	build_pie(&builder);
	/* The headers fit in 0x300 bytes; the file is 0x2300. */
	assert_int_equal(elf_parse_head(builder.bytes, 0x300, builder.len, &img, err, sizeof(err)),
			 RAE_OK);
	assert_int_equal(img.segment_count, 3);
	/* A table past the head is refused, not read. */
	rae_status_t st =
	    elf_parse_head(builder.bytes, 64 + 56, builder.len, &img, err, sizeof(err));
	assert_int_equal(st, RAE_ERR_UNSUPPORTED);
	assert_non_null(strstr(err, "first 0x78 bytes"));
	/* Segments still must lie inside the whole file. */
	assert_int_equal(elf_parse_head(builder.bytes, 0x300, 0x2200, &img, err, sizeof(err)),
			 RAE_ERR_TRUNCATED);
	/* A head shorter than the ELF header is a truncated file. */
	assert_int_equal(elf_parse_head(builder.bytes, 32, builder.len, &img, err, sizeof(err)),
			 RAE_ERR_TRUNCATED);
}

static void test_elf_optional_rules(void **state)
{
	(void)state;
	/* p_align 0 and 1 mean "no alignment": vaddr and offset need not agree. */
	build_exec(&builder);
	ph_set64(&builder, 1, PH_ALIGN, 0);
	ph_set64(&builder, 1, PH_OFFSET, 0x1f10);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	ph_set64(&builder, 1, PH_ALIGN, 1);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(img.segments[1].offset, 0x1f10);

	/* A large power-of-two alignment with congruent vaddr and offset. */
	build_exec(&builder);
	ph_set64(&builder, 1, PH_ALIGN, 0x200000);
	ph_set64(&builder, 1, PH_VADDR, 0x602000);
	assert_int_equal(parse_builder(&builder), RAE_OK);

	/* Empty PT_LOADs are skipped, whatever their offset. */
	build_exec(&builder);
	elf_phdr(&builder, PT_LOAD, PF_R | PF_W | PF_X, 0xffffffffffffff00ull, 0, 0, 0, 3);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(img.segment_count, 2);

	/* A bss-only segment: its offset is never read, so it may lie anywhere. */
	build_exec(&builder);
	elf_phdr(&builder, PT_LOAD, PF_R | PF_W, 0x7fff0000, 0x500000, 0, 0x1000, 0x1000);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(img.segment_count, 3);

	/* Unknown program header types are ignored. */
	build_exec(&builder);
	elf_phdr(&builder, 0x60000000, PF_R | PF_W | PF_X, ~0ull, ~0ull, ~0ull, 0, ~0ull);
	assert_int_equal(parse_builder(&builder), RAE_OK);

	/* Segments given out of address order. */
	build_exec(&builder);
	elf_phdr(&builder, PT_LOAD, PF_R, 0x1000, 0x3ff000, 0x10, 0x10, 0x1000);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(img.lowest_vaddr, 0x3ff000);
	assert_int_equal(img.image_span, 0x7000);
}

static void test_elf_ident_errors(void **state)
{
	(void)state;
	build_exec(&builder);
	builder.bytes[1] = 'e';
	expect_fail(&builder, RAE_ERR_INVALID, "header: bad magic 7f 65 4c 46");

	build_exec(&builder);
	builder.bytes[4] = 1;
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "32-bit");
	builder.bytes[4] = 3;
	expect_fail(&builder, RAE_ERR_INVALID, "EI_CLASS 3");

	build_exec(&builder);
	builder.bytes[5] = 2;
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "big endian");
	builder.bytes[5] = 0;
	expect_fail(&builder, RAE_ERR_INVALID, "EI_DATA 0");

	build_exec(&builder);
	builder.bytes[6] = 2;
	expect_fail(&builder, RAE_ERR_INVALID, "EI_VERSION 2");
}

static void test_elf_header_errors(void **state)
{
	(void)state;
	build_exec(&builder);
	put_u16(builder.bytes + 18, 3);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "e_machine 3 is not x86-64");

	build_exec(&builder);
	put_u16(builder.bytes + 16, ET_REL);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "e_type 1 (ET_REL");
	put_u16(builder.bytes + 16, ET_CORE);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "ET_CORE");
	put_u16(builder.bytes + 16, 0);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "e_type 0 (unknown)");

	build_exec(&builder);
	put_u32(builder.bytes + 20, 0);
	expect_fail(&builder, RAE_ERR_INVALID, "e_version 0");

	build_exec(&builder);
	put_u16(builder.bytes + 52, 52);
	expect_fail(&builder, RAE_ERR_INVALID, "e_ehsize 52");

	build_exec(&builder);
	put_u16(builder.bytes + 54, 32);
	expect_fail(&builder, RAE_ERR_INVALID, "e_phentsize 32 is not 56");
}

static void test_elf_truncated_header(void **state)
{
	(void)state;
	build_exec(&builder);
	assert_int_equal(parse_exact(builder.bytes, 63), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "63 bytes, smaller than the 64-byte ELF64 header"));
	assert_int_equal(parse_exact(builder.bytes, 0), RAE_ERR_TRUNCATED);

	/* NULL is only acceptable as an empty file; a NULL out is refused. */
	assert_int_equal(elf_parse(NULL, 0, &img, err, sizeof(err)), RAE_ERR_TRUNCATED);
	assert_int_equal(elf_parse(NULL, 100, &img, err, sizeof(err)), RAE_ERR_INVALID);
	assert_int_equal(elf_parse(builder.bytes, builder.len, NULL, err, sizeof(err)),
			 RAE_ERR_INVALID);
	assert_non_null(strstr(err, "no elf_image_t"));
}

static void test_elf_phdr_table_errors(void **state)
{
	(void)state;
	/* The table starts inside the file but ends past it. */
	build_exec(&builder);
	put_u64(builder.bytes + 32, builder.len - 100);
	expect_fail(&builder, RAE_ERR_TRUNCATED,
		    "header: program headers at e_phoff 0x209c + 4 x 56 bytes run past the end "
		    "of the 0x2100-byte file");
	put_u64(builder.bytes + 32, builder.len);
	expect_fail(&builder, RAE_ERR_TRUNCATED, "run past the end");
	put_u64(builder.bytes + 32, 0x8000000000000000ull);
	expect_fail(&builder, RAE_ERR_TRUNCATED, "run past the end");

	/* e_phoff + e_phnum * 56 wraps around. */
	put_u64(builder.bytes + 32, UINT64_MAX - 10);
	expect_fail(&builder, RAE_ERR_INVALID, "overflows");

	/* The table exactly filling the file is fine. */
	build_exec(&builder);
	ph_set64(&builder, 0, PH_FILESZ, 0x100);
	assert_int_equal(parse_exact(builder.bytes, 64 + 4 * 56), RAE_ERR_TRUNCATED);
	ph_set64(&builder, 1, PH_FILESZ, 0);
	ph_set64(&builder, 3, PH_FILESZ, 0);
	assert_int_equal(parse_exact(builder.bytes, 64 + 4 * 56), RAE_OK);
	assert_int_equal(parse_exact(builder.bytes, 64 + 4 * 56 - 1), RAE_ERR_TRUNCATED);

	build_exec(&builder);
	put_u16(builder.bytes + 56, 0);
	expect_fail(&builder, RAE_ERR_INVALID, "e_phnum is 0");
	put_u16(builder.bytes + 56, 0xffff);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "PN_XNUM");
	put_u16(builder.bytes + 56, 65);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "e_phnum 65");
}

static void test_elf_load_size_errors(void **state)
{
	(void)state;
	build_exec(&builder);
	ph_set64(&builder, 1, PH_FILESZ, 0x3001);
	expect_fail(&builder, RAE_ERR_INVALID,
		    "ELF segment 1: filesz 0x3001 is larger than memsz 0x3000");

	build_exec(&builder);
	ph_set64(&builder, 1, PH_FILESZ, 0x3000);
	ph_set64(&builder, 1, PH_MEMSZ, 0x3000);
	expect_fail(&builder, RAE_ERR_TRUNCATED,
		    "ELF segment 1: offset 0x2000 + filesz 0x3000 runs past the end of the "
		    "0x2100-byte file");
	/* One byte over. */
	ph_set64(&builder, 1, PH_FILESZ, 0x101);
	expect_fail(&builder, RAE_ERR_TRUNCATED, "filesz 0x101 runs past the end");

	build_exec(&builder);
	ph_set64(&builder, 1, PH_OFFSET, 0xffffffffffffff80ull);
	ph_set64(&builder, 1, PH_ALIGN, 0);
	expect_fail(&builder, RAE_ERR_INVALID,
		    "offset 0xffffffffffffff80 + filesz 0x100 overflows");
}

static void test_elf_load_address_errors(void **state)
{
	(void)state;
	/* In the kernel half, and straddling the top of the user half. */
	build_exec(&builder);
	ph_set64(&builder, 1, PH_VADDR, 0xffffffff80003000ull);
	expect_fail(&builder, RAE_ERR_INVALID, "ELF segment 1: vaddr 0xffffffff80003000");
	assert_non_null(strstr(err, "above the user half"));
	ph_set64(&builder, 1, PH_VADDR, ELF_USER_END - 0x2000);
	expect_fail(&builder, RAE_ERR_INVALID, "above the user half (0x800000000000)");

	/* vaddr + memsz wraps around. */
	build_exec(&builder);
	ph_set64(&builder, 1, PH_VADDR, 0xfffffffffffff000ull);
	expect_fail(&builder, RAE_ERR_INVALID, "vaddr 0xfffffffffffff000 + memsz 0x3000 overflows");

	/* Page 0 and the rest below the minimum, for ET_EXEC only. */
	build_exec(&builder);
	ph_set64(&builder, 0, PH_VADDR, 0);
	put_u64(builder.bytes + 24, 0x100);
	expect_fail(&builder, RAE_ERR_INVALID,
		    "ELF segment 0: vaddr 0x0 is below the minimum 0x10000");
	ph_set64(&builder, 0, PH_VADDR, 0xf000);
	expect_fail(&builder, RAE_ERR_INVALID, "vaddr 0xf000 is below the minimum");

	/* An ET_DYN beyond the user half too: its vaddrs are still bounded. */
	build_pie(&builder);
	ph_set64(&builder, 3, PH_VADDR, ELF_USER_END);
	ph_set64(&builder, 3, PH_ALIGN, 0);
	expect_fail(&builder, RAE_ERR_INVALID, "ELF segment 3: vaddr 0x800000000000");
}

static void test_elf_align_errors(void **state)
{
	(void)state;
	build_exec(&builder);
	ph_set64(&builder, 1, PH_VADDR, 0x403010);
	expect_fail(&builder, RAE_ERR_INVALID,
		    "ELF segment 1: vaddr 0x403010 and offset 0x2000 differ modulo p_align 0x1000");

	build_exec(&builder);
	ph_set64(&builder, 1, PH_ALIGN, 0x200000);
	expect_fail(&builder, RAE_ERR_INVALID, "differ modulo p_align 0x200000");

	static const uint64_t bad_aligns[] = {2, 3, 0x800, 0x1001, 0x3000, 0x8000000000000001ull};
	for (size_t i = 0; i < sizeof(bad_aligns) / sizeof(bad_aligns[0]); i++) {
		char needle[64];

		build_exec(&builder);
		ph_set64(&builder, 0, PH_ALIGN, bad_aligns[i]);
		snprintf(needle, sizeof(needle), "ELF segment 0: p_align 0x%llx is not",
			 (unsigned long long)bad_aligns[i]);
		expect_fail(&builder, RAE_ERR_INVALID, needle);
	}
}

static void test_elf_wx_and_overlap(void **state)
{
	(void)state;
	build_exec(&builder);
	ph_set32(&builder, 1, PH_FLAGS, PF_R | PF_W | PF_X);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "ELF segment 1 is writable and executable");
	ph_set32(&builder, 1, PH_FLAGS, PF_W | PF_X);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "writable and executable");

	/* Overlapping bytes. */
	build_exec(&builder);
	ph_set64(&builder, 1, PH_VADDR, 0x401000);
	expect_fail(&builder, RAE_ERR_INVALID,
		    "ELF segment 1: pages 0x401000-0x404000 overlap those of loaded segment 0");

	/* Disjoint bytes on a shared page. */
	build_exec(&builder);
	ph_set64(&builder, 1, PH_VADDR, 0x401900);
	ph_set64(&builder, 1, PH_OFFSET, 0x1900);
	expect_fail(&builder, RAE_ERR_INVALID, "overlap those of loaded segment 0");

	/* Touching at a page boundary is not an overlap. */
	build_exec(&builder);
	ph_set64(&builder, 1, PH_VADDR, 0x402000);
	assert_int_equal(parse_builder(&builder), RAE_OK);

	/* The same segment twice. */
	build_exec(&builder);
	elf_phdr(&builder, PT_LOAD, PF_R | PF_W, 0x2000, 0x403000, 0x100, 0x3000, 0x1000);
	expect_fail(&builder, RAE_ERR_INVALID, "ELF segment 4: pages 0x403000-0x406000 overlap");
}

static void test_elf_refused_kinds(void **state)
{
	(void)state;
	build_exec(&builder);
	elf_phdr(&builder, PT_INTERP, PF_R, 0x300, 0x400300, 28, 28, 1);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED,
		    "ELF segment 4 (PT_INTERP): the program needs a dynamic linker (PT_INTERP), "
		    "which RaeenOS does not have");
	/* PT_INTERP is named even when an earlier header is broken too. */
	ph_set64(&builder, 0, PH_FILESZ, 0x100000);
	ph_set64(&builder, 0, PH_MEMSZ, 0x100000);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "PT_INTERP");

	build_exec(&builder);
	elf_phdr(&builder, PT_DYNAMIC, PF_R | PF_W, 0x2000, 0x403000, 0x100, 0x100, 8);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "ELF segment 4 (PT_DYNAMIC): an ET_EXEC");

	build_exec(&builder);
	ph_set32(&builder, 2, PH_FLAGS, PF_R | PF_W | PF_X);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED,
		    "ELF segment 2 (PT_GNU_STACK): asks for an executable stack");
	assert_int_not_equal(img.stack_flags_exec, 0);
}

static void test_elf_other_phdr_bounds(void **state)
{
	(void)state;
	build_pie(&builder);
	ph_set64(&builder, 5, PH_OFFSET, 0x22f0);
	expect_fail(&builder, RAE_ERR_TRUNCATED,
		    "ELF segment 5 (PT_TLS): offset 0x22f0 + filesz 0x40 runs past the end");
	ph_set64(&builder, 5, PH_OFFSET, UINT64_MAX);
	expect_fail(&builder, RAE_ERR_INVALID, "(PT_TLS): offset 0xffffffffffffffff");

	build_pie(&builder);
	ph_set64(&builder, 5, PH_FILESZ, 0x81);
	expect_fail(&builder, RAE_ERR_INVALID, "(PT_TLS): filesz 0x81 is larger than memsz 0x80");

	build_pie(&builder);
	ph_set64(&builder, 4, PH_FILESZ, 0x1000);
	expect_fail(&builder, RAE_ERR_TRUNCATED, "ELF segment 4 (PT_DYNAMIC): offset 0x2100");
}

static void test_elf_image_errors(void **state)
{
	(void)state;
	/* Entry in the data segment, just past the text, and before everything. */
	build_exec(&builder);
	put_u64(builder.bytes + 24, 0x403000);
	expect_fail(&builder, RAE_ERR_INVALID,
		    "header: e_entry 0x403000 is not inside an executable PT_LOAD segment");
	put_u64(builder.bytes + 24, 0x401800);
	expect_fail(&builder, RAE_ERR_INVALID, "e_entry 0x401800");
	put_u64(builder.bytes + 24, 0x4017ff);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	put_u64(builder.bytes + 24, 0);
	expect_fail(&builder, RAE_ERR_INVALID, "e_entry 0x0");

	/* No PT_LOAD at all, and only empty ones. */
	build_exec(&builder);
	ph_set32(&builder, 0, PH_TYPE, PT_NOTE);
	ph_set32(&builder, 1, PH_TYPE, PT_NOTE);
	expect_fail(&builder, RAE_ERR_INVALID, "image: no non-empty PT_LOAD segment");
	build_exec(&builder);
	ph_set64(&builder, 0, PH_FILESZ, 0);
	ph_set64(&builder, 0, PH_MEMSZ, 0);
	ph_set64(&builder, 1, PH_FILESZ, 0);
	ph_set64(&builder, 1, PH_MEMSZ, 0);
	expect_fail(&builder, RAE_ERR_INVALID, "no non-empty PT_LOAD");

	/* PIE sanity bounds: placed high, or too large. */
	build_pie(&builder);
	ph_set64(&builder, 1, PH_VADDR, 0x80000000);
	ph_set64(&builder, 2, PH_VADDR, 0x80001000);
	ph_set64(&builder, 3, PH_VADDR, 0x80003000);
	put_u64(builder.bytes + 24, 0x80001040);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED,
		    "image: ET_DYN lowest segment at 0x80000000; it must start below 0x80000000");
	ph_set64(&builder, 1, PH_VADDR, 0x7ffff000);
	assert_int_equal(parse_builder(&builder), RAE_OK);

	build_pie(&builder);
	ph_set64(&builder, 3, PH_MEMSZ, 0x40000000 - 0x3000);
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(img.image_span, 0x40000000);
	ph_set64(&builder, 3, PH_MEMSZ, 0x40000000 - 0x3000 + 1);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED, "ET_DYN spans 0x40001000 bytes");
}

static void test_elf_segment_limit(void **state)
{
	(void)state;
	/* ELF_MAX_SEGMENTS loads is the most; one more is refused. */
	elf_begin(&builder, ET_EXEC, 0x400000);
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
		elf_phdr(&builder, PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, 0x1000 * i,
			 0x400000 + 0x1000 * i, 0x10, 0x10, 0x1000);
	builder.len = 0x1000 * ELF_MAX_SEGMENTS;
	assert_int_equal(parse_builder(&builder), RAE_OK);
	assert_int_equal(img.segment_count, ELF_MAX_SEGMENTS);
	assert_int_equal(img.image_span, 0x1000 * ELF_MAX_SEGMENTS);
	elf_phdr(&builder, PT_LOAD, PF_R, 0, 0x500000, 0x10, 0x10, 0x1000);
	expect_fail(&builder, RAE_ERR_UNSUPPORTED,
		    "ELF segment 16: more than 16 non-empty PT_LOAD segments");
}

static void test_elf_err_buffer(void **state)
{
	char small[12];

	(void)state;
	build_exec(&builder);
	builder.bytes[0] = 0;
	assert_int_equal(elf_parse(builder.bytes, builder.len, &img, NULL, 0), RAE_ERR_INVALID);
	memset(small, 'x', sizeof(small));
	assert_int_equal(elf_parse(builder.bytes, builder.len, &img, small, sizeof(small)),
			 RAE_ERR_INVALID);
	assert_string_equal(small, "ELF header:");
	small[0] = 'x';
	assert_int_equal(elf_parse(builder.bytes, builder.len, &img, small, 1), RAE_ERR_INVALID);
	assert_int_equal(small[0], '\0');

	/* Segment messages truncate the same way. */
	build_exec(&builder);
	ph_set32(&builder, 1, PH_FLAGS, PF_W | PF_X);
	assert_int_equal(elf_parse(builder.bytes, builder.len, &img, small, sizeof(small)),
			 RAE_ERR_UNSUPPORTED);
	assert_string_equal(small, "ELF segment");
}

/* The test binary itself: a dynamically linked host program, so refused. */
static void test_elf_self_exe(void **state)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	uint8_t *data;
	long size;
	rae_status_t status;

	(void)state;
	if (f == NULL)
		skip();
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 64);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	data = malloc((size_t)size);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	status = elf_parse(data, (size_t)size, &img, err, sizeof(err));
	free(data);
	assert_true(status == RAE_ERR_UNSUPPORTED || status == RAE_ERR_INVALID);
	assert_non_null(strstr(err, "PT_INTERP"));
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

/* A value near a boundary the parser checks, or plain random. */
static uint64_t rng_interesting(void)
{
	static const uint64_t values[] = {
	    0,        1,          0xfff,       0x1000,       0x10000,    0x2100,
	    0x400000, 0x80000000, 0x40000000,  ELF_USER_END, UINT64_MAX, UINT64_MAX - 0xfff,
	    0x1800,   0x3000,     0x200000,    PT_INTERP,    PT_DYNAMIC, PT_TLS,
	    PT_LOAD,  7,          PT_GNU_STACK};

	if (rng_next() % 3 == 0)
		return rng_next();
	return values[rng_next() % (sizeof(values) / sizeof(values[0]))];
}

static void test_elf_mutation_loop(void **state)
{
	static uint8_t buf[BUF_BYTES];
	unsigned outcome[16] = {0};

	(void)state;
	rng_state = 0x656c663634706172ULL;
	for (int iter = 0; iter < 40000; iter++) {
		size_t len;

		if (iter % 2 == 0)
			build_exec(&builder);
		else
			build_pie(&builder);
		len = builder.len;
		memcpy(buf, builder.bytes, len);
		for (unsigned m = 1 + (unsigned)(rng_next() % 3); m > 0; m--) {
			switch (rng_next() % 4) {
			case 0: /* bit flip anywhere in the headers */
				buf[rng_next() % (64 + 56 * builder.phnum)] ^=
				    (uint8_t)(1u << (rng_next() % 8));
				break;
			case 1: { /* a program header field set to a boundary value */
				static const size_t fields[] = {PH_OFFSET, PH_VADDR, PH_FILESZ,
								PH_MEMSZ, PH_ALIGN};
				uint8_t *h = buf + 64 + 56 * (rng_next() % builder.phnum);

				put_u64(h + fields[rng_next() % 5], rng_interesting());
				break;
			}
			case 2: /* a type or flags word */
				put_u32(buf + 64 + 56 * (rng_next() % builder.phnum) +
					    (rng_next() % 2) * 4,
					(uint32_t)rng_interesting());
				break;
			default: /* entry, phoff or phnum */
				if (rng_next() % 2)
					put_u64(buf + 24 + 8 * (rng_next() % 2), rng_interesting());
				else
					put_u16(buf + 56, (uint16_t)rng_interesting());
				break;
			}
		}
		if (rng_next() % 8 == 0)
			len = (size_t)(rng_next() % (len + 1));
		outcome[-parse_exact(buf, len) & 15]++;
	}
	assert_true(outcome[0] > 0);
	assert_true(outcome[-RAE_ERR_INVALID] > 0);
	assert_true(outcome[-RAE_ERR_TRUNCATED] > 0);
	assert_true(outcome[-RAE_ERR_UNSUPPORTED] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_elf_valid_exec),
	    cmocka_unit_test(test_elf_valid_pie),
	    cmocka_unit_test(test_elf_parse_head),
	    cmocka_unit_test(test_elf_optional_rules),
	    cmocka_unit_test(test_elf_ident_errors),
	    cmocka_unit_test(test_elf_header_errors),
	    cmocka_unit_test(test_elf_truncated_header),
	    cmocka_unit_test(test_elf_phdr_table_errors),
	    cmocka_unit_test(test_elf_load_size_errors),
	    cmocka_unit_test(test_elf_load_address_errors),
	    cmocka_unit_test(test_elf_align_errors),
	    cmocka_unit_test(test_elf_wx_and_overlap),
	    cmocka_unit_test(test_elf_refused_kinds),
	    cmocka_unit_test(test_elf_other_phdr_bounds),
	    cmocka_unit_test(test_elf_image_errors),
	    cmocka_unit_test(test_elf_segment_limit),
	    cmocka_unit_test(test_elf_err_buffer),
	    cmocka_unit_test(test_elf_self_exe),
	    cmocka_unit_test(test_elf_mutation_loop),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
