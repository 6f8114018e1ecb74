/* Memory objects: pages that processes map through handles, so two
 * processes can share memory. Anonymous (any free pages) or physically
 * contiguous (for DMA). */
#ifndef OBJECT_MEMORY_H
#define OBJECT_MEMORY_H

#include <mm/phys.h>
#include <object/object.h>

#define MEMORY_OBJECT_MAX_PAGES 4096 /* 16 MiB */

typedef struct memory_object {
	kobject_t obj;
	uint64_t pages;
	bool contiguous;
	unsigned order;  /* contiguous: one block of 2^order pages */
	paddr_t *frames; /* pages entries */
	struct job *job; /* charged for the pages */
} memory_object_t;

/* A zeroed object of `pages` pages, charged to `job`: NULL with *status
 * RAE_ERR_RANGE, RAE_ERR_LIMIT or RAE_ERR_NO_MEMORY. */
memory_object_t *memory_object_create(uint64_t pages, bool contiguous, struct job *job,
				      rae_status_t *status);

#endif
