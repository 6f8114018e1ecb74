/* Host tests for the ACPI service's view of the kernel's table copy
 * (services/acpi/tables.c): a good copy opened and searched by physical
 * address, the RSDP's stand-in address, and damaged copies refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "acpi/tables.h"

static union {
	rae_acpi_tables_t head;
	uint8_t bytes[4096];
} copy;
static acpi_copy_t c;

/* A copy as the kernel makes it: the RSDP (no address: the loader's), an
 * RSDT at 0x1000 (0x34 bytes) and a DSDT at 0x2000 (0x100 bytes). */
static void build(void)
{
	memset(&copy, 0, sizeof(copy));
	rae_acpi_tables_t *h = &copy.head;
	h->magic = RAE_ACPI_TABLES_MAGIC;
	h->count = 3;
	uint32_t at = (uint32_t)(sizeof(*h) + 3 * sizeof(rae_acpi_table_t));
	const struct {
		uint64_t phys;
		uint32_t length;
		const char *sig;
	} t[3] = {{0, 36, "RSD "}, {0x1000, 0x34, "RSDT"}, {0x2000, 0x100, "DSDT"}};
	for (int i = 0; i < 3; i++) {
		at = (at + 7) & ~7u;
		h->tables[i].phys = t[i].phys;
		h->tables[i].offset = at;
		h->tables[i].length = t[i].length;
		memcpy(h->tables[i].signature, t[i].sig, 4);
		memset(copy.bytes + at, 'a' + i, t[i].length);
		at += t[i].length;
	}
	h->size = at;
}

static void test_tables_open_and_find(void **state)
{
	(void)state;
	build();
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_OK);
	assert_int_equal(c.count, 3);
	assert_int_equal(acpi_copy_rsdp_address(&c), ACPI_COPY_RSDP_STAND_IN);
	const uint8_t *rsdp = acpi_copy_find(&c, ACPI_COPY_RSDP_STAND_IN, 36);
	assert_non_null(rsdp);
	assert_int_equal(rsdp[0], 'a');
	const uint8_t *dsdt = acpi_copy_find(&c, 0x2010, 0xf0);
	assert_ptr_equal(dsdt, copy.bytes + copy.head.tables[2].offset + 0x10);
	/* Past a table's end, across two, before the first, nothing. */
	assert_null(acpi_copy_find(&c, 0x2010, 0xf1));
	assert_null(acpi_copy_find(&c, 0x1030, 0x1000));
	assert_null(acpi_copy_find(&c, 0xfff, 2));
	assert_null(acpi_copy_find(&c, 0x2000, 0));
	assert_null(acpi_copy_find(&c, UINT64_MAX - 1, 4));
	assert_null(acpi_copy_find(&c, 0, 4)); /* the RSDP is found only by its stand-in */
}

static void test_tables_rsdp_with_address(void **state)
{
	(void)state;
	build();
	copy.head.tables[0].phys = 0xf5a00;
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_OK);
	assert_int_equal(acpi_copy_rsdp_address(&c), 0xf5a00);
	assert_non_null(acpi_copy_find(&c, 0xf5a00, 20));
	assert_null(acpi_copy_find(&c, ACPI_COPY_RSDP_STAND_IN, 20));
}

static void test_tables_refused(void **state)
{
	(void)state;
	build();
	assert_int_equal(acpi_copy_open(&c, &copy, 8), RAE_ERR_TRUNCATED);
	assert_int_equal(acpi_copy_open(&c, &copy, copy.head.size - 1), RAE_ERR_TRUNCATED);
	copy.head.magic++;
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_ERR_INVALID);
	build();
	copy.head.count = RAE_ACPI_TABLES_MAX + 1;
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_ERR_INVALID);
	build();
	copy.head.tables[2].length = 0x1000; /* runs past the copy */
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_ERR_TRUNCATED);
	build();
	copy.head.tables[1].offset = 8; /* over the entries */
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_ERR_INVALID);
	build();
	copy.head.tables[2].phys = UINT64_MAX - 8; /* wraps */
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_ERR_INVALID);
	build();
	memcpy(copy.head.tables[0].signature, "RSDT", 4);
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_ERR_INVALID);
	build();
	copy.head.tables[0].length = 20;
	assert_int_equal(acpi_copy_open(&c, &copy, sizeof(copy)), RAE_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tables_open_and_find),
	    cmocka_unit_test(test_tables_rsdp_with_address),
	    cmocka_unit_test(test_tables_refused),
	};

	return cmocka_run_group_tests_name("acpid_tables", tests, NULL, NULL);
}
