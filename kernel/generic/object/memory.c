/* Memory objects (object/memory.h): their pages are freed when the last
 * handle and the last mapping (each holds a reference) are gone. */
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <object/job.h>
#include <object/memory.h>
#include <rae/handle.h>
#include <string.h>

static void memory_object_destroy(kobject_t *o)
{
	memory_object_t *m = (memory_object_t *)o;
	if (m->contiguous) {
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
	kfree(m->frames);
	kfree(m);
}

memory_object_t *memory_object_create(uint64_t pages, bool contiguous, job_t *job,
				      rae_status_t *status)
{
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
		paddr_t base = pmm_alloc_pages(order);
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
			frames[i] = pmm_alloc_page_zeroed();
			if (!frames[i]) {
				kobject_unref(&m->obj);
				*status = RAE_ERR_NO_MEMORY;
				return NULL;
			}
		}
	}
	*status = RAE_OK;
	return m;
}
