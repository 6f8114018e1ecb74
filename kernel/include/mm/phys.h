/* Physical addresses and the direct map: every byte of RAM (usable, ACPI
 * and ACPI NVS ranges of the memory map) is mapped at direct_map_base + its
 * physical address (read-write, never executable). Holes between RAM ranges
 * (reserved firmware memory, the PCI hole, MMIO) are not: reach those
 * through vmm_map_phys. */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mm/page.h>

typedef uint64_t paddr_t;

/* A physical range [base, end). */
typedef struct {
	paddr_t base, end;
} phys_range_t;

#define PAGE_ALIGN_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x)   (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* Where the direct map starts. During early boot, before the kernel's own
 * page tables are loaded, the boot stub's map of the whole low 4 GiB at
 * 0xffff800000000000 stands in for it. */
extern uintptr_t direct_map_base;
/* No byte at or above direct_map_end is in the direct map; below it there
 * may be holes (see direct_map_covers). */
extern paddr_t direct_map_end;

/* True when all of [pa, pa+len) is mapped by the direct map (len 0: pa
 * itself is). Safe from any context; reads only tables fixed at boot. */
bool direct_map_covers(paddr_t pa, uint64_t len);

static inline void *phys_to_virt_unchecked(paddr_t pa)
{
	return (void *)(uintptr_t)(direct_map_base + pa);
}

/* The direct-map address of [pa, pa+len), or NULL when any of it lies
 * outside the direct map (beyond RAM, or in a hole between RAM ranges). */
static inline void *phys_to_virt(paddr_t pa, uint64_t len)
{
	if (!direct_map_covers(pa, len))
		return NULL;
	return phys_to_virt_unchecked(pa);
}

/* The physical address behind a direct-map address. */
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - direct_map_base);
}

#endif
