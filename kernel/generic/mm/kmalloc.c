/* kmalloc and kfree: power-of-two slab caches for small sizes, page blocks for
 * the rest. Callers serialize every call (see mm/kmalloc.h). */
#include <mm/kmalloc.h>

#include <stdbool.h>
#include <string.h>

#include <compiler.h>

/*
 * Owner word of the first page of a page-backed allocation: even, so the slab
 * never mistakes it for one of its own, with a 16-bit tag around the order in
 * bits 8..15. Its other pages keep owner 0, so kfree of a pointer into them
 * is reported, not honoured.
 */
#define KMALLOC_OWNER_LARGE      0x4b4d0002ul
#define KMALLOC_OWNER_LARGE_MASK 0xffff00fful
#define KMALLOC_OWNER_ORDER(w)   (((w) >> 8) & 0xffu)

STATIC_ASSERT(KMALLOC_MAX_CACHED == KMALLOC_MIN_SIZE << (KMALLOC_CACHE_COUNT - 1),
	      "cache count does not match the size range");
STATIC_ASSERT((KMALLOC_OWNER_LARGE & SLAB_OWNER_TAG) == 0, "large tag collides with the slab's");

static const char *const kmalloc_cache_names[KMALLOC_CACHE_COUNT] = {
    "kmalloc-16",  "kmalloc-32",   "kmalloc-64",   "kmalloc-128",  "kmalloc-256",
    "kmalloc-512", "kmalloc-1024", "kmalloc-2048", "kmalloc-4096", "kmalloc-8192",
};

static slab_cache_t kmalloc_caches[KMALLOC_CACHE_COUNT];
static slab_page_source_t kmalloc_source;
static bool kmalloc_ready;
static size_t kmalloc_large_in_use;
static size_t kmalloc_large_pages;
static uint64_t kmalloc_failures;

/* The cache for size bytes, 0 < size <= KMALLOC_MAX_CACHED. */
static inline unsigned kmalloc_cache_index(size_t size)
{
	if (size <= KMALLOC_MIN_SIZE)
		return 0;
	/* ceil(log2(size)) - log2(KMALLOC_MIN_SIZE) */
	return (unsigned)(64 - __builtin_clzll((unsigned long long)size - 1)) - 4;
}

#if RAE_KERNEL
/* One lock for the kmalloc caches (the slab layer has none of its own).
 * Host tests run single-threaded and build without it. */
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
static spinlock_t heap_lock = SPINLOCK_INIT("heap", LOCK_LEVEL_HEAP);
#define HEAP_LOCK()   bool heap_irq = spin_lock_irqsave(&heap_lock)
#define HEAP_UNLOCK() spin_unlock_irqrestore(&heap_lock, heap_irq)
#else
#define HEAP_LOCK()   ((void)0)
#define HEAP_UNLOCK() ((void)0)
#endif

rae_status_t kmalloc_init(const slab_page_source_t *src, unsigned flags)
{
	for (unsigned i = 0; i < KMALLOC_CACHE_COUNT; i++) {
		rae_status_t status =
		    slab_cache_init(&kmalloc_caches[i], kmalloc_cache_names[i],
				    KMALLOC_MIN_SIZE << i, KMALLOC_MIN_SIZE, src, flags);

		/* Caches hold no pages until used, so failing here leaks nothing. */
		if (status != RAE_OK)
			return status;
	}
	kmalloc_source = *src;
	kmalloc_large_in_use = 0;
	kmalloc_large_pages = 0;
	kmalloc_failures = 0;
	kmalloc_ready = true;
	return RAE_OK;
}

static void *kmalloc_large(size_t size)
{
	size_t pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned order = pages <= 1 ? 0 : (unsigned)(64 - __builtin_clzll(pages - 1));
	void *p = kmalloc_source.alloc_pages(kmalloc_source.ctx, order);
	uintptr_t *w;

	if (p == NULL)
		return NULL;
	w = kmalloc_source.page_owner(kmalloc_source.ctx, p);
	if (unlikely(w == NULL)) {
		kmalloc_source.free_pages(kmalloc_source.ctx, p, order);
		return NULL;
	}
	*w = KMALLOC_OWNER_LARGE | ((uintptr_t)order << 8);
	kmalloc_large_in_use++;
	kmalloc_large_pages += (size_t)1 << order;
	return p;
}

/* kmalloc with the call site given, so that kmalloc and kzalloc both record
 * their own caller. */
static void *kmalloc_at(size_t size, uintptr_t site)
{
	void *p;

	if (unlikely(size == 0 || !kmalloc_ready))
		return NULL;
	HEAP_LOCK();
	if (likely(size <= KMALLOC_MAX_CACHED))
		p = slab_cache_alloc(&kmalloc_caches[kmalloc_cache_index(size)], site);
	else if (size <= KMALLOC_MAX_SIZE)
		p = kmalloc_large(size);
	else
		p = NULL;
	if (unlikely(p == NULL))
		kmalloc_failures++;
	HEAP_UNLOCK();
	return p;
}

void *kmalloc(size_t size)
{
	return kmalloc_at(size, (uintptr_t)__builtin_return_address(0));
}

void *kzalloc(size_t size)
{
	void *p = kmalloc_at(size, (uintptr_t)__builtin_return_address(0));

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

static bool kmalloc_cache_is_ours(const slab_cache_t *c)
{
	uintptr_t first = (uintptr_t)&kmalloc_caches[0];
	uintptr_t end = (uintptr_t)&kmalloc_caches[KMALLOC_CACHE_COUNT];

	return (uintptr_t)c >= first && (uintptr_t)c < end;
}

static void kfree_locked(void *p, uintptr_t site);

void kfree(void *p)
{
	if (p == NULL)
		return;
	HEAP_LOCK();
	kfree_locked(p, (uintptr_t)__builtin_return_address(0));
	HEAP_UNLOCK();
}

static void kfree_locked(void *p, uintptr_t site)
{
	slab_cache_t *cache;
	uintptr_t *w;

	if (unlikely(!kmalloc_ready))
		goto bad_pointer;
	cache = slab_cache_of(&kmalloc_source, p);
	if (likely(cache != NULL)) {
		/* Objects of other caches sharing the source are not ours to free. */
		if (unlikely(!kmalloc_cache_is_ours(cache)))
			goto bad_pointer;
		slab_cache_free(cache, p, site);
		return;
	}
	w = kmalloc_source.page_owner(kmalloc_source.ctx, p);
	if (w != NULL && (*w & KMALLOC_OWNER_LARGE_MASK) == KMALLOC_OWNER_LARGE &&
	    ((uintptr_t)p & (PAGE_SIZE - 1)) == 0) {
		unsigned order = (unsigned)KMALLOC_OWNER_ORDER(*w);

		*w = 0;
		kmalloc_source.free_pages(kmalloc_source.ctx, p, order);
		kmalloc_large_in_use--;
		kmalloc_large_pages -= (size_t)1 << order;
		return;
	}
bad_pointer:
	slab_report(SLAB_ERR_BAD_POINTER, "kmalloc", p, 0, site);
}

void kmalloc_stats(kmalloc_stats_t *out)
{
	out->pages = 0;
	for (unsigned i = 0; i < KMALLOC_CACHE_COUNT; i++) {
		if (kmalloc_ready)
			slab_cache_stats(&kmalloc_caches[i], &out->caches[i]);
		else
			memset(&out->caches[i], 0, sizeof(out->caches[i]));
		out->pages += out->caches[i].pages;
	}
	out->large_in_use = kmalloc_large_in_use;
	out->large_pages = kmalloc_large_pages;
	out->pages += kmalloc_large_pages;
	out->failures = kmalloc_failures;
}

size_t kmalloc_destroy(void)
{
	size_t leaked = kmalloc_large_in_use;

	if (!kmalloc_ready)
		return 0;
	for (unsigned i = 0; i < KMALLOC_CACHE_COUNT; i++)
		leaked += slab_cache_destroy(&kmalloc_caches[i]);
	kmalloc_ready = false;
	kmalloc_large_in_use = 0;
	kmalloc_large_pages = 0;
	return leaked;
}
