/* User address spaces: a page-table root whose upper half is the kernel's
 * (shared), and user mappings of fresh pages in the lower half, never both
 * writable and executable. */
#ifndef PROC_ADDRESS_SPACE_H
#define PROC_ADDRESS_SPACE_H

#include <mm/phys.h>
#include <rae/status.h>
#include <sync/spinlock.h>

typedef struct address_space {
	paddr_t root;
	spinlock_t lock;       /* serializes changes to the user half */
	uint64_t mapped_pages; /* user pages mapped; guarded by lock */
	struct job *job;       /* charged for the pages; set by the owner */
} address_space_t;

/* The kernel's own page tables (every address space shares their upper
 * half). Set at boot. */
extern paddr_t kernel_pt_root;

/* A new, empty user address space, or NULL when out of memory. */
address_space_t *as_create(void);
/* Frees every user page and page table, then the space itself. It must not
 * be loaded on any CPU. */
void as_destroy(address_space_t *as);

/* Maps `pages` zeroed pages at `va` (page aligned, user half) with `flags`
 * (VM_READ/WRITE/EXEC; VM_USER is added), counted as `use` (RAE_MEM_USER_*).
 * RAE_ERR_INVALID for W+X or a bad range, RAE_ERR_NO_MEMORY when pages run
 * out (what was mapped stays). */
rae_status_t as_map_private(address_space_t *as, uintptr_t va, uint64_t pages, unsigned flags,
			    unsigned use);
/* Maps one zeroed page, counted as `use`, at the page holding `va` unless
 * one is there already (another thread got there first: RAE_OK too), for a
 * page fault. Charges the space's job: RAE_ERR_LIMIT past its page limit,
 * RAE_ERR_NO_MEMORY when pages run out. Takes the space's lock and the
 * allocator's, so no lower-level lock may be held. */
rae_status_t as_fault_in(address_space_t *as, uintptr_t va, unsigned flags, unsigned use);
/* as_map_private for heap pages (RAE_MEM_USER_ANON). */
rae_status_t as_map_anon(address_space_t *as, uintptr_t va, uint64_t pages, unsigned flags);
/* Maps the given frames (owned by a memory object, so never freed with the
 * space) at `va`. Same errors as as_map_anon. */
rae_status_t as_map_frames(address_space_t *as, uintptr_t va, const paddr_t *frames, uint64_t pages,
			   unsigned flags);
/* Maps the physical range [pa, pa + pages pages) (device memory owned by a
 * memory object, never freed with the space) at `va`; `flags` carries the
 * cache mode. Same errors as as_map_anon. */
rae_status_t as_map_phys(address_space_t *as, uintptr_t va, paddr_t pa, uint64_t pages,
			 unsigned flags);
/* Removes the mapping of memory-object pages at [va, va + pages pages)
 * (holes are skipped; the pages are the object's and stay allocated), then
 * flushes the range from the TLB of every CPU that has the space loaded.
 * Interrupts enabled, no spinlock held (the shootdown waits for the other
 * CPUs). Page tables stay until the space is destroyed. */
void as_unmap_shared(address_space_t *as, uintptr_t va, uint64_t pages);
/* Private pages (what as_map_anon made) in [va, va + pages pages): holes
 * are skipped; a page of a memory object in the range refuses the whole
 * call with RAE_ERR_ACCESS_DENIED before anything changed. Interrupts
 * enabled, no spinlock held (both shoot the range down on every CPU).
 * as_free_anon unmaps them and gives them back (and their charge).
 * as_protect_anon gives mapped ones `flags` (VM_READ/WRITE/EXEC, never W+X:
 * RAE_ERR_INVALID) and maps zeroed pages into the holes (RAE_ERR_LIMIT or
 * RAE_ERR_NO_MEMORY when they run out; what was done stays). */
rae_status_t as_free_anon(address_space_t *as, uintptr_t va, uint64_t pages);
rae_status_t as_protect_anon(address_space_t *as, uintptr_t va, uint64_t pages, unsigned flags);
/* Copies `len` bytes into the space at `va` through the direct map (the
 * pages must be mapped). RAE_ERR_FAULT otherwise. */
rae_status_t as_write(address_space_t *as, uintptr_t va, const void *src, uint64_t len);

#endif
