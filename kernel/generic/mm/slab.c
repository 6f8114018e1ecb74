/* Slab object caches over a page source (see mm/slab.h). The caller serializes
 * all calls on a cache; nothing here takes a lock or touches hardware. */
#include <mm/slab.h>

#include <string.h>

#include <compiler.h>

/*
 * A slab's descriptor. Free objects are found through a stack of slot indices
 * and an allocation bitmap kept here, never inside the objects, so a stray
 * write into an object cannot derail the allocator and a double free is seen
 * in every mode. Small-object caches keep the descriptor at the start of the
 * slab; large-object caches keep it in separate descriptor pages so a slab
 * holds a whole number of objects.
 */
typedef struct slab {
	slab_link_t link; /* first: the lists hold links, a link is its slab */
	slab_cache_t *cache;
	uint8_t *base;       /* first byte of the slab's pages */
	uint8_t *area;       /* first slot */
	uint16_t free_count; /* entries on free_stack */
	uint16_t in_use;
	uint16_t free_stack[]; /* objects_per_slab entries, then the bitmap at desc_bitmap_off */
} slab_t;

/* Debug-mode metadata at the start of each slot, ahead of the left red zone,
 * so an overrun (the common case) reaches the next slot's metadata, not its own. */
typedef struct {
	uintptr_t alloc_site;
	uintptr_t free_site;
} slab_debug_t;

/* Empty slabs kept per cache so that a cache hovering at a slab boundary does
 * not allocate and free pages on every call. */
#define SLAB_EMPTY_KEEP 1

/* Objects of this stride or more use off-slab descriptors. */
#define SLAB_OFF_SLAB_STRIDE (PAGE_SIZE / 8)

/* Each descriptor page starts with the link to the next one. */
#define SLAB_DESC_PAGE_HEADER 16

/* Slot indices are uint16_t, and the division by the stride in
 * slab_cache_free is exact only for offsets below 2^32 / stride. */
STATIC_ASSERT((PAGE_SIZE << SLAB_ORDER_MAX) <= 0xffff, "slab too large for uint16_t slot indices");

static slab_report_fn slab_report_hook;

static inline size_t slab_round_up(size_t v, size_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static inline void slab_list_init(slab_link_t *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool slab_list_empty(const slab_link_t *head)
{
	return head->next == head;
}

static inline void slab_list_remove(slab_link_t *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
}

static inline void slab_list_add(slab_link_t *head, slab_link_t *l)
{
	l->next = head->next;
	l->prev = head;
	head->next->prev = l;
	head->next = l;
}

static inline void slab_list_move(slab_link_t *head, slab_link_t *l)
{
	slab_list_remove(l);
	slab_list_add(head, l);
}

static inline uint64_t *slab_bitmap(const slab_cache_t *c, slab_t *s)
{
	return (uint64_t *)((uint8_t *)s + c->desc_bitmap_off);
}

static inline bool slab_bit_test(const uint64_t *bm, unsigned i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

static inline void *slab_object_at(const slab_cache_t *c, const slab_t *s, unsigned idx)
{
	return s->area + (size_t)idx * c->stride + c->object_offset;
}

static inline slab_debug_t *slab_debug_of(const slab_cache_t *c, void *obj)
{
	return (slab_debug_t *)((uint8_t *)obj - c->object_offset);
}

/* Bytes of a descriptor for n objects; *bitmap_off gets the bitmap's offset. */
static size_t slab_desc_bytes(size_t n, size_t *bitmap_off)
{
	size_t off = slab_round_up(sizeof(slab_t) + n * sizeof(uint16_t), sizeof(uint64_t));

	if (bitmap_off != NULL)
		*bitmap_off = off;
	return off + (n + 63) / 64 * sizeof(uint64_t);
}

/* Objects of stride bytes that fit a slab of bytes, with the descriptor and
 * its alignment padding in front of them when it is on the slab. */
static size_t slab_fit_objects(size_t bytes, size_t stride, size_t align, bool off_slab)
{
	size_t n = bytes / stride;

	if (off_slab)
		return n;
	/* Each object costs at least stride + 2 bytes of the slab. */
	n = bytes / (stride + sizeof(uint16_t));
	while (n > 0 && slab_round_up(slab_desc_bytes(n, NULL), align) + n * stride > bytes)
		n--;
	return n;
}

static void slab_cache_report(slab_cache_t *c, slab_error_t err, const void *obj,
			      uintptr_t alloc_site, uintptr_t free_site)
{
	c->errors++;
	slab_report(err, c->name, obj, alloc_site, free_site);
}

void slab_set_report(slab_report_fn fn)
{
	slab_report_hook = fn;
}

void slab_report(slab_error_t err, const char *cache, const void *obj, uintptr_t alloc_site,
		 uintptr_t free_site)
{
	if (slab_report_hook != NULL)
		slab_report_hook(err, cache, obj, alloc_site, free_site);
}

rae_status_t slab_cache_init(slab_cache_t *cache, const char *name, size_t object_size,
			     size_t align, const slab_page_source_t *source, unsigned flags)
{
	const size_t slab_max = PAGE_SIZE << SLAB_ORDER_MAX;
	size_t stride;
	size_t object_offset = 0;
	bool off_slab;
	bool chosen = false;
	unsigned best_order = 0;
	size_t best_n = 0;
	size_t best_waste = 0;

	if (align == 0)
		align = sizeof(uint64_t);
	if (object_size == 0 || object_size > slab_max || (align & (align - 1)) != 0 ||
	    align > PAGE_SIZE || source == NULL || source->alloc_pages == NULL ||
	    source->free_pages == NULL || source->page_owner == NULL || (flags & ~SLAB_DEBUG) != 0)
		return RAE_ERR_INVALID;
	if (flags & SLAB_DEBUG) {
		/* Slot: metadata, left red zone, object, right red zone. */
		size_t slot_align = align > sizeof(uintptr_t) ? align : sizeof(uintptr_t);

		object_offset = slab_round_up(sizeof(slab_debug_t) + SLAB_REDZONE_MIN, slot_align);
		stride = slab_round_up(object_offset + object_size + SLAB_REDZONE_MIN, slot_align);
	} else {
		stride = slab_round_up(object_size, align);
	}
	off_slab = stride >= SLAB_OFF_SLAB_STRIDE;
	/* The smallest slab that wastes at most 1/8 of itself, else the one
	 * that wastes the smallest share. Waste is what neither the objects nor
	 * their descriptor use: the descriptor grows with the objects, so
	 * counting it would push tiny objects into needlessly large slabs. */
	for (unsigned order = 0; order <= SLAB_ORDER_MAX && !chosen; order++) {
		size_t bytes = PAGE_SIZE << order;
		size_t n = slab_fit_objects(bytes, stride, align, off_slab);
		size_t waste;

		if (n == 0)
			continue;
		waste = bytes - n * stride - (off_slab ? 0 : slab_desc_bytes(n, NULL));
		if (waste * 8 <= bytes)
			chosen = true;
		if (chosen || best_n == 0 ||
		    waste * (PAGE_SIZE << best_order) < best_waste * bytes) {
			best_order = order;
			best_n = n;
			best_waste = waste;
		}
	}
	if (best_n == 0)
		return RAE_ERR_INVALID;

	memset(cache, 0, sizeof(*cache));
	cache->name = name;
	cache->source = *source;
	cache->flags = flags;
	cache->object_size = object_size;
	cache->stride = stride;
	cache->object_offset = object_offset;
	cache->stride_recip = ((1ull << 32) + stride - 1) / stride;
	cache->order = best_order;
	cache->objects_per_slab = (unsigned)best_n;
	cache->off_slab = off_slab;
	cache->desc_size = slab_desc_bytes(best_n, &cache->desc_bitmap_off);
	if (off_slab) {
		cache->desc_size = slab_round_up(cache->desc_size, 16);
		cache->area_offset = 0;
	} else {
		cache->area_offset = slab_round_up(cache->desc_size, align);
	}
	slab_list_init(&cache->partial);
	slab_list_init(&cache->full);
	slab_list_init(&cache->empty);
	return RAE_OK;
}

/* An off-slab descriptor, from a descriptor page; NULL when out of pages. */
static slab_t *slab_desc_get(slab_cache_t *c)
{
	void *desc;

	if (c->desc_free == NULL) {
		uint8_t *page = c->source.alloc_pages(c->source.ctx, 0);

		if (page == NULL)
			return NULL;
		*(void **)page = c->desc_pages;
		c->desc_pages = page;
		c->pages++;
		for (size_t off = SLAB_DESC_PAGE_HEADER; off + c->desc_size <= PAGE_SIZE;
		     off += c->desc_size) {
			*(void **)(page + off) = c->desc_free;
			c->desc_free = page + off;
		}
	}
	desc = c->desc_free;
	c->desc_free = *(void **)desc;
	return desc;
}

/* Descriptor pages are kept until the cache is destroyed: they are small next
 * to the slabs they describe, and a page of them serves dozens of slabs. */
static void slab_desc_put(slab_cache_t *c, slab_t *s)
{
	*(void **)s = c->desc_free;
	c->desc_free = s;
}

/* Clears the owner words of the first count pages of a slab. */
static void slab_owner_clear(slab_cache_t *c, uint8_t *base, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		uintptr_t *w = c->source.page_owner(c->source.ctx, base + i * PAGE_SIZE);

		if (w != NULL)
			*w = 0;
	}
}

static void slab_debug_slot_fill(slab_cache_t *c, void *obj)
{
	slab_debug_t *meta = slab_debug_of(c, obj);
	uint8_t *slot = (uint8_t *)meta;

	meta->alloc_site = 0;
	meta->free_site = 0;
	memset(slot + sizeof(*meta), SLAB_REDZONE, c->object_offset - sizeof(*meta));
	memset(obj, SLAB_POISON_FREE, c->object_size);
	memset((uint8_t *)obj + c->object_size, SLAB_REDZONE,
	       c->stride - c->object_offset - c->object_size);
}

/* A new slab on the partial list, or NULL when the source is out of pages. */
static slab_t *slab_grow(slab_cache_t *c)
{
	size_t npages = (size_t)1 << c->order;
	unsigned n = c->objects_per_slab;
	uint8_t *base = c->source.alloc_pages(c->source.ctx, c->order);
	slab_t *s;

	if (base == NULL)
		return NULL;
	if (c->off_slab) {
		s = slab_desc_get(c);
		if (s == NULL) {
			c->source.free_pages(c->source.ctx, base, c->order);
			return NULL;
		}
	} else {
		s = (slab_t *)base;
	}
	for (size_t i = 0; i < npages; i++) {
		uintptr_t *w = c->source.page_owner(c->source.ctx, base + i * PAGE_SIZE);

		if (unlikely(w == NULL)) {
			/* A source that cannot name its own pages; give up cleanly. */
			slab_owner_clear(c, base, i);
			if (c->off_slab)
				slab_desc_put(c, s);
			c->source.free_pages(c->source.ctx, base, c->order);
			return NULL;
		}
		*w = (uintptr_t)s | SLAB_OWNER_TAG;
	}
	s->cache = c;
	s->base = base;
	s->area = base + c->area_offset;
	s->in_use = 0;
	s->free_count = (uint16_t)n;
	/* Hand slots out lowest first. */
	for (unsigned i = 0; i < n; i++)
		s->free_stack[i] = (uint16_t)(n - 1 - i);
	memset(slab_bitmap(c, s), 0, (n + 63) / 64 * sizeof(uint64_t));
	if (c->flags & SLAB_DEBUG) {
		for (unsigned i = 0; i < n; i++)
			slab_debug_slot_fill(c, slab_object_at(c, s, i));
	}
	slab_list_add(&c->partial, &s->link);
	c->slabs++;
	c->pages += npages;
	return s;
}

/* Gives an unlinked slab's pages (and descriptor) back. */
static void slab_release(slab_cache_t *c, slab_t *s)
{
	uint8_t *base = s->base;

	slab_owner_clear(c, base, (size_t)1 << c->order);
	if (c->off_slab)
		slab_desc_put(c, s);
	c->source.free_pages(c->source.ctx, base, c->order);
	c->slabs--;
	c->pages -= (size_t)1 << c->order;
}

static bool slab_bytes_are(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

static void slab_debug_on_alloc(slab_cache_t *c, void *obj, uintptr_t site)
{
	slab_debug_t *meta = slab_debug_of(c, obj);

	if (unlikely(!slab_bytes_are(obj, SLAB_POISON_FREE, c->object_size))) {
		slab_cache_report(c, SLAB_ERR_USE_AFTER_FREE, obj, meta->alloc_site,
				  meta->free_site);
		memset(obj, SLAB_POISON_FREE, c->object_size);
	}
	meta->alloc_site = site;
}

static void slab_debug_on_free(slab_cache_t *c, void *obj, uintptr_t site)
{
	slab_debug_t *meta = slab_debug_of(c, obj);
	uint8_t *left = (uint8_t *)meta + sizeof(*meta);
	size_t left_len = c->object_offset - sizeof(*meta);
	uint8_t *right = (uint8_t *)obj + c->object_size;
	size_t right_len = c->stride - c->object_offset - c->object_size;

	if (unlikely(!slab_bytes_are(left, SLAB_REDZONE, left_len))) {
		slab_cache_report(c, SLAB_ERR_UNDERRUN, obj, meta->alloc_site, site);
		memset(left, SLAB_REDZONE, left_len);
	}
	if (unlikely(!slab_bytes_are(right, SLAB_REDZONE, right_len))) {
		slab_cache_report(c, SLAB_ERR_OVERRUN, obj, meta->alloc_site, site);
		memset(right, SLAB_REDZONE, right_len);
	}
	meta->free_site = site;
	memset(obj, SLAB_POISON_FREE, c->object_size);
}

void *slab_cache_alloc(slab_cache_t *cache, uintptr_t site)
{
	slab_link_t *l = cache->partial.next;
	slab_t *s;
	unsigned idx;
	void *obj;

	if (unlikely(l == &cache->partial)) {
		if (!slab_list_empty(&cache->empty)) {
			l = cache->empty.next;
			slab_list_move(&cache->partial, l);
			cache->empty_count--;
		} else {
			s = slab_grow(cache);
			if (s == NULL)
				return NULL;
			l = &s->link;
		}
	}
	s = (slab_t *)l;
	idx = s->free_stack[--s->free_count];
	slab_bitmap(cache, s)[idx / 64] |= 1ull << (idx % 64);
	s->in_use++;
	if (s->free_count == 0)
		slab_list_move(&cache->full, l);
	cache->objects_in_use++;
	cache->allocs++;
	obj = slab_object_at(cache, s, idx);
	if (cache->flags & SLAB_DEBUG)
		slab_debug_on_alloc(cache, obj, site);
	return obj;
}

/* The slab whose owner word covers addr, or NULL. */
static slab_t *slab_lookup(const slab_page_source_t *source, const void *addr)
{
	uintptr_t *w = source->page_owner(source->ctx, addr);

	if (w == NULL || (*w & SLAB_OWNER_TAG) == 0)
		return NULL;
	return (slab_t *)(*w & ~(uintptr_t)SLAB_OWNER_TAG);
}

void slab_cache_free(slab_cache_t *cache, void *obj, uintptr_t site)
{
	slab_t *s;
	uint64_t *bm;
	uintptr_t off;
	unsigned idx;

	if (obj == NULL)
		return;
	s = slab_lookup(&cache->source, obj);
	if (unlikely(s == NULL || s->cache != cache))
		goto bad_pointer;
	/* Wraps to a huge value for pointers below the first object. */
	off = (uintptr_t)obj - (uintptr_t)s->area - cache->object_offset;
	if (unlikely(off >= (uintptr_t)cache->objects_per_slab * cache->stride))
		goto bad_pointer;
	/* Exact for multiples of the stride, because off < 2^15; anything else
	 * fails the product check below. */
	idx = (unsigned)((off * cache->stride_recip) >> 32);
	if (unlikely((uintptr_t)idx * cache->stride != off))
		goto bad_pointer;
	bm = slab_bitmap(cache, s);
	if (unlikely(!slab_bit_test(bm, idx))) {
		uintptr_t alloc_site = 0;
		uintptr_t free_site = 0;

		if (cache->flags & SLAB_DEBUG) {
			alloc_site = slab_debug_of(cache, obj)->alloc_site;
			free_site = slab_debug_of(cache, obj)->free_site;
		}
		slab_cache_report(cache, SLAB_ERR_DOUBLE_FREE, obj, alloc_site, free_site);
		return;
	}
	if (cache->flags & SLAB_DEBUG)
		slab_debug_on_free(cache, obj, site);
	bm[idx / 64] &= ~(1ull << (idx % 64));
	s->free_stack[s->free_count++] = (uint16_t)idx;
	s->in_use--;
	cache->objects_in_use--;
	cache->frees++;
	if (s->free_count == 1)
		slab_list_move(&cache->partial, &s->link);
	if (s->in_use == 0) {
		slab_list_remove(&s->link);
		if (cache->empty_count < SLAB_EMPTY_KEEP) {
			slab_list_add(&cache->empty, &s->link);
			cache->empty_count++;
		} else {
			slab_release(cache, s);
		}
	}
	return;

bad_pointer:
	slab_cache_report(cache, SLAB_ERR_BAD_POINTER, obj, 0, site);
}

/* Reports the live objects of every slab on list; returns how many. */
static size_t slab_list_report_leaks(slab_cache_t *c, slab_link_t *head)
{
	size_t leaked = 0;

	for (slab_link_t *l = head->next; l != head; l = l->next) {
		slab_t *s = (slab_t *)l;
		uint64_t *bm = slab_bitmap(c, s);

		for (unsigned i = 0; i < c->objects_per_slab; i++) {
			void *obj;

			if (!slab_bit_test(bm, i))
				continue;
			obj = slab_object_at(c, s, i);
			slab_cache_report(
			    c, SLAB_ERR_LEAK, obj,
			    (c->flags & SLAB_DEBUG) ? slab_debug_of(c, obj)->alloc_site : 0, 0);
			leaked++;
		}
	}
	return leaked;
}

static void slab_list_release(slab_cache_t *c, slab_link_t *head)
{
	while (!slab_list_empty(head)) {
		slab_link_t *l = head->next;

		slab_list_remove(l);
		slab_release(c, (slab_t *)l);
	}
}

size_t slab_cache_destroy(slab_cache_t *cache)
{
	size_t leaked = slab_list_report_leaks(cache, &cache->full) +
			slab_list_report_leaks(cache, &cache->partial);

	slab_list_release(cache, &cache->full);
	slab_list_release(cache, &cache->partial);
	slab_list_release(cache, &cache->empty);
	while (cache->desc_pages != NULL) {
		void *page = cache->desc_pages;

		cache->desc_pages = *(void **)page;
		cache->source.free_pages(cache->source.ctx, page, 0);
		cache->pages--;
	}
	cache->desc_free = NULL;
	cache->empty_count = 0;
	cache->objects_in_use = 0;
	return leaked;
}

void slab_cache_stats(const slab_cache_t *cache, slab_stats_t *out)
{
	out->objects_in_use = cache->objects_in_use;
	out->slabs = cache->slabs;
	out->pages = cache->pages;
	out->allocs = cache->allocs;
	out->frees = cache->frees;
	out->errors = cache->errors;
	out->object_size = cache->object_size;
	out->stride = cache->stride;
	out->order = cache->order;
	out->objects_per_slab = cache->objects_per_slab;
}

slab_cache_t *slab_cache_of(const slab_page_source_t *source, const void *addr)
{
	slab_t *s = slab_lookup(source, addr);

	return s != NULL ? s->cache : NULL;
}
