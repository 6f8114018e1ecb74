/* Heap corruption reports: the slab layer finds the corruption, this file
 * turns it into a message a person can act on and stops the kernel. */
#include <debug/ksym.h>
#include <mm/heap_report.h>
#include <panic.h>

const char *heap_error_name(slab_error_t err)
{
	switch (err) {
	case SLAB_ERR_DOUBLE_FREE: return "double free";
	case SLAB_ERR_OVERRUN: return "buffer overrun";
	case SLAB_ERR_UNDERRUN: return "buffer underrun";
	case SLAB_ERR_USE_AFTER_FREE: return "write after free";
	case SLAB_ERR_BAD_POINTER: return "free of a pointer the heap did not hand out";
	case SLAB_ERR_LEAK: return "leak";
	default: return "corruption";
	}
}

void heap_report_and_panic(slab_error_t err, const char *cache, const void *obj,
			   uintptr_t alloc_site, uintptr_t free_site)
{
	char alloc_sym[96], free_sym[96];
	ksym_format(alloc_site, alloc_sym, sizeof(alloc_sym));
	ksym_format(free_site, free_sym, sizeof(free_sym));
	panic("heap: %s of %p in cache %s; allocated at 0x%lx %s, last freed at 0x%lx %s",
	      heap_error_name(err), obj, cache ? cache : "?", alloc_site, alloc_sym, free_site,
	      free_sym);
}
