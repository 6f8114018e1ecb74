/* The kernel area allocator: a sorted list of allocations in the area,
 * first fit, one guard page on each side of every allocation. The list is
 * kmalloc'd and guarded by vmm_lock (interrupts off). Unmapping flushes
 * only this CPU's TLB; callers that shared a mapping with other CPUs shoot
 * it down (tlb_shootdown) once the lock is dropped. */
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <hal/paging.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <panic.h>
#include <smp/smp.h>

typedef struct vmm_region {
	struct vmm_region *next;
	uintptr_t start; /* first mapped page (the guard is below it) */
	uint64_t pages;  /* mapped pages */
	bool owns_pages; /* vmm_alloc: free the physical pages on release */
} vmm_region_t;

static spinlock_t vmm_lock = SPINLOCK_INIT("vmm", LOCK_LEVEL_VMM);
static uintptr_t area_base;
static uint64_t area_size;
static uint64_t area_used;
static vmm_region_t *regions; /* sorted by start; guarded by vmm_lock */

void vmm_init(uintptr_t base, uint64_t size)
{
	area_base = base;
	area_size = size;
	/* User address spaces copy the kernel's top level once; everything the
	 * area maps later must hang below entries that already exist. */
	if (hal_pt_populate_top(hal_pt_root(), base, size, pmm_alloc_page_table) != RAE_OK)
		panic("vmm: cannot create the kernel area's page tables");
}

/* Finds room for `pages` plus a guard page each side; links a region for
 * it. Interrupts must be off. */
static vmm_region_t *region_reserve(uint64_t pages, bool owns)
{
	vmm_region_t *r = kmalloc(sizeof(*r));
	if (!r)
		return NULL;
	uint64_t span = (pages + 2) * PAGE_SIZE;
	uintptr_t cursor = area_base;
	vmm_region_t **link = &regions;
	for (vmm_region_t *it = regions; it; it = it->next) {
		uintptr_t it_lo = it->start - PAGE_SIZE;
		if (it_lo - cursor >= span)
			break;
		cursor = it->start + (it->pages + 1) * PAGE_SIZE;
		link = &it->next;
	}
	if (cursor + span > area_base + area_size || cursor + span < cursor) {
		kfree(r);
		return NULL;
	}
	*r = (vmm_region_t){
	    .next = *link, .start = cursor + PAGE_SIZE, .pages = pages, .owns_pages = owns};
	*link = r;
	area_used += pages;
	return r;
}

static void region_unlink(vmm_region_t *r)
{
	for (vmm_region_t **link = &regions; *link; link = &(*link)->next) {
		if (*link == r) {
			*link = r->next;
			area_used -= r->pages;
			kfree(r);
			return;
		}
	}
}

static void region_release_pages(vmm_region_t *r, uint64_t mapped)
{
	paddr_t root = hal_pt_root();
	for (uint64_t i = 0; i < mapped; i++) {
		paddr_t pa;
		if (r->owns_pages && hal_pt_query(root, r->start + i * PAGE_SIZE, &pa, NULL))
			pmm_free_pages(pa, 0);
	}
	hal_pt_unmap(root, r->start, r->pages * PAGE_SIZE);
}

uintptr_t vmm_alloc(uint64_t pages, unsigned flags, unsigned use)
{
	if (pages == 0 || ((flags & VM_WRITE) && (flags & VM_EXEC)))
		return 0;
	bool irq = spin_lock_irqsave(&vmm_lock);
	vmm_region_t *r = region_reserve(pages, true);
	if (!r) {
		spin_unlock_irqrestore(&vmm_lock, irq);
		return 0;
	}
	for (uint64_t i = 0; i < pages; i++) {
		paddr_t pa = pmm_alloc_page_zeroed(use);
		if (!pa || hal_pt_map(hal_pt_root(), r->start + i * PAGE_SIZE, pa, PAGE_SIZE,
				      flags | VM_GLOBAL, false, pmm_alloc_page_table) != RAE_OK) {
			if (pa)
				pmm_free_pages(pa, 0);
			region_release_pages(r, i);
			region_unlink(r);
			spin_unlock_irqrestore(&vmm_lock, irq);
			return 0;
		}
	}
	uintptr_t va = r->start;
	spin_unlock_irqrestore(&vmm_lock, irq);
	return va;
}

void *vmm_map_phys(paddr_t pa, uint64_t size, unsigned flags)
{
	paddr_t base = PAGE_ALIGN_DOWN(pa);
	uint64_t pages = (PAGE_ALIGN_UP(pa + size) - base) / PAGE_SIZE;
	if (size == 0 || pa + size < pa || ((flags & VM_WRITE) && (flags & VM_EXEC)))
		return NULL;
	bool irq = spin_lock_irqsave(&vmm_lock);
	vmm_region_t *r = region_reserve(pages, false);
	if (!r) {
		spin_unlock_irqrestore(&vmm_lock, irq);
		return NULL;
	}
	if (hal_pt_map(hal_pt_root(), r->start, base, pages * PAGE_SIZE, flags | VM_GLOBAL, true,
		       pmm_alloc_page_table) != RAE_OK) {
		hal_pt_unmap(hal_pt_root(), r->start, pages * PAGE_SIZE);
		region_unlink(r);
		spin_unlock_irqrestore(&vmm_lock, irq);
		return NULL;
	}
	void *va = (void *)(r->start + (pa - base));
	spin_unlock_irqrestore(&vmm_lock, irq);
	return va;
}

void vmm_free(uintptr_t va)
{
	bool irq = spin_lock_irqsave(&vmm_lock);
	for (vmm_region_t *r = regions; r; r = r->next) {
		if (va >= r->start && va < r->start + PAGE_SIZE) {
			uintptr_t start = r->start;
			uint64_t size = r->pages * PAGE_SIZE;
			region_release_pages(r, r->pages);
			spin_unlock_irqrestore(&vmm_lock, irq);
			/* Kernel mappings are global: other CPUs keep them in their
			 * TLBs until told. The range stays reserved until every CPU
			 * has forgotten it: handed out again before that (a freed
			 * thread's stack becomes the next one's), a CPU with a stale
			 * entry would reach the old, freed page through the new
			 * owner's address, e.g. a new thread's first context read as
			 * zeros (a kernel jump to address 0 under SMP load). */
			tlb_shootdown(start, size);
			irq = spin_lock_irqsave(&vmm_lock);
			region_unlink(r);
			spin_unlock_irqrestore(&vmm_lock, irq);
			return;
		}
	}
	spin_unlock_irqrestore(&vmm_lock, irq);
	panic("vmm: free of 0x%lx, which the kernel area did not hand out", va);
}

uintptr_t kstack_alloc(void)
{
	uintptr_t base = vmm_alloc(KSTACK_PAGES, VM_READ | VM_WRITE, RAE_MEM_KERNEL_STACKS);
	return base ? base + KSTACK_SIZE : 0;
}

void kstack_free(uintptr_t top)
{
	vmm_free(top - KSTACK_SIZE);
}

uintptr_t vmm_guard_owner(uintptr_t va)
{
	for (vmm_region_t *r = regions; r; r = r->next) {
		if (va >= r->start - PAGE_SIZE && va < r->start)
			return r->start;
	}
	return 0;
}

void vmm_area(uintptr_t *base, uint64_t *size, uint64_t *used_pages)
{
	*base = area_base;
	*size = area_size;
	*used_pages = area_used;
}
