/* User address spaces (proc/address_space.h). Pages are written through
 * the direct map while the space is being built, so it need not be loaded. */
#include <hal/paging.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/usercopy.h>
#include <object/job.h>
#include <proc/address_space.h>
#include <smp/smp.h>
#include <string.h>
#include <sync/lock_levels.h>

#define PTE_P      1ull
#define PTE_PS     (1ull << 7)
#define PTE_ADDR   0x000ffffffffff000ull
#define PTE_SHARED (1ull << 9) /* a memory object's page (VM_SHARED) */

address_space_t *as_create(void)
{
	address_space_t *as = kzalloc(sizeof(*as));
	if (!as)
		return NULL;
	as->root = pmm_alloc_page_table();
	if (!as->root) {
		kfree(as);
		return NULL;
	}
	/* The kernel half: the same top-level entries as the kernel's tables,
	 * all of which exist from boot on, so later kernel mappings show up in
	 * every address space. */
	uint64_t *mine = phys_to_virt_unchecked(as->root);
	const uint64_t *kernel = phys_to_virt_unchecked(kernel_pt_root);
	for (int i = 256; i < 512; i++)
		mine[i] = kernel[i];
	spinlock_init(&as->lock, "address space", LOCK_LEVEL_AS);
	return as;
}

/* Frees a user page-table subtree and the pages it maps. */
static void as_free_table(paddr_t table, int level)
{
	uint64_t *t = phys_to_virt_unchecked(table);
	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];
		if (!(e & PTE_P))
			continue;
		if (level == 0) {
			if (!(e & PTE_SHARED)) /* a memory object's page is not ours */
				pmm_free_pages(e & PTE_ADDR, 0);
		} else if (!(e & PTE_PS)) {
			as_free_table(e & PTE_ADDR, level - 1);
		}
	}
	pmm_free_pages(table, 0);
}

void as_destroy(address_space_t *as)
{
	if (as->job)
		job_uncharge(as->job, JOB_PAGES, as->mapped_pages);
	uint64_t *top = phys_to_virt_unchecked(as->root);
	for (int i = 0; i < 256; i++) {
		if (top[i] & PTE_P)
			as_free_table(top[i] & PTE_ADDR, 2);
	}
	pmm_free_pages(as->root, 0);
	kfree(as);
}

rae_status_t as_map_anon(address_space_t *as, uintptr_t va, uint64_t pages, unsigned flags)
{
	return as_map_private(as, va, pages, flags, RAE_MEM_USER_ANON);
}

rae_status_t as_map_private(address_space_t *as, uintptr_t va, uint64_t pages, unsigned flags,
			    unsigned use)
{
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return RAE_ERR_INVALID;
	if ((va & (PAGE_SIZE - 1)) || pages == 0 || !user_range_ok(va, pages * PAGE_SIZE) ||
	    va < PAGE_SIZE)
		return RAE_ERR_INVALID;
	if (as->job && job_charge(as->job, JOB_PAGES, pages) != RAE_OK)
		return RAE_ERR_LIMIT;
	bool irq = spin_lock_irqsave(&as->lock);
	rae_status_t st = RAE_OK;
	uint64_t mapped = 0;
	for (uint64_t i = 0; i < pages; i++) {
		paddr_t pa = pmm_alloc_page_zeroed(use);
		if (!pa) {
			st = RAE_ERR_NO_MEMORY;
			break;
		}
		st = hal_pt_map(as->root, va + i * PAGE_SIZE, pa, PAGE_SIZE, flags | VM_USER, false,
				pmm_alloc_page_table);
		if (st != RAE_OK) {
			pmm_free_pages(pa, 0);
			break;
		}
		as->mapped_pages++;
		mapped++;
	}
	spin_unlock_irqrestore(&as->lock, irq);
	if (as->job && mapped < pages)
		job_uncharge(as->job, JOB_PAGES, pages - mapped);
	return st;
}

rae_status_t as_fault_in(address_space_t *as, uintptr_t va, unsigned flags, unsigned use)
{
	va &= ~(uintptr_t)(PAGE_SIZE - 1);
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return RAE_ERR_INVALID;
	if (va < PAGE_SIZE || !user_range_ok(va, PAGE_SIZE))
		return RAE_ERR_INVALID;
	if (as->job && job_charge(as->job, JOB_PAGES, 1) != RAE_OK)
		return RAE_ERR_LIMIT;
	paddr_t pa = pmm_alloc_page_zeroed(use);
	rae_status_t st = pa ? RAE_OK : RAE_ERR_NO_MEMORY;
	bool there = false;
	if (pa) {
		bool irq = spin_lock_irqsave(&as->lock);
		there = hal_pt_query(as->root, va, NULL, NULL);
		if (!there)
			st = hal_pt_map(as->root, va, pa, PAGE_SIZE, flags | VM_USER, false,
					pmm_alloc_page_table);
		if (!there && st == RAE_OK)
			as->mapped_pages++;
		spin_unlock_irqrestore(&as->lock, irq);
	}
	if (there || st != RAE_OK) {
		if (pa)
			pmm_free_pages(pa, 0);
		if (as->job)
			job_uncharge(as->job, JOB_PAGES, 1);
	}
	return st;
}

rae_status_t as_write(address_space_t *as, uintptr_t va, const void *src, uint64_t len)
{
	const uint8_t *s = src;
	while (len) {
		paddr_t pa;
		if (!hal_pt_query(as->root, va, &pa, NULL))
			return RAE_ERR_FAULT;
		uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		memcpy(phys_to_virt_unchecked(pa), s, chunk);
		va += chunk;
		s += chunk;
		len -= chunk;
	}
	return RAE_OK;
}

rae_status_t as_map_frames(address_space_t *as, uintptr_t va, const paddr_t *frames, uint64_t pages,
			   unsigned flags)
{
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return RAE_ERR_INVALID;
	if ((va & (PAGE_SIZE - 1)) || pages == 0 || !user_range_ok(va, pages * PAGE_SIZE) ||
	    va < PAGE_SIZE)
		return RAE_ERR_INVALID;
	bool irq = spin_lock_irqsave(&as->lock);
	rae_status_t st = RAE_OK;
	for (uint64_t i = 0; i < pages && st == RAE_OK; i++)
		st = hal_pt_map(as->root, va + i * PAGE_SIZE, frames[i], PAGE_SIZE,
				flags | VM_USER | VM_SHARED, false, pmm_alloc_page_table);
	spin_unlock_irqrestore(&as->lock, irq);
	return st;
}

rae_status_t as_map_phys(address_space_t *as, uintptr_t va, paddr_t pa, uint64_t pages,
			 unsigned flags)
{
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return RAE_ERR_INVALID;
	if ((va & (PAGE_SIZE - 1)) || pages == 0 || !user_range_ok(va, pages * PAGE_SIZE) ||
	    va < PAGE_SIZE)
		return RAE_ERR_INVALID;
	bool irq = spin_lock_irqsave(&as->lock);
	rae_status_t st = hal_pt_map(as->root, va, pa, pages * PAGE_SIZE,
				     flags | VM_USER | VM_SHARED, false, pmm_alloc_page_table);
	spin_unlock_irqrestore(&as->lock, irq);
	return st;
}

void as_unmap_shared(address_space_t *as, uintptr_t va, uint64_t pages)
{
	bool irq = spin_lock_irqsave(&as->lock);
	hal_pt_unmap(as->root, va, pages * PAGE_SIZE);
	spin_unlock_irqrestore(&as->lock, irq);
	tlb_shootdown_space(as->root, va, pages * PAGE_SIZE);
}

/* RAE_ERR_ACCESS_DENIED when a memory object's page lies in the range. */
static rae_status_t as_range_private(address_space_t *as, uintptr_t va, uint64_t pages)
{
	rae_status_t st = RAE_OK;
	bool irq = spin_lock_irqsave(&as->lock);
	for (uint64_t i = 0; i < pages && st == RAE_OK; i++) {
		unsigned flags;
		if (hal_pt_query(as->root, va + i * PAGE_SIZE, NULL, &flags) && (flags & VM_SHARED))
			st = RAE_ERR_ACCESS_DENIED;
	}
	spin_unlock_irqrestore(&as->lock, irq);
	return st;
}

static bool as_args_ok(uintptr_t va, uint64_t pages)
{
	return !(va & (PAGE_SIZE - 1)) && pages && va >= PAGE_SIZE &&
	       pages <= USER_SPACE_END / PAGE_SIZE && user_range_ok(va, pages * PAGE_SIZE);
}

/* Pages are unmapped and freed this many at a time: every CPU must have
 * forgotten them (the shootdown) before the allocator may hand them out. */
#define AS_FREE_BATCH 32

rae_status_t as_free_anon(address_space_t *as, uintptr_t va, uint64_t pages)
{
	if (!as_args_ok(va, pages))
		return RAE_ERR_INVALID;
	rae_status_t st = as_range_private(as, va, pages);
	if (st != RAE_OK)
		return st;
	for (uint64_t done = 0; done < pages;) {
		uint64_t n = pages - done < AS_FREE_BATCH ? pages - done : AS_FREE_BATCH;
		uintptr_t start = va + done * PAGE_SIZE;
		paddr_t frames[AS_FREE_BATCH];
		unsigned count = 0;
		bool irq = spin_lock_irqsave(&as->lock);
		for (uint64_t i = 0; i < n; i++) {
			paddr_t pa;
			unsigned flags;
			uintptr_t v = start + i * PAGE_SIZE;
			if (!hal_pt_query(as->root, v, &pa, &flags) || (flags & VM_SHARED))
				continue; /* a hole, or an object's page mapped meanwhile */
			hal_pt_unmap(as->root, v, PAGE_SIZE);
			frames[count++] = pa;
		}
		as->mapped_pages -= count;
		spin_unlock_irqrestore(&as->lock, irq);
		if (count) {
			tlb_shootdown_space(as->root, start, n * PAGE_SIZE);
			for (unsigned i = 0; i < count; i++)
				pmm_free_pages(frames[i], 0);
			if (as->job)
				job_uncharge(as->job, JOB_PAGES, count);
		}
		done += n;
	}
	return RAE_OK;
}

rae_status_t as_protect_anon(address_space_t *as, uintptr_t va, uint64_t pages, unsigned flags)
{
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return RAE_ERR_INVALID; /* W^X */
	if (!as_args_ok(va, pages))
		return RAE_ERR_INVALID;
	rae_status_t st = as_range_private(as, va, pages);
	for (uint64_t i = 0; i < pages && st == RAE_OK; i++) {
		uintptr_t v = va + i * PAGE_SIZE;
		paddr_t pa;
		unsigned old;
		bool irq = spin_lock_irqsave(&as->lock);
		if (hal_pt_query(as->root, v, &pa, &old)) {
			if (!(old & VM_SHARED)) {
				hal_pt_unmap(as->root, v, PAGE_SIZE);
				st = hal_pt_map(as->root, v, pa, PAGE_SIZE, flags | VM_USER, false,
						pmm_alloc_page_table);
			}
			spin_unlock_irqrestore(&as->lock, irq);
			continue;
		}
		spin_unlock_irqrestore(&as->lock, irq);
		/* A hole: a zeroed page, charged like any other. */
		st = as_map_anon(as, v, 1, flags);
	}
	/* Other CPUs may cache the old permissions. */
	tlb_shootdown_space(as->root, va, pages * PAGE_SIZE);
	return st;
}
