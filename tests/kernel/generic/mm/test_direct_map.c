/* Host tests for the direct map's plan (which physical ranges get mapped)
 * and its coverage check, on firmware memory maps with holes: the check
 * must refuse an address in a hole below the highest RAM, which is where
 * SeaBIOS puts the ACPI tables on machines with 3 GiB or more. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <mm/direct_map.h>

#include "memory_maps.h"

static boot_info_t bi;
static phys_range_t plan[DIRECT_MAP_MAX_RANGES];

static void expect_range(unsigned i, paddr_t base, paddr_t end)
{
	assert_int_equal(plan[i].base, base);
	assert_int_equal(plan[i].end, end);
}

static void test_plan_seabios_3g(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_3G);
	unsigned n = direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES);
	assert_int_equal(n, 3);
	expect_range(0, 0, 0xa0000); /* widened to the whole last page */
	expect_range(1, 0x100000, 0x7ffe0000);
	expect_range(2, 4 * GIB, 5 * GIB);
}

static void test_covers_refuses_the_hole_below_ram_end(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_3G);
	unsigned n = direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES);
	/* The RSDT QEMU 3G put there: reserved, below the highest RAM. */
	assert_false(phys_ranges_cover(plan, n, 0x7ffe22e1, 36));
	assert_false(phys_ranges_cover(plan, n, 0xb0000000, 4096));
	assert_false(phys_ranges_cover(plan, n, 0xf0000, 16));
	/* Straddling the end of low RAM. */
	assert_false(phys_ranges_cover(plan, n, 0x7ffdf000, 0x2000));
	assert_true(phys_ranges_cover(plan, n, 0x7ffdf000, 0x1000));
	assert_true(phys_ranges_cover(plan, n, 0x100000, 4096));
	assert_true(phys_ranges_cover(plan, n, 0x40e, 2));
	/* Above 4 GiB. */
	assert_true(phys_ranges_cover(plan, n, 4 * GIB, GIB));
	assert_false(phys_ranges_cover(plan, n, 4 * GIB, GIB + 1));
	assert_false(phys_ranges_cover(plan, n, 5 * GIB, 1));
	assert_true(phys_ranges_cover(plan, n, 5 * GIB - 1, 1));
	assert_true(phys_ranges_cover(plan, n, 5 * GIB - 1, 0));
	assert_false(phys_ranges_cover(plan, n, 0xffffffffffffff00ull, 0x200));
}

static void test_plan_seabios_16g(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_16G);
	unsigned n = direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES);
	assert_int_equal(n, 3);
	expect_range(2, 4 * GIB, 18 * GIB);
	uint64_t mapped = 0;
	for (unsigned i = 0; i < n; i++)
		mapped += plan[i].end - plan[i].base;
	/* Nothing but RAM: 16 GiB less the 128 KiB SeaBIOS keeps, the 384 KiB
	 * legacy hole, plus the EBDA's page. */
	assert_int_equal(mapped, 16 * GIB - 0x20000 - 0x60000);
}

static void test_plan_ovmf_merges_acpi_and_nvs(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, OVMF_Q35_8G);
	unsigned n = direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES);
	assert_int_equal(n, 6);
	expect_range(0, 0, 0xa0000);
	/* Usable, NVS, usable, NVS, usable, touching: one range. */
	expect_range(1, 0x100000, 0x7efee000);
	/* ACPI tables and the usable range after them. */
	expect_range(2, 0x7f00e000, 0x7f77f000);
	/* NVS and one usable page, up to the end of low RAM. */
	expect_range(3, 0x7ff7f000, 0x80000000);
	expect_range(4, 4 * GIB, 10 * GIB);
	/* NVS above the last usable byte is mapped too; the 1 TiB reserved
	 * hole is not. */
	expect_range(5, 0x300000000, 0x300010000);
	assert_false(phys_ranges_cover(plan, n, 0xfd00000000ull, 4096));
	assert_true(phys_ranges_cover(plan, n, 0x7f00e000 + 100, 36));
}

static void test_plan_merges_overlaps_and_skips_odd_entries(void **state)
{
	(void)state;
	static const map_entry_t map[] = {
	    {0x200000, 0x100000, BOOT_MEM_USABLE},
	    {0x100000, 0x180000, BOOT_MEM_USABLE}, /* overlaps the first */
	    {0x400000, 0, BOOT_MEM_USABLE},        /* empty */
	    {0x500000, 0x1000, BOOT_MEM_BAD},
	    {0x600000, 0x1000, 77},                          /* unknown type */
	    {0x700001, 0x10, BOOT_MEM_ACPI_RECLAIMABLE},     /* inside one page */
	    {0xfffffffffffff800ull, 0x800, BOOT_MEM_USABLE}, /* cannot be page-rounded */
	};
	BOOT_INFO_FROM(&bi, map);
	unsigned n = direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES);
	assert_int_equal(n, 2);
	expect_range(0, 0x100000, 0x300000);
	expect_range(1, 0x700000, 0x701000);
}

static void test_plan_reports_overflow(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_3G);
	phys_range_t two[3] = {{0, 0}, {0, 0}, {0xdead, 0xbeef}};
	unsigned n = direct_map_plan(&bi, two, 2);
	assert_int_equal(n, 3);
	assert_int_equal(two[1].base, 0x100000);
	assert_int_equal(two[2].base, 0xdead); /* not written past max */
}

static void test_plan_empty_map(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES), 0);
	assert_false(phys_ranges_cover(plan, 0, 0, 1));
	/* A count beyond the table is clamped, not trusted. */
	bi.mem_region_count = 100000;
	assert_true(direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES) <= DIRECT_MAP_MAX_RANGES);
}

static void test_install_and_covers(void **state)
{
	(void)state;
	/* Before install: the boot stub's whole low 4 GiB. */
	assert_true(direct_map_covers(0x7ffe22e1, 36));
	assert_false(direct_map_covers(4 * GIB, 1));
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_16G);
	unsigned n = direct_map_plan(&bi, plan, DIRECT_MAP_MAX_RANGES);
	direct_map_install(0xffff900000000000ull, plan, n);
	assert_int_equal(direct_map_base, 0xffff900000000000ull);
	assert_int_equal(direct_map_end, 18 * GIB);
	assert_false(direct_map_covers(0x7ffe22e1, 36));
	assert_true(direct_map_covers(17 * GIB, 4096));
	assert_null(phys_to_virt(0x7ffe22e1, 36));
	assert_ptr_equal(phys_to_virt(17 * GIB, 4096), (void *)(0xffff900000000000ull + 17 * GIB));
	assert_null(phys_to_virt(18 * GIB, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan_seabios_3g),
	    cmocka_unit_test(test_covers_refuses_the_hole_below_ram_end),
	    cmocka_unit_test(test_plan_seabios_16g),
	    cmocka_unit_test(test_plan_ovmf_merges_acpi_and_nvs),
	    cmocka_unit_test(test_plan_merges_overlaps_and_skips_odd_entries),
	    cmocka_unit_test(test_plan_reports_overflow),
	    cmocka_unit_test(test_plan_empty_map),
	    cmocka_unit_test(test_install_and_covers),
	};

	return cmocka_run_group_tests_name("direct_map", tests, NULL, NULL);
}
