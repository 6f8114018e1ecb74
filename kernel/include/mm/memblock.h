/* The early physical allocator: hands out memory from the boot memory map
 * before the buddy allocator exists (page tables, the page frame database).
 * Everything it hands out stays allocated for good. */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include <mm/phys.h>
#include <rae/boot_info.h>
#include <rae/status.h>

#define MEMBLOCK_MAX_RANGES 64

typedef phys_range_t memblock_range_t; /* page aligned */

typedef struct {
	memblock_range_t free[MEMBLOCK_MAX_RANGES];
	unsigned free_count;
	/* The map's usable ranges, each byte once, before anything was taken. */
	memblock_range_t usable[MEMBLOCK_MAX_RANGES];
	unsigned usable_count;
	/* Taken ranges, each with what it holds (RAE_MEM_*, rae/process.h). */
	memblock_range_t reserved[MEMBLOCK_MAX_RANGES];
	uint8_t reserved_use[MEMBLOCK_MAX_RANGES];
	unsigned reserved_count;
	memblock_range_t allocated[MEMBLOCK_MAX_RANGES];
	uint8_t allocated_use[MEMBLOCK_MAX_RANGES];
	unsigned allocated_count;
	paddr_t ram_end;       /* end of the highest usable range in the map */
	uint64_t usable_pages; /* whole pages in the map's usable ranges */
} memblock_t;

extern memblock_t memblock;

/* Builds the free list from the usable entries of `bi`, minus `reserved`
 * ranges (the kernel image, modules, the first MiB, the framebuffer...),
 * reserved[i] holding what reserved_use[i] says (RAE_MEM_*). Returns
 * RAE_ERR_NO_MEMORY if the tables overflow. */
rae_status_t memblock_init(memblock_t *mb, const boot_info_t *bi, const memblock_range_t *reserved,
			   const uint8_t *reserved_use, unsigned reserved_count);

/* Allocates `size` bytes aligned to `align` (a power of two, at least a
 * page) below `limit` for `use` (RAE_MEM_*), zeroed only if `zero` (which
 * requires the memory to be reachable through phys_to_virt now). Returns 0
 * when nothing fits. */
paddr_t memblock_alloc(memblock_t *mb, uint64_t size, uint64_t align, paddr_t limit, bool zero,
		       unsigned use);

/* True when [base, end) overlaps a reserved or allocated range. */
bool memblock_is_taken(const memblock_t *mb, paddr_t base, paddr_t end);

#endif
