/* Physical addresses and the direct map: every byte of RAM is mapped at
 * direct_map_base + its physical address (read-write, never executable). */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mm/page.h>

typedef uint64_t paddr_t;

#define PAGE_ALIGN_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x)   (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* Where the direct map starts. During early boot, before the kernel's own
 * page tables are loaded, it is 0: the loader's identity map of low memory
 * stands in for it. */
extern uintptr_t direct_map_base;
/* The direct map covers physical [0, direct_map_end). */
extern paddr_t direct_map_end;

static inline void *phys_to_virt_unchecked(paddr_t pa)
{
	return (void *)(uintptr_t)(direct_map_base + pa);
}

/* The direct-map address of [pa, pa+len), or NULL when any of it lies
 * outside the direct map. */
static inline void *phys_to_virt(paddr_t pa, uint64_t len)
{
	if (pa >= direct_map_end || len > direct_map_end - pa)
		return NULL;
	return phys_to_virt_unchecked(pa);
}

/* The physical address behind a direct-map address. */
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - direct_map_base);
}

#endif
