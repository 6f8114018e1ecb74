/* Host tests for the early allocator over firmware memory maps: RAM above
 * 4 GiB is counted and handed out, holes and reserved ranges never are,
 * and a limit keeps boot-time page tables inside the boot stub's map. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <mm/memblock.h>
#include <rae/process.h>

#include "memory_maps.h"

static boot_info_t bi;

static uint64_t free_bytes(const memblock_t *mb)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < mb->free_count; i++)
		n += mb->free[i].end - mb->free[i].base;
	return n;
}

static void test_16g_counts_ram_above_4g(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_16G);
	const memblock_range_t reserved[] = {{0, 0x100000}, {0x200000, 0x400000}};
	const uint8_t uses[] = {RAE_MEM_RESERVED, RAE_MEM_KERNEL_IMAGE};
	assert_int_equal(memblock_init(&memblock, &bi, reserved, uses, 2), RAE_OK);
	assert_int_equal(memblock.reserved_use[1], RAE_MEM_KERNEL_IMAGE);
	assert_int_equal(memblock.ram_end, 18 * GIB);
	/* Whole pages of the usable entries: 0x9f pages low, then the rest. */
	assert_int_equal(memblock.usable_pages, 0x9f + 0x7fee0000 / 4096 + 14 * GIB / 4096);
	assert_int_equal(free_bytes(&memblock), 0x7fee0000 - 0x200000 + 14 * GIB);
}

static void test_alloc_prefers_high_memory_and_honours_the_limit(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_16G);
	assert_int_equal(memblock_init(&memblock, &bi, NULL, NULL, 0), RAE_OK);
	paddr_t high = memblock_alloc(&memblock, 144ull << 20, 4096, memblock.ram_end, false,
				      RAE_MEM_PAGE_TABLES);
	assert_int_equal(high, 18 * GIB - (144ull << 20));
	paddr_t low = memblock_alloc(&memblock, 4096, 4096, 4 * GIB, false, RAE_MEM_PAGE_TABLES);
	/* Below 4 GiB the highest free page is under SeaBIOS's zone. */
	assert_int_equal(low, 0x7ffe0000 - 4096);
	assert_true(memblock_is_taken(&memblock, high, high + 4096));
	assert_true(memblock_is_taken(&memblock, low, low + 4096));
	assert_false(memblock_is_taken(&memblock, 5 * GIB, 5 * GIB + 4096));
	/* Never from the hole between 2 and 4 GiB. */
	for (int i = 0; i < 64; i++) {
		paddr_t pa = memblock_alloc(&memblock, 2 << 20, 2 << 20, 4 * GIB, false,
					    RAE_MEM_PAGE_TABLES);
		assert_true(pa != 0 && pa + (2 << 20) <= 0x7ffe0000);
	}
}

/* The direct map of a big machine takes one page table per GiB, one page
 * at a time: the table of allocations must not run out. */
static void test_many_page_allocations_fit_the_table(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_16G);
	assert_int_equal(memblock_init(&memblock, &bi, NULL, NULL, 0), RAE_OK);
	for (int i = 0; i < 4096; i++)
		assert_true(memblock_alloc(&memblock, 4096, 4096, 4 * GIB, false,
					   RAE_MEM_PAGE_TABLES) != 0);
	assert_true(memblock.allocated_count <= 2);
	assert_true(memblock_is_taken(&memblock, 0x7ffe0000 - 4096 * 4096, 0x7ffe0000));
	assert_false(
	    memblock_is_taken(&memblock, 0x7ffe0000 - 4096 * 4097, 0x7ffe0000 - 4096 * 4096));
}

/* Allocations remember what they hold: neighbours for different uses stay
 * apart, and the usable ranges are kept as the map gave them. */
static void test_allocations_keep_their_use(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, SEABIOS_Q35_16G);
	assert_int_equal(memblock_init(&memblock, &bi, NULL, NULL, 0), RAE_OK);
	uint64_t usable = 0;
	for (unsigned i = 0; i < memblock.usable_count; i++)
		usable += memblock.usable[i].end - memblock.usable[i].base;
	assert_int_equal(usable, memblock.usable_pages * 4096);
	paddr_t a = memblock_alloc(&memblock, 4096, 4096, 4 * GIB, false, RAE_MEM_PAGE_TABLES);
	paddr_t b = memblock_alloc(&memblock, 4096, 4096, 4 * GIB, false, RAE_MEM_PAGE_DB);
	paddr_t c = memblock_alloc(&memblock, 4096, 4096, 4 * GIB, false, RAE_MEM_PAGE_DB);
	assert_int_equal(b, a - 4096);
	assert_int_equal(c, b - 4096);
	assert_int_equal(memblock.allocated_count, 2);
	for (unsigned i = 0; i < memblock.allocated_count; i++) {
		const memblock_range_t *r = &memblock.allocated[i];
		if (memblock.allocated_use[i] == RAE_MEM_PAGE_TABLES) {
			assert_int_equal(r->base, a);
			assert_int_equal(r->end, a + 4096);
		} else {
			assert_int_equal(memblock.allocated_use[i], RAE_MEM_PAGE_DB);
			assert_int_equal(r->base, c);
			assert_int_equal(r->end, a);
		}
	}
}

static void test_ovmf_map_usable_only(void **state)
{
	(void)state;
	BOOT_INFO_FROM(&bi, OVMF_Q35_8G);
	assert_int_equal(memblock_init(&memblock, &bi, NULL, NULL, 0), RAE_OK);
	/* ACPI and NVS ranges are RAM but not free; ram_end is the last usable. */
	assert_int_equal(memblock.ram_end, 10 * GIB);
	for (unsigned i = 0; i < memblock.free_count; i++) {
		assert_false(memblock.free[i].base < 0x808000 && memblock.free[i].end > 0x800000);
		assert_false(memblock.free[i].base < 0x7f08b000 &&
			     memblock.free[i].end > 0x7f00e000);
	}
	assert_int_equal(free_bytes(&memblock), memblock.usable_pages * 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_16g_counts_ram_above_4g),
	    cmocka_unit_test(test_alloc_prefers_high_memory_and_honours_the_limit),
	    cmocka_unit_test(test_allocations_keep_their_use),
	    cmocka_unit_test(test_many_page_allocations_fit_the_table),
	    cmocka_unit_test(test_ovmf_map_usable_only),
	};

	return cmocka_run_group_tests_name("memblock", tests, NULL, NULL);
}
