/* The direct map's location and extent. Until the kernel's own page tables
 * are loaded, the boot stub's map of the whole low 4 GiB at
 * 0xffff800000000000 plays its part; boot code then moves it to the
 * KASLR-chosen base, where it covers exactly the RAM ranges of the memory
 * map. phys_to_virt asks direct_map_covers, so a firmware structure in a
 * hole (ACPI tables in reserved memory below the PCI hole) is never read
 * through an address that nothing maps. */
#include <mm/direct_map.h>

#define BOOT_STUB_MAP_END (4ull << 30)

uintptr_t direct_map_base = 0xffff800000000000ull;
paddr_t direct_map_end = BOOT_STUB_MAP_END;
/* Written only by direct_map_install, on the boot CPU, before SMP. */
static phys_range_t dm_ranges[DIRECT_MAP_MAX_RANGES] = {{0, BOOT_STUB_MAP_END}};
static unsigned dm_range_count = 1;

static bool region_is_ram(uint32_t type)
{
	return type == BOOT_MEM_USABLE || type == BOOT_MEM_ACPI_RECLAIMABLE ||
	       type == BOOT_MEM_ACPI_NVS;
}

unsigned direct_map_plan(const boot_info_t *bi, phys_range_t *out, unsigned max)
{
	phys_range_t ram[BOOT_INFO_MAX_MEM_REGIONS] = {{0, 0}}; /* zeroed for cppcheck */
	unsigned n = 0;
	uint32_t count = bi->mem_region_count < BOOT_INFO_MAX_MEM_REGIONS
			     ? bi->mem_region_count
			     : BOOT_INFO_MAX_MEM_REGIONS;

	for (uint32_t i = 0; i < count; i++) {
		const boot_mem_region_t *r = &bi->mem_regions[i];
		if (!region_is_ram(r->type) || r->length == 0)
			continue;
		/* The top page of the physical address space cannot be
		 * rounded up to; firmware never puts RAM there. */
		if (r->base > UINT64_MAX - PAGE_SIZE ||
		    r->length > UINT64_MAX - PAGE_SIZE - r->base)
			continue;
		paddr_t b = PAGE_ALIGN_DOWN(r->base), e = PAGE_ALIGN_UP(r->base + r->length);
		/* Insertion sort by base. */
		unsigned j = n++;
		while (j > 0 && ram[j - 1].base > b) {
			ram[j] = ram[j - 1];
			j--;
		}
		ram[j] = (phys_range_t){b, e};
	}
	unsigned merged = 0;
	for (unsigned i = 0; i < n;) {
		paddr_t b = ram[i].base, e = ram[i].end;
		for (i++; i < n && ram[i].base <= e; i++) {
			if (ram[i].end > e)
				e = ram[i].end;
		}
		if (merged < max)
			out[merged] = (phys_range_t){b, e};
		merged++;
	}
	return merged;
}

bool phys_ranges_cover(const phys_range_t *ranges, unsigned count, paddr_t pa, uint64_t len)
{
	if (len > UINT64_MAX - pa)
		return false;
	paddr_t end = pa + len;
	for (unsigned i = 0; i < count && ranges[i].base <= pa; i++) {
		if (pa < ranges[i].end)
			return end <= ranges[i].end;
	}
	return false;
}

bool direct_map_covers(paddr_t pa, uint64_t len)
{
	if (pa >= direct_map_end)
		return false;
	return phys_ranges_cover(dm_ranges, dm_range_count, pa, len);
}

void direct_map_install(uintptr_t base, const phys_range_t *ranges, unsigned count)
{
	if (count > DIRECT_MAP_MAX_RANGES)
		count = DIRECT_MAP_MAX_RANGES;
	for (unsigned i = 0; i < count; i++)
		dm_ranges[i] = ranges[i];
	dm_range_count = count;
	direct_map_end = count ? ranges[count - 1].end : 0;
	direct_map_base = base;
}
