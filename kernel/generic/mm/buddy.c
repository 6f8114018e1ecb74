/* Binary buddy allocator over one zone of page frames (see mm/buddy.h). The
 * caller serializes all calls on a zone; nothing here touches hardware. */
#include <mm/buddy.h>

#include <stdbool.h>
#include <stddef.h>

#include <compiler.h>

/* Index of frame pfn in z->pages; the caller has checked it is in the zone. */
static inline page_t *buddy_page_at(buddy_zone_t *z, uint64_t pfn)
{
	return &z->pages[pfn - z->base_pfn];
}

static inline bool buddy_pfn_in_zone(const buddy_zone_t *z, uint64_t pfn)
{
	return pfn >= z->base_pfn && pfn - z->base_pfn < z->page_count;
}

static inline uint32_t buddy_index(const buddy_zone_t *z, const page_t *page)
{
	return (uint32_t)(page - z->pages);
}

static void buddy_list_push(buddy_zone_t *z, page_t *page, unsigned order)
{
	page_t *head = z->free_list[order];

	page->link.prev = PAGE_NO_LINK;
	page->link.next = head != NULL ? buddy_index(z, head) : PAGE_NO_LINK;
	if (head != NULL)
		head->link.prev = buddy_index(z, page);
	z->free_list[order] = page;
	z->free_blocks[order]++;
}

static void buddy_list_remove(buddy_zone_t *z, page_t *page, unsigned order)
{
	page_t *prev = buddy_free_prev(z, page), *next = buddy_free_next(z, page);

	if (prev != NULL)
		prev->link.next = page->link.next;
	else
		z->free_list[order] = next;
	if (next != NULL)
		next->link.prev = page->link.prev;
	page->owner = 0;
	z->free_blocks[order]--;
}

/* Sets the state of every page of a block but its first. */
static void buddy_tails_mark(buddy_zone_t *z, uint64_t pfn, unsigned order, uint8_t state)
{
	page_t *page = buddy_page_at(z, pfn);
	uint64_t n = 1ull << order;

	for (uint64_t i = 1; i < n; i++) {
		page[i].state = state;
		page[i].order = 0;
	}
}

/*
 * Puts the block [pfn, pfn + 2^order), whose pages are in no free list and
 * not free, into the free lists, merging it with its buddy for as long as that
 * buddy is a free block of the same order lying inside the zone.
 */
static void buddy_block_insert(buddy_zone_t *z, uint64_t pfn, unsigned order)
{
	page_t *head;

	buddy_tails_mark(z, pfn, order, PAGE_FREE_TAIL);
	while (order + 1 < BUDDY_ORDERS) {
		uint64_t buddy_pfn = pfn ^ (1ull << order);
		page_t *buddy;

		/* A free block of this order at the buddy's frame lies wholly
		 * inside the zone, because blocks are only ever made so. */
		if (!buddy_pfn_in_zone(z, buddy_pfn))
			break;
		buddy = buddy_page_at(z, buddy_pfn);
		if (buddy->state != PAGE_FREE || buddy->order != order)
			break;
		buddy_list_remove(z, buddy, order);
		buddy->state = PAGE_FREE_TAIL;
		buddy->order = 0;
		if (buddy_pfn < pfn) {
			buddy_page_at(z, pfn)->state = PAGE_FREE_TAIL;
			buddy_page_at(z, pfn)->order = 0;
			pfn = buddy_pfn;
		}
		order++;
	}
	head = buddy_page_at(z, pfn);
	head->state = PAGE_FREE;
	head->order = (uint8_t)order;
	buddy_list_push(z, head, order);
}

void buddy_zone_init(buddy_zone_t *z, const char *name, uint64_t base_pfn, uint64_t page_count,
		     page_t *pages)
{
	if (page_count > BUDDY_MAX_ZONE_PAGES)
		page_count = BUDDY_MAX_ZONE_PAGES;
	z->name = name;
	z->base_pfn = base_pfn;
	z->page_count = page_count;
	z->pages = pages;
	for (unsigned o = 0; o < BUDDY_ORDERS; o++) {
		z->free_list[o] = NULL;
		z->free_blocks[o] = 0;
	}
	z->free_pages = 0;
	z->managed_pages = 0;
	z->allocs = 0;
	z->frees = 0;
	z->alloc_failures = 0;
	for (uint64_t i = 0; i < page_count; i++) {
		pages[i].owner = 0;
		pages[i].state = PAGE_RESERVED;
		pages[i].order = 0;
	}
}

/* The largest order whose naturally aligned block at pfn ends by end. */
static unsigned buddy_fit_order(uint64_t pfn, uint64_t end)
{
	unsigned order = 0;

	while (order + 1 < BUDDY_ORDERS) {
		uint64_t size = 1ull << (order + 1);

		if ((pfn & (size - 1)) != 0 || end - pfn < size)
			break;
		order++;
	}
	return order;
}

uint64_t buddy_zone_release(buddy_zone_t *z, uint64_t pfn, uint64_t count)
{
	uint64_t zone_end = z->base_pfn + z->page_count;
	uint64_t end = count > UINT64_MAX - pfn ? UINT64_MAX : pfn + count;
	uint64_t released = 0;

	if (pfn < z->base_pfn)
		pfn = z->base_pfn;
	if (end > zone_end)
		end = zone_end;
	/* Each run of reserved pages is cut into the largest aligned blocks that
	 * fit, so releasing all of RAM costs O(pages), not O(pages * orders). */
	while (pfn < end) {
		uint64_t run_end = pfn;

		while (run_end < end && buddy_page_at(z, run_end)->state == PAGE_RESERVED)
			run_end++;
		while (pfn < run_end) {
			unsigned order = buddy_fit_order(pfn, run_end);

			buddy_block_insert(z, pfn, order);
			pfn += 1ull << order;
			released += 1ull << order;
		}
		/* Skip the page that ended the run (free or allocated). */
		if (pfn < end)
			pfn++;
	}
	z->free_pages += released;
	z->managed_pages += released;
	return released;
}

rae_status_t buddy_alloc(buddy_zone_t *z, unsigned order, uint64_t *pfn)
{
	unsigned found = order;
	page_t *head;
	uint64_t head_pfn;
	uint64_t n;

	if (unlikely(order >= BUDDY_ORDERS || pfn == NULL))
		return RAE_ERR_INVALID;
	while (found < BUDDY_ORDERS && z->free_list[found] == NULL)
		found++;
	if (unlikely(found == BUDDY_ORDERS)) {
		z->alloc_failures++;
		return RAE_ERR_NO_MEMORY;
	}
	head = z->free_list[found];
	buddy_list_remove(z, head, found);
	head_pfn = z->base_pfn + (uint64_t)(head - z->pages);
	/* Keep the lower half, hand the upper half back; its tails are
	 * already PAGE_FREE_TAIL. */
	while (found > order) {
		page_t *upper;

		found--;
		upper = buddy_page_at(z, head_pfn + (1ull << found));
		upper->state = PAGE_FREE;
		upper->order = (uint8_t)found;
		buddy_list_push(z, upper, found);
	}
	head->state = PAGE_ALLOCATED;
	head->order = (uint8_t)order;
	head->owner = 0;
	n = 1ull << order;
	for (uint64_t i = 1; i < n; i++) {
		head[i].state = PAGE_ALLOCATED_TAIL;
		head[i].owner = 0;
	}
	z->free_pages -= n;
	z->allocs++;
	*pfn = head_pfn;
	return RAE_OK;
}

rae_status_t buddy_free(buddy_zone_t *z, uint64_t pfn, unsigned order)
{
	page_t *head;

	if (unlikely(order >= BUDDY_ORDERS || !buddy_pfn_in_zone(z, pfn)))
		return RAE_ERR_INVALID;
	head = buddy_page_at(z, pfn);
	/* Free, tail and reserved pages all fail here, which is what rejects
	 * double frees and pointers into the middle of a block. */
	if (unlikely(head->state != PAGE_ALLOCATED || head->order != order))
		return RAE_ERR_INVALID;
	buddy_block_insert(z, pfn, order);
	z->free_pages += 1ull << order;
	z->frees++;
	return RAE_OK;
}

page_t *buddy_page(buddy_zone_t *z, uint64_t pfn)
{
	if (!buddy_pfn_in_zone(z, pfn))
		return NULL;
	return buddy_page_at(z, pfn);
}

void buddy_zone_stats(const buddy_zone_t *z, buddy_stats_t *out)
{
	out->free_pages = z->free_pages;
	out->managed_pages = z->managed_pages;
	out->largest_free_order = -1;
	for (unsigned o = 0; o < BUDDY_ORDERS; o++) {
		out->free_blocks[o] = z->free_blocks[o];
		if (z->free_blocks[o] != 0)
			out->largest_free_order = (int)o;
	}
	out->allocs = z->allocs;
	out->frees = z->frees;
	out->alloc_failures = z->alloc_failures;
}
