/* Host tests for slab caches and kmalloc, running on a page source built from
 * the buddy allocator over a host arena: random runs with content checks,
 * every debug report provoked on purpose, and page accounting to the page. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mm/buddy.h>
#include <mm/kmalloc.h>
#include <mm/slab.h>

#define ARENA_ALIGN (PAGE_SIZE << (BUDDY_ORDERS - 1))

/* A page source over a buddy zone covering a host arena; frame numbers are
 * host addresses / PAGE_SIZE, so blocks come out aligned to their size. */
typedef struct {
	buddy_zone_t zone;
	page_t *pages;
	uint8_t *arena;
	size_t arena_pages;
	size_t pages_out; /* pages handed out and not yet given back */
	size_t alloc_calls;
	long fail_after; /* alloc_pages calls left before failing; -1 never fails */
} test_source_t;

static void *source_alloc_pages(void *ctx, unsigned order)
{
	test_source_t *ts = ctx;
	uint64_t pfn;

	ts->alloc_calls++;
	if (ts->fail_after == 0)
		return NULL;
	if (ts->fail_after > 0)
		ts->fail_after--;
	if (buddy_alloc(&ts->zone, order, &pfn) != RAE_OK)
		return NULL;
	ts->pages_out += (size_t)1 << order;
	return (void *)(uintptr_t)(pfn << PAGE_SHIFT);
}

static void source_free_pages(void *ctx, void *addr, unsigned order)
{
	test_source_t *ts = ctx;
	uint64_t pfn = (uintptr_t)addr >> PAGE_SHIFT;

	assert_int_equal((uintptr_t)addr & ((PAGE_SIZE << order) - 1), 0);
	/* Users must hand blocks back with their owner words cleared. */
	for (uint64_t i = 0; i < (1ull << order); i++)
		assert_int_equal(buddy_page(&ts->zone, pfn + i)->owner, 0);
	assert_int_equal(buddy_free(&ts->zone, pfn, order), RAE_OK);
	ts->pages_out -= (size_t)1 << order;
}

static uintptr_t *source_page_owner(void *ctx, const void *addr)
{
	test_source_t *ts = ctx;
	page_t *page = buddy_page(&ts->zone, (uintptr_t)addr >> PAGE_SHIFT);

	/* As the kernel's source: a free page's owner word holds its links. */
	if (page == NULL || (page->state != PAGE_ALLOCATED && page->state != PAGE_ALLOCATED_TAIL))
		return NULL;
	return &page->owner;
}

static test_source_t *source_new(size_t pages)
{
	test_source_t *ts = calloc(1, sizeof(*ts));
	uint64_t base;

	assert_non_null(ts);
	ts->arena_pages = pages;
	assert_int_equal(posix_memalign((void **)&ts->arena, ARENA_ALIGN, pages * PAGE_SIZE), 0);
	ts->pages = calloc(pages, sizeof(page_t));
	assert_non_null(ts->pages);
	ts->fail_after = -1;
	base = (uintptr_t)ts->arena >> PAGE_SHIFT;
	buddy_zone_init(&ts->zone, "arena", base, pages, ts->pages);
	assert_int_equal(buddy_zone_release(&ts->zone, base, pages), pages);
	return ts;
}

static slab_page_source_t source_of(test_source_t *ts)
{
	return (slab_page_source_t){
	    .alloc_pages = source_alloc_pages,
	    .free_pages = source_free_pages,
	    .page_owner = source_page_owner,
	    .ctx = ts,
	};
}

/* Frees the arena after checking every page came back. */
static void source_free(test_source_t *ts)
{
	assert_int_equal(ts->pages_out, 0);
	assert_int_equal(ts->zone.free_pages, ts->arena_pages);
	free(ts->arena);
	free(ts->pages);
	free(ts);
}

typedef struct {
	slab_error_t err;
	char cache[32];
	const void *obj;
	uintptr_t alloc_site;
	uintptr_t free_site;
} report_t;

static report_t reports[256];
static size_t report_count;

static void report_record(slab_error_t err, const char *cache, const void *obj,
			  uintptr_t alloc_site, uintptr_t free_site)
{
	if (report_count < sizeof(reports) / sizeof(reports[0])) {
		report_t *r = &reports[report_count];

		r->err = err;
		strncpy(r->cache, cache != NULL ? cache : "(null)", sizeof(r->cache) - 1);
		r->cache[sizeof(r->cache) - 1] = '\0';
		r->obj = obj;
		r->alloc_site = alloc_site;
		r->free_site = free_site;
	}
	report_count++;
}

static int reports_reset(void **state)
{
	(void)state;
	report_count = 0;
	memset(reports, 0, sizeof(reports));
	slab_set_report(report_record);
	return 0;
}

static void report_expect(size_t i, slab_error_t err, const char *cache, const void *obj,
			  uintptr_t alloc_site, uintptr_t free_site)
{
	assert_true(i < report_count);
	assert_int_equal(reports[i].err, err);
	assert_string_equal(reports[i].cache, cache);
	assert_ptr_equal(reports[i].obj, obj);
	assert_int_equal(reports[i].alloc_site, alloc_site);
	assert_int_equal(reports[i].free_site, free_site);
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void pattern_fill(void *p, size_t n, uint32_t seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

static bool pattern_ok(const void *p, size_t n, uint32_t seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != (uint8_t)(seed * 31 + i * 7 + (i >> 8)))
			return false;
	}
	return true;
}

static bool bytes_are(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != v)
			return false;
	}
	return true;
}

static slab_stats_t cache_stats(const slab_cache_t *c)
{
	slab_stats_t st;

	slab_cache_stats(c, &st);
	return st;
}

/* --- slab caches ------------------------------------------------------- */

static void test_slab_init_rejects(void **state)
{
	test_source_t *ts = source_new(64);
	slab_page_source_t src = source_of(ts);
	slab_page_source_t broken = src;
	slab_cache_t c;

	(void)state;
	assert_int_equal(slab_cache_init(&c, "c", 0, 8, &src, 0), RAE_ERR_INVALID);
	assert_int_equal(slab_cache_init(&c, "c", 8, 3, &src, 0), RAE_ERR_INVALID);
	assert_int_equal(slab_cache_init(&c, "c", 8, 24, &src, 0), RAE_ERR_INVALID);
	assert_int_equal(slab_cache_init(&c, "c", 8, PAGE_SIZE * 2, &src, 0), RAE_ERR_INVALID);
	assert_int_equal(slab_cache_init(&c, "c", (PAGE_SIZE << SLAB_ORDER_MAX) + 1, 8, &src, 0),
			 RAE_ERR_INVALID);
	assert_int_equal(slab_cache_init(&c, "c", SIZE_MAX, 8, &src, SLAB_DEBUG), RAE_ERR_INVALID);
	/* Fits without debug, not with its red zones and metadata. */
	assert_int_equal(slab_cache_init(&c, "c", PAGE_SIZE << SLAB_ORDER_MAX, 8, &src, SLAB_DEBUG),
			 RAE_ERR_INVALID);
	assert_int_equal(slab_cache_init(&c, "c", 8, 8, NULL, 0), RAE_ERR_INVALID);
	assert_int_equal(slab_cache_init(&c, "c", 8, 8, &src, 0x80), RAE_ERR_INVALID);
	broken.page_owner = NULL;
	assert_int_equal(slab_cache_init(&c, "c", 8, 8, &broken, 0), RAE_ERR_INVALID);
	broken = src;
	broken.alloc_pages = NULL;
	assert_int_equal(slab_cache_init(&c, "c", 8, 8, &broken, 0), RAE_ERR_INVALID);
	/* The largest objects that do fit, and alignment 0 meaning 8. */
	assert_int_equal(slab_cache_init(&c, "c", PAGE_SIZE << SLAB_ORDER_MAX, 8, &src, 0), RAE_OK);
	assert_int_equal(cache_stats(&c).objects_per_slab, 1);
	assert_int_equal(slab_cache_destroy(&c), 0);
	assert_int_equal(slab_cache_init(&c, "c", 5, 0, &src, 0), RAE_OK);
	assert_int_equal(cache_stats(&c).stride, 8);
	assert_int_equal(slab_cache_destroy(&c), 0);
	assert_int_equal(ts->alloc_calls, 0);
	source_free(ts);
}

/* Fills exactly one slab, then one more object, checking layout as it goes. */
static void geometry_check(test_source_t *ts, size_t size, size_t align, unsigned flags)
{
	slab_page_source_t src = source_of(ts);
	slab_cache_t c;
	slab_stats_t st;
	void **objs;
	size_t desc_pages;

	assert_int_equal(slab_cache_init(&c, "geo", size, align, &src, flags), RAE_OK);
	st = cache_stats(&c);
	assert_true(st.objects_per_slab >= 1);
	assert_true(st.order <= SLAB_ORDER_MAX);
	assert_true(st.stride >= size);
	assert_int_equal(st.pages, 0);
	objs = calloc(st.objects_per_slab + 1, sizeof(void *));
	assert_non_null(objs);
	for (unsigned i = 0; i < st.objects_per_slab; i++) {
		objs[i] = slab_cache_alloc(&c, 0x100 + i);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] & ((align ? align : 8) - 1), 0);
		memset(objs[i], 0x5a, size);
		/* All in the one slab, none overlapping the previous one. */
		assert_true((uintptr_t)objs[i] - (uintptr_t)objs[0] < (PAGE_SIZE << st.order));
		if (i > 0)
			assert_true((uintptr_t)objs[i] >= (uintptr_t)objs[i - 1] + size);
		assert_ptr_equal(slab_cache_of(&src, objs[i]), &c);
		assert_ptr_equal(slab_cache_of(&src, (uint8_t *)objs[i] + size - 1), &c);
	}
	st = cache_stats(&c);
	assert_int_equal(st.slabs, 1);
	desc_pages = st.pages - ((size_t)1 << st.order);
	assert_true(desc_pages <= 1);
	assert_int_equal(ts->pages_out, st.pages);
	objs[st.objects_per_slab] = slab_cache_alloc(&c, 0);
	assert_non_null(objs[st.objects_per_slab]);
	assert_int_equal(cache_stats(&c).slabs, 2);
	assert_int_equal(cache_stats(&c).objects_in_use, st.objects_per_slab + 1);
	for (unsigned i = 0; i <= st.objects_per_slab; i++)
		slab_cache_free(&c, objs[i], 0x200);
	assert_int_equal(cache_stats(&c).objects_in_use, 0);
	/* One empty slab is kept, the other went back. */
	assert_int_equal(cache_stats(&c).slabs, 1);
	assert_int_equal(report_count, 0);
	assert_int_equal(slab_cache_destroy(&c), 0);
	assert_int_equal(ts->pages_out, 0);
	free(objs);
}

static void test_slab_geometry(void **state)
{
	static const size_t sizes[] = {1,   7,   8,    16,   24,   64,   100,  256,
				       500, 512, 1000, 2048, 4000, 4096, 8192, 20000};
	static const size_t aligns[] = {0, 1, 8, 16, 64, 512, 4096};
	test_source_t *ts = source_new(1024);

	(void)state;
	for (unsigned flags = 0; flags <= SLAB_DEBUG; flags += SLAB_DEBUG) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++)
				geometry_check(ts, sizes[i], aligns[a], flags);
		}
	}
	source_free(ts);
}

/* The kmalloc sizes without debug: single pages up to 4 KiB, and at most 1/8
 * of a slab left unused beyond the objects and a generous allowance for the
 * descriptor (64 bytes plus 2 bytes and a bit per object). */
static void test_slab_geometry_waste(void **state)
{
	test_source_t *ts = source_new(64);
	slab_page_source_t src = source_of(ts);
	static const size_t sizes[] = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		slab_cache_t c;
		slab_stats_t st;
		size_t bytes, n, used;

		assert_int_equal(slab_cache_init(&c, "w", sizes[i], 16, &src, 0), RAE_OK);
		st = cache_stats(&c);
		bytes = PAGE_SIZE << st.order;
		n = st.objects_per_slab;
		used = n * st.stride + 64 + 2 * n + (n + 7) / 8;
		assert_int_equal(st.stride, sizes[i]);
		assert_int_equal(st.order, sizes[i] <= PAGE_SIZE ? 0 : 1);
		assert_true(used >= bytes || (bytes - used) * 8 <= bytes);
		slab_cache_destroy(&c);
	}
	source_free(ts);
}

typedef struct {
	void *p;
	unsigned cache;
	uint32_t seed;
} live_obj_t;

/* ops random allocs and frees over several caches, every object filled with
 * its own pattern and checked when freed. */
static void slab_random_run(unsigned flags, uint64_t seed, unsigned ops)
{
	static const size_t sizes[] = {1, 24, 64, 200, 700, 3000, 5000, 9000};
	enum { NCACHE = sizeof(sizes) / sizeof(sizes[0]), LIVE_MAX = 4000 };
	test_source_t *ts = source_new(4096);
	slab_page_source_t src = source_of(ts);
	slab_cache_t caches[NCACHE];
	live_obj_t *live = calloc(LIVE_MAX, sizeof(*live));
	size_t nlive = 0;
	size_t peak_pages = 0;
	uint32_t next_seed = 1;

	assert_non_null(live);
	rng_state = seed;
	for (unsigned i = 0; i < NCACHE; i++)
		assert_int_equal(slab_cache_init(&caches[i], "rand", sizes[i], 0, &src, flags),
				 RAE_OK);
	for (unsigned op = 0; op < ops; op++) {
		uint64_t r = rng_next();
		/* Drift between filling up and draining so slabs come and go. */
		unsigned bias = (op / 20000) % 2 ? 35 : 65;

		if (nlive < LIVE_MAX && (nlive == 0 || r % 100 < bias)) {
			unsigned ci = (unsigned)(rng_next() % NCACHE);
			live_obj_t *o = &live[nlive];

			o->p = slab_cache_alloc(&caches[ci], 0x1000 + ci);
			assert_non_null(o->p);
			assert_int_equal((uintptr_t)o->p % 8, 0);
			if (flags & SLAB_DEBUG)
				assert_true(bytes_are(o->p, SLAB_POISON_FREE, sizes[ci]));
			o->cache = ci;
			o->seed = next_seed++;
			pattern_fill(o->p, sizes[ci], o->seed);
			nlive++;
		} else {
			size_t i = (size_t)(rng_next() % nlive);
			live_obj_t o = live[i];

			assert_true(pattern_ok(o.p, sizes[o.cache], o.seed));
			slab_cache_free(&caches[o.cache], o.p, 0x2000 + o.cache);
			live[i] = live[--nlive];
		}
		if (ts->pages_out > peak_pages)
			peak_pages = ts->pages_out;
	}
	/* Everything still live is intact, and accounted for. */
	for (unsigned ci = 0; ci < NCACHE; ci++) {
		size_t n = 0;

		for (size_t i = 0; i < nlive; i++)
			n += live[i].cache == ci;
		assert_int_equal(cache_stats(&caches[ci]).objects_in_use, n);
	}
	while (nlive > 0) {
		live_obj_t o = live[--nlive];

		assert_true(pattern_ok(o.p, sizes[o.cache], o.seed));
		slab_cache_free(&caches[o.cache], o.p, 0x3000);
	}
	assert_int_equal(report_count, 0);
	for (unsigned i = 0; i < NCACHE; i++) {
		slab_stats_t st = cache_stats(&caches[i]);

		assert_int_equal(st.objects_in_use, 0);
		assert_int_equal(st.allocs, st.frees);
		assert_true(st.slabs <= 1);
		assert_int_equal(slab_cache_destroy(&caches[i]), 0);
	}
	assert_true(peak_pages > 200);
	source_free(ts);
	free(live);
}

static void test_slab_random_plain(void **state)
{
	(void)state;
	slab_random_run(0, 0xabcdef01, 120000);
}

static void test_slab_random_debug(void **state)
{
	(void)state;
	slab_random_run(SLAB_DEBUG, 0xabcdef02, 120000);
}

static void test_slab_double_free(void **state)
{
	test_source_t *ts = source_new(64);
	slab_page_source_t src = source_of(ts);
	slab_cache_t c;
	void *a, *b;

	(void)state;
	/* Debug: both sites come with the report. */
	assert_int_equal(slab_cache_init(&c, "df-debug", 48, 16, &src, SLAB_DEBUG), RAE_OK);
	a = slab_cache_alloc(&c, 0x1001);
	b = slab_cache_alloc(&c, 0x1002);
	slab_cache_free(&c, a, 0x2001);
	slab_cache_free(&c, a, 0x3001);
	assert_int_equal(report_count, 1);
	report_expect(0, SLAB_ERR_DOUBLE_FREE, "df-debug", a, 0x1001, 0x2001);
	assert_int_equal(cache_stats(&c).objects_in_use, 1);
	assert_int_equal(cache_stats(&c).frees, 1);
	assert_int_equal(cache_stats(&c).errors, 1);
	/* The second free changed nothing: a and b are still handed out once each. */
	assert_ptr_equal(slab_cache_alloc(&c, 0x1003), a);
	assert_ptr_not_equal(slab_cache_alloc(&c, 0x1004), b);
	slab_cache_destroy(&c);
	report_count = 0;

	/* Without debug the bitmap still catches it, with no sites to give. */
	assert_int_equal(slab_cache_init(&c, "df-plain", 48, 16, &src, 0), RAE_OK);
	a = slab_cache_alloc(&c, 0x1001);
	slab_cache_free(&c, a, 0x2001);
	slab_cache_free(&c, a, 0x3001);
	assert_int_equal(report_count, 1);
	report_expect(0, SLAB_ERR_DOUBLE_FREE, "df-plain", a, 0, 0);
	assert_int_equal(cache_stats(&c).objects_in_use, 0);
	assert_int_equal(slab_cache_destroy(&c), 0);
	source_free(ts);
}

static void test_slab_overrun_underrun(void **state)
{
	test_source_t *ts = source_new(64);
	slab_page_source_t src = source_of(ts);
	slab_cache_t c;
	uint8_t *a, *b, *d;

	(void)state;
	assert_int_equal(slab_cache_init(&c, "rz", 40, 8, &src, SLAB_DEBUG), RAE_OK);
	a = slab_cache_alloc(&c, 0xa1);
	b = slab_cache_alloc(&c, 0xb1);
	d = slab_cache_alloc(&c, 0xd1);
	memset(a, 1, 40);
	a[40] = 0; /* one byte past the end */
	slab_cache_free(&c, a, 0xa2);
	assert_int_equal(report_count, 1);
	report_expect(0, SLAB_ERR_OVERRUN, "rz", a, 0xa1, 0xa2);
	b[-1] = 0; /* one byte before the start */
	slab_cache_free(&c, b, 0xb2);
	assert_int_equal(report_count, 2);
	report_expect(1, SLAB_ERR_UNDERRUN, "rz", b, 0xb1, 0xb2);
	/* Both ends at once: two reports. */
	d[-SLAB_REDZONE_MIN] = 0;
	d[40 + SLAB_REDZONE_MIN - 1] = 0;
	slab_cache_free(&c, d, 0xd2);
	assert_int_equal(report_count, 4);
	report_expect(2, SLAB_ERR_UNDERRUN, "rz", d, 0xd1, 0xd2);
	report_expect(3, SLAB_ERR_OVERRUN, "rz", d, 0xd1, 0xd2);
	/* They were freed and repaired: reusing them is clean. */
	assert_int_equal(cache_stats(&c).objects_in_use, 0);
	for (int i = 0; i < 3; i++) {
		uint8_t *p = slab_cache_alloc(&c, 0xe0);

		assert_true(p == a || p == b || p == d);
		memset(p, 2, 40);
		slab_cache_free(&c, p, 0xe1);
	}
	assert_int_equal(report_count, 4);
	assert_int_equal(slab_cache_destroy(&c), 0);
	source_free(ts);
}

static void test_slab_use_after_free(void **state)
{
	test_source_t *ts = source_new(64);
	slab_page_source_t src = source_of(ts);
	slab_cache_t c;
	uint8_t *a, *again;

	(void)state;
	assert_int_equal(slab_cache_init(&c, "uaf", 100, 0, &src, SLAB_DEBUG), RAE_OK);
	a = slab_cache_alloc(&c, 0x11);
	slab_cache_free(&c, a, 0x22);
	assert_true(bytes_are(a, SLAB_POISON_FREE, 100));
	a[99] = 7;
	/* The most recently freed slot comes back first. */
	again = slab_cache_alloc(&c, 0x33);
	assert_ptr_equal(again, a);
	assert_int_equal(report_count, 1);
	report_expect(0, SLAB_ERR_USE_AFTER_FREE, "uaf", a, 0x11, 0x22);
	assert_true(bytes_are(again, SLAB_POISON_FREE, 100));
	slab_cache_free(&c, again, 0x44);
	assert_int_equal(report_count, 1);
	/* The new sites replaced the old ones. */
	again[0] = 0;
	slab_cache_alloc(&c, 0x55);
	report_expect(1, SLAB_ERR_USE_AFTER_FREE, "uaf", a, 0x33, 0x44);
	assert_int_equal(slab_cache_destroy(&c), 1);
	source_free(ts);
}

static void bad_pointer_run(unsigned flags)
{
	test_source_t *ts = source_new(128);
	slab_page_source_t src = source_of(ts);
	slab_cache_t small, big, other;
	uint8_t *s, *b, *o;
	int on_stack;
	uint8_t *free_page;
	size_t n = 0;
	slab_stats_t before_small, before_big;

	assert_int_equal(slab_cache_init(&small, "bp-small", 32, 16, &src, flags), RAE_OK);
	assert_int_equal(slab_cache_init(&big, "bp-big", 3000, 16, &src, flags), RAE_OK);
	assert_int_equal(slab_cache_init(&other, "bp-other", 32, 16, &src, flags), RAE_OK);
	s = slab_cache_alloc(&small, 1);
	b = slab_cache_alloc(&big, 2);
	o = slab_cache_alloc(&other, 3);
	/* A page the source knows but nobody owns. */
	free_page = source_alloc_pages(ts, 0);
	before_small = cache_stats(&small);
	before_big = cache_stats(&big);

	const struct {
		slab_cache_t *cache;
		const char *name;
		void *p;
	} bad[] = {
	    {&small, "bp-small", s + 1},
	    {&small, "bp-small", s + 16},
	    {&small, "bp-small", s - 1},
	    {&small, "bp-small", o},         /* another cache's object */
	    {&small, "bp-small", b},         /* another cache's, other geometry */
	    {&small, "bp-small", &on_stack}, /* unknown to the source */
	    {&small, "bp-small", free_page}, /* known page, no owner */
	    {&small, "bp-small", (void *)((uintptr_t)s & ~(PAGE_SIZE - 1))}, /* the descriptor */
	    {&big, "bp-big", b + 8},
	    {&big, "bp-big", b + 3000},
	    {&big, "bp-big", b + PAGE_SIZE * 7}, /* past the last object of the slab */
	    {&big, "bp-big", s},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		slab_cache_free(bad[i].cache, bad[i].p, 0x500 + i);
		assert_int_equal(report_count, ++n);
		report_expect(n - 1, SLAB_ERR_BAD_POINTER, bad[i].name, bad[i].p, 0, 0x500 + i);
	}
	assert_int_equal(cache_stats(&small).objects_in_use, before_small.objects_in_use);
	assert_int_equal(cache_stats(&small).frees, before_small.frees);
	assert_int_equal(cache_stats(&big).objects_in_use, before_big.objects_in_use);
	/* NULL is not an error. */
	slab_cache_free(&small, NULL, 0x600);
	assert_int_equal(report_count, n);
	/* The real objects are still intact and free normally. */
	slab_cache_free(&small, s, 0x700);
	slab_cache_free(&big, b, 0x700);
	slab_cache_free(&other, o, 0x700);
	assert_int_equal(report_count, n);
	source_free_pages(ts, free_page, 0);
	assert_int_equal(slab_cache_destroy(&small), 0);
	assert_int_equal(slab_cache_destroy(&big), 0);
	assert_int_equal(slab_cache_destroy(&other), 0);
	source_free(ts);
}

static void test_slab_bad_pointer(void **state)
{
	(void)state;
	bad_pointer_run(SLAB_DEBUG);
	report_count = 0;
	bad_pointer_run(0);
}

static void test_slab_destroy_reports_leaks(void **state)
{
	test_source_t *ts = source_new(256);
	slab_page_source_t src = source_of(ts);
	slab_cache_t small, big;
	void *keep[3];
	void *p[300];

	(void)state;
	assert_int_equal(slab_cache_init(&small, "leak-small", 64, 0, &src, SLAB_DEBUG), RAE_OK);
	assert_int_equal(slab_cache_init(&big, "leak-big", 6000, 0, &src, SLAB_DEBUG), RAE_OK);
	for (int i = 0; i < 300; i++)
		p[i] = slab_cache_alloc(&small, 0x10);
	keep[0] = slab_cache_alloc(&small, 0xfeed);
	keep[1] = slab_cache_alloc(&big, 0xbeef);
	for (int i = 0; i < 20; i++) {
		void *t = slab_cache_alloc(&big, 0x20);

		slab_cache_free(&big, t, 0x21);
	}
	keep[2] = slab_cache_alloc(&big, 0xcafe);
	for (int i = 0; i < 300; i++)
		slab_cache_free(&small, p[i], 0x11);
	assert_true(ts->pages_out > 0);
	assert_int_equal(report_count, 0);
	assert_int_equal(slab_cache_destroy(&small), 1);
	assert_int_equal(report_count, 1);
	report_expect(0, SLAB_ERR_LEAK, "leak-small", keep[0], 0xfeed, 0);
	assert_int_equal(slab_cache_destroy(&big), 2);
	assert_int_equal(report_count, 3);
	/* Either order, both with their own sites. */
	for (size_t i = 1; i < 3; i++) {
		size_t k = reports[i].obj == keep[1] ? 1 : 2;

		report_expect(i, SLAB_ERR_LEAK, "leak-big", keep[k], k == 1 ? 0xbeef : 0xcafe, 0);
	}
	assert_int_equal(cache_stats(&small).pages, 0);
	assert_int_equal(cache_stats(&big).pages, 0);
	assert_int_equal(cache_stats(&big).slabs, 0);
	/* Every page, descriptor pages included, is back in the source. */
	source_free(ts);
}

/* Many slabs live at once, then destroy with everything still allocated. */
static void test_slab_destroy_returns_every_page(void **state)
{
	test_source_t *ts = source_new(4096);
	slab_page_source_t src = source_of(ts);
	static const size_t sizes[] = {16, 128, 600, 2048, 5000, 30000};
	slab_cache_t c[6];
	size_t expect_leaks[6] = {0};

	(void)state;
	slab_set_report(NULL); /* reports dropped: no hook, no crash */
	for (int i = 0; i < 6; i++)
		assert_int_equal(slab_cache_init(&c[i], "all", sizes[i], 0, &src, SLAB_DEBUG),
				 RAE_OK);
	for (int k = 0; k < 3000; k++) {
		int i = k % 6;

		if (sizes[i] == 30000 && k > 120)
			continue;
		assert_non_null(slab_cache_alloc(&c[i], 1));
		expect_leaks[i]++;
	}
	size_t held = 0;

	for (int i = 0; i < 6; i++)
		held += cache_stats(&c[i]).pages;
	assert_int_equal(held, ts->pages_out);
	for (int i = 0; i < 6; i++)
		assert_int_equal(slab_cache_destroy(&c[i]), expect_leaks[i]);
	source_free(ts);
}

static void test_slab_out_of_pages(void **state)
{
	test_source_t *ts = source_new(64);
	slab_page_source_t src = source_of(ts);
	slab_cache_t small, big;
	void *p;

	(void)state;
	assert_int_equal(slab_cache_init(&small, "oom-small", 64, 0, &src, SLAB_DEBUG), RAE_OK);
	assert_int_equal(slab_cache_init(&big, "oom-big", 2048, 0, &src, SLAB_DEBUG), RAE_OK);
	ts->fail_after = 0;
	assert_null(slab_cache_alloc(&small, 1));
	assert_null(slab_cache_alloc(&big, 1));
	/* Slab pages granted, descriptor page refused: the slab pages go back. */
	ts->fail_after = 1;
	assert_null(slab_cache_alloc(&big, 1));
	assert_int_equal(ts->pages_out, 0);
	assert_int_equal(cache_stats(&big).pages, 0);
	ts->fail_after = -1;
	p = slab_cache_alloc(&big, 1);
	assert_non_null(p);
	slab_cache_free(&big, p, 2);
	/* Exhaust the arena for real: NULL, then recovery after frees. */
	enum { OBJS_MAX = 8192 };
	void **objs = calloc(OBJS_MAX, sizeof(void *));
	size_t n = 0;

	assert_non_null(objs);
	while (n < OBJS_MAX && (objs[n] = slab_cache_alloc(&small, 3)) != NULL)
		n++;
	assert_true(n > 1000 && n < OBJS_MAX);
	assert_null(slab_cache_alloc(&small, 3));
	assert_int_equal(ts->zone.free_pages, 0);
	slab_cache_free(&small, objs[--n], 4);
	assert_non_null(objs[n] = slab_cache_alloc(&small, 5));
	n++;
	while (n > 0)
		slab_cache_free(&small, objs[--n], 6);
	free(objs);
	assert_int_equal(report_count, 0);
	assert_int_equal(slab_cache_destroy(&small), 0);
	assert_int_equal(slab_cache_destroy(&big), 0);
	source_free(ts);
}

/* --- kmalloc ----------------------------------------------------------- */

static size_t kmalloc_live_objects(void)
{
	kmalloc_stats_t st;
	size_t n = 0;

	kmalloc_stats(&st);
	for (unsigned i = 0; i < KMALLOC_CACHE_COUNT; i++)
		n += st.caches[i].objects_in_use;
	return n;
}

static void kmalloc_size_classes_run(unsigned flags)
{
	test_source_t *ts = source_new(1024);
	slab_page_source_t src = source_of(ts);

	assert_int_equal(kmalloc_init(&src, flags), RAE_OK);
	for (size_t size = 1; size <= KMALLOC_MAX_CACHED; size++) {
		/* Every size near a class boundary, and a sample of the rest. */
		bool edge = (size & (size - 1)) == 0 || ((size - 1) & (size - 2)) == 0 ||
			    ((size + 1) & size) == 0;
		unsigned expect = 0;
		kmalloc_stats_t st;
		uint8_t *p;

		if (!edge && size % 97 != 0)
			continue;
		while ((KMALLOC_MIN_SIZE << expect) < size)
			expect++;
		p = kmalloc(size);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % KMALLOC_MIN_SIZE, 0);
		kmalloc_stats(&st);
		assert_int_equal(st.caches[expect].objects_in_use, 1);
		assert_int_equal(st.caches[expect].object_size, KMALLOC_MIN_SIZE << expect);
		pattern_fill(p, size, (uint32_t)size);
		assert_true(pattern_ok(p, size, (uint32_t)size));
		kfree(p);
		assert_int_equal(kmalloc_live_objects(), 0);
	}
	assert_int_equal(report_count, 0);
	assert_int_equal(kmalloc_destroy(), 0);
	source_free(ts);
}

static void test_kmalloc_size_classes(void **state)
{
	(void)state;
	kmalloc_size_classes_run(0);
	kmalloc_size_classes_run(SLAB_DEBUG);
}

static void test_kmalloc_large(void **state)
{
	test_source_t *ts = source_new(4096);
	slab_page_source_t src = source_of(ts);
	static const struct {
		size_t size;
		unsigned order;
	} cases[] = {
	    {KMALLOC_MAX_CACHED + 1, 2},
	    {16384, 2},
	    {16385, 3},
	    {100000, 5},
	    {1u << 20, 8},
	    {(1u << 20) + 1, 9},
	    {KMALLOC_MAX_SIZE - 1, 10},
	    {KMALLOC_MAX_SIZE, 10},
	};
	kmalloc_stats_t st;

	(void)state;
	assert_int_equal(kmalloc_init(&src, SLAB_DEBUG), RAE_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t block = PAGE_SIZE << cases[i].order;
		uint8_t *p = kmalloc(cases[i].size);

		assert_non_null(p);
		/* A block of its own, aligned to its size. */
		assert_int_equal((uintptr_t)p % block, 0);
		assert_int_equal(ts->pages_out, block / PAGE_SIZE);
		kmalloc_stats(&st);
		assert_int_equal(st.large_in_use, 1);
		assert_int_equal(st.large_pages, block / PAGE_SIZE);
		assert_int_equal(st.pages, block / PAGE_SIZE);
		memset(p, 0x77, cases[i].size);
		kfree(p);
		assert_int_equal(ts->pages_out, 0);
		kmalloc_stats(&st);
		assert_int_equal(st.large_in_use, 0);
		assert_int_equal(st.large_pages, 0);
	}
	/* Too large, overflow bait, and zero: NULL and nothing taken. */
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1));
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kmalloc(SIZE_MAX - PAGE_SIZE + 2));
	assert_null(kzalloc(SIZE_MAX));
	assert_null(kmalloc(0));
	assert_null(kzalloc(0));
	assert_int_equal(ts->pages_out, 0);
	kmalloc_stats(&st);
	assert_int_equal(st.failures, 4);
	/* Out of pages: NULL, counted, nothing lost. */
	ts->fail_after = 0;
	assert_null(kmalloc(1 << 20));
	assert_null(kmalloc(64));
	ts->fail_after = -1;
	kmalloc_stats(&st);
	assert_int_equal(st.failures, 6);
	assert_int_equal(st.large_in_use, 0);
	assert_int_equal(report_count, 0);
	assert_int_equal(kmalloc_destroy(), 0);
	source_free(ts);
}

static void test_kzalloc(void **state)
{
	test_source_t *ts = source_new(1024);
	slab_page_source_t src = source_of(ts);
	static const size_t sizes[] = {1, 16, 100, 1000, 8192, 20000, 300000};

	(void)state;
	assert_int_equal(kmalloc_init(&src, SLAB_DEBUG), RAE_OK);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* Dirty the memory first so zeroes cannot be left over. */
		uint8_t *p = kmalloc(sizes[i]);

		memset(p, 0xee, sizes[i]);
		kfree(p);
		p = kzalloc(sizes[i]);
		assert_non_null(p);
		assert_true(bytes_are(p, 0, sizes[i]));
		kfree(p);
	}
	assert_int_equal(report_count, 0);
	assert_int_equal(kmalloc_destroy(), 0);
	source_free(ts);
}

/* Allocation and free sites are the callers of kmalloc and kfree: each
 * helper's site must lie inside the helper's own code. */
static __attribute__((noinline)) void *site_alloc_helper(size_t size)
{
	void *p = kmalloc(size);

	__asm__ volatile("" ::: "memory");
	return p;
}

static __attribute__((noinline)) void *site_zalloc_helper(size_t size)
{
	void *p = kzalloc(size);

	__asm__ volatile("" ::: "memory");
	return p;
}

static __attribute__((noinline)) void site_free_helper(void *p)
{
	kfree(p);
	__asm__ volatile("" ::: "memory");
}

static bool site_in(uintptr_t site, void *fn)
{
	return site > (uintptr_t)fn && site < (uintptr_t)fn + 1024;
}

static void test_kmalloc_sites_and_bad_frees(void **state)
{
	test_source_t *ts = source_new(1024);
	slab_page_source_t src = source_of(ts);
	slab_cache_t foreign;
	uint8_t *small, *zsmall, *large, *f;
	int on_stack;
	size_t n;

	(void)state;
	assert_int_equal(kmalloc_init(&src, SLAB_DEBUG), RAE_OK);
	assert_int_equal(slab_cache_init(&foreign, "foreign", 64, 16, &src, SLAB_DEBUG), RAE_OK);
	small = site_alloc_helper(64);
	zsmall = site_zalloc_helper(64);
	large = site_alloc_helper(3 * PAGE_SIZE);
	f = slab_cache_alloc(&foreign, 0x99);
	kfree(NULL);
	assert_int_equal(report_count, 0);

	/* A double free names the allocating and the first freeing caller. */
	site_free_helper(small);
	site_free_helper(small);
	assert_int_equal(report_count, 1);
	assert_int_equal(reports[0].err, SLAB_ERR_DOUBLE_FREE);
	assert_string_equal(reports[0].cache, "kmalloc-64");
	assert_ptr_equal(reports[0].obj, small);
	assert_true(site_in(reports[0].alloc_site, (void *)site_alloc_helper));
	assert_true(site_in(reports[0].free_site, (void *)site_free_helper));

	const struct {
		void *p;
		const char *cache;
	} bad[] = {
	    {zsmall + 16, "kmalloc-64"}, /* inside an object: the slab says so */
	    {large + 8, "kmalloc"},
	    {large + PAGE_SIZE, "kmalloc"}, /* a later page of a large block */
	    {&on_stack, "kmalloc"},         /* memory the source does not know */
	    {f, "kmalloc"},                 /* another cache's object */
	};
	n = report_count;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		site_free_helper(bad[i].p);
		assert_int_equal(report_count, ++n);
		assert_int_equal(reports[n - 1].err, SLAB_ERR_BAD_POINTER);
		assert_string_equal(reports[n - 1].cache, bad[i].cache);
		assert_ptr_equal(reports[n - 1].obj, bad[i].p);
		assert_int_equal(reports[n - 1].alloc_site, 0);
		assert_true(site_in(reports[n - 1].free_site, (void *)site_free_helper));
	}
	/* None of that freed anything. */
	assert_int_equal(kmalloc_live_objects(), 1);
	assert_int_equal(cache_stats(&foreign).objects_in_use, 1);
	/* A large block freed twice: the second is a bad pointer, its page is free. */
	kfree(large);
	kfree(large);
	assert_int_equal(report_count, n + 1);
	assert_int_equal(reports[n].err, SLAB_ERR_BAD_POINTER);
	/* kzalloc records its own caller too: seen as a leak at destroy. */
	assert_int_equal(kmalloc_destroy(), 1);
	assert_int_equal(report_count, n + 2);
	assert_int_equal(reports[n + 1].err, SLAB_ERR_LEAK);
	assert_ptr_equal(reports[n + 1].obj, zsmall);
	assert_true(site_in(reports[n + 1].alloc_site, (void *)site_zalloc_helper));
	slab_cache_free(&foreign, f, 0);
	assert_int_equal(slab_cache_destroy(&foreign), 0);
	source_free(ts);
}

static void kmalloc_random_run(unsigned flags, uint64_t seed, unsigned ops)
{
	enum { LIVE_MAX = 3000 };
	test_source_t *ts = source_new(8192);
	slab_page_source_t src = source_of(ts);
	struct {
		uint8_t *p;
		size_t size;
		uint32_t seed;
	} *live = calloc(LIVE_MAX, sizeof(*live));
	size_t nlive = 0;
	uint32_t next_seed = 1;
	size_t large = 0;
	kmalloc_stats_t st;

	assert_non_null(live);
	rng_state = seed;
	assert_int_equal(kmalloc_init(&src, flags), RAE_OK);
	for (unsigned op = 0; op < ops; op++) {
		if (nlive < LIVE_MAX && (nlive == 0 || rng_next() % 100 < 52)) {
			uint64_t r = rng_next();
			/* Log-uniform sizes up to 8 KiB, now and then up to 64 KiB. */
			unsigned bits = (unsigned)(r % 100 < 3 ? 14 + (r >> 8) % 3 : (r >> 8) % 14);
			size_t size = 1 + (size_t)((r >> 16) % ((size_t)2 << bits));

			live[nlive].p = kmalloc(size);
			assert_non_null(live[nlive].p);
			assert_int_equal((uintptr_t)live[nlive].p % KMALLOC_MIN_SIZE, 0);
			live[nlive].size = size;
			live[nlive].seed = next_seed++;
			pattern_fill(live[nlive].p, size, live[nlive].seed);
			large += size > KMALLOC_MAX_CACHED;
			nlive++;
		} else {
			size_t i = (size_t)(rng_next() % nlive);

			assert_true(pattern_ok(live[i].p, live[i].size, live[i].seed));
			kfree(live[i].p);
			live[i] = live[--nlive];
		}
	}
	while (nlive > 0) {
		nlive--;
		assert_true(pattern_ok(live[nlive].p, live[nlive].size, live[nlive].seed));
		kfree(live[nlive].p);
	}
	assert_true(large > 100);
	kmalloc_stats(&st);
	assert_int_equal(st.large_in_use, 0);
	assert_int_equal(kmalloc_live_objects(), 0);
	assert_int_equal(st.pages, ts->pages_out);
	assert_int_equal(report_count, 0);
	assert_int_equal(kmalloc_destroy(), 0);
	source_free(ts);
	free(live);
}

static void test_kmalloc_random_plain(void **state)
{
	(void)state;
	kmalloc_random_run(0, 0x600d5eed, 100000);
}

static void test_kmalloc_random_debug(void **state)
{
	(void)state;
	kmalloc_random_run(SLAB_DEBUG, 0x600d5eee, 100000);
}

static void test_kmalloc_destroy_counts_leaks(void **state)
{
	test_source_t *ts = source_new(256);
	slab_page_source_t src = source_of(ts);
	void *small[3];
	void *large;

	(void)state;
	assert_int_equal(kmalloc_init(&src, 0), RAE_OK);
	for (int i = 0; i < 3; i++)
		small[i] = kmalloc(100 * (size_t)(i + 1));
	large = kmalloc(20000);
	assert_non_null(large);
	assert_int_equal(kmalloc_destroy(), 4);
	/* The cached objects are reported one by one; the large block is only counted. */
	assert_int_equal(report_count, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(reports[i].err, SLAB_ERR_LEAK);
		assert_true(reports[i].obj == small[0] || reports[i].obj == small[1] ||
			    reports[i].obj == small[2]);
	}
	/* Cache pages are back; the untracked large block is still out. */
	assert_int_equal(ts->pages_out, 8);
	buddy_page(&ts->zone, (uintptr_t)large >> PAGE_SHIFT)->owner = 0;
	source_free_pages(ts, large, 3);
	/* Usable again after destroy. */
	assert_int_equal(kmalloc_init(&src, 0), RAE_OK);
	kfree(kmalloc(10));
	assert_int_equal(kmalloc_destroy(), 0);
	source_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_slab_init_rejects, reports_reset),
	    cmocka_unit_test_setup(test_slab_geometry, reports_reset),
	    cmocka_unit_test_setup(test_slab_geometry_waste, reports_reset),
	    cmocka_unit_test_setup(test_slab_random_plain, reports_reset),
	    cmocka_unit_test_setup(test_slab_random_debug, reports_reset),
	    cmocka_unit_test_setup(test_slab_double_free, reports_reset),
	    cmocka_unit_test_setup(test_slab_overrun_underrun, reports_reset),
	    cmocka_unit_test_setup(test_slab_use_after_free, reports_reset),
	    cmocka_unit_test_setup(test_slab_bad_pointer, reports_reset),
	    cmocka_unit_test_setup(test_slab_destroy_reports_leaks, reports_reset),
	    cmocka_unit_test_setup(test_slab_destroy_returns_every_page, reports_reset),
	    cmocka_unit_test_setup(test_slab_out_of_pages, reports_reset),
	    cmocka_unit_test_setup(test_kmalloc_size_classes, reports_reset),
	    cmocka_unit_test_setup(test_kmalloc_large, reports_reset),
	    cmocka_unit_test_setup(test_kzalloc, reports_reset),
	    cmocka_unit_test_setup(test_kmalloc_sites_and_bad_frees, reports_reset),
	    cmocka_unit_test_setup(test_kmalloc_random_plain, reports_reset),
	    cmocka_unit_test_setup(test_kmalloc_random_debug, reports_reset),
	    cmocka_unit_test_setup(test_kmalloc_destroy_counts_leaks, reports_reset),
	};

	return cmocka_run_group_tests_name("slab", tests, NULL, NULL);
}
