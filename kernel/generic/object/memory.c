/* Memory objects (object/memory.h): their pages are freed when the last
 * handle and the last mapping (each holds a reference) are gone; a
 * physical range's pages are the device's and are never freed. */
#include <hal/platform.h>
#include <kernel.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <object/device.h>
#include <object/dma.h>
#include <object/job.h>
#include <object/memory.h>
#include <rae/handle.h>
#include <string.h>

static void memory_object_destroy(kobject_t *o)
{
	memory_object_t *m = (memory_object_t *)o;
	/* A device may still write DMA memory: stopped before it is freed. */
	if (m->dma_function)
		dma_memory_release(m);
	if (m->phys || m->loaded) {
		/* Device memory or the loader's: nothing to give back. */
	} else if (m->contiguous) {
		if (m->frames[0])
			pmm_free_pages(m->frames[0], m->order);
	} else {
		for (uint64_t i = 0; i < m->pages; i++) {
			if (m->frames[i])
				pmm_free_pages(m->frames[i], 0);
		}
	}
	if (m->job) {
		job_uncharge(m->job, JOB_PAGES, m->contiguous ? 1ull << m->order : m->pages);
		kobject_unref(&m->job->obj);
	}
	if (m->dma_function)
		pci_function_unref(m->dma_function);
	kfree(m->frames);
	kfree(m);
}

memory_object_t *memory_object_create(uint64_t pages, bool contiguous, job_t *job,
				      rae_status_t *status)
{
	return memory_object_create_in(pages, contiguous, false, job, status);
}

memory_object_t *memory_object_create_in(uint64_t pages, bool contiguous, bool below_4g, job_t *job,
					 rae_status_t *status)
{
	pmm_zone_id_t zone = below_4g ? PMM_ZONE_DMA32 : PMM_ZONE_NORMAL;
	if (pages == 0 || pages > MEMORY_OBJECT_MAX_PAGES) {
		*status = RAE_ERR_RANGE;
		return NULL;
	}
	unsigned order = 0;
	while (contiguous && (1ull << order) < pages)
		order++;
	uint64_t charge = contiguous ? 1ull << order : pages;
	if (contiguous && order >= BUDDY_ORDERS) {
		*status = RAE_ERR_RANGE;
		return NULL;
	}
	if (job_charge(job, JOB_PAGES, charge) != RAE_OK) {
		*status = RAE_ERR_LIMIT;
		return NULL;
	}
	memory_object_t *m = kzalloc(sizeof(*m));
	paddr_t *frames = kzalloc(pages * sizeof(paddr_t));
	if (!m || !frames) {
		kfree(m);
		kfree(frames);
		job_uncharge(job, JOB_PAGES, charge);
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	kobject_init(&m->obj, RAE_OBJ_MEMORY, memory_object_destroy);
	m->pages = pages;
	m->contiguous = contiguous;
	m->order = order;
	m->frames = frames;
	kobject_ref(&job->obj);
	m->job = job;
	if (contiguous) {
		paddr_t base = pmm_alloc_pages_in(zone, order, RAE_MEM_OBJECTS);
		if (!base) {
			kobject_unref(&m->obj);
			*status = RAE_ERR_NO_MEMORY;
			return NULL;
		}
		memset(phys_to_virt_unchecked(base), 0, PAGE_SIZE << order);
		for (uint64_t i = 0; i < pages; i++)
			frames[i] = base + i * PAGE_SIZE;
	} else {
		for (uint64_t i = 0; i < pages; i++) {
			frames[i] = pmm_alloc_pages_in(zone, 0, RAE_MEM_OBJECTS);
			if (!frames[i]) {
				kobject_unref(&m->obj);
				*status = RAE_ERR_NO_MEMORY;
				return NULL;
			}
			memset(phys_to_virt_unchecked(frames[i]), 0, PAGE_SIZE);
		}
	}
	*status = RAE_OK;
	return m;
}

memory_object_t *memory_object_create_loaded(paddr_t base, uint64_t pages, rae_status_t *status)
{
	if (base & (PAGE_SIZE - 1)) {
		*status = RAE_ERR_INVALID;
		return NULL;
	}
	if (pages == 0 || pages > MEMORY_LOADED_MAX_PAGES) {
		*status = RAE_ERR_RANGE;
		return NULL;
	}
	memory_object_t *m = kzalloc(sizeof(*m));
	paddr_t *frames = kmalloc(pages * sizeof(paddr_t));
	if (!m || !frames) {
		kfree(m);
		kfree(frames);
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	for (uint64_t i = 0; i < pages; i++)
		frames[i] = base + i * PAGE_SIZE;
	kobject_init(&m->obj, RAE_OBJ_MEMORY, memory_object_destroy);
	m->pages = pages;
	m->frames = frames;
	m->loaded = true;
	*status = RAE_OK;
	return m;
}

void memory_object_read(const memory_object_t *m, uint64_t off, void *dst, uint64_t len)
{
	uint8_t *to = dst;
	while (len > 0) {
		uint64_t in = off % PAGE_SIZE;
		uint64_t chunk = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
		memcpy(to,
		       (const uint8_t *)phys_to_virt(m->frames[off / PAGE_SIZE], PAGE_SIZE) + in,
		       chunk);
		off += chunk;
		to += chunk;
		len -= chunk;
	}
}

void memory_object_write(memory_object_t *m, uint64_t off, const void *src, uint64_t len)
{
	const uint8_t *from = src;
	while (len > 0) {
		uint64_t in = off % PAGE_SIZE;
		uint64_t chunk = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
		memcpy((uint8_t *)phys_to_virt(m->frames[off / PAGE_SIZE], PAGE_SIZE) + in, from,
		       chunk);
		off += chunk;
		from += chunk;
		len -= chunk;
	}
}

bool memory_range_is_ram(paddr_t base, uint64_t size)
{
	for (uint32_t i = 0; i < boot_info.mem_region_count; i++) {
		const boot_mem_region_t *r = &boot_info.mem_regions[i];
		if (r->type != BOOT_MEM_USABLE && r->type != BOOT_MEM_ACPI_RECLAIMABLE &&
		    r->type != BOOT_MEM_ACPI_NVS)
			continue;
		/* Rounded outwards, as the direct map and the allocator do. */
		paddr_t rb = PAGE_ALIGN_DOWN(r->base), re = PAGE_ALIGN_UP(r->base + r->length);
		if (base < re && rb < base + size)
			return true;
	}
	return false;
}

memory_object_t *memory_object_create_phys(paddr_t base, uint64_t pages, unsigned vm_cache,
					   rae_status_t *status)
{
	if (base & (PAGE_SIZE - 1)) {
		*status = RAE_ERR_INVALID;
		return NULL;
	}
	if (pages == 0 || pages > MEMORY_PHYS_MAX_PAGES) {
		*status = RAE_ERR_RANGE;
		return NULL;
	}
	if (memory_range_is_ram(base, pages * PAGE_SIZE) ||
	    hal_phys_range_kernel_device(base, pages * PAGE_SIZE)) {
		*status = RAE_ERR_ACCESS_DENIED;
		return NULL;
	}
	memory_object_t *m = kzalloc(sizeof(*m));
	if (!m) {
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	kobject_init(&m->obj, RAE_OBJ_MEMORY, memory_object_destroy);
	m->pages = pages;
	m->phys = true;
	m->phys_base = base;
	m->vm_cache = vm_cache;
	*status = RAE_OK;
	return m;
}
