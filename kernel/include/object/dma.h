/* DMA memory: memory objects made against a device object, whose pages the
 * device may read and write. The one place that turns their pages into
 * device addresses and gives those back: with no IOMMU (today) a device
 * address is the physical address; an IOMMU domain per function
 * (pci_function_t) would map the pages here at creation and unmap them
 * (and invalidate its IOTLB) in dma_memory_release, before the pages are
 * freed. */
#ifndef OBJECT_DMA_H
#define OBJECT_DMA_H

#include <stdbool.h>
#include <stdint.h>
#include <object/memory.h>

struct pci_function;
struct job;

/* Largest DMA_ADDRESSES answer in one call. */
#define DMA_ADDRESSES_MAX 512

/* A zeroed, pinned memory object of `pages` pages for function `fn`'s
 * device (contiguous and/or below 4 GiB as asked), charged to `job`, made
 * by process `pid`. NULL with *status as memory_object_create. */
memory_object_t *dma_memory_create(struct pci_function *fn, uint64_t pages, bool contiguous,
				   bool below_4g, struct job *job, unsigned pid,
				   rae_status_t *status);

/* The device address of page `index` of DMA memory `m`. */
uint64_t dma_device_address(const memory_object_t *m, uint64_t index);

/* Before DMA memory's pages are freed (its last reference went): if the
 * device object is gone or the process that made the memory has ended,
 * the function's bus mastering goes off first, so the device cannot write
 * the pages once they belong to someone else. Any context but holding
 * process_lock. */
void dma_memory_release(memory_object_t *m);

#endif
