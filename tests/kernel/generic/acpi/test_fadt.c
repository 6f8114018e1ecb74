/* Host tests for the FADT parser: ACPI 1.0, 2.0 and 6.x sized tables, fields
 * read only when inside the table's length, and short or cut-off tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <acpi/fadt.h>

#include "acpi_builder.h"

static acpi_builder_t builder;
static acpi_fadt_t fadt;
static char err[256];

static rae_status_t parse_fadt(const void *table, size_t len, char *e, size_t e_len)
{
	return acpi_fadt_parse(table, len, &fadt, e, e_len);
}

static rae_status_t parse_exact(const uint8_t *src, size_t len)
{
	return tb_parse_exact(parse_fadt, "FADT: ", src, len, err, sizeof(err));
}

static rae_status_t parse_builder(void)
{
	return parse_exact(builder.bytes, builder.len);
}

static void test_fadt_acpi1(void **state)
{
	(void)state;
	tb_fadt(&builder, 1, ACPI_FADT_V1_LENGTH);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(fadt.revision, 1);
	assert_int_equal(fadt.minor_revision, 0);
	assert_int_equal(fadt.length, 116);
	assert_int_equal(fadt.sci_irq, 9);
	assert_int_equal(fadt.smi_cmd, 0xb2);
	assert_int_equal(fadt.acpi_enable, 0xf1);
	assert_int_equal(fadt.acpi_disable, 0xf0);
	assert_int_equal(fadt.dsdt_phys, 0x7fe0000);
	assert_int_equal(fadt.facs_phys, 0x7fe1000);
	assert_true(fadt.has_pm_timer);
	assert_int_equal(fadt.pm_timer.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(fadt.pm_timer.address, 0x608);
	assert_int_equal(fadt.pm_timer_port, 0x608);
	assert_true(fadt.pm_timer_32bit);
	/* RESET_REG_SUP is set, but a 1.0 table has no reset register. */
	assert_false(fadt.has_reset_reg);
	/* The boot architecture bytes are reserved in 1.0, whatever they hold. */
	assert_false(fadt.boot_arch_valid);
	assert_false(fadt.i8042_present);
	assert_false(fadt.hw_reduced);
	assert_int_equal(fadt.century, 0x32);
}

static void test_fadt_revision2(void **state)
{
	(void)state;
	/* The 129-byte form: reset register, no 64-bit addresses. */
	tb_fadt(&builder, 2, 129);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_true(fadt.has_reset_reg);
	assert_int_equal(fadt.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(fadt.reset_reg.address, 0xcf9);
	assert_int_equal(fadt.reset_value, 0x0f);
	assert_true(fadt.boot_arch_valid);
	assert_true(fadt.legacy_devices);
	assert_true(fadt.i8042_present);
	assert_false(fadt.vga_absent);
	assert_int_equal(fadt.dsdt_phys, 0x7fe0000);

	/* One byte short of the reset value: no reset register. */
	tb_fadt(&builder, 2, 128);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_false(fadt.has_reset_reg);
}

static void test_fadt_acpi6(void **state)
{
	(void)state;
	tb_fadt(&builder, 6, 276);
	put_u16(builder.bytes + TB_FADT_IAPC_BOOT_ARCH, ACPI_BOOT_ARCH_NO_VGA);
	put_gas(builder.bytes + TB_FADT_X_PM_TMR_BLK, 0, 32, 3, 0xfe000608);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(fadt.revision, 6);
	assert_int_equal(fadt.minor_revision, 1);
	assert_int_equal(fadt.dsdt_phys, 0x17fe0000); /* X_DSDT wins */
	assert_true(fadt.has_pm_timer);
	assert_int_equal(fadt.pm_timer.space_id, ACPI_GAS_SYSTEM_MEMORY);
	assert_int_equal(fadt.pm_timer.address, 0xfe000608);
	assert_int_equal(fadt.pm_timer_port, 0x608);
	assert_true(fadt.vga_absent);
	assert_false(fadt.i8042_present);
	assert_false(fadt.legacy_devices);
	assert_true(fadt.has_reset_reg);

	/* Zero 64-bit fields fall back to the 32-bit ones. */
	tb_fadt(&builder, 6, 276);
	put_u64(builder.bytes + TB_FADT_X_DSDT, 0);
	put_u64(builder.bytes + TB_FADT_X_FIRMWARE_CTRL, 0);
	put_gas(builder.bytes + TB_FADT_X_PM_TMR_BLK, 0, 0, 0, 0);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(fadt.dsdt_phys, 0x7fe0000);
	assert_int_equal(fadt.facs_phys, 0x7fe1000);
	assert_true(fadt.has_pm_timer);
	assert_int_equal(fadt.pm_timer.address, 0x608);

	/* An X_PM_TMR_BLK in an address space we cannot read: the port instead. */
	tb_fadt(&builder, 6, 276);
	put_gas(builder.bytes + TB_FADT_X_PM_TMR_BLK, 2, 32, 3, 0x1234);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_int_equal(fadt.pm_timer.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(fadt.pm_timer.address, 0x608);
}

static void test_fadt_pm_timer_and_reset(void **state)
{
	(void)state;
	/* No 32-bit counter flag: 24 bits. */
	tb_fadt(&builder, 3, 244);
	put_u32(builder.bytes + TB_FADT_FLAGS, 0);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_false(fadt.pm_timer_32bit);
	assert_false(fadt.has_reset_reg); /* RESET_REG_SUP clear */

	/* The legacy block with the wrong length is no timer. */
	tb_fadt(&builder, 1, ACPI_FADT_V1_LENGTH);
	builder.bytes[TB_FADT_PM_TMR_LEN] = 0;
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_false(fadt.has_pm_timer);
	assert_int_equal(fadt.pm_timer_port, 0x608);

	/* Hardware-reduced ACPI has no PM timer whatever the blocks say. */
	tb_fadt(&builder, 5, 268);
	put_u32(builder.bytes + TB_FADT_FLAGS, ACPI_FADT_FLAG_HW_REDUCED);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_true(fadt.hw_reduced);
	assert_false(fadt.has_pm_timer);

	/* A reset register with address 0 is none. */
	tb_fadt(&builder, 3, 244);
	put_gas(builder.bytes + TB_FADT_RESET_REG, 1, 8, 1, 0);
	tb_finish(&builder);
	assert_int_equal(parse_builder(), RAE_OK);
	assert_false(fadt.has_reset_reg);
}

static void test_fadt_every_length(void **state)
{
	(void)state;
	/* Every length from 1.0 to 6.x parses, reading only what is inside it. */
	for (size_t len = ACPI_FADT_V1_LENGTH; len <= 300; len++) {
		tb_fadt(&builder, 6, len);
		assert_int_equal(parse_builder(), RAE_OK);
		assert_int_equal(fadt.length, len);
		assert_int_equal(fadt.dsdt_phys, len >= 148 ? 0x17fe0000 : 0x7fe0000);
		assert_int_equal(fadt.has_reset_reg, len >= 129);
		assert_int_equal(fadt.pm_timer.bit_width, 32);
	}
}

static void test_fadt_errors(void **state)
{
	(void)state;
	tb_fadt(&builder, 1, 115);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "FADT: length 115, less than the 116 bytes its fields need");

	tb_fadt(&builder, 6, 276);
	assert_int_equal(parse_exact(builder.bytes, 275), RAE_ERR_TRUNCATED);
	assert_string_equal(err, "FADT: length 276, but only 275 bytes are available");
	assert_int_equal(parse_exact(builder.bytes, 0), RAE_ERR_TRUNCATED);

	memcpy(builder.bytes, "FADT", 4);
	assert_int_equal(parse_builder(), RAE_ERR_INVALID);
	assert_string_equal(err, "FADT: signature \"FADT\", expected \"FACP\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fadt_acpi1),
	    cmocka_unit_test(test_fadt_revision2),
	    cmocka_unit_test(test_fadt_acpi6),
	    cmocka_unit_test(test_fadt_pm_timer_and_reset),
	    cmocka_unit_test(test_fadt_every_length),
	    cmocka_unit_test(test_fadt_errors),
	};

	return cmocka_run_group_tests_name("acpi_fadt", tests, NULL, NULL);
}
