/* What the kernel does when the heap finds corruption: say what and where
 * (symbolized allocation and free sites), then panic. */
#ifndef MM_HEAP_REPORT_H
#define MM_HEAP_REPORT_H

#include <mm/slab.h>

void heap_report_and_panic(slab_error_t err, const char *cache, const void *obj,
			   uintptr_t alloc_site, uintptr_t free_site);

/* A name for each slab error ("double free", ...). */
const char *heap_error_name(slab_error_t err);

#endif
