/* The kernel area: a randomly placed window of kernel virtual addresses for
 * kernel stacks, MMIO and other non-direct mappings. Every allocation is
 * surrounded by unmapped guard pages. */
#ifndef MM_VMM_H
#define MM_VMM_H

#include <stdbool.h>
#include <mm/phys.h>
#include <mm/vm.h>

#define KSTACK_PAGES 4 /* 16 KiB kernel stacks */
#define KSTACK_SIZE  (KSTACK_PAGES * PAGE_SIZE)

/* Sets up the area [base, base+size) in the kernel page tables. Boot CPU,
 * after pmm_init and kmalloc_init. */
void vmm_init(uintptr_t base, uint64_t size);

/* Maps `pages` fresh physical pages for `use` (RAE_MEM_*) with `flags` (no
 * VM_EXEC with VM_WRITE) between two guard pages; returns the address or 0. */
uintptr_t vmm_alloc(uint64_t pages, unsigned flags, unsigned use);
/* Maps the physical range [pa, pa+size) (device memory) between guard
 * pages; returns the address of pa or 0. */
void *vmm_map_phys(paddr_t pa, uint64_t size, unsigned flags);
/* Releases an allocation from vmm_alloc (freeing its pages) or
 * vmm_map_phys (leaving the device memory alone), and shoots the range out
 * of every CPU's TLB, so it needs interrupts enabled. Panics on an address
 * it did not hand out. */
void vmm_free(uintptr_t va);

/* A kernel stack: KSTACK_SIZE mapped RW, NX, a guard page below (and
 * above). Returns the top of the stack (initial RSP), or 0. */
uintptr_t kstack_alloc(void);
void kstack_free(uintptr_t top);

/* When `va` lies in the guard page just below an allocation, returns that
 * allocation's start (for "kernel stack overflow" reports); else 0. */
uintptr_t vmm_guard_owner(uintptr_t va);

/* The area's bounds and usage, for reports and tests. */
void vmm_area(uintptr_t *base, uint64_t *size, uint64_t *used_pages);

#endif
