/* Early physical allocator over the boot memory map: first the usable
 * ranges minus everything reserved, then allocations carved from their top
 * ends. Used until the buddy allocator takes over, and then only to tell it
 * which pages are already taken. */
#include <mm/memblock.h>
#include <string.h>

memblock_t memblock;

static rae_status_t range_add(memblock_range_t *table, unsigned *count, paddr_t base, paddr_t end)
{
	if (base >= end)
		return RAE_OK;
	if (*count >= MEMBLOCK_MAX_RANGES)
		return RAE_ERR_NO_MEMORY;
	table[(*count)++] = (memblock_range_t){base, end};
	return RAE_OK;
}

/* Records [base, end) as allocated for `use`, extending a range of the
 * same use it touches: early page tables come one page at a time from the
 * top of the same free range, and the direct map of a big machine needs one
 * per GiB. */
static rae_status_t allocated_add(memblock_t *mb, paddr_t base, paddr_t end, unsigned use)
{
	for (unsigned i = 0; i < mb->allocated_count; i++) {
		if (mb->allocated_use[i] != use)
			continue;
		if (mb->allocated[i].base == end) {
			mb->allocated[i].base = base;
			return RAE_OK;
		}
		if (mb->allocated[i].end == base) {
			mb->allocated[i].end = end;
			return RAE_OK;
		}
	}
	unsigned slot = mb->allocated_count;
	rae_status_t st = range_add(mb->allocated, &mb->allocated_count, base, end);
	if (st == RAE_OK)
		mb->allocated_use[slot] = (uint8_t)use;
	return st;
}

/* Removes [base, end) from every free range, splitting where needed. */
static rae_status_t free_remove(memblock_t *mb, paddr_t base, paddr_t end)
{
	for (unsigned i = 0; i < mb->free_count; i++) {
		memblock_range_t r = mb->free[i];
		if (end <= r.base || base >= r.end)
			continue;
		/* Drop range i, then add back what lies outside [base, end). */
		mb->free[i] = mb->free[--mb->free_count];
		i--;
		if (r.base < base && range_add(mb->free, &mb->free_count, r.base, base) != RAE_OK)
			return RAE_ERR_NO_MEMORY;
		if (r.end > end && range_add(mb->free, &mb->free_count, end, r.end) != RAE_OK)
			return RAE_ERR_NO_MEMORY;
	}
	return RAE_OK;
}

rae_status_t memblock_init(memblock_t *mb, const boot_info_t *bi, const memblock_range_t *reserved,
			   const uint8_t *reserved_use, unsigned reserved_count)
{
	memset(mb, 0, sizeof(*mb));
	for (uint32_t i = 0; i < bi->mem_region_count; i++) {
		const boot_mem_region_t *r = &bi->mem_regions[i];
		if (r->type != BOOT_MEM_USABLE)
			continue;
		/* Only whole pages are usable. */
		paddr_t base = PAGE_ALIGN_UP(r->base), end = PAGE_ALIGN_DOWN(r->base + r->length);
		if (base >= end)
			continue;
		if (end > mb->ram_end)
			mb->ram_end = end;
		/* A map may list overlapping usable ranges; take each byte once. */
		if (free_remove(mb, base, end) != RAE_OK ||
		    range_add(mb->free, &mb->free_count, base, end) != RAE_OK)
			return RAE_ERR_NO_MEMORY;
	}
	for (unsigned i = 0; i < mb->free_count; i++) {
		mb->usable_pages += (mb->free[i].end - mb->free[i].base) / PAGE_SIZE;
		mb->usable[i] = mb->free[i];
	}
	mb->usable_count = mb->free_count;
	for (unsigned i = 0; i < reserved_count; i++) {
		paddr_t base = PAGE_ALIGN_DOWN(reserved[i].base),
			end = PAGE_ALIGN_UP(reserved[i].end);
		unsigned slot = mb->reserved_count;
		if (free_remove(mb, base, end) != RAE_OK ||
		    range_add(mb->reserved, &mb->reserved_count, base, end) != RAE_OK)
			return RAE_ERR_NO_MEMORY;
		if (mb->reserved_count > slot)
			mb->reserved_use[slot] = reserved_use[i];
	}
	return RAE_OK;
}

paddr_t memblock_alloc(memblock_t *mb, uint64_t size, uint64_t align, paddr_t limit, bool zero,
		       unsigned use)
{
	size = PAGE_ALIGN_UP(size);
	if (size == 0 || align < PAGE_SIZE || (align & (align - 1)))
		return 0;

	/* Highest fitting address first: keeps low memory for devices that
	 * need it. */
	int best = -1;
	paddr_t best_base = 0;
	for (unsigned i = 0; i < mb->free_count; i++) {
		paddr_t end = mb->free[i].end < limit ? mb->free[i].end : limit;
		if (end < size || end - size < mb->free[i].base)
			continue;
		paddr_t base = (end - size) & ~(align - 1);
		if (base < mb->free[i].base || base == 0)
			continue;
		if (best < 0 || base > best_base) {
			best = i;
			best_base = base;
		}
	}
	if (best < 0)
		return 0;
	if (free_remove(mb, best_base, best_base + size) != RAE_OK ||
	    allocated_add(mb, best_base, best_base + size, use) != RAE_OK)
		return 0;
	if (zero)
		memset(phys_to_virt_unchecked(best_base), 0, size);
	return best_base;
}

static bool overlaps(const memblock_range_t *t, unsigned n, paddr_t base, paddr_t end)
{
	for (unsigned i = 0; i < n; i++) {
		if (base < t[i].end && end > t[i].base)
			return true;
	}
	return false;
}

bool memblock_is_taken(const memblock_t *mb, paddr_t base, paddr_t end)
{
	return overlaps(mb->reserved, mb->reserved_count, base, end) ||
	       overlaps(mb->allocated, mb->allocated_count, base, end);
}
