/* Host tests for the buddy allocator: fixed cases for splitting, coalescing,
 * exhaustion and bad frees, and long seeded random runs checked against a
 * bitmap model of which frames are allocated. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mm/buddy.h>

#define MAX_ORDER (BUDDY_ORDERS - 1)

/* A zone with its page array and a model of what the test has allocated. */
typedef struct {
	buddy_zone_t z;
	page_t *pages;
	uint8_t *model;    /* per page: 1 if inside a block the test holds */
	uint8_t *released; /* per page: 1 if the test released it to the zone */
	uint64_t *blk_pfn; /* blocks the test holds, unordered */
	unsigned *blk_order;
	size_t nblk;
	size_t cap;
	uint64_t held_pages;
} zone_fixture_t;

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static zone_fixture_t *fixture_new(uint64_t base, uint64_t count)
{
	zone_fixture_t *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pages = malloc(count * sizeof(page_t));
	f->model = calloc(count, 1);
	f->released = calloc(count, 1);
	f->cap = count;
	f->blk_pfn = calloc(count, sizeof(uint64_t));
	f->blk_order = calloc(count, sizeof(unsigned));
	assert_true(f->pages && f->model && f->released && f->blk_pfn && f->blk_order);
	/* Garbage in the array must not matter: init sets every entry. */
	memset(f->pages, 0xa5, count * sizeof(page_t));
	buddy_zone_init(&f->z, "test", base, count, f->pages);
	return f;
}

static void fixture_free(zone_fixture_t *f)
{
	free(f->pages);
	free(f->model);
	free(f->released);
	free(f->blk_pfn);
	free(f->blk_order);
	free(f);
}

static uint64_t fixture_release(zone_fixture_t *f, uint64_t pfn, uint64_t count)
{
	uint64_t n = buddy_zone_release(&f->z, pfn, count);

	for (uint64_t p = pfn; p - pfn < count; p++) {
		if (p >= f->z.base_pfn && p - f->z.base_pfn < f->z.page_count)
			f->released[p - f->z.base_pfn] = 1;
	}
	return n;
}

/* Allocates through the zone and checks the block against the model. */
static rae_status_t fixture_alloc(zone_fixture_t *f, unsigned order)
{
	const buddy_zone_t *z = &f->z;
	uint64_t before = z->free_pages;
	uint64_t pfn = 0xdeadbeef;
	uint64_t n = 1ull << order;
	rae_status_t s = buddy_alloc(&f->z, order, &pfn);
	page_t *head;

	if (s != RAE_OK) {
		assert_int_equal(s, RAE_ERR_NO_MEMORY);
		assert_int_equal(pfn, 0xdeadbeef);
		assert_int_equal(z->free_pages, before);
		return s;
	}
	assert_int_equal(pfn % n, 0);
	assert_true(pfn >= z->base_pfn);
	assert_true(pfn + n <= z->base_pfn + z->page_count);
	assert_int_equal(z->free_pages, before - n);
	head = buddy_page(&f->z, pfn);
	assert_non_null(head);
	assert_int_equal(head->state, PAGE_ALLOCATED);
	assert_int_equal(head->order, order);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t idx = pfn - z->base_pfn + i;

		assert_int_equal(f->model[idx], 0);
		assert_int_equal(f->released[idx], 1);
		assert_int_equal(f->pages[idx].owner, 0);
		if (i > 0)
			assert_int_equal(f->pages[idx].state, PAGE_ALLOCATED_TAIL);
		f->model[idx] = 1;
	}
	f->blk_pfn[f->nblk] = pfn;
	f->blk_order[f->nblk] = order;
	f->nblk++;
	f->held_pages += n;
	return RAE_OK;
}

static void fixture_free_block(zone_fixture_t *f, size_t i)
{
	uint64_t pfn = f->blk_pfn[i];
	unsigned order = f->blk_order[i];
	uint64_t n = 1ull << order;
	uint64_t before = f->z.free_pages;

	assert_int_equal(buddy_free(&f->z, pfn, order), RAE_OK);
	assert_int_equal(f->z.free_pages, before + n);
	for (uint64_t k = 0; k < n; k++)
		f->model[pfn - f->z.base_pfn + k] = 0;
	f->held_pages -= n;
	f->nblk--;
	f->blk_pfn[i] = f->blk_pfn[f->nblk];
	f->blk_order[i] = f->blk_order[f->nblk];
}

static void fixture_free_all(zone_fixture_t *f)
{
	while (f->nblk > 0)
		fixture_free_block(f, f->nblk - 1);
}

/*
 * Checks every invariant of the zone against the model: free lists well
 * linked, counted and naturally aligned inside the zone; no free page held by
 * the test; every released page free or held; fully coalesced (no free block
 * has a free buddy of its own order).
 */
static void fixture_check(zone_fixture_t *f)
{
	const buddy_zone_t *z = &f->z;
	uint8_t *seen = calloc(z->page_count, 1);
	uint64_t free_total = 0;

	assert_non_null(seen);
	for (unsigned o = 0; o < BUDDY_ORDERS; o++) {
		uint64_t len = 0;
		const page_t *prev = NULL;

		for (const page_t *p = z->free_list[o]; p != NULL; p = buddy_free_next(z, p)) {
			uint64_t idx = (uint64_t)(p - z->pages);
			uint64_t pfn = z->base_pfn + idx;
			uint64_t n = 1ull << o;

			assert_true(idx < z->page_count);
			assert_ptr_equal(buddy_free_prev(z, p), prev);
			assert_int_equal(p->state, PAGE_FREE);
			assert_int_equal(p->order, o);
			assert_int_equal(pfn % n, 0);
			assert_true(idx + n <= z->page_count);
			for (uint64_t k = 0; k < n; k++) {
				assert_int_equal(seen[idx + k], 0);
				assert_int_equal(f->model[idx + k], 0);
				assert_int_equal(f->released[idx + k], 1);
				if (k > 0)
					assert_int_equal(z->pages[idx + k].state, PAGE_FREE_TAIL);
				seen[idx + k] = 1;
			}
			if (o < MAX_ORDER) {
				uint64_t buddy = pfn ^ n;

				if (buddy >= z->base_pfn && buddy - z->base_pfn < z->page_count) {
					const page_t *b = &z->pages[buddy - z->base_pfn];

					assert_false(b->state == PAGE_FREE && b->order == o);
				}
			}
			free_total += n;
			len++;
			prev = p;
		}
		assert_int_equal(len, z->free_blocks[o]);
	}
	assert_int_equal(free_total, z->free_pages);
	assert_int_equal(z->free_pages + f->held_pages, z->managed_pages);
	for (uint64_t i = 0; i < z->page_count; i++) {
		if (!f->released[i])
			assert_int_equal(z->pages[i].state, PAGE_RESERVED);
		else if (f->model[i])
			assert_true(z->pages[i].state == PAGE_ALLOCATED ||
				    z->pages[i].state == PAGE_ALLOCATED_TAIL);
		else
			assert_int_equal(seen[i], 1);
	}
	for (size_t b = 0; b < f->nblk; b++) {
		const page_t *h = &z->pages[f->blk_pfn[b] - z->base_pfn];

		assert_int_equal(h->state, PAGE_ALLOCATED);
		assert_int_equal(h->order, f->blk_order[b]);
	}
	free(seen);
}

/* Whether the model has a fully free, released, aligned block of this order. */
static bool fixture_model_fits(const zone_fixture_t *f, unsigned order)
{
	const buddy_zone_t *z = &f->z;
	uint64_t n = 1ull << order;
	uint64_t first = (z->base_pfn + n - 1) & ~(n - 1);

	for (uint64_t pfn = first; pfn + n <= z->base_pfn + z->page_count; pfn += n) {
		uint64_t idx = pfn - z->base_pfn;
		uint64_t k;

		for (k = 0; k < n; k++) {
			if (f->model[idx + k] || !f->released[idx + k])
				break;
		}
		if (k == n)
			return true;
	}
	return false;
}

/* Per-order block counts of [start, end) cut greedily into maximal aligned blocks. */
static void expected_blocks(uint64_t start, uint64_t end, uint64_t counts[BUDDY_ORDERS])
{
	while (start < end) {
		unsigned o = MAX_ORDER;

		while ((start & ((1ull << o) - 1)) != 0 || end - start < (1ull << o))
			o--;
		counts[o]++;
		start += 1ull << o;
	}
}

typedef struct {
	buddy_zone_t z;
	page_t *pages;
	uint64_t count;
} zone_snapshot_t;

static zone_snapshot_t snapshot_take(const zone_fixture_t *f)
{
	zone_snapshot_t s = {.z = f->z, .count = f->z.page_count};

	s.pages = malloc(s.count * sizeof(page_t));
	assert_non_null(s.pages);
	memcpy(s.pages, f->pages, s.count * sizeof(page_t));
	return s;
}

/* Fails unless the zone, its page array included, is bit-for-bit unchanged. */
static void snapshot_check_and_free(zone_snapshot_t *s, const zone_fixture_t *f)
{
	assert_memory_equal(&s->z, &f->z, sizeof(buddy_zone_t));
	assert_memory_equal(s->pages, f->pages, s->count * sizeof(page_t));
	free(s->pages);
}

static void test_buddy_init_all_reserved(void **state)
{
	zone_fixture_t *f = fixture_new(100, 50);
	uint64_t pfn = 7;
	buddy_stats_t st;

	(void)state;
	for (uint64_t i = 0; i < 50; i++) {
		assert_int_equal(f->pages[i].state, PAGE_RESERVED);
		assert_int_equal(f->pages[i].owner, 0);
	}
	buddy_zone_stats(&f->z, &st);
	assert_int_equal(st.free_pages, 0);
	assert_int_equal(st.managed_pages, 0);
	assert_int_equal(st.largest_free_order, -1);
	assert_int_equal(buddy_alloc(&f->z, 0, &pfn), RAE_ERR_NO_MEMORY);
	assert_int_equal(pfn, 7);
	assert_int_equal(f->z.alloc_failures, 1);
	/* Reserved pages cannot be freed either. */
	assert_int_equal(buddy_free(&f->z, 100, 0), RAE_ERR_INVALID);
	fixture_free(f);
}

static void test_buddy_page_lookup(void **state)
{
	zone_fixture_t *f = fixture_new(1000, 10);

	(void)state;
	assert_ptr_equal(buddy_page(&f->z, 1000), &f->pages[0]);
	assert_ptr_equal(buddy_page(&f->z, 1009), &f->pages[9]);
	assert_null(buddy_page(&f->z, 999));
	assert_null(buddy_page(&f->z, 1010));
	assert_null(buddy_page(&f->z, 0));
	assert_null(buddy_page(&f->z, UINT64_MAX));
	fixture_free(f);
}

static void test_buddy_release_aligned_zone(void **state)
{
	zone_fixture_t *f = fixture_new(0x40000, 4096);
	buddy_stats_t st;

	(void)state;
	assert_int_equal(fixture_release(f, 0x40000, 4096), 4096);
	buddy_zone_stats(&f->z, &st);
	assert_int_equal(st.free_pages, 4096);
	assert_int_equal(st.managed_pages, 4096);
	assert_int_equal(st.largest_free_order, MAX_ORDER);
	for (unsigned o = 0; o < MAX_ORDER; o++)
		assert_int_equal(st.free_blocks[o], 0);
	assert_int_equal(st.free_blocks[MAX_ORDER], 4);
	/* Already free: nothing more to release, and nothing changes. */
	assert_int_equal(buddy_zone_release(&f->z, 0x40000, 4096), 0);
	assert_int_equal(buddy_zone_release(&f->z, 0x40010, 1), 0);
	assert_int_equal(f->z.managed_pages, 4096);
	fixture_check(f);
	fixture_free(f);
}

static void test_buddy_release_clips_to_zone(void **state)
{
	zone_fixture_t *f = fixture_new(1024, 1024);

	(void)state;
	/* Ranges hanging over either end, wholly outside, and one that would
	 * wrap around the top of the frame numbers. */
	assert_int_equal(fixture_release(f, 0, 1034), 10);
	assert_int_equal(fixture_release(f, 2040, 100), 8);
	assert_int_equal(fixture_release(f, 4096, 4096), 0);
	assert_int_equal(fixture_release(f, 0, 1024), 0);
	assert_int_equal(f->z.free_pages, 18);
	assert_int_equal(buddy_zone_release(&f->z, 1034, UINT64_MAX), 1006);
	memset(f->released, 1, 1024);
	assert_int_equal(f->z.free_pages, 1024);
	assert_int_equal(f->z.free_blocks[MAX_ORDER], 1);
	fixture_check(f);
	fixture_free(f);
}

static void test_buddy_alloc_every_order(void **state)
{
	zone_fixture_t *f = fixture_new(0, 2048);
	buddy_stats_t initial;
	buddy_stats_t now;

	(void)state;
	fixture_release(f, 0, 2048);
	buddy_zone_stats(&f->z, &initial);
	for (unsigned o = 0; o <= MAX_ORDER; o++) {
		assert_int_equal(fixture_alloc(f, o), RAE_OK);
		fixture_check(f);
	}
	/* 2047 pages are held; what is left is one page. */
	assert_int_equal(f->z.free_pages, 1);
	assert_int_equal(fixture_alloc(f, 1), RAE_ERR_NO_MEMORY);
	assert_int_equal(fixture_alloc(f, 0), RAE_OK);
	fixture_check(f);
	/* The user scribbles on its owner words; the next user must see 0. */
	for (size_t i = 0; i < 2048; i++)
		f->pages[i].owner = 0x1234;
	fixture_free_all(f);
	fixture_check(f);
	buddy_zone_stats(&f->z, &now);
	assert_memory_equal(now.free_blocks, initial.free_blocks, sizeof(now.free_blocks));
	assert_int_equal(now.allocs, 12);
	assert_int_equal(now.frees, 12);
	assert_int_equal(now.alloc_failures, 1);
	assert_int_equal(fixture_alloc(f, MAX_ORDER), RAE_OK);
	while (fixture_alloc(f, 0) == RAE_OK)
		;
	assert_int_equal(f->held_pages, 2048);
	fixture_free(f);
}

static void test_buddy_split_and_coalesce(void **state)
{
	zone_fixture_t *f = fixture_new(0x1000, 1024);
	uint64_t a, b;

	(void)state;
	fixture_release(f, 0x1000, 1024);
	assert_int_equal(buddy_alloc(&f->z, 0, &a), RAE_OK);
	/* Splitting one order-10 block leaves one free block of each lower order. */
	for (unsigned o = 0; o < MAX_ORDER; o++)
		assert_int_equal(f->z.free_blocks[o], 1);
	assert_int_equal(f->z.free_blocks[MAX_ORDER], 0);
	assert_int_equal(buddy_alloc(&f->z, 0, &b), RAE_OK);
	assert_int_equal(b, a ^ 1);
	assert_int_equal(f->z.free_blocks[0], 0);
	/* Freeing one page cannot merge while its buddy is held. */
	assert_int_equal(buddy_free(&f->z, a, 0), RAE_OK);
	assert_int_equal(f->z.free_blocks[0], 1);
	assert_int_equal(f->z.free_blocks[MAX_ORDER], 0);
	assert_int_equal(buddy_free(&f->z, b, 0), RAE_OK);
	for (unsigned o = 0; o < MAX_ORDER; o++)
		assert_int_equal(f->z.free_blocks[o], 0);
	assert_int_equal(f->z.free_blocks[MAX_ORDER], 1);
	assert_int_equal(f->pages[0].state, PAGE_FREE);
	assert_int_equal(f->pages[0].order, MAX_ORDER);
	for (unsigned i = 1; i < 1024; i++)
		assert_int_equal(f->pages[i].state, PAGE_FREE_TAIL);
	fixture_free(f);
}

static void test_buddy_exhaustion(void **state)
{
	zone_fixture_t *f = fixture_new(0x2001, 3000);
	buddy_stats_t initial;
	buddy_stats_t now;
	uint64_t managed;
	size_t got = 0;

	(void)state;
	managed = fixture_release(f, 0x2001, 3000);
	assert_int_equal(managed, 3000);
	buddy_zone_stats(&f->z, &initial);
	while (fixture_alloc(f, 0) == RAE_OK)
		got++;
	/* Every page came out exactly once (fixture_alloc checks overlap). */
	assert_int_equal(got, managed);
	assert_int_equal(f->z.free_pages, 0);
	for (unsigned o = 0; o < BUDDY_ORDERS; o++) {
		zone_snapshot_t snap = snapshot_take(f);
		uint64_t pfn = 42;

		snap.z.alloc_failures++;
		assert_int_equal(buddy_alloc(&f->z, o, &pfn), RAE_ERR_NO_MEMORY);
		assert_int_equal(pfn, 42);
		snapshot_check_and_free(&snap, f);
	}
	fixture_check(f);
	/* Free every other page: plenty free, but no order-1 block. */
	for (size_t i = f->nblk; i-- > 0;) {
		if (f->blk_pfn[i] % 2 == 0)
			fixture_free_block(f, i);
	}
	fixture_check(f);
	assert_true(f->z.free_pages >= 1400);
	assert_int_equal(fixture_alloc(f, 1), RAE_ERR_NO_MEMORY);
	fixture_free_all(f);
	fixture_check(f);
	buddy_zone_stats(&f->z, &now);
	assert_memory_equal(now.free_blocks, initial.free_blocks, sizeof(now.free_blocks));
	assert_int_equal(now.free_pages, 3000);
	fixture_free(f);
}

static void test_buddy_invalid_free(void **state)
{
	zone_fixture_t *f = fixture_new(0x800, 2048);
	uint64_t a, b;

	(void)state;
	/* Leave a reserved hole at 0x900..0x90f. */
	fixture_release(f, 0x800, 0x100);
	fixture_release(f, 0x910, 2048 - 0x110);
	assert_int_equal(fixture_alloc(f, 3), RAE_OK);
	a = f->blk_pfn[0];
	assert_int_equal(fixture_alloc(f, 0), RAE_OK);
	b = f->blk_pfn[1];

	const struct {
		uint64_t pfn;
		unsigned order;
	} bad[] = {
	    {0x7ff, 0},        /* below the zone */
	    {0x800 + 2048, 0}, /* above the zone */
	    {UINT64_MAX, 0},   /* far outside */
	    {a, 2},            /* wrong order, smaller */
	    {a, 4},            /* wrong order, larger */
	    {a + 1, 0},        /* a tail page */
	    {a + 4, 2},        /* the middle of a block */
	    {a, BUDDY_ORDERS}, /* order out of range */
	    {b, 99},           /* order far out of range */
	    {0x900, 0},        /* a reserved page */
	    {0x908, 3},        /* a reserved range */
	    {0xc00, 0},        /* the head of a free block */
	    {0xc01, 0},        /* inside a free block */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		zone_snapshot_t snap = snapshot_take(f);

		assert_int_equal(buddy_free(&f->z, bad[i].pfn, bad[i].order), RAE_ERR_INVALID);
		snapshot_check_and_free(&snap, f);
	}
	/* A real free, then the same free again. */
	fixture_free_block(f, 1);
	{
		zone_snapshot_t snap = snapshot_take(f);

		assert_int_equal(buddy_free(&f->z, b, 0), RAE_ERR_INVALID);
		snapshot_check_and_free(&snap, f);
	}
	/* A double free after the block merged into a larger one. */
	fixture_free_block(f, 0);
	{
		zone_snapshot_t snap = snapshot_take(f);

		assert_int_equal(buddy_free(&f->z, a, 3), RAE_ERR_INVALID);
		snapshot_check_and_free(&snap, f);
	}
	fixture_free(f);
}

static void test_buddy_invalid_alloc(void **state)
{
	zone_fixture_t *f = fixture_new(0, 1024);
	uint64_t pfn = 5;

	(void)state;
	fixture_release(f, 0, 1024);
	zone_snapshot_t snap = snapshot_take(f);

	assert_int_equal(buddy_alloc(&f->z, BUDDY_ORDERS, &pfn), RAE_ERR_INVALID);
	assert_int_equal(buddy_alloc(&f->z, 1000, &pfn), RAE_ERR_INVALID);
	assert_int_equal(buddy_alloc(&f->z, 0, NULL), RAE_ERR_INVALID);
	assert_int_equal(pfn, 5);
	snapshot_check_and_free(&snap, f);
	fixture_free(f);
}

static void test_buddy_unaligned_base_odd_count(void **state)
{
	static const struct {
		uint64_t base, count;
	} zones[] = {
	    {0x12345, 5003}, {1, 1}, {3, 2}, {1023, 2}, {0x3ff, 1 + 1024 + 3}, {0xfff01, 4097},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		zone_fixture_t *f = fixture_new(zones[i].base, zones[i].count);
		uint64_t expect[BUDDY_ORDERS] = {0};

		assert_int_equal(fixture_release(f, zones[i].base, zones[i].count), zones[i].count);
		expected_blocks(zones[i].base, zones[i].base + zones[i].count, expect);
		assert_memory_equal(f->z.free_blocks, expect, sizeof(expect));
		fixture_check(f);
		/* Take it all in random orders, then give it all back. */
		for (unsigned o = MAX_ORDER + 1; o-- > 0;) {
			while (fixture_alloc(f, o) == RAE_OK)
				;
			assert_false(fixture_model_fits(f, o));
		}
		assert_int_equal(f->z.free_pages, 0);
		fixture_check(f);
		fixture_free_all(f);
		assert_memory_equal(f->z.free_blocks, expect, sizeof(expect));
		fixture_check(f);
		fixture_free(f);
	}
}

static void test_buddy_release_with_holes(void **state)
{
	zone_fixture_t *f = fixture_new(0x10000, 8192);
	uint64_t expect[BUDDY_ORDERS] = {0};

	(void)state;
	/* Released in an odd order and in pieces, leaving holes at
	 * [0x10400, 0x10403) and [0x11001, 0x11002) that must stay reserved. */
	fixture_release(f, 0x11002, 0x12000 - 0x11002);
	fixture_release(f, 0x10403, 0x11001 - 0x10403);
	for (uint64_t p = 0x10000; p < 0x10400; p += 3)
		fixture_release(f, p, 3 < 0x10400 - p ? 3 : 0x10400 - p);
	expected_blocks(0x10000, 0x10400, expect);
	expected_blocks(0x10403, 0x11001, expect);
	expected_blocks(0x11002, 0x12000, expect);
	assert_memory_equal(f->z.free_blocks, expect, sizeof(expect));
	fixture_check(f);
	while (fixture_alloc(f, 0) == RAE_OK)
		;
	assert_int_equal(f->held_pages, 8192 - 4);
	assert_int_equal(f->pages[0x400].state, PAGE_RESERVED);
	assert_int_equal(f->pages[0x1001].state, PAGE_RESERVED);
	fixture_free_all(f);
	assert_memory_equal(f->z.free_blocks, expect, sizeof(expect));
	/* Filling a hole later merges across it. */
	assert_int_equal(fixture_release(f, 0x10400, 3), 3);
	assert_int_equal(fixture_release(f, 0x11001, 1), 1);
	memset(expect, 0, sizeof(expect));
	expected_blocks(0x10000, 0x12000, expect);
	assert_memory_equal(f->z.free_blocks, expect, sizeof(expect));
	fixture_check(f);
	fixture_free(f);
}

/* One seeded random run of ops alloc/free calls against the model. */
static void random_run(uint64_t base, uint64_t count, uint64_t seed, unsigned ops)
{
	zone_fixture_t *f = fixture_new(base, count);
	uint64_t expect[BUDDY_ORDERS] = {0};
	unsigned failures = 0;
	unsigned rejected = 0;

	rng_state = seed;
	fixture_release(f, base, count);
	expected_blocks(base, base + count, expect);
	assert_memory_equal(f->z.free_blocks, expect, sizeof(expect));
	for (unsigned op = 0; op < ops; op++) {
		uint64_t r = rng_next();
		bool want_alloc =
		    f->nblk == 0 || (r % 100) < (f->held_pages * 100 < count * 85 ? 60u : 35u);

		if (want_alloc) {
			/* Mostly small orders, sometimes large ones. */
			unsigned order =
			    (unsigned)(__builtin_ctzll(rng_next() | (1ull << MAX_ORDER)));

			if (fixture_alloc(f, order) != RAE_OK) {
				failures++;
				assert_false(fixture_model_fits(f, order));
			}
		} else if ((r >> 32) % 64 == 0) {
			/* A bad free: wrong order, tail, or double free. */
			size_t i = (size_t)(rng_next() % f->nblk);
			uint64_t pfn = f->blk_pfn[i];
			unsigned order = f->blk_order[i];
			uint64_t before = f->z.free_pages;
			rae_status_t s;

			if (order > 0 && rng_next() % 2)
				s = buddy_free(&f->z, pfn + 1, order - 1);
			else
				s = buddy_free(&f->z, pfn, order == MAX_ORDER ? 0 : order + 1);
			assert_int_equal(s, RAE_ERR_INVALID);
			assert_int_equal(f->z.free_pages, before);
			fixture_free_block(f, i);
			before = f->z.free_pages;
			assert_int_equal(buddy_free(&f->z, pfn, order), RAE_ERR_INVALID);
			assert_int_equal(f->z.free_pages, before);
			rejected++;
		} else {
			fixture_free_block(f, (size_t)(rng_next() % f->nblk));
		}
		if (op % 2000 == 0)
			fixture_check(f);
	}
	fixture_check(f);
	/* The run must have hit exhaustion and bad frees, not just easy paths. */
	assert_true(failures > 200);
	assert_true(rejected > 500);
	fixture_free_all(f);
	fixture_check(f);
	assert_memory_equal(f->z.free_blocks, expect, sizeof(expect));
	assert_int_equal(f->z.free_pages, count);
	fixture_free(f);
}

static void test_buddy_random_aligned_zone(void **state)
{
	(void)state;
	random_run(0x100000, 4096, 0x5eed0001, 150000);
}

static void test_buddy_random_unaligned_zone(void **state)
{
	(void)state;
	random_run(0x12345, 5003, 0x5eed0002, 150000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buddy_init_all_reserved),
	    cmocka_unit_test(test_buddy_page_lookup),
	    cmocka_unit_test(test_buddy_release_aligned_zone),
	    cmocka_unit_test(test_buddy_release_clips_to_zone),
	    cmocka_unit_test(test_buddy_alloc_every_order),
	    cmocka_unit_test(test_buddy_split_and_coalesce),
	    cmocka_unit_test(test_buddy_exhaustion),
	    cmocka_unit_test(test_buddy_invalid_free),
	    cmocka_unit_test(test_buddy_invalid_alloc),
	    cmocka_unit_test(test_buddy_unaligned_base_odd_count),
	    cmocka_unit_test(test_buddy_release_with_holes),
	    cmocka_unit_test(test_buddy_random_aligned_zone),
	    cmocka_unit_test(test_buddy_random_unaligned_zone),
	};

	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
