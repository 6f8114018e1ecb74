/* Memory objects: pages that processes map through handles, so two
 * processes can share memory. Anonymous (any free pages), physically
 * contiguous (for DMA), a physical range of device memory (MMIO, a
 * framebuffer) that is never RAM the page allocator manages, or RAM the
 * loader filled and the allocator never owned (the initrd's pages). */
#ifndef OBJECT_MEMORY_H
#define OBJECT_MEMORY_H

#include <mm/kmalloc.h>
#include <mm/phys.h>
#include <object/object.h>
#include <rae/status.h>

#define MEMORY_OBJECT_MAX_PAGES 4096  /* 16 MiB */
#define MEMORY_PHYS_MAX_PAGES   65536 /* 256 MiB: a large framebuffer */

typedef struct memory_object {
	kobject_t obj;
	uint64_t pages;
	bool contiguous;
	unsigned order;  /* contiguous: one block of 2^order pages */
	paddr_t *frames; /* pages entries; NULL for a physical range */
	struct job *job; /* charged for the pages; NULL for a physical range or loader RAM */
	/* Loader RAM (memory_object_create_loaded): the frames are not the
	 * allocator's, so they are never freed. */
	bool loaded;
	/* A physical range: pages from phys_base on, mapped with vm_cache
	 * (VM_UNCACHED or VM_WRITE_COMBINE); never freed to the allocator. */
	bool phys;
	paddr_t phys_base;
	unsigned vm_cache;
	/* DMA memory (object/dma.h): the function its device addresses are
	 * for (a reference) and the process that made it; NULL otherwise. */
	struct pci_function *dma_function;
	unsigned dma_pid;
} memory_object_t;

/* A zeroed object of `pages` pages, charged to `job`: NULL with *status
 * RAE_ERR_RANGE, RAE_ERR_LIMIT or RAE_ERR_NO_MEMORY. */
memory_object_t *memory_object_create(uint64_t pages, bool contiguous, struct job *job,
				      rae_status_t *status);

/* As memory_object_create, with every page below 4 GiB when `below_4g`
 * (DMA memory for 32-bit devices). */
memory_object_t *memory_object_create_in(uint64_t pages, bool contiguous, bool below_4g,
					 struct job *job, rae_status_t *status);

/* An object over the device memory [base, base + pages pages), mapped with
 * `vm_cache` (VM_UNCACHED or VM_WRITE_COMBINE). The caller has checked the
 * range against a resource. NULL with *status RAE_ERR_INVALID (unaligned),
 * RAE_ERR_RANGE (0 or more than MEMORY_PHYS_MAX_PAGES pages),
 * RAE_ERR_ACCESS_DENIED (the range overlaps RAM: memory the page allocator
 * or the direct map covers; or registers the kernel drives itself, such as
 * the APICs and the HPET), RAE_ERR_NO_MEMORY. */
memory_object_t *memory_object_create_phys(paddr_t base, uint64_t pages, unsigned vm_cache,
					   rae_status_t *status);

/* Most pages memory_object_create_loaded takes: its frame array must fit
 * one kmalloc block (KMALLOC_MAX_SIZE / sizeof(paddr_t): 2 GiB of RAM). */
#define MEMORY_LOADED_MAX_PAGES (KMALLOC_MAX_SIZE / sizeof(paddr_t))

/* An object over `pages` pages of RAM from `base` on that the loader filled
 * and the page allocator does not own (a boot module, reserved at boot):
 * no copy, nobody charged, the pages never freed, so the caller must keep
 * them reserved for good. Hand it out without RAE_RIGHT_WRITE when the
 * data must stay as loaded. NULL with *status RAE_ERR_INVALID (base not
 * page-aligned), RAE_ERR_RANGE (0 or more than MEMORY_LOADED_MAX_PAGES
 * pages), RAE_ERR_NO_MEMORY. */
memory_object_t *memory_object_create_loaded(paddr_t base, uint64_t pages, rae_status_t *status);

/* Copies len bytes at offset `off` of RAM-backed `m` (not a physical
 * range) to kernel memory at dst; the range lies inside the object. */
void memory_object_read(const memory_object_t *m, uint64_t off, void *dst, uint64_t len);

/* Copies len bytes of kernel memory at src into RAM-backed `m` (not a
 * physical range) at offset `off`; the range lies inside the object. */
void memory_object_write(memory_object_t *m, uint64_t off, const void *src, uint64_t len);

/* Whether any of [base, base+size) is RAM: usable or ACPI memory that the
 * kernel's direct map covers (write-back) and the page allocator may own. */
bool memory_range_is_ram(paddr_t base, uint64_t size);

#endif
