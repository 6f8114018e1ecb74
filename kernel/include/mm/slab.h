/* Slab object caches: fixed-size objects carved from blocks of pages that a
 * page source supplies, with optional red zones, poisoning and call sites. */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mm/page.h>
#include <rae/status.h>

/*
 * Where a cache gets its pages. The slab owns the owner words of the pages it
 * holds and stores odd values there (SLAB_OWNER_TAG); other layers sharing a
 * source keep their own words even. A block's owner words must be 0 when
 * alloc_pages returns it; the slab puts them back to 0 before free_pages.
 */
typedef struct {
	/* 2^order pages, aligned to PAGE_SIZE << order, or NULL when out of memory. */
	void *(*alloc_pages)(void *ctx, unsigned order);
	/* Gives back a block from alloc_pages with the same order. */
	void (*free_pages)(void *ctx, void *addr, unsigned order);
	/* The owner word of the 4 KiB page containing addr, or NULL when the
	 * source does not know that page or has not handed it out (a free
	 * page has no owner word). The kernel passes &page_t.owner. */
	uintptr_t *(*page_owner)(void *ctx, const void *addr);
	void *ctx;
} slab_page_source_t;

/* slab_cache_init flags. */
#define SLAB_DEBUG 0x1u /* red zones, poison, call sites; the kernel sets it in debug builds */

/* Largest slab: 2^SLAB_ORDER_MAX pages; an object slot must fit in one. */
#define SLAB_ORDER_MAX 3

/* Debug-mode fill bytes. */
#define SLAB_POISON_FREE 0x6b /* the object bytes of a free object */
#define SLAB_REDZONE     0xbb /* the guard bytes either side of every object */
#define SLAB_REDZONE_MIN 16   /* bytes of guard at least, each side */

/* Owner-word values with this bit set belong to the slab. */
#define SLAB_OWNER_TAG 0x1u

typedef enum {
	SLAB_ERR_DOUBLE_FREE,    /* free of an object that is already free */
	SLAB_ERR_OVERRUN,        /* guard bytes after the object changed (found on free) */
	SLAB_ERR_UNDERRUN,       /* guard bytes before the object changed (found on free) */
	SLAB_ERR_USE_AFTER_FREE, /* a free object's poison changed (found when reallocating it) */
	SLAB_ERR_BAD_POINTER,    /* free of something that is not an object start of this cache */
	SLAB_ERR_LEAK,           /* object still allocated when its cache is destroyed */
} slab_error_t;

/*
 * Receives every error report. obj is the object concerned (or the bad
 * pointer). alloc_site is where obj was allocated, 0 when unknown (always for
 * BAD_POINTER, and without SLAB_DEBUG). free_site is, for DOUBLE_FREE and
 * USE_AFTER_FREE, the site of the earlier free that released obj (0 without
 * SLAB_DEBUG); for OVERRUN, UNDERRUN and BAD_POINTER, the site of the free
 * call that found the error; 0 for LEAK. May be called with the cache's lock
 * held.
 */
typedef void (*slab_report_fn)(slab_error_t err, const char *cache, const void *obj,
			       uintptr_t alloc_site, uintptr_t free_site);

/* Intrusive list link for slabs; cache lists are circular with the cache's
 * own links as sentinels. */
typedef struct slab_link {
	struct slab_link *next, *prev;
} slab_link_t;

/*
 * A cache of objects of one size. Fields are private to slab.c. No lock
 * inside: the owner of a cache serializes every call on it. A cache holds
 * pointers to itself, so it must not be copied or moved once initialized.
 */
typedef struct slab_cache {
	const char *name;
	slab_page_source_t source;
	unsigned flags;
	size_t object_size;    /* as requested */
	size_t stride;         /* bytes between object slots */
	size_t object_offset;  /* from a slot's start to its object */
	uint64_t stride_recip; /* ceil(2^32 / stride), to divide by stride */
	unsigned order;        /* each slab is PAGE_SIZE << order bytes */
	unsigned objects_per_slab;
	size_t area_offset;     /* from a slab's start to its first slot */
	size_t desc_size;       /* bytes of one slab descriptor */
	size_t desc_bitmap_off; /* offset of the allocation bitmap within it */
	bool off_slab;          /* descriptors live in desc pages, not in the slab */
	slab_link_t partial;    /* slabs with free and allocated objects */
	slab_link_t full;       /* slabs with no free object */
	slab_link_t empty;      /* slabs with no allocated object, kept for reuse */
	size_t empty_count;
	void *desc_free;  /* free off-slab descriptors, linked by their first word */
	void *desc_pages; /* pages holding descriptors, linked by their first word */
	size_t objects_in_use;
	size_t slabs;
	size_t pages; /* held from the source, descriptor pages included */
	uint64_t allocs;
	uint64_t frees;
	uint64_t errors; /* reports made about this cache */
} slab_cache_t;

typedef struct {
	size_t objects_in_use;
	size_t slabs;
	size_t pages;
	uint64_t allocs; /* successful slab_cache_alloc calls */
	uint64_t frees;  /* successful slab_cache_free calls */
	uint64_t errors; /* reports made */
	size_t object_size;
	size_t stride;
	unsigned order;
	unsigned objects_per_slab;
} slab_stats_t;

/*
 * Sets up cache for objects of object_size bytes, each aligned to align (a
 * power of two up to PAGE_SIZE; 0 means 8), with pages from *source (copied).
 * flags: SLAB_DEBUG or 0. name must outlive the cache. Takes no pages yet.
 * Returns RAE_OK, or RAE_ERR_INVALID for a zero size, a bad alignment, a NULL
 * source callback or an object too large for a 2^SLAB_ORDER_MAX-page slab.
 */
rae_status_t slab_cache_init(slab_cache_t *cache, const char *name, size_t object_size,
			     size_t align, const slab_page_source_t *source, unsigned flags);

/*
 * Returns a free object, or NULL when the source is out of pages. site is the
 * caller's address, recorded with SLAB_DEBUG (pass
 * __builtin_return_address(0)). With SLAB_DEBUG a free object's poison is
 * checked first (SLAB_ERR_USE_AFTER_FREE) and the object comes back still
 * filled with SLAB_POISON_FREE; it is never zeroed.
 */
void *slab_cache_alloc(slab_cache_t *cache, uintptr_t site);

/*
 * Returns obj to cache; NULL is ignored. A pointer that is not the start of an
 * object of this cache (SLAB_ERR_BAD_POINTER) or an object already free
 * (SLAB_ERR_DOUBLE_FREE) is reported and nothing changes; both checks are
 * made in every mode. With SLAB_DEBUG, damaged red zones are reported
 * (SLAB_ERR_OVERRUN, SLAB_ERR_UNDERRUN), repaired, and the object is freed.
 * A slab left empty goes back to the source unless it is the one kept.
 */
void slab_cache_free(slab_cache_t *cache, void *obj, uintptr_t site);

/*
 * Reports every object still allocated (SLAB_ERR_LEAK), gives every page back
 * to the source and leaves the cache empty; it must be initialized again
 * before reuse. Returns the number of leaked objects.
 */
size_t slab_cache_destroy(slab_cache_t *cache);

/* Copies the cache's counters and geometry into *out. Cannot fail. */
void slab_cache_stats(const slab_cache_t *cache, slab_stats_t *out);

/*
 * The cache whose slab holds addr, decoded from addr's owner word (one
 * page_owner call on source), or NULL when addr is in no slab of the source.
 * addr need not be an object start.
 */
slab_cache_t *slab_cache_of(const slab_page_source_t *source, const void *addr);

/* Installs the error hook for all caches; NULL drops reports. Set it before
 * caches are used (it is read without a lock). */
void slab_set_report(slab_report_fn fn);

/* Sends a report to the hook; for layers built on the slab (kmalloc). */
void slab_report(slab_error_t err, const char *cache, const void *obj, uintptr_t alloc_site,
		 uintptr_t free_site);

#endif
