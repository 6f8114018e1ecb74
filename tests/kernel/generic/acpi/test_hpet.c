/* Host tests for the HPET table parser: the QEMU table decoded, and tables in
 * the wrong address space, too short or cut off rejected. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/hpet.h>

#include "acpi_builder.h"

static acpi_builder_t builder;
static acpi_hpet_t hpet;
static char err[256];

static rae_status_t parse_hpet(const void *table, size_t len, char *e, size_t e_len)
{
	return acpi_hpet_parse(table, len, &hpet, e, e_len);
}

static rae_status_t parse_exact(const uint8_t *src, size_t len)
{
	return tb_parse_exact(parse_hpet, "HPET: ", src, len, err, sizeof(err));
}

static rae_status_t parse_builder(void)
{
	return parse_exact(builder.bytes, builder.len);
}

static void test_hpet_qemu(void **state)
{
	(void)state;
	tb_hpet(&builder, 0, 0xfed00000);
	assert_int_equal(builder.len, ACPI_HPET_LENGTH);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(hpet.base_address, 0xfed00000);
	assert_int_equal(hpet.event_timer_block_id, 0x8086a201);
	assert_int_equal(hpet.hardware_rev_id, 1);
	assert_int_equal(hpet.comparator_count, 3);
	assert_true(hpet.counter_64bit);
	assert_true(hpet.legacy_replacement);
	assert_int_equal(hpet.pci_vendor_id, 0x8086);
	assert_int_equal(hpet.hpet_number, 0);
	assert_int_equal(hpet.min_tick, 0x80);
	assert_int_equal(hpet.page_protection, 0);
}

static void test_hpet_longer_table(void **state)
{
	(void)state;
	/* A later revision may grow the table; the fields we know stay put. */
	tb_hpet(&builder, 0, 0x1fed00000ull);
	tb_u32(&builder, 0x12345678);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(hpet.base_address, 0x1fed00000ull);
}

static void test_hpet_io_space(void **state)
{
	(void)state;
	tb_hpet(&builder, 1, 0xfed00000);
	assert_int_equal(parse_builder(), RAE_ERR_UNSUPPORTED);
	assert_string_equal(err, "HPET: base address in address space 1, not system memory (0)");
	tb_hpet(&builder, 2, 0xfed00000);
	assert_int_equal(parse_builder(), RAE_ERR_UNSUPPORTED);
}

static void test_hpet_errors(void **state)
{
	(void)state;
	tb_hpet(&builder, 0, 0);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "HPET: base address is 0");

	tb_hpet(&builder, 0, 0xfed00000);
	builder.bytes[3] = 'Q';
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "HPET: signature \"HPEQ\", expected \"HPET\"");

	/* Header length one short of the fields. */
	tb_hpet(&builder, 0, 0xfed00000);
	put_u32(builder.bytes + 4, 55);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "HPET: length 55, less than the 56 bytes its fields need");

	/* Header length longer than what is readable; a buffer shorter than a header. */
	tb_hpet(&builder, 0, 0xfed00000);
	assert_int_equal(parse_exact(builder.bytes, 55), RAE_ERR_TRUNCATED);
	assert_string_equal(err, "HPET: length 56, but only 55 bytes are available");
	assert_int_equal(parse_exact(builder.bytes, 20), RAE_ERR_TRUNCATED);
	assert_int_equal(acpi_hpet_parse(builder.bytes, builder.len, &hpet, NULL, 0), RAE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hpet_qemu),
	    cmocka_unit_test(test_hpet_longer_table),
	    cmocka_unit_test(test_hpet_io_space),
	    cmocka_unit_test(test_hpet_errors),
	};

	return cmocka_run_group_tests_name("acpi_hpet", tests, NULL, NULL);
}
