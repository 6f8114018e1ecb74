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

typedef struct page {
	/* Free-list links; the buddy allocator's, and only while the page heads
	 * a free block. */
	struct page *next, *prev;
	uint32_t state;
	uint8_t order; /* log2 of the block's pages; valid on PAGE_FREE and PAGE_ALLOCATED */
	/* The allocating layer's word; 0 when the buddy allocator hands the
	 * block out. The slab and kmalloc keep their bookkeeping here. */
	uintptr_t owner;
} page_t;

/* 32 bytes of overhead per 4 KiB of RAM (0.8 %); grow it only with reason. */
STATIC_ASSERT(sizeof(page_t) <= 32, "page_t must stay small");

#endif
