/* Physical page allocator: three buddy zones over one page frame database,
 * filled from the early allocator's view of free memory. One lock,
 * pmm_lock, taken with interrupts off, guards every zone. */
#include <console/kprintf.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <mm/pmm.h>
#include <panic.h>
#include <string.h>

#define ZONE_DMA_END   (16ull << 20)
#define ZONE_DMA32_END (4ull << 30)

static spinlock_t pmm_lock = SPINLOCK_INIT("pmm", LOCK_LEVEL_PMM);
static buddy_zone_t zones[PMM_ZONE_COUNT]; /* guarded by pmm_lock */
static page_t *page_db;
static uint64_t page_db_count;
static uint64_t ram_pages;
static uint64_t boot_managed;
/* Pages allocated, by use (RAE_MEM_*); the free ones are the zones' count,
 * RAE_MEM_RESERVED and the other boot-time uses are set once by pmm_init.
 * Guarded by pmm_lock. */
static uint64_t use_pages[RAE_MEM_USES];
/* The usable RAM ranges, for the census. */
static const memblock_t *boot_memblock;

static const char *const zone_names[PMM_ZONE_COUNT] = {"DMA", "DMA32", "Normal"};

const char *pmm_zone_name(pmm_zone_id_t zone)
{
	return zone < PMM_ZONE_COUNT ? zone_names[zone] : "?";
}

/* Marks the pages of usable RAM in [base, end) that nothing marked yet as
 * holding `use`; returns how many it marked. */
static uint64_t tag_reserved(const memblock_t *mb, paddr_t base, paddr_t end, unsigned use)
{
	uint64_t n = 0;
	if (use == RAE_MEM_RESERVED)
		return 0;
	for (unsigned i = 0; i < mb->usable_count; i++) {
		paddr_t a = base > mb->usable[i].base ? base : mb->usable[i].base;
		paddr_t b = end < mb->usable[i].end ? end : mb->usable[i].end;
		for (uint64_t pfn = a / PAGE_SIZE; pfn < b / PAGE_SIZE && pfn < page_db_count;
		     pfn++) {
			page_t *p = &page_db[pfn];
			if (p->state == PAGE_RESERVED && p->use == RAE_MEM_RESERVED) {
				p->use = (uint8_t)use;
				n++;
			}
		}
	}
	return n;
}

void pmm_init(memblock_t *mb, paddr_t kernel_root)
{
	(void)kernel_root;
	page_db_count = mb->ram_end / PAGE_SIZE;
	uint64_t db_bytes = page_db_count * sizeof(page_t);
	paddr_t db = memblock_alloc(mb, db_bytes, PAGE_SIZE, mb->ram_end, true, RAE_MEM_PAGE_DB);
	if (!db)
		panic("pmm: no room for the page frame database (%lu bytes)", db_bytes);
	page_db = phys_to_virt(db, db_bytes);
	if (!page_db)
		panic("pmm: the page frame database is outside the direct map");

	const uint64_t limits[PMM_ZONE_COUNT + 1] = {0, ZONE_DMA_END / PAGE_SIZE,
						     ZONE_DMA32_END / PAGE_SIZE, page_db_count};
	for (int z = 0; z < PMM_ZONE_COUNT; z++) {
		uint64_t lo = limits[z] < page_db_count ? limits[z] : page_db_count;
		uint64_t hi = limits[z + 1] < page_db_count ? limits[z + 1] : page_db_count;
		if (z == PMM_ZONE_NORMAL)
			hi = page_db_count;
		buddy_zone_init(&zones[z], zone_names[z], lo, hi > lo ? hi - lo : 0, page_db + lo);
	}

	/* What memblock still calls free is ours; everything else (kernel,
	 * modules, page tables, this database) stays reserved. */
	for (unsigned i = 0; i < mb->free_count; i++) {
		uint64_t first = mb->free[i].base / PAGE_SIZE, end = mb->free[i].end / PAGE_SIZE;
		for (int z = 0; z < PMM_ZONE_COUNT; z++) {
			uint64_t lo = zones[z].base_pfn, hi = lo + zones[z].page_count;
			uint64_t a = first > lo ? first : lo, b = end < hi ? end : hi;
			if (a < b)
				boot_managed += buddy_zone_release(&zones[z], a, b - a);
		}
	}
	ram_pages = mb->usable_pages;

	/* What the rest of RAM holds: early allocations first (the page frame
	 * database, boot page tables), then the reservations (kernel image,
	 * modules, framebuffer); what none of them names is RAE_MEM_RESERVED. */
	uint64_t tagged = 0;
	for (unsigned i = 0; i < mb->allocated_count; i++) {
		uint64_t n = tag_reserved(mb, mb->allocated[i].base, mb->allocated[i].end,
					  mb->allocated_use[i]);
		use_pages[mb->allocated_use[i]] += n;
		tagged += n;
	}
	for (unsigned i = 0; i < mb->reserved_count; i++) {
		uint64_t n = tag_reserved(mb, mb->reserved[i].base, mb->reserved[i].end,
					  mb->reserved_use[i]);
		use_pages[mb->reserved_use[i]] += n;
		tagged += n;
	}
	use_pages[RAE_MEM_RESERVED] = ram_pages - boot_managed - tagged;
	boot_memblock = mb;
	/* Nothing may come from memblock from now on. */
	mb->free_count = 0;
}

paddr_t pmm_alloc_pages_in(pmm_zone_id_t zone, unsigned order, unsigned use)
{
	/* Only the boot-time uses are never allocated; an unknown one is a
	 * kernel bug, which would make the counts lie. */
	if (use >= RAE_MEM_USES || use == RAE_MEM_RESERVED || use == RAE_MEM_FREE)
		panic("pmm: allocation for unknown use %u", use);
	bool irq = spin_lock_irqsave(&pmm_lock);
	for (int z = (int)zone; z >= 0; z--) {
		uint64_t pfn;
		if (zones[z].page_count && buddy_alloc(&zones[z], order, &pfn) == RAE_OK) {
			page_db[pfn].use = (uint8_t)use;
			use_pages[use] += 1ull << order;
			spin_unlock_irqrestore(&pmm_lock, irq);
			return pfn * PAGE_SIZE;
		}
	}
	spin_unlock_irqrestore(&pmm_lock, irq);
	return 0;
}

paddr_t pmm_alloc_pages(unsigned order, unsigned use)
{
	return pmm_alloc_pages_in(PMM_ZONE_NORMAL, order, use);
}

paddr_t pmm_alloc_page_zeroed(unsigned use)
{
	paddr_t pa = pmm_alloc_pages(0, use);
	if (pa)
		memset(phys_to_virt_unchecked(pa), 0, PAGE_SIZE);
	return pa;
}

paddr_t pmm_alloc_page_table(void)
{
	return pmm_alloc_page_zeroed(RAE_MEM_PAGE_TABLES);
}

void pmm_free_pages(paddr_t pa, unsigned order)
{
	uint64_t pfn = pa / PAGE_SIZE;
	bool irq = spin_lock_irqsave(&pmm_lock);
	for (int z = 0; z < PMM_ZONE_COUNT; z++) {
		if (pfn >= zones[z].base_pfn && pfn < zones[z].base_pfn + zones[z].page_count) {
			/* Read before the block merges with its buddies. */
			unsigned use = page_db[pfn].use;
			rae_status_t st = buddy_free(&zones[z], pfn, order);
			if (st == RAE_OK)
				use_pages[use] -= 1ull << order;
			spin_unlock_irqrestore(&pmm_lock, irq);
			if (st != RAE_OK)
				panic("pmm: bad free of 0x%lx order %u (%s)", pa, order,
				      rae_status_name(st));
			return;
		}
	}
	spin_unlock_irqrestore(&pmm_lock, irq);
	panic("pmm: free of 0x%lx, which is not RAM", pa);
}

page_t *pmm_page(paddr_t pa)
{
	uint64_t pfn = pa / PAGE_SIZE;
	return pfn < page_db_count ? &page_db[pfn] : NULL;
}

/* Releases the run [first, end) of pages to the zones they lie in.
 * pmm_lock held. */
static uint64_t release_run(uint64_t first, uint64_t end)
{
	uint64_t n = 0;
	for (int z = 0; z < PMM_ZONE_COUNT; z++) {
		uint64_t lo = zones[z].base_pfn, hi = lo + zones[z].page_count;
		uint64_t a = first > lo ? first : lo, b = end < hi ? end : hi;
		if (a < b)
			n += buddy_zone_release(&zones[z], a, b - a);
	}
	return n;
}

uint64_t pmm_release_reserved(paddr_t base, paddr_t end)
{
	uint64_t released = 0;
	if (!boot_memblock)
		return 0;
	bool irq = spin_lock_irqsave(&pmm_lock);
	for (unsigned i = 0; i < boot_memblock->usable_count; i++) {
		paddr_t a =
		    base > boot_memblock->usable[i].base ? base : boot_memblock->usable[i].base;
		paddr_t b = end < boot_memblock->usable[i].end ? end : boot_memblock->usable[i].end;
		uint64_t pfn = PAGE_ALIGN_UP(a) / PAGE_SIZE, last = PAGE_ALIGN_DOWN(b) / PAGE_SIZE;
		if (last > page_db_count)
			last = page_db_count;
		while (pfn < last) {
			uint64_t run = pfn;
			while (run < last && page_db[run].state == PAGE_RESERVED &&
			       page_db[run].use == RAE_MEM_RESERVED)
				run++;
			if (run > pfn)
				released += release_run(pfn, run);
			pfn = run + 1;
		}
	}
	use_pages[RAE_MEM_RESERVED] -= released;
	boot_managed += released;
	spin_unlock_irqrestore(&pmm_lock, irq);
	return released;
}

void pmm_stats(pmm_stats_t *out)
{
	memset(out, 0, sizeof(*out));
	bool irq = spin_lock_irqsave(&pmm_lock);
	for (int z = 0; z < PMM_ZONE_COUNT; z++) {
		buddy_stats_t s;
		buddy_zone_stats(&zones[z], &s);
		out->zone_free[z] = s.free_pages;
		out->zone_managed[z] = s.managed_pages;
		out->free_pages += s.free_pages;
		out->managed_pages += s.managed_pages;
	}
	spin_unlock_irqrestore(&pmm_lock, irq);
	out->total_pages = ram_pages;
	out->reserved_pages = ram_pages - boot_managed;
}

/* pmm_lock held. */
static void usage_locked(uint64_t out[RAE_MEM_USES])
{
	for (unsigned u = 0; u < RAE_MEM_USES; u++)
		out[u] = use_pages[u];
	out[RAE_MEM_FREE] = 0;
	for (int z = 0; z < PMM_ZONE_COUNT; z++)
		out[RAE_MEM_FREE] += zones[z].free_pages;
}

void pmm_usage(uint64_t out[RAE_MEM_USES])
{
	bool irq = spin_lock_irqsave(&pmm_lock);
	usage_locked(out);
	spin_unlock_irqrestore(&pmm_lock, irq);
}

void pmm_census(uint64_t counted[RAE_MEM_USES], uint64_t kept[RAE_MEM_USES])
{
	uint64_t *out = counted;
	for (unsigned u = 0; u < RAE_MEM_USES; u++)
		out[u] = 0;
	bool irq = spin_lock_irqsave(&pmm_lock);
	usage_locked(kept);
	if (!boot_memblock) {
		spin_unlock_irqrestore(&pmm_lock, irq);
		return;
	}
	for (unsigned i = 0; i < boot_memblock->usable_count; i++) {
		uint64_t first = boot_memblock->usable[i].base / PAGE_SIZE;
		uint64_t end = boot_memblock->usable[i].end / PAGE_SIZE;
		for (uint64_t pfn = first; pfn < end && pfn < page_db_count; pfn++) {
			const page_t *p = &page_db[pfn];
			switch (p->state) {
			case PAGE_RESERVED:
				out[p->use < RAE_MEM_USES ? p->use : RAE_MEM_RESERVED]++;
				break;
			case PAGE_FREE: out[RAE_MEM_FREE] += 1ull << p->order; break;
			case PAGE_ALLOCATED:
				if (p->use < RAE_MEM_USES)
					out[p->use] += 1ull << p->order;
				break;
			default: /* a tail: counted with its block's first page */ break;
			}
		}
	}
	spin_unlock_irqrestore(&pmm_lock, irq);
}

void pmm_system_info(rae_system_info_t *info)
{
	_Static_assert(RAE_MEM_USES <= RAE_MEM_USE_SLOTS, "mem_pages has no room for every use");
	uint64_t use[RAE_MEM_USES];
	pmm_usage(use);
	info->page_size = PAGE_SIZE;
	info->total_pages = ram_pages;
	info->free_pages = use[RAE_MEM_FREE];
	info->kernel_pages = use[RAE_MEM_KERNEL_IMAGE] + use[RAE_MEM_PAGE_DB] +
			     use[RAE_MEM_KERNEL_HEAP] + use[RAE_MEM_KERNEL_STACKS] +
			     use[RAE_MEM_PAGE_TABLES] + use[RAE_MEM_KERNEL_OTHER];
	info->mem_uses = RAE_MEM_USES;
	for (unsigned u = 0; u < RAE_MEM_USES; u++)
		info->mem_pages[u] = use[u];
}

/* --- the heap's page source -------------------------------------------- */

static void *slab_source_alloc(void *ctx, unsigned order)
{
	(void)ctx;
	paddr_t pa = pmm_alloc_pages(order, RAE_MEM_KERNEL_HEAP);
	return pa ? phys_to_virt_unchecked(pa) : NULL;
}

static void slab_source_free(void *ctx, void *addr, unsigned order)
{
	(void)ctx;
	pmm_free_pages(virt_to_phys(addr), order);
}

static uintptr_t *slab_source_owner(void *ctx, const void *addr)
{
	(void)ctx;
	uintptr_t va = (uintptr_t)addr;
	if (va < direct_map_base || va - direct_map_base >= direct_map_end)
		return NULL;
	page_t *p = pmm_page(virt_to_phys(addr));
	/* Only allocated pages have an owner word: a free block's first page
	 * holds its free-list links there. */
	if (!p || (p->state != PAGE_ALLOCATED && p->state != PAGE_ALLOCATED_TAIL))
		return NULL;
	return &p->owner;
}

const slab_page_source_t pmm_slab_source = {
    .alloc_pages = slab_source_alloc,
    .free_pages = slab_source_free,
    .page_owner = slab_source_owner,
    .ctx = NULL,
};
