/* A small memory allocator for programs without a C library (services until
 * the musl port arrives): power-of-two size classes from 16 bytes to 64 KiB,
 * carved from 64 KiB runs inside memory objects (MEM_CREATE, mapped
 * read-write); a block above 64 KiB gets a memory object of its own, which
 * goes back to the kernel when freed. A freed small block returns to its
 * class's list (runs are never given back). No block carries a header: the
 * run a pointer lies in says its class. Not thread-safe: a program with
 * several threads must call it under one lock. */
#ifdef RAE_HOST_TEST
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <rae/handle.h>
#include <rae_heap.h>
#else
#include <rae.h>
#endif

#define HEAP_CLASSES     13 /* 16 B .. 64 KiB */
#define HEAP_RUN         (16ull << (HEAP_CLASSES - 1))
#define HEAP_REGIONS_MAX 48 /* of a process's 64 mappings */
#define HEAP_CHUNK_MIN   (1ull << 20)
#define HEAP_CHUNK_MAX   (16ull << 20) /* MEM_CREATE's limit */
#define HEAP_RUNS_MAX    (HEAP_CHUNK_MAX / HEAP_RUN)
#define HEAP_RUN_UNUSED  0xff

typedef struct {
	uintptr_t base; /* 0: a free slot */
	size_t size;
	rae_handle_t handle;
	uint32_t runs_used; /* runs handed out, from the start */
	uint8_t large;      /* one block, the whole region */
	uint8_t run_class[HEAP_RUNS_MAX];
} heap_region_t;

typedef struct heap_free {
	struct heap_free *next;
} heap_free_t;

static heap_region_t heap_regions[HEAP_REGIONS_MAX];
static heap_free_t *heap_free_lists[HEAP_CLASSES];
static size_t heap_mapped; /* bytes of every region */

#ifdef RAE_HOST_TEST
/* Host tests stand in for memory objects with aligned heap memory. */
static uintptr_t heap_os_map(size_t size, rae_handle_t *h)
{
	*h = 1;
	void *p = aligned_alloc(4096, size);
	if (p)
		memset(p, 0, size);
	return (uintptr_t)p;
}

static void heap_os_unmap(uintptr_t base, rae_handle_t h)
{
	(void)h;
	free((void *)base);
}

__attribute__((noreturn)) static void heap_die(const char *why)
{
	(void)why;
	abort();
}
#else
static uintptr_t heap_os_map(size_t size, rae_handle_t *h)
{
	int64_t obj = rae_mem_create(size, 0);
	if (obj < 0)
		return 0;
	int64_t at = rae_mem_map((rae_handle_t)obj, RAE_PROT_READ | RAE_PROT_WRITE);
	if (at <= 0) {
		rae_handle_close((rae_handle_t)obj);
		return 0;
	}
	*h = (rae_handle_t)obj;
	return (uintptr_t)at;
}

static void heap_os_unmap(uintptr_t base, rae_handle_t h)
{
	rae_mem_unmap(base);
	rae_handle_close(h);
}

__attribute__((noreturn)) static void heap_die(const char *why)
{
	rae_puts(why);
	rae_exit(RAE_EXIT_HEAP_CORRUPT);
}
#endif

static int heap_class_of(size_t n)
{
	int c = 0;
	while (c < HEAP_CLASSES && ((size_t)16 << c) < n)
		c++;
	return c; /* HEAP_CLASSES: too large for a class */
}

/* A new region of at least `size` bytes in a free slot, or NULL. */
static heap_region_t *heap_region_new(size_t size, int large)
{
	for (unsigned i = 0; i < HEAP_REGIONS_MAX; i++) {
		heap_region_t *r = &heap_regions[i];
		if (r->base)
			continue;
		r->base = heap_os_map(size, &r->handle);
		if (!r->base)
			return NULL;
		r->size = size;
		r->runs_used = 0;
		r->large = (uint8_t)large;
		memset(r->run_class, HEAP_RUN_UNUSED, sizeof(r->run_class));
		heap_mapped += size;
		return r;
	}
	return NULL;
}

/* Splits a fresh run into blocks of class c on its free list. */
static int heap_refill(int c)
{
	heap_region_t *r = NULL;
	for (unsigned i = 0; i < HEAP_REGIONS_MAX && !r; i++) {
		heap_region_t *x = &heap_regions[i];
		if (x->base && !x->large && x->runs_used < x->size / HEAP_RUN)
			r = x;
	}
	if (!r) {
		/* Chunks grow with the heap, so 48 regions reach far. */
		size_t size = heap_mapped < HEAP_CHUNK_MIN ? HEAP_CHUNK_MIN : heap_mapped;
		size = size > HEAP_CHUNK_MAX ? HEAP_CHUNK_MAX : size;
		r = heap_region_new(size, 0);
		if (!r)
			return 0;
	}
	uint32_t run = r->runs_used++;
	r->run_class[run] = (uint8_t)c;
	size_t bsize = (size_t)16 << c;
	uintptr_t start = r->base + (uintptr_t)run * HEAP_RUN;
	for (size_t off = HEAP_RUN; off >= bsize; off -= bsize) {
		heap_free_t *b = (heap_free_t *)(start + off - bsize);
		b->next = heap_free_lists[c];
		heap_free_lists[c] = b;
	}
	return 1;
}

void *rae_heap_alloc(size_t n)
{
	if (n == 0)
		n = 1;
	int c = heap_class_of(n);
	if (c == HEAP_CLASSES) {
		if (n > HEAP_CHUNK_MAX)
			return NULL;
		heap_region_t *r = heap_region_new((n + 4095) & ~(size_t)4095, 1);
		return r ? (void *)r->base : NULL;
	}
	if (!heap_free_lists[c] && !heap_refill(c))
		return NULL;
	heap_free_t *b = heap_free_lists[c];
	heap_free_lists[c] = b->next;
	return b;
}

/* The region holding p, or NULL. */
static heap_region_t *heap_region_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	for (unsigned i = 0; i < HEAP_REGIONS_MAX; i++) {
		heap_region_t *r = &heap_regions[i];
		if (r->base && a >= r->base && a - r->base < r->size)
			return r;
	}
	return NULL;
}

/* The class of a block handed out (HEAP_CLASSES for a large one); a pointer
 * the heap never returned ends the program: it is a bug, and going on would
 * corrupt the lists. */
static int heap_block_class(const void *p, heap_region_t **region)
{
	heap_region_t *r = heap_region_of(p);
	uintptr_t off = r ? (uintptr_t)p - r->base : 0;
	if (r && r->large && off == 0) {
		*region = r;
		return HEAP_CLASSES;
	}
	if (r && !r->large && off / HEAP_RUN < r->runs_used) {
		int c = r->run_class[off / HEAP_RUN];
		if (c < HEAP_CLASSES && (off % HEAP_RUN) % ((size_t)16 << c) == 0) {
			*region = r;
			return c;
		}
	}
	heap_die("heap: free of a pointer the heap did not hand out\n");
}

size_t rae_heap_size(const void *p)
{
	heap_region_t *r;
	int c = heap_block_class(p, &r);
	return c == HEAP_CLASSES ? r->size : (size_t)16 << c;
}

void rae_heap_free(void *p)
{
	if (!p)
		return;
	heap_region_t *r;
	int c = heap_block_class(p, &r);
	if (c == HEAP_CLASSES) {
		heap_os_unmap(r->base, r->handle);
		heap_mapped -= r->size;
		r->base = 0;
		return;
	}
	heap_free_t *b = p;
	b->next = heap_free_lists[c];
	heap_free_lists[c] = b;
}

void *rae_heap_realloc(void *p, size_t n)
{
	if (!p)
		return rae_heap_alloc(n);
	size_t have = rae_heap_size(p);
	if (n <= have && (have <= 16 || n > have / 2))
		return p;
	void *q = rae_heap_alloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	rae_heap_free(p);
	return q;
}

size_t rae_heap_mapped(void)
{
	return heap_mapped;
}
