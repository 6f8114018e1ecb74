/* Binary buddy allocator over one zone of page frames: blocks of 2^order
 * pages, naturally aligned on absolute frame numbers, split and coalesced. */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include <stddef.h>
#include <stdint.h>

#include <mm/page.h>
#include <rae/status.h>

/* Orders 0..10: blocks of 4 KiB up to 4 MiB. */
#define BUDDY_ORDERS 11

/*
 * One zone. Pure data structure with no lock of its own: whoever owns the zone
 * serializes every call on it (the physical memory manager holds its lock).
 * Fields are read-only outside buddy.c.
 */
typedef struct buddy_zone {
	const char *name;
	uint64_t base_pfn;   /* frame number of pages[0] */
	uint64_t page_count; /* entries in pages[] */
	page_t *pages;       /* caller-provided, page_count entries */
	/* Heads of the free lists, one per order, NULL when empty; the lists
	 * are doubly linked through page_t.link (see buddy_free_next). */
	page_t *free_list[BUDDY_ORDERS];
	uint64_t free_blocks[BUDDY_ORDERS]; /* length of each free list */
	uint64_t free_pages;                /* pages in all free blocks */
	uint64_t managed_pages;             /* pages ever released: free + allocated */
	uint64_t allocs;                    /* successful buddy_alloc calls */
	uint64_t frees;                     /* successful buddy_free calls */
	uint64_t alloc_failures;            /* buddy_alloc calls that found nothing */
} buddy_zone_t;

/* Zones are at most this many pages (16 TiB): links are 32-bit indexes. */
#define BUDDY_MAX_ZONE_PAGES ((uint64_t)PAGE_NO_LINK)

/* The free block after / before p in its free list, or NULL. */
static inline page_t *buddy_free_next(const buddy_zone_t *z, const page_t *p)
{
	return p->link.next == PAGE_NO_LINK ? NULL : &z->pages[p->link.next];
}

static inline page_t *buddy_free_prev(const buddy_zone_t *z, const page_t *p)
{
	return p->link.prev == PAGE_NO_LINK ? NULL : &z->pages[p->link.prev];
}

/* A snapshot of a zone's counters. */
typedef struct {
	uint64_t free_pages;
	uint64_t managed_pages;
	uint64_t free_blocks[BUDDY_ORDERS];
	uint64_t allocs;
	uint64_t frees;
	uint64_t alloc_failures;
	int largest_free_order; /* -1 when nothing is free */
} buddy_stats_t;

/*
 * Sets up zone z over frames [base_pfn, base_pfn + page_count) described by
 * pages[0 .. page_count). Every page starts PAGE_RESERVED; nothing can be
 * allocated until buddy_zone_release hands pages over. name must outlive the
 * zone; page_count is at most BUDDY_MAX_ZONE_PAGES (more is cut to that).
 * Cannot fail.
 */
void buddy_zone_init(buddy_zone_t *z, const char *name, uint64_t base_pfn, uint64_t page_count,
		     page_t *pages);

/*
 * Hands frames [pfn, pfn + count) to the allocator as free, merging them with
 * free neighbours. Frames outside the zone and frames that are not
 * PAGE_RESERVED (already free or allocated) are skipped, so overlapping or
 * repeated ranges are harmless. Returns how many pages were released.
 */
uint64_t buddy_zone_release(buddy_zone_t *z, uint64_t pfn, uint64_t count);

/*
 * Allocates a block of 2^order pages; on success stores the frame number of
 * its first page (a multiple of 2^order) in *pfn. The block's pages are
 * PAGE_ALLOCATED (first) and PAGE_ALLOCATED_TAIL, with owner 0.
 * Returns RAE_OK, RAE_ERR_NO_MEMORY when no free block is large enough, or
 * RAE_ERR_INVALID for order >= BUDDY_ORDERS or a NULL pfn; on failure the zone
 * and *pfn are unchanged.
 */
rae_status_t buddy_alloc(buddy_zone_t *z, unsigned order, uint64_t *pfn);

/*
 * Frees the block of 2^order pages starting at pfn, as returned by
 * buddy_alloc, and merges it with its free buddies. Returns RAE_OK, or
 * RAE_ERR_INVALID when pfn is outside the zone, is not the first page of an
 * allocated block, order is not that block's order, or the block is already
 * free (double free); on failure nothing is changed.
 */
rae_status_t buddy_free(buddy_zone_t *z, uint64_t pfn, unsigned order);

/* The page_t of frame pfn, or NULL when pfn lies outside the zone. */
page_t *buddy_page(buddy_zone_t *z, uint64_t pfn);

/* Copies the zone's counters into *out. Cannot fail. */
void buddy_zone_stats(const buddy_zone_t *z, buddy_stats_t *out);

#endif
