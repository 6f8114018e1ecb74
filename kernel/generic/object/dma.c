/* DMA memory (object/dma.h): memory objects a device may use, and the one
 * place device addresses are made and given back. */
#include <console/kprintf.h>
#include <object/device.h>
#include <object/dma.h>
#include <object/job.h>
#include <proc/process.h>

memory_object_t *dma_memory_create(pci_function_t *fn, uint64_t pages, bool contiguous,
				   bool below_4g, job_t *job, unsigned pid, rae_status_t *status)
{
	memory_object_t *m = memory_object_create_in(pages, contiguous, below_4g, job, status);
	if (!m)
		return NULL;
	/* No IOMMU: nothing to map, a device address is the page's
	 * physical address (device_report_boot says so at boot). */
	pci_function_ref(fn);
	m->dma_function = fn;
	m->dma_pid = pid;
	return m;
}

uint64_t dma_device_address(const memory_object_t *m, uint64_t index)
{
	return m->frames[index];
}

/* Whether process `pid` of `job`'s tree has ended (or is ending). */
static bool dma_creator_ended(job_t *job, unsigned pid)
{
	process_t *p = job ? process_find_in_job(job, pid) : NULL;
	if (!p)
		return true; /* gone, or on its way out with nobody holding it */
	bool ended = p->killed || process_has_ended(p);
	kobject_unref(&p->obj);
	return ended;
}

void dma_memory_release(memory_object_t *m)
{
	pci_function_t *fn = m->dma_function;
	if (!pci_function_device_alive(fn) || dma_creator_ended(m->job, m->dma_pid)) {
		/* The device object's end turned it off already, unless the
		 * device outlived the process that gave it this memory. */
		pci_function_set_bus_master(fn, false);
	}
	/* With an IOMMU: unmap the pages from fn's domain and wait for the
	 * IOTLB invalidation here. */
}
