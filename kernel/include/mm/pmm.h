/* The physical page allocator: buddy zones (DMA below 16 MiB, DMA32 below
 * 4 GiB, NORMAL above) over the boot memory map, with a page frame database
 * entry (page_t) for every page frame up to the end of RAM. */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <mm/buddy.h>
#include <mm/memblock.h>
#include <mm/phys.h>
#include <mm/slab.h>
#include <rae/process.h>

typedef enum { PMM_ZONE_DMA, PMM_ZONE_DMA32, PMM_ZONE_NORMAL, PMM_ZONE_COUNT } pmm_zone_id_t;

typedef struct {
	uint64_t total_pages;    /* usable RAM pages in the memory map */
	uint64_t managed_pages;  /* handed to the buddy allocator at boot */
	uint64_t free_pages;     /* free now */
	uint64_t reserved_pages; /* RAM never handed out: kernel, modules, boot data */
	uint64_t zone_free[PMM_ZONE_COUNT];
	uint64_t zone_managed[PMM_ZONE_COUNT];
} pmm_stats_t;

/* Builds the zones and the page frame database from `mb` (which must
 * already exclude everything in use) and releases its free ranges. Called
 * once, on the kernel's own page tables. Panics if memory is too short. */
void pmm_init(memblock_t *mb, paddr_t kernel_root);

/* Allocates 2^order contiguous, naturally aligned pages for `use`
 * (RAE_MEM_*, counted until they are freed), preferring high zones;
 * returns 0 when none is free. Interrupt-safe. */
paddr_t pmm_alloc_pages(unsigned order, unsigned use);
/* As pmm_alloc_pages, from `zone` or a lower one only (for DMA limits). */
paddr_t pmm_alloc_pages_in(pmm_zone_id_t zone, unsigned order, unsigned use);
/* One zeroed page for `use`; 0 when none is free. */
paddr_t pmm_alloc_page_zeroed(unsigned use);
/* One zeroed page counted as a page table: the allocator hal_pt_map and
 * hal_pt_populate_top take. */
paddr_t pmm_alloc_page_table(void);
/* Frees a block from pmm_alloc_pages, taking it from its use's count. A
 * bad or double free panics: it means kernel state is corrupt. */
void pmm_free_pages(paddr_t pa, unsigned order);

/* Hands the usable RAM in [base, end) that boot kept without naming a use
 * (RAE_MEM_RESERVED: the low memory the AP trampoline needed) to the
 * allocator; pages holding anything else stay. Returns the pages released.
 * Call once nothing reads that memory any more. */
uint64_t pmm_release_reserved(paddr_t base, paddr_t end);

/* The page frame database entry of `pa`, or NULL beyond the end of RAM. */
page_t *pmm_page(paddr_t pa);

void pmm_stats(pmm_stats_t *out);

/* Pages of usable RAM by use (RAE_MEM_*), from the counts kept as pages
 * are allocated and freed; they add up to pmm_stats' total_pages. */
void pmm_usage(uint64_t out[RAE_MEM_USES]);
/* The same figures counted afresh from the page frame database into
 * `counted`, walking every page of usable RAM, and pmm_usage's into `kept`,
 * both under one hold of the allocator's lock so they describe the same
 * moment (O(RAM) with interrupts off: for tests, not for hot paths). */
void pmm_census(uint64_t counted[RAE_MEM_USES], uint64_t kept[RAE_MEM_USES]);
/* Fills the memory fields of `info` (page size, total, free and kernel
 * pages, mem_uses, mem_pages) from one pmm_usage snapshot. */
void pmm_system_info(rae_system_info_t *info);
const char *pmm_zone_name(pmm_zone_id_t zone);

/* The page source the kernel heap (slab, kmalloc) runs on. */
extern const slab_page_source_t pmm_slab_source;

#endif
