/* Page tables, as generic code sees them: a root (physical address of the
 * top-level table), mappings with VM_* permissions, and TLB maintenance.
 * Implemented by kernel/arch/<arch>/mm/paging.c. Callers serialize changes
 * to one address space; page-table pages are reached through the direct
 * map (phys_to_virt). */
#ifndef HAL_PAGING_H
#define HAL_PAGING_H

#include <mm/phys.h>
#include <mm/vm.h>
#include <rae/status.h>

/* Returns the physical address of a zeroed page for a page table, or 0. */
typedef paddr_t (*pt_alloc_fn)(void);

/* Maps [va, va+size) to [pa, pa+size) with `flags` (VM_*). Uses 2 MiB pages
 * where `allow_large` and alignment permit. Fails with RAE_ERR_INVALID for
 * W+X, unaligned or non-canonical arguments, or a range already mapped; with
 * RAE_ERR_NO_MEMORY when `alloc` fails (what was mapped stays mapped). */
rae_status_t hal_pt_map(paddr_t root, uintptr_t va, paddr_t pa, uint64_t size, unsigned flags,
			bool allow_large, pt_alloc_fn alloc);

/* Unmaps the 4 KiB pages of [va, va+size); holes are skipped. Does not free
 * page-table pages. Flushes this CPU's TLB for the range. */
void hal_pt_unmap(paddr_t root, uintptr_t va, uint64_t size);

/* Looks `va` up: on success stores the physical address and VM_* flags. */
bool hal_pt_query(paddr_t root, uintptr_t va, paddr_t *pa, unsigned *flags);

/* Counts leaf mappings that are both writable and executable in the whole
 * tree, reporting each through `report` (may be NULL). */
typedef void (*pt_wx_report_fn)(uintptr_t va, uint64_t size);
uint64_t hal_pt_count_wx(paddr_t root, pt_wx_report_fn report);

/* Creates the top-level entries covering [va, va+size) (kernel half), so
 * that address spaces which copy the kernel's top level share everything
 * mapped there later. */
rae_status_t hal_pt_populate_top(paddr_t root, uintptr_t va, uint64_t size, pt_alloc_fn alloc);

paddr_t hal_pt_root(void);
/* The user page tables CPU `cpu` has loaded (the kernel's when it runs a
 * kernel thread). Written by that CPU before it loads them, so a reader
 * that first changed entries of `root` and then sees another value knows
 * the CPU will see the change. */
paddr_t hal_pt_root_on(unsigned cpu);
void hal_pt_switch(paddr_t root);

/* TLB maintenance on this CPU. The SMP issue adds shootdowns that call
 * these on every CPU. */
void hal_tlb_flush_page(uintptr_t va);
void hal_tlb_flush_range(uintptr_t va, uint64_t size);
void hal_tlb_flush_all(void);

#endif
