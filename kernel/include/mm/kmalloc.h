/* General-purpose kernel allocation: power-of-two slab caches up to 8 KiB,
 * whole blocks of pages from the page source beyond that. */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include <mm/buddy.h>
#include <mm/slab.h>
#include <rae/status.h>

#define KMALLOC_MIN_SIZE    16ul   /* smallest cache, and the alignment of every object */
#define KMALLOC_MAX_CACHED  8192ul /* largest cache; bigger requests take pages */
#define KMALLOC_CACHE_COUNT 10     /* 16, 32, ..., 8192 */
/* Largest request: one buddy block of the highest order (4 MiB). */
#define KMALLOC_MAX_SIZE (PAGE_SIZE << (BUDDY_ORDERS - 1))

typedef struct {
	slab_stats_t caches[KMALLOC_CACHE_COUNT]; /* caches[i] holds 16 << i bytes */
	size_t large_in_use;                      /* live page-backed allocations */
	size_t large_pages;                       /* pages they hold */
	size_t pages;                             /* all pages held: caches and large */
	uint64_t failures; /* kmalloc calls that returned NULL for size > 0 */
} kmalloc_stats_t;

/*
 * Sets up the caches over *src (copied); flags are slab flags (SLAB_DEBUG).
 * Call once, before any other kmalloc function, and again only after
 * kmalloc_destroy. Returns RAE_OK or RAE_ERR_INVALID for a bad source or flags.
 *
 * No kmalloc function takes a lock: until there is one, callers serialize
 * them (single CPU, or their own lock).
 */
rae_status_t kmalloc_init(const slab_page_source_t *src, unsigned flags);

/*
 * Returns size bytes aligned to KMALLOC_MIN_SIZE, uninitialized (SLAB_DEBUG
 * fills them with SLAB_POISON_FREE), or NULL when size is 0, larger than
 * KMALLOC_MAX_SIZE, or memory is short. Sizes up to KMALLOC_MAX_CACHED come
 * from the cache of the next power of two; larger ones get their own block of
 * 2^order pages, aligned to the block's size.
 */
void *kmalloc(size_t size);

/* As kmalloc, with the size bytes zeroed. */
void *kzalloc(size_t size);

/*
 * Frees p from kmalloc or kzalloc; NULL is ignored. A pointer that is not an
 * allocation start is reported as SLAB_ERR_BAD_POINTER (double frees and red
 * zone damage as the slab reports them) and nothing is freed.
 */
void kfree(void *p);

/* Copies the counters into *out. Cannot fail. */
void kmalloc_stats(kmalloc_stats_t *out);

/*
 * Destroys every cache (each live cached object is reported as SLAB_ERR_LEAK)
 * and gives their pages back. Live page-backed allocations are not tracked
 * individually: they are counted, not freed. Returns the number of leaked
 * allocations of both kinds. For tests and shutdown.
 */
size_t kmalloc_destroy(void);

#endif
