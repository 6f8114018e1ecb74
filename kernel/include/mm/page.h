/* The page frame database entry: one page_t per 4 KiB frame of RAM, owned by
 * the buddy allocator while free and lent to the layer above while allocated. */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <stdint.h>

#include <compiler.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)

/* page_t.state. Every page of a block other than its first is a tail page. */
#define PAGE_RESERVED       0 /* never handed out (firmware, kernel image, holes) */
#define PAGE_FREE           1 /* first page of a free buddy block; order valid */
#define PAGE_FREE_TAIL      2 /* inside a free block */
#define PAGE_ALLOCATED      3 /* first page of an allocated block; order valid */
#define PAGE_ALLOCATED_TAIL 4 /* inside an allocated block */

/* While a page heads a free block it needs its free-list links; while it is
 * allocated, its owner word; never both, so they share the first 8 bytes. */
typedef struct page {
	union {
		/* The buddy allocator's free-list links (PAGE_FREE only), as
		 * indexes into the zone's page array; PAGE_NO_LINK ends a list. */
		struct {
			uint32_t next, prev;
		} link;
		/* The allocating layer's word (PAGE_ALLOCATED and
		 * PAGE_ALLOCATED_TAIL only); 0 when the buddy allocator hands the
		 * block out. The slab and kmalloc keep their bookkeeping here. */
		uintptr_t owner;
	};
	uint8_t state;
	uint8_t order; /* log2 of the block's pages; valid on PAGE_FREE and PAGE_ALLOCATED */
	/* What the block is for (RAE_MEM_*, rae/process.h): set by pmm on
	 * PAGE_ALLOCATED heads and on every PAGE_RESERVED page of RAM, so the
	 * free knows which count to take it from. */
	uint8_t use;
} page_t;

#define PAGE_NO_LINK UINT32_MAX

/* 16 bytes of overhead per 4 KiB of RAM (0.4 %: 72 MiB of a 16 GiB
 * machine); grow it only with reason. */
STATIC_ASSERT(sizeof(page_t) <= 16, "page_t must stay small");

#endif
