/* Host tests for ACPI table discovery: RSDP validation and scanning, the
 * RSDT/XSDT walk over a fake physical memory, per-table diagnostics, and
 * mutated table sets run under ASan. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/acpi.h>
#include <acpi/fadt.h>
#include <acpi/hpet.h>
#include <acpi/madt.h>
#include <acpi/mcfg.h>

#include "acpi_builder.h"

/* --- fake physical memory ------------------------------------------------ */

#define FAKE_REGIONS_MAX 8

/* Physical memory as a few exact-size heap blocks, so ASan sees their ends. */
typedef struct {
	struct {
		uint64_t phys;
		uint8_t *bytes;
		size_t len;
	} regions[FAKE_REGIONS_MAX];
	unsigned count;
	unsigned map_calls;
} fake_mem_t;

static fake_mem_t mem;

static void fake_mem_reset(void)
{
	for (unsigned i = 0; i < mem.count; i++)
		free(mem.regions[i].bytes);
	memset(&mem, 0, sizeof(mem));
}

/* Adds a region of len bytes at phys, zeroed; returns its bytes. */
static uint8_t *fake_mem_add(uint64_t phys, size_t len)
{
	uint8_t *p = calloc(1, len);

	assert_non_null(p);
	assert_true(mem.count < FAKE_REGIONS_MAX);
	mem.regions[mem.count].phys = phys;
	mem.regions[mem.count].bytes = p;
	mem.regions[mem.count].len = len;
	mem.count++;
	return p;
}

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	fake_mem_t *m = ctx;

	m->map_calls++;
	for (unsigned i = 0; i < m->count; i++) {
		uint64_t base = m->regions[i].phys;

		if (phys >= base && phys - base <= m->regions[i].len &&
		    len <= m->regions[i].len - (phys - base))
			return m->regions[i].bytes + (phys - base);
	}
	return NULL;
}

/* --- building a table set ------------------------------------------------- */

/* The layout of the standard image: one region, tables at fixed offsets. */
#define IMG_PHYS  0x7fe0000ull
#define IMG_SIZE  0x4000
#define OFF_RSDT  0x0000
#define OFF_XSDT  0x0100
#define OFF_MADT  0x0200
#define OFF_HPET  0x0400
#define OFF_MCFG  0x0500
#define OFF_FADT  0x0600
#define OFF_SSDT1 0x0800
#define OFF_SSDT2 0x0900

static acpi_builder_t builder;
static acpi_tables_t tables;
static char err[256];

/* Copies the builder's table into the image at off. */
static void img_put(uint8_t *img, size_t off)
{
	assert_true(off + builder.len <= IMG_SIZE);
	memcpy(img + off, builder.bytes, builder.len);
}

/* A root table (RSDT when entry_size 4, XSDT when 8) listing phys[0..n). */
static void img_put_root(uint8_t *img, size_t off, size_t entry_size, const uint64_t *phys,
			 size_t n)
{
	tb_begin(&builder, entry_size == 8 ? "XSDT" : "RSDT", 1);
	for (size_t i = 0; i < n; i++) {
		if (entry_size == 8)
			tb_u64(&builder, phys[i]);
		else
			tb_u32(&builder, (uint32_t)phys[i]);
	}
	tb_finish(&builder);
	img_put(img, off);
}

/* Writes MADT, HPET, MCFG, FADT and two SSDTs into img. */
static void img_put_tables(uint8_t *img)
{
	tb_madt_qemu(&builder);
	img_put(img, OFF_MADT);
	tb_hpet(&builder, 0, 0xfed00000);
	img_put(img, OFF_HPET);
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xb0000000, 0, 0, 255);
	tb_finish(&builder);
	img_put(img, OFF_MCFG);
	tb_fadt(&builder, 6, 276);
	img_put(img, OFF_FADT);
	tb_begin(&builder, "SSDT", 2);
	tb_u32(&builder, 1);
	tb_finish(&builder);
	img_put(img, OFF_SSDT1);
	tb_begin(&builder, "SSDT", 2);
	tb_u32(&builder, 2);
	tb_finish(&builder);
	img_put(img, OFF_SSDT2);
}

static const uint64_t std_phys[] = {IMG_PHYS + OFF_FADT,  IMG_PHYS + OFF_MADT,
				    IMG_PHYS + OFF_HPET,  IMG_PHYS + OFF_MCFG,
				    IMG_PHYS + OFF_SSDT1, IMG_PHYS + OFF_SSDT2};
#define STD_COUNT (sizeof(std_phys) / sizeof(std_phys[0]))

/* Fresh memory holding the standard image; returns it. */
static uint8_t *img_standard(void)
{
	uint8_t *img;

	fake_mem_reset();
	img = fake_mem_add(IMG_PHYS, IMG_SIZE);
	img_put_tables(img);
	img_put_root(img, OFF_RSDT, 4, std_phys, STD_COUNT);
	img_put_root(img, OFF_XSDT, 8, std_phys, STD_COUNT);
	return img;
}

static acpi_rsdp_info_t rsdp_info(uint64_t rsdt, uint64_t xsdt)
{
	acpi_rsdp_info_t r = {.revision = 2, .rsdt_phys = (uint32_t)rsdt, .xsdt_phys = xsdt};

	r.root_phys = xsdt != 0 ? xsdt : rsdt;
	r.root_is_xsdt = xsdt != 0;
	return r;
}

static rae_status_t tables_load(uint64_t rsdt, uint64_t xsdt)
{
	acpi_rsdp_info_t r = rsdp_info(rsdt, xsdt);
	rae_status_t status;

	memset(err, 'x', sizeof(err));
	status = acpi_tables_init(&tables, &r, fake_map, &mem, err, sizeof(err));
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	if (status == RAE_OK)
		assert_string_equal(err, "");
	else
		assert_true(err[0] != '\0');
	return status;
}

/* True when some diagnostic contains needle. */
static bool diag_has(const char *needle)
{
	for (uint32_t i = 0; i < tables.diag_count; i++) {
		if (strstr(tables.diag[i], needle) != NULL)
			return true;
	}
	return false;
}

/* --- RSDP ----------------------------------------------------------------- */

/* An RSDP in buf: v1 (revision 0, 20 bytes) or v2 (36 bytes), checksums correct. */
static void rsdp_build(uint8_t *buf, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
	memset(buf, 0, 36);
	memcpy(buf, "RSD PTR ", 8);
	memcpy(buf + 9, "BOCHS ", 6);
	buf[15] = revision;
	put_u32(buf + 16, rsdt);
	acpi_checksum_fix(buf, 20, 8);
	if (revision >= 2) {
		put_u32(buf + 20, 36);
		put_u64(buf + 24, xsdt);
		acpi_checksum_fix(buf, 36, 32);
	}
}

static rae_status_t rsdp_check(const uint8_t *src, size_t len, acpi_rsdp_info_t *out)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	rae_status_t status;

	assert_non_null(copy);
	memcpy(copy, src, len);
	memset(err, 'x', sizeof(err));
	status = acpi_rsdp_validate(copy, len, out, err, sizeof(err));
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	if (status == RAE_OK)
		assert_string_equal(err, "");
	else
		assert_true(strncmp(err, "RSDP: ", 6) == 0);
	free(copy);
	return status;
}

static void test_rsdp_v1(void **state)
{
	uint8_t r[36];
	acpi_rsdp_info_t info;

	(void)state;
	rsdp_build(r, 0, 0x7fe0000, 0);
	assert_int_equal(rsdp_check(r, 20, &info), RAE_OK);
	assert_int_equal(info.revision, 0);
	assert_string_equal(info.oem_id, "BOCHS ");
	assert_int_equal(info.rsdt_phys, 0x7fe0000);
	assert_int_equal(info.xsdt_phys, 0);
	assert_int_equal(info.root_phys, 0x7fe0000);
	assert_false(info.root_is_xsdt);
	assert_int_equal(info.phys, 0);

	/* Bytes past 20 are not a v1 RSDP's business. */
	memset(r + 20, 0xee, 16);
	assert_int_equal(rsdp_check(r, 36, &info), RAE_OK);
	assert_int_equal(info.xsdt_phys, 0);

	r[9] = 0x01; /* unprintable OEM byte, checksum fixed */
	acpi_checksum_fix(r, 20, 8);
	assert_int_equal(rsdp_check(r, 20, &info), RAE_OK);
	assert_string_equal(info.oem_id, "?OCHS ");
}

static void test_rsdp_v2(void **state)
{
	uint8_t r[36];
	acpi_rsdp_info_t info;

	(void)state;
	rsdp_build(r, 2, 0x7fe0000, 0x7fe0100);
	assert_int_equal(rsdp_check(r, 36, &info), RAE_OK);
	assert_int_equal(info.revision, 2);
	assert_int_equal(info.xsdt_phys, 0x7fe0100);
	assert_int_equal(info.root_phys, 0x7fe0100);
	assert_true(info.root_is_xsdt);

	/* Revision 2 with a zero XSDT address: the RSDT. */
	rsdp_build(r, 2, 0x7fe0000, 0);
	assert_int_equal(rsdp_check(r, 36, &info), RAE_OK);
	assert_int_equal(info.root_phys, 0x7fe0000);
	assert_false(info.root_is_xsdt);

	/* An XSDT above 4 GiB and no RSDT. */
	rsdp_build(r, 2, 0, 0x100000000ull);
	assert_int_equal(rsdp_check(r, 36, &info), RAE_OK);
	assert_int_equal(info.root_phys, 0x100000000ull);
}

static void test_rsdp_errors(void **state)
{
	uint8_t r[64];
	acpi_rsdp_info_t info;

	(void)state;
	rsdp_build(r, 0, 0x1000, 0);
	r[0] = 'r';
	assert_int_equal(rsdp_check(r, 20, &info), RAE_ERR_INVALID);
	assert_string_equal(err, "RSDP: no \"RSD PTR \" signature");

	rsdp_build(r, 0, 0x1000, 0);
	r[16] ^= 1;
	assert_int_equal(rsdp_check(r, 20, &info), RAE_ERR_CHECKSUM);
	assert_string_equal(err, "RSDP: first 20 bytes sum to 0x01, not 0");

	rsdp_build(r, 0, 0x1000, 0);
	assert_int_equal(rsdp_check(r, 19, &info), RAE_ERR_TRUNCATED);
	assert_int_equal(acpi_rsdp_validate(NULL, 36, &info, err, sizeof(err)), RAE_ERR_TRUNCATED);

	/* v2 with a bad extended checksum (the first 20 bytes still sum to 0). */
	rsdp_build(r, 2, 0x1000, 0x2000);
	r[24] ^= 0x10;
	assert_int_equal(rsdp_check(r, 36, &info), RAE_ERR_CHECKSUM);
	assert_string_equal(err, "RSDP: extended checksum: 36 bytes sum to 0x10, not 0");

	/* v2 whose length is below 36, or beyond what is readable. */
	rsdp_build(r, 2, 0x1000, 0x2000);
	put_u32(r + 20, 35);
	acpi_checksum_fix(r, 36, 32);
	assert_int_equal(rsdp_check(r, 36, &info), RAE_ERR_INVALID);
	put_u32(r + 20, 40);
	acpi_checksum_fix(r, 40, 32);
	assert_int_equal(rsdp_check(r, 36, &info), RAE_ERR_TRUNCATED);
	assert_string_equal(err, "RSDP: length 40, but only 36 bytes are available");
	/* A longer v2 RSDP whose whole length is readable is fine. */
	assert_int_equal(rsdp_check(r, 40, &info), RAE_OK);

	/* v2 with only the v1 part available. */
	rsdp_build(r, 2, 0x1000, 0x2000);
	assert_int_equal(rsdp_check(r, 20, &info), RAE_ERR_TRUNCATED);
	assert_non_null(strstr(err, "revision 2 needs 36 bytes"));

	/* No root table at all. */
	rsdp_build(r, 0, 0, 0);
	assert_int_equal(rsdp_check(r, 20, &info), RAE_ERR_INVALID);
	rsdp_build(r, 2, 0, 0);
	assert_int_equal(rsdp_check(r, 36, &info), RAE_ERR_INVALID);
	assert_string_equal(err, "RSDP: neither an RSDT nor an XSDT address");
}

#define AREA_LEN 0x200

/* acpi_find_rsdp_in on an exact-size heap copy of len bytes at src. */
static rae_status_t scan_exact(const uint8_t *src, size_t len, uint64_t phys, acpi_rsdp_info_t *out)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	rae_status_t status;

	assert_non_null(copy);
	memcpy(copy, src, len);
	memset(err, 'x', sizeof(err));
	status = acpi_find_rsdp_in(copy, len, phys, out, err, sizeof(err));
	assert_true(strnlen(err, sizeof(err)) < sizeof(err));
	free(copy);
	return status;
}

static void test_rsdp_scan(void **state)
{
	static uint8_t area[AREA_LEN + 64]; /* room past the scanned part */
	acpi_rsdp_info_t info;

	(void)state;
	memset(area, 0x5a, AREA_LEN);
	/* A valid RSDP off the 16-byte grid is not seen. */
	rsdp_build(area + 0x28, 0, 0x1000, 0);
	/* A signature with a bad checksum, then a real one. */
	rsdp_build(area + 0x40, 0, 0x2000, 0);
	area[0x40 + 16]++;
	rsdp_build(area + 0x100, 2, 0x3000, 0x4000);
	assert_int_equal(scan_exact(area, AREA_LEN, 0xe0000, &info), RAE_OK);
	assert_string_equal(err, "");
	assert_int_equal(info.phys, 0xe0100);
	assert_int_equal(info.root_phys, 0x4000);

	/* The grid is physical: the same bytes seen from an area starting mid-paragraph. */
	assert_int_equal(scan_exact(area + 8, AREA_LEN - 8, 0xe0008, &info), RAE_OK);
	assert_int_equal(info.phys, 0xe0100);
	/* Mapped elsewhere, byte 0x28 sits on a boundary (0xe0020) and is found first. */
	assert_int_equal(scan_exact(area + 8, AREA_LEN - 8, 0xe0000, &info), RAE_OK);
	assert_int_equal(info.phys, 0xe0020);
	assert_int_equal(info.rsdt_phys, 0x1000);

	/* Nothing valid: the message says how many were rejected and why. */
	area[0x100 + 16]++;
	assert_int_equal(scan_exact(area, AREA_LEN, 0xe0000, &info), RAE_ERR_NOT_FOUND);
	assert_string_equal(err, "RSDP: none valid in 0xe0000+0x200; 2 rejected, last: RSDP: first "
				 "20 bytes sum to 0x01, not 0");
	assert_int_equal(info.root_phys, 0);

	memset(area, 0, AREA_LEN);
	assert_int_equal(scan_exact(area, AREA_LEN, 0xe0000, &info), RAE_ERR_NOT_FOUND);
	assert_string_equal(err, "RSDP: none in 0xe0000+0x200");

	/* A v1 RSDP in the last 20 bytes is found; a v2 one there is truncated. */
	rsdp_build(area + 0x1e0, 0, 0x5000, 0);
	assert_int_equal(scan_exact(area, 0x1f4, 0xe0000, &info), RAE_OK);
	assert_int_equal(info.phys, 0xe01e0);
	assert_int_equal(scan_exact(area, 0x1f3, 0xe0000, &info), RAE_ERR_NOT_FOUND);
	rsdp_build(area + 0x1e0, 2, 0x5000, 0x6000);
	assert_int_equal(scan_exact(area, 0x1f4, 0xe0000, &info), RAE_ERR_NOT_FOUND);
	assert_non_null(strstr(err, "1 rejected, last: RSDP: revision 2 needs 36 bytes"));
	assert_int_equal(acpi_find_rsdp_in(NULL, 0, 0, &info, err, sizeof(err)), RAE_ERR_NOT_FOUND);
}

/* --- the table set -------------------------------------------------------- */

static void test_tables_rsdt(void **state)
{
	const acpi_table_entry_t *e;
	const uint8_t *ssdt;
	acpi_madt_t madt;
	acpi_hpet_t hpet;
	acpi_mcfg_t mcfg;
	acpi_fadt_t fadt;

	(void)state;
	img_standard();
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, 0), RAE_OK);
	assert_false(tables.root_is_xsdt);
	assert_int_equal(tables.root_phys, IMG_PHYS + OFF_RSDT);
	assert_int_equal(tables.root_length, 36 + 4 * STD_COUNT);
	assert_int_equal(tables.count, STD_COUNT);
	assert_int_equal(tables.skipped, 0);
	assert_int_equal(tables.diag_count, 0);

	e = acpi_table_entry_find(&tables, "APIC", 0);
	assert_non_null(e);
	assert_string_equal(e->signature, "APIC");
	assert_int_equal(e->phys, IMG_PHYS + OFF_MADT);
	assert_int_equal(e->revision, 5);
	assert_ptr_equal(acpi_table_find(&tables, "APIC", 0), e->table);
	assert_int_equal(acpi_madt_parse(e->table, e->length, &madt, err, sizeof(err)), RAE_OK);
	assert_int_equal(madt.cpu_count, 2);

	e = acpi_table_entry_find(&tables, "HPET", 0);
	assert_int_equal(acpi_hpet_parse(e->table, e->length, &hpet, err, sizeof(err)), RAE_OK);
	assert_int_equal(hpet.base_address, 0xfed00000);
	e = acpi_table_entry_find(&tables, "MCFG", 0);
	assert_int_equal(acpi_mcfg_parse(e->table, e->length, &mcfg, err, sizeof(err)), RAE_OK);
	assert_int_equal(mcfg.count, 1);
	e = acpi_table_entry_find(&tables, "FACP", 0);
	assert_int_equal(e->length, 276);
	assert_int_equal(acpi_fadt_parse(e->table, e->length, &fadt, err, sizeof(err)), RAE_OK);
	assert_int_equal(fadt.sci_irq, 9);

	/* Two SSDTs: index picks among tables of one signature, in listed order. */
	ssdt = acpi_table_find(&tables, "SSDT", 1);
	assert_non_null(ssdt);
	assert_int_equal(acpi_read_u32(ssdt + 36), 2);
	assert_null(acpi_table_find(&tables, "SSDT", 2));
	assert_null(acpi_table_find(&tables, "DSDT", 0));
	assert_null(acpi_table_entry_find(&tables, "APIC", 1));
}

static void test_tables_xsdt_preferred(void **state)
{
	uint8_t *img;
	static const uint64_t only_hpet[] = {IMG_PHYS + OFF_HPET};
	static const uint64_t only_madt[] = {IMG_PHYS + OFF_MADT};

	(void)state;
	img = img_standard();
	img_put_root(img, OFF_RSDT, 4, only_hpet, 1);
	img_put_root(img, OFF_XSDT, 8, only_madt, 1);
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, IMG_PHYS + OFF_XSDT), RAE_OK);
	assert_true(tables.root_is_xsdt);
	assert_int_equal(tables.root_phys, IMG_PHYS + OFF_XSDT);
	assert_int_equal(tables.count, 1);
	assert_non_null(acpi_table_find(&tables, "APIC", 0));
	assert_null(acpi_table_find(&tables, "HPET", 0));
	assert_int_equal(tables.diag_count, 0);

	/* The same with an XSDT whose entries lie above 4 GiB. */
	{
		static const uint64_t high[] = {0x100000000ull};
		uint8_t *hi = fake_mem_add(0x100000000ull, 0x100);

		tb_hpet(&builder, 0, 0xfed00000);
		memcpy(hi, builder.bytes, builder.len);
		img_put_root(img, OFF_XSDT, 8, high, 1);
		assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, IMG_PHYS + OFF_XSDT), RAE_OK);
		assert_int_equal(tables.count, 1);
		assert_int_equal(tables.tables[0].phys, 0x100000000ull);
	}
}

static void test_tables_xsdt_fallback(void **state)
{
	uint8_t *img;

	(void)state;
	/* A bad XSDT checksum: the RSDT is used, and the diagnostics say why. */
	img = img_standard();
	img[OFF_XSDT + 36] ^= 1;
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, IMG_PHYS + OFF_XSDT), RAE_OK);
	assert_false(tables.root_is_xsdt);
	assert_int_equal(tables.count, STD_COUNT);
	assert_int_equal(tables.diag_count, 1);
	assert_non_null(strstr(tables.diag[0], "XSDT at 0x7fe0100: "));
	assert_non_null(strstr(tables.diag[0], "sum to 0x01, not 0; using the RSDT"));

	/* An unmappable XSDT and no RSDT: the set fails. */
	assert_int_equal(tables_load(0, 0xdead0000), RAE_ERR_FAULT);
	assert_string_equal(err, "XSDT at 0xdead0000: header not mappable");

	/* Both bad: the RSDT's fault is the one reported. */
	img[OFF_RSDT] = 'X';
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, IMG_PHYS + OFF_XSDT), RAE_ERR_INVALID);
	assert_string_equal(err, "RSDT at 0x7fe0000: signature \"XSDT\", expected \"RSDT\"");
	assert_int_equal(tables.count, 0);
}

static void test_tables_root_errors(void **state)
{
	uint8_t *img;
	acpi_rsdp_info_t r = rsdp_info(IMG_PHYS, 0);

	(void)state;
	img = img_standard();
	assert_int_equal(acpi_tables_init(&tables, NULL, fake_map, &mem, err, sizeof(err)),
			 RAE_ERR_INVALID);
	assert_int_equal(acpi_tables_init(&tables, &r, NULL, &mem, err, sizeof(err)),
			 RAE_ERR_INVALID);
	assert_int_equal(tables_load(0, 0), RAE_ERR_INVALID);
	assert_string_equal(err, "ACPI: the RSDP names no RSDT or XSDT");

	/* Root pointing at an unmapped address. */
	assert_int_equal(tables_load(0x1000, 0), RAE_ERR_FAULT);
	assert_string_equal(err, "RSDT at 0x1000: header not mappable");

	/* Header mappable but the declared length runs off the end of memory. */
	img_standard();
	assert_int_equal(tables_load(IMG_PHYS + IMG_SIZE - 36, 0), RAE_ERR_INVALID);
	img = img_standard();
	memcpy(img + IMG_SIZE - 36, "RSDT", 4);
	put_u32(img + IMG_SIZE - 36 + 4, 40);
	assert_int_equal(tables_load(IMG_PHYS + IMG_SIZE - 36, 0), RAE_ERR_FAULT);
	assert_string_equal(err, "RSDT at 0x7fe3fdc: 40 bytes not mappable");

	/* Length below the header, above the sanity limit. */
	img = img_standard();
	put_u32(img + OFF_RSDT + 4, 35);
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, 0), RAE_ERR_INVALID);
	assert_non_null(strstr(err, "length 35, less than its 36-byte header"));
	put_u32(img + OFF_RSDT + 4, ACPI_ROOT_MAX_LENGTH + 1);
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, 0), RAE_ERR_RANGE);

	/* Bad checksum. */
	img = img_standard();
	img[OFF_RSDT + 40] ^= 0x80;
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, 0), RAE_ERR_CHECKSUM);
	assert_string_equal(err, "RSDT at 0x7fe0000: 60 bytes sum to 0x80, not 0");

	/* An empty root table is valid. */
	img = img_standard();
	img_put_root(img, OFF_RSDT, 4, NULL, 0);
	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, 0), RAE_OK);
	assert_int_equal(tables.count, 0);

	/* A partial trailing entry is ignored, with a note. */
	img = img_standard();
	tb_begin(&builder, "XSDT", 1);
	tb_u64(&builder, IMG_PHYS + OFF_MADT);
	tb_u32(&builder, IMG_PHYS + OFF_HPET);
	tb_finish(&builder);
	img_put(img, OFF_XSDT);
	assert_int_equal(tables_load(0, IMG_PHYS + OFF_XSDT), RAE_OK);
	assert_int_equal(tables.count, 1);
	assert_true(diag_has("XSDT: length 48 leaves a partial entry; ignored"));
}

static void test_tables_bad_entries(void **state)
{
	uint8_t *img;
	uint64_t phys[12];
	size_t n = 0;

	(void)state;
	img = img_standard();
	phys[n++] = IMG_PHYS + OFF_MADT;
	phys[n++] = 0xdead0000; /* unmappable */
	phys[n++] = 0;          /* null */
	phys[n++] = IMG_PHYS + OFF_HPET;
	phys[n++] = IMG_PHYS + OFF_HPET;      /* listed twice */
	phys[n++] = IMG_PHYS + OFF_MCFG;      /* checksum broken below */
	phys[n++] = IMG_PHYS + 0x1000;        /* length 20 */
	phys[n++] = IMG_PHYS + 0x1100;        /* length 32 MiB */
	phys[n++] = IMG_PHYS + IMG_SIZE - 40; /* header fits, body does not */
	phys[n++] = IMG_PHYS + OFF_FADT;
	img[OFF_MCFG + 50] ^= 0x22;
	memcpy(img + 0x1000, "BAD1", 4);
	put_u32(img + 0x1000 + 4, 20);
	memcpy(img + 0x1100, "BAD2", 4);
	put_u32(img + 0x1100 + 4, 32u << 20);
	memcpy(img + IMG_SIZE - 40, "SSDT", 4);
	put_u32(img + IMG_SIZE - 40 + 4, 100);
	img_put_root(img, OFF_RSDT, 4, phys, n);

	assert_int_equal(tables_load(IMG_PHYS + OFF_RSDT, 0), RAE_OK);
	assert_int_equal(tables.count, 3);
	assert_int_equal(tables.skipped, 7);
	assert_non_null(acpi_table_find(&tables, "APIC", 0));
	assert_non_null(acpi_table_find(&tables, "HPET", 0));
	assert_null(acpi_table_find(&tables, "HPET", 1));
	assert_non_null(acpi_table_find(&tables, "FACP", 0));
	assert_null(acpi_table_find(&tables, "MCFG", 0));
	assert_int_equal(tables.diag_count, 7);
	assert_string_equal(tables.diag[0], "RSDT entry 1 (0xdead0000): header not mappable");
	assert_string_equal(tables.diag[1], "RSDT entry 2: null address");
	assert_string_equal(tables.diag[2], "RSDT entry 4 (0x7fe0400): listed twice");
	assert_string_equal(tables.diag[3],
			    "RSDT entry 5 (MCFG at 0x7fe0500): 60 bytes sum to 0x22, not 0");
	assert_string_equal(tables.diag[4], "RSDT entry 6 (BAD1 at 0x7fe1000): bad length 20");
	assert_string_equal(tables.diag[5],
			    "RSDT entry 7 (BAD2 at 0x7fe1100): bad length 33554432");
	assert_string_equal(tables.diag[6],
			    "RSDT entry 8 (SSDT at 0x7fe3fd8): 100 bytes not mappable");
}

static void test_tables_limits(void **state)
{
	uint8_t *img;
	static uint64_t phys[80];

	(void)state;
	/* 70 valid tables: 64 kept, 6 counted. */
	img = img_standard();
	for (size_t i = 0; i < 70; i++) {
		char sig[5];

		snprintf(sig, sizeof(sig), "T%03zu", i);
		tb_begin(&builder, sig, 1);
		tb_finish(&builder);
		img_put(img, 0x1000 + i * 64);
		phys[i] = IMG_PHYS + 0x1000 + i * 64;
	}
	img_put_root(img, OFF_XSDT, 8, phys, 70);
	assert_int_equal(tables_load(0, IMG_PHYS + OFF_XSDT), RAE_OK);
	assert_int_equal(tables.count, ACPI_TABLES_MAX);
	assert_int_equal(tables.dropped, 70 - ACPI_TABLES_MAX);
	assert_non_null(acpi_table_find(&tables, "T063", 0));
	assert_null(acpi_table_find(&tables, "T064", 0));

	/* 20 bad entries: 16 messages kept, 4 counted. */
	for (size_t i = 0; i < 20; i++)
		phys[i] = 0x1000 + i;
	img_put_root(img, OFF_XSDT, 8, phys, 20);
	assert_int_equal(tables_load(0, IMG_PHYS + OFF_XSDT), RAE_OK);
	assert_int_equal(tables.skipped, 20);
	assert_int_equal(tables.diag_count, ACPI_DIAG_MAX);
	assert_int_equal(tables.diag_dropped, 4);
	for (uint32_t i = 0; i < tables.diag_count; i++)
		assert_true(strnlen(tables.diag[i], ACPI_DIAG_LEN) < ACPI_DIAG_LEN);

	/* A table with an unprintable signature: kept (its checksum holds), shown safely. */
	tb_begin(&builder, "\x01\x02XY", 1);
	tb_finish(&builder);
	img_put(img, 0x3000);
	phys[0] = IMG_PHYS + 0x3000;
	phys[1] = IMG_PHYS + 0x3000 + 0x80;
	tb_begin(&builder, "\x01\x02XY", 1);
	tb_u32(&builder, 5);
	tb_finish(&builder);
	builder.bytes[9]++; /* the sum becomes 1 */
	img_put(img, 0x3080);
	img_put_root(img, OFF_XSDT, 8, phys, 2);
	assert_int_equal(tables_load(0, IMG_PHYS + OFF_XSDT), RAE_OK);
	assert_int_equal(tables.count, 1);
	assert_string_equal(tables.diag[0],
			    "XSDT entry 1 (??XY at 0x7fe3080): 40 bytes sum to 0x01, not 0");
}

/* A map function that copies into a fresh buffer each call, with the length
 * field of tables changed in the copy: the second mapping disagrees. */
static uint8_t shifty_buf[32][1024];
static unsigned shifty_calls;

static const void *shifty_map(void *ctx, uint64_t phys, size_t len)
{
	const uint8_t *src = fake_map(ctx, phys, len);
	uint8_t *dst = shifty_buf[shifty_calls++ % 32];

	if (src == NULL || len > sizeof(shifty_buf[0]))
		return NULL;
	memcpy(dst, src, len);
	if (len > 36 && phys != IMG_PHYS + OFF_RSDT)
		put_u32(dst + 4, (uint32_t)len + 1);
	return dst;
}

static void test_tables_length_changes(void **state)
{
	acpi_rsdp_info_t r = rsdp_info(IMG_PHYS + OFF_RSDT, 0);

	(void)state;
	img_standard();
	shifty_calls = 0;
	assert_int_equal(acpi_tables_init(&tables, &r, shifty_map, &mem, err, sizeof(err)), RAE_OK);
	assert_int_equal(tables.count, 0);
	assert_int_equal(tables.skipped, STD_COUNT);
	assert_true(diag_has("length changed between mappings"));
}

/* --- mutation loop ---------------------------------------------------------- */

/* xorshift64*: a fixed sequence so a failing iteration can be replayed. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Recomputes the checksum of the table at off by its (possibly mutated) length. */
static void img_checksum_fix(uint8_t *img, size_t off)
{
	uint32_t len = acpi_read_u32(img + off + 4);

	if (len >= 36 && len <= IMG_SIZE - off)
		acpi_checksum_fix(img + off, len, 9);
}

/* What must hold after any acpi_tables_init, and for each parser on what it found. */
static void tables_sane_check(const uint8_t *img)
{
	assert_true(tables.count <= ACPI_TABLES_MAX);
	assert_true(tables.diag_count <= ACPI_DIAG_MAX);
	for (uint32_t i = 0; i < tables.diag_count; i++)
		assert_true(strnlen(tables.diag[i], ACPI_DIAG_LEN) < ACPI_DIAG_LEN);
	for (uint32_t i = 0; i < tables.count; i++) {
		const acpi_table_entry_t *e = &tables.tables[i];
		const uint8_t *t = e->table;
		char perr[160];
		acpi_madt_t madt;
		acpi_hpet_t hpet;
		acpi_mcfg_t mcfg;
		acpi_fadt_t fadt;

		assert_true(t >= img && (size_t)(t - img) + e->length <= IMG_SIZE);
		assert_true(e->length >= 36 && acpi_read_u32(t + 4) == e->length);
		assert_int_equal(acpi_checksum(t, e->length), 0);
		assert_memory_equal(e->signature, t, 4);
		for (uint32_t j = 0; j < i; j++)
			assert_true(tables.tables[j].phys != e->phys);
		if (memcmp(e->signature, "APIC", 4) == 0)
			acpi_madt_parse(t, e->length, &madt, perr, sizeof(perr));
		else if (memcmp(e->signature, "HPET", 4) == 0)
			acpi_hpet_parse(t, e->length, &hpet, perr, sizeof(perr));
		else if (memcmp(e->signature, "MCFG", 4) == 0)
			acpi_mcfg_parse(t, e->length, &mcfg, perr, sizeof(perr));
		else if (memcmp(e->signature, "FACP", 4) == 0)
			acpi_fadt_parse(t, e->length, &fadt, perr, sizeof(perr));
		else
			continue;
		assert_true(strnlen(perr, sizeof(perr)) < sizeof(perr));
	}
}

static void test_tables_mutation_loop(void **state)
{
	static const size_t offs[] = {OFF_RSDT, OFF_XSDT, OFF_MADT,  OFF_HPET,
				      OFF_MCFG, OFF_FADT, OFF_SSDT1, OFF_SSDT2};
	/* Where the interesting bytes are: the tables, not the padding between them. */
	static const size_t hot_end = OFF_SSDT2 + 48;
	uint8_t *img;
	static uint8_t pristine[IMG_SIZE];
	unsigned outcome[16] = {0};
	unsigned found_max = 0;

	(void)state;
	img = img_standard();
	memcpy(pristine, img, IMG_SIZE);
	rng_state = 0x7273647478736474ULL;
	for (int iter = 0; iter < 25000; iter++) {
		rae_status_t status;
		uint64_t xsdt = rng_next() % 3 != 0 ? IMG_PHYS + OFF_XSDT : 0;

		memcpy(img, pristine, IMG_SIZE);
		for (unsigned f = 1 + (unsigned)(rng_next() % 6); f > 0; f--) {
			size_t at = (size_t)(rng_next() % hot_end);

			if (rng_next() % 3 == 0)
				img[at] = (uint8_t)rng_next();
			else
				img[at] ^= (uint8_t)(1u << (rng_next() % 8));
		}
		/* Mostly with checksums repaired, so the mutation reaches the parsers. */
		if (rng_next() % 4 != 0) {
			for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
				img_checksum_fix(img, offs[i]);
		}
		status = tables_load(IMG_PHYS + OFF_RSDT, xsdt);
		tables_sane_check(img);
		outcome[-status & 15]++;
		if (tables.count > found_max)
			found_max = tables.count;
	}
	assert_true(outcome[0] > 0);
	assert_true(outcome[-RAE_ERR_CHECKSUM] > 0);
	assert_int_equal(found_max, STD_COUNT);
}

static int teardown(void **state)
{
	(void)state;
	fake_mem_reset();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rsdp_v1),
	    cmocka_unit_test(test_rsdp_v2),
	    cmocka_unit_test(test_rsdp_errors),
	    cmocka_unit_test(test_rsdp_scan),
	    cmocka_unit_test_teardown(test_tables_rsdt, teardown),
	    cmocka_unit_test_teardown(test_tables_xsdt_preferred, teardown),
	    cmocka_unit_test_teardown(test_tables_xsdt_fallback, teardown),
	    cmocka_unit_test_teardown(test_tables_root_errors, teardown),
	    cmocka_unit_test_teardown(test_tables_bad_entries, teardown),
	    cmocka_unit_test_teardown(test_tables_limits, teardown),
	    cmocka_unit_test_teardown(test_tables_length_changes, teardown),
	    cmocka_unit_test_teardown(test_tables_mutation_loop, teardown),
	};

	return cmocka_run_group_tests_name("acpi_tables", tests, NULL, NULL);
}
