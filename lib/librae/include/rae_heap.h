/* A memory allocator for programs without a C library (heap.c), over
 * reserved address space whose pages go back to the kernel when the blocks
 * in them are freed. Blocks are 16-byte aligned. Not thread-safe. */
#ifndef RAE_HEAP_H
#define RAE_HEAP_H

#include <stddef.h>

/* Exit status of a program that freed a pointer the heap did not hand out. */
#define RAE_EXIT_HEAP_CORRUPT 0x7e

/* NULL when the kernel has no pages for it (or n is over 16 MiB). */
void *rae_heap_alloc(size_t n);
void rae_heap_free(void *p);
/* Keeps p when n still fits (and is not under half of it), else moves it;
 * NULL (p untouched) when out of memory. */
void *rae_heap_realloc(void *p, size_t n);
size_t rae_heap_size(const void *p); /* the usable bytes of a block */
size_t rae_heap_mapped(void);        /* bytes of pages the heap holds */

#endif
