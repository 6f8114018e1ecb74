/* What the RAMFS and the tar loader need from their surroundings: memory
 * routines and an allocator. In RaeenOS they come from librae; the host
 * tests and fuzzers (RAE_HOST_TEST) build the same code against libc, or
 * with VFS_HOST_LIBRAE_HEAP against librae's heap built for the host (to
 * see what the RAMFS gives back). */
#ifndef VFS_BASE_H
#define VFS_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rae/status.h>

#if defined(RAE_HOST_TEST) && defined(VFS_HOST_LIBRAE_HEAP)
#include <string.h>
#include <rae_heap.h>
#define vfs_alloc(n)      rae_heap_alloc(n)
#define vfs_free(p)       rae_heap_free(p)
#define vfs_realloc(p, n) rae_heap_realloc(p, n)
#elif defined(RAE_HOST_TEST)
#include <stdlib.h>
#include <string.h>
#define vfs_alloc(n)      malloc(n)
#define vfs_free(p)       free(p)
#define vfs_realloc(p, n) realloc(p, n)
#else
#include <rae.h>
#define vfs_alloc(n)      rae_heap_alloc(n)
#define vfs_free(p)       rae_heap_free(p)
#define vfs_realloc(p, n) rae_heap_realloc(p, n)
#endif

/* A zeroed allocation, or NULL. */
static inline void *vfs_zalloc(size_t n)
{
	void *p = vfs_alloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

#endif
