/* Which physical ranges the direct map covers: planned from the boot memory
 * map, installed once the kernel's page tables map them. */
#ifndef MM_DIRECT_MAP_H
#define MM_DIRECT_MAP_H

#include <mm/phys.h>
#include <rae/boot_info.h>

#define DIRECT_MAP_MAX_RANGES BOOT_INFO_MAX_MEM_REGIONS

/* The ranges to map: every RAM entry of `bi` (usable, ACPI reclaimable,
 * ACPI NVS) widened to whole pages, sorted, with overlapping and touching
 * ones merged. Reserved, bad and unknown entries are left out: they may be
 * MMIO, which a cacheable mapping must never cover. Writes at most `max`
 * ranges to `out`; returns how many there are (more than `max` means some
 * were dropped). Pure: no globals, no hardware. */
unsigned direct_map_plan(const boot_info_t *bi, phys_range_t *out, unsigned max);

/* True when [pa, pa+len) lies in one of `ranges` (sorted, disjoint, not
 * touching: as direct_map_plan makes them). Pure. */
bool phys_ranges_cover(const phys_range_t *ranges, unsigned count, paddr_t pa, uint64_t len);

/* Makes `ranges` (from direct_map_plan, now mapped at `base`) the direct
 * map phys_to_virt answers for. Boot CPU only, before any other CPU runs
 * and before anything else reads the direct map's extent. */
void direct_map_install(uintptr_t base, const phys_range_t *ranges, unsigned count);

#endif
