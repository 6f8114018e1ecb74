/* Host tests for the MCFG parser: allocations decoded and looked up by
 * segment and bus, partial and backwards entries rejected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/mcfg.h>

#include "acpi_builder.h"

static acpi_builder_t builder;
static acpi_mcfg_t mcfg;
static char err[256];

static rae_status_t parse_mcfg(const void *table, size_t len, char *e, size_t e_len)
{
	return acpi_mcfg_parse(table, len, &mcfg, e, e_len);
}

static rae_status_t parse_exact(const uint8_t *src, size_t len)
{
	return tb_parse_exact(parse_mcfg, "MCFG", src, len, err, sizeof(err));
}

static rae_status_t parse_builder(void)
{
	return parse_exact(builder.bytes, builder.len);
}

static void test_mcfg_valid(void **state)
{
	(void)state;
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xb0000000, 0, 0, 255);
	tb_mcfg_entry(&builder, 0x4000000000ull, 1, 16, 31);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(mcfg.count, 2);
	assert_int_equal(mcfg.dropped, 0);
	assert_int_equal(mcfg.allocations[0].base_address, 0xb0000000);
	assert_int_equal(mcfg.allocations[0].segment, 0);
	assert_int_equal(mcfg.allocations[0].start_bus, 0);
	assert_int_equal(mcfg.allocations[0].end_bus, 255);
	assert_int_equal(mcfg.allocations[1].segment, 1);
	assert_int_equal(mcfg.allocations[1].start_bus, 16);
	assert_int_equal(mcfg.allocations[1].end_bus, 31);

	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 0, 0), 0xb0000000);
	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 0, 3), 0xb0300000);
	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 0, 255), 0xbff00000);
	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 1, 16), 0x4001000000ull);
	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 1, 15), 0);
	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 1, 32), 0);
	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 2, 0), 0);
}

static void test_mcfg_empty(void **state)
{
	(void)state;
	tb_mcfg_begin(&builder);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(mcfg.count, 0);
	assert_int_equal(acpi_mcfg_bus_address(&mcfg, 0, 0), 0);
}

static void test_mcfg_partial_entry(void **state)
{
	(void)state;
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xb0000000, 0, 0, 255);
	tb_u64(&builder, 0xc0000000);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "MCFG: length 68 leaves a partial entry of 8 bytes");

	/* Shorter than the fixed part. */
	tb_mcfg_begin(&builder);
	tb_finish(&builder);
	put_u32(builder.bytes + 4, 40);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);

	/* Longer than what is readable. */
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xb0000000, 0, 0, 255);
	tb_finish(&builder);
	assert_int_equal(parse_exact(builder.bytes, builder.len - 1), RAE_ERR_TRUNCATED);
}

static void test_mcfg_bad_entries(void **state)
{
	(void)state;
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xb0000000, 0, 0, 255);
	tb_mcfg_entry(&builder, 0xc0000000, 1, 8, 7);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "MCFG entry 1 at offset 0x3c: start bus 8 > end bus 7");

	/* A single-bus range is fine. */
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xc0000000, 1, 7, 7);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);

	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0, 0, 0, 255);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_RANGE);
	assert_non_null(strstr(err, "base 0x0 unusable"));

	/* A window that would wrap past the top of the address space. */
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xfffffffff0000000ull, 0, 0, 255);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_ERR_RANGE);
	tb_mcfg_begin(&builder);
	tb_mcfg_entry(&builder, 0xfffffffff0000000ull, 0, 0, 255 - 16);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
}

static void test_mcfg_overflow(void **state)
{
	(void)state;
	tb_mcfg_begin(&builder);
	for (uint16_t i = 0; i < ACPI_MCFG_MAX_ALLOCATIONS + 4; i++)
		tb_mcfg_entry(&builder, 0x100000000ull * (i + 1u), i, 0, 255);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(mcfg.count, ACPI_MCFG_MAX_ALLOCATIONS);
	assert_int_equal(mcfg.dropped, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mcfg_valid),         cmocka_unit_test(test_mcfg_empty),
	    cmocka_unit_test(test_mcfg_partial_entry), cmocka_unit_test(test_mcfg_bad_entries),
	    cmocka_unit_test(test_mcfg_overflow),
	};

	return cmocka_run_group_tests_name("acpi_mcfg", tests, NULL, NULL);
}
