/* Host benchmark of the memory allocators (buddy, slab, kmalloc) built from
 * the kernel sources at -O2: one JSON result per line, in ns per operation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mm/buddy.h>
#include <mm/kmalloc.h>
#include <mm/slab.h>

#define SAMPLES 1000 /* each sample is the mean of one batch */
#define BATCH   1000 /* operations per batch: BATCH allocations, then BATCH frees */
#define WARMUP  50   /* batches run before sampling */

/* Memory the allocators hand out: a buddy zone over an aligned host arena. */
#define ARENA_PAGES 16384 /* 64 MiB */

static buddy_zone_t arena_zone;
static page_t arena_pages[ARENA_PAGES];

static void *arena_alloc_pages(void *ctx, unsigned order)
{
	uint64_t pfn;

	(void)ctx;
	if (buddy_alloc(&arena_zone, order, &pfn) != RAE_OK)
		return NULL;
	return (void *)(uintptr_t)(pfn << PAGE_SHIFT);
}

static void arena_free_pages(void *ctx, void *addr, unsigned order)
{
	(void)ctx;
	if (buddy_free(&arena_zone, (uintptr_t)addr >> PAGE_SHIFT, order) != RAE_OK) {
		fprintf(stderr, "bench_mm: bad free of %p\n", addr);
		exit(1);
	}
}

static uintptr_t *arena_page_owner(void *ctx, const void *addr)
{
	page_t *page = buddy_page(&arena_zone, (uintptr_t)addr >> PAGE_SHIFT);

	(void)ctx;
	if (page == NULL || (page->state != PAGE_ALLOCATED && page->state != PAGE_ALLOCATED_TAIL))
		return NULL;
	return &page->owner;
}

static const slab_page_source_t arena_source = {
    .alloc_pages = arena_alloc_pages,
    .free_pages = arena_free_pages,
    .page_owner = arena_page_owner,
    .ctx = NULL,
};

static void arena_init(void)
{
	void *arena;
	uint64_t base;

	if (posix_memalign(&arena, PAGE_SIZE << (BUDDY_ORDERS - 1), ARENA_PAGES * PAGE_SIZE) != 0) {
		fprintf(stderr, "bench_mm: no memory for the arena\n");
		exit(1);
	}
	base = (uintptr_t)arena >> PAGE_SHIFT;
	buddy_zone_init(&arena_zone, "bench", base, ARENA_PAGES, arena_pages);
	buddy_zone_release(&arena_zone, base, ARENA_PAGES);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double percentile(const double *sorted, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100;

	return sorted[rank > 0 ? rank - 1 : 0];
}

/* One batch: BATCH allocations then BATCH frees; returns ns per alloc+free pair. */
typedef double (*batch_fn)(void);

static void *live[BATCH];
static uint64_t live_pfn[BATCH];
static slab_cache_t cache64;

static void fail(const char *what)
{
	fprintf(stderr, "bench_mm: %s failed\n", what);
	exit(1);
}

static double batch_buddy_order0(void)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < BATCH; i++) {
		if (buddy_alloc(&arena_zone, 0, &live_pfn[i]) != RAE_OK)
			fail("buddy_alloc");
	}
	for (int i = 0; i < BATCH; i++)
		buddy_free(&arena_zone, live_pfn[i], 0);
	return (double)(now_ns() - t0) / BATCH;
}

static double batch_slab_64(void)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < BATCH; i++) {
		live[i] = slab_cache_alloc(&cache64, (uintptr_t)__builtin_return_address(0));
		if (live[i] == NULL)
			fail("slab_cache_alloc");
	}
	for (int i = 0; i < BATCH; i++)
		slab_cache_free(&cache64, live[i], (uintptr_t)__builtin_return_address(0));
	return (double)(now_ns() - t0) / BATCH;
}

static double batch_kmalloc(size_t size)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < BATCH; i++) {
		live[i] = kmalloc(size);
		if (live[i] == NULL)
			fail("kmalloc");
	}
	for (int i = 0; i < BATCH; i++)
		kfree(live[i]);
	return (double)(now_ns() - t0) / BATCH;
}

static double batch_kmalloc_64(void)
{
	return batch_kmalloc(64);
}

static double batch_kmalloc_1024(void)
{
	return batch_kmalloc(1024);
}

static void bench_run(const char *name, batch_fn fn)
{
	static double samples[SAMPLES];

	for (int i = 0; i < WARMUP; i++)
		fn();
	for (int i = 0; i < SAMPLES; i++)
		samples[i] = fn();
	qsort(samples, SAMPLES, sizeof(samples[0]), double_cmp);
	printf(
	    "{\"name\": \"%s\", \"unit\": \"ns/op\", \"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f, "
	    "\"samples\": %d}\n",
	    name, percentile(samples, SAMPLES, 50), percentile(samples, SAMPLES, 99),
	    samples[SAMPLES - 1], SAMPLES);
	fflush(stdout);
}

int main(void)
{
	arena_init();
	if (slab_cache_init(&cache64, "bench-64", 64, 16, &arena_source, 0) != RAE_OK)
		fail("slab_cache_init");
	if (kmalloc_init(&arena_source, 0) != RAE_OK)
		fail("kmalloc_init");
	/* One op is one allocation plus one free, as the kernel's own benchmarks count it. */
	bench_run("host_buddy_alloc_free_order0", batch_buddy_order0);
	bench_run("host_slab_alloc_free_64", batch_slab_64);
	bench_run("host_kmalloc_kfree_64", batch_kmalloc_64);
	bench_run("host_kmalloc_kfree_1024", batch_kmalloc_1024);
	slab_cache_destroy(&cache64);
	kmalloc_destroy();
	return 0;
}
