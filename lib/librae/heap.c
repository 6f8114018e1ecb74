/* A small memory allocator for programs without a C library (services such
 * as vfsd) that gives memory back: one range of address space is reserved
 * at the first call (VM_ALLOCATE without protections) and cut in 64 KiB
 * runs. A run's pages are committed (VM_PROTECT read-write: zeroed pages)
 * when it is taken and go back to the kernel (VM_PROTECT 0) when its last
 * block is freed, but for a few empty runs kept for the next allocation.
 * A run holds blocks of one power-of-two class (16 B .. 64 KiB) on a free
 * list of its own; a block above 64 KiB gets consecutive runs, and exactly
 * its pages. No block carries a header: the run a pointer lies in says its
 * class. The run descriptors sit at the start of the range, committed as
 * the heap grows. Not thread-safe: a program with several threads must
 * call it under one lock. */
#ifdef RAE_HOST_TEST
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <rae/handle.h>
#include <rae_heap.h>
#else
#include <rae.h>
#endif

#define HEAP_PAGE      4096ull
#define HEAP_CLASSES   13 /* 16 B .. 64 KiB */
#define HEAP_RUN       (16ull << (HEAP_CLASSES - 1))
#define HEAP_ARENA     (1ull << 30) /* address space, not memory: VM_ALLOCATE's limit */
#define HEAP_RUNS      (HEAP_ARENA / HEAP_RUN)
#define HEAP_LARGE_MAX (16ull << 20)
#define HEAP_NIL       0xffffffffu
/* Empty runs kept committed, so a class that empties and refills a run
 * does not make two system calls each time. */
#define HEAP_KEEP_EMPTY 2

/* A run's kind: a class (0 .. HEAP_CLASSES - 1), or one of these. */
#define HEAP_RUN_FREE  0xf0 /* no pages */
#define HEAP_RUN_EMPTY 0xf1 /* committed, no blocks: on the kept list */
#define HEAP_RUN_LARGE 0xf2 /* the first run of a large block */
#define HEAP_RUN_TAIL  0xf3 /* a later run of a large block */
#define HEAP_RUN_META  0xf4 /* holds run descriptors */

typedef struct {
	uint32_t prev, next; /* on a list (run numbers; HEAP_NIL: none) */
	uint32_t free;       /* a class run: offset of its first free block (HEAP_NIL: full);
				a large block: its pages */
	uint16_t used;       /* blocks handed out */
	uint8_t kind;
} heap_run_t;

typedef struct {
	uint32_t head;
	uint32_t count;
} heap_list_t;

static uintptr_t heap_base;                    /* the reserved range; 0 before the first call */
static heap_run_t *heap_runs;                  /* HEAP_RUNS descriptors at heap_base */
static uint32_t heap_top;                      /* runs below it have descriptors committed */
static uint32_t heap_meta_top;                 /* descriptor pages committed */
static heap_list_t heap_partial[HEAP_CLASSES]; /* runs with blocks free and in use */
static heap_list_t heap_kept;                  /* empty committed runs */
static heap_list_t heap_free_runs;             /* runs without pages, below heap_top */
static size_t heap_committed;                  /* bytes of pages the heap holds */

#define HEAP_META_RUNS ((HEAP_RUNS * sizeof(heap_run_t) + HEAP_RUN - 1) / HEAP_RUN)

#ifdef RAE_HOST_TEST
/* Host tests reserve with mmap; a decommitted page is dropped and made
 * inaccessible, so a use after the heap gave it back faults there too. */
static uintptr_t heap_os_reserve(size_t size)
{
	void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? 0 : (uintptr_t)p;
}

static int heap_os_commit(uintptr_t at, size_t size)
{
	return mprotect((void *)at, size, PROT_READ | PROT_WRITE) == 0;
}

static void heap_os_decommit(uintptr_t at, size_t size)
{
	madvise((void *)at, size, MADV_DONTNEED);
	mprotect((void *)at, size, PROT_NONE);
}

__attribute__((noreturn)) static void heap_die(const char *why)
{
	(void)why;
	abort();
}
#else
static uintptr_t heap_os_reserve(size_t size)
{
	int64_t at = rae_vm_allocate(size, 0);
	return at > 0 ? (uintptr_t)at : 0;
}

/* Zeroed pages, charged to the job: 0 when there are none to be had. */
static int heap_os_commit(uintptr_t at, size_t size)
{
	if (rae_vm_protect(at, size, RAE_PROT_READ | RAE_PROT_WRITE) == RAE_OK)
		return 1;
	rae_vm_protect(at, size, 0); /* whatever part was mapped */
	return 0;
}

static void heap_os_decommit(uintptr_t at, size_t size)
{
	rae_vm_protect(at, size, 0);
}

__attribute__((noreturn)) static void heap_die(const char *why)
{
	rae_puts(why);
	rae_exit(RAE_EXIT_HEAP_CORRUPT);
}
#endif

static uintptr_t heap_run_addr(uint32_t r)
{
	return heap_base + (uintptr_t)r * HEAP_RUN;
}

static void heap_list_push(heap_list_t *l, uint32_t r)
{
	heap_run_t *d = &heap_runs[r];
	d->prev = HEAP_NIL;
	d->next = l->head;
	if (l->head != HEAP_NIL)
		heap_runs[l->head].prev = r;
	l->head = r;
	l->count++;
}

static void heap_list_remove(heap_list_t *l, uint32_t r)
{
	heap_run_t *d = &heap_runs[r];
	if (d->prev != HEAP_NIL)
		heap_runs[d->prev].next = d->next;
	else
		l->head = d->next;
	if (d->next != HEAP_NIL)
		heap_runs[d->next].prev = d->prev;
	l->count--;
}

/* Reserves the range and commits the first page of descriptors. */
static int heap_init(void)
{
	static uintptr_t reserved; /* kept for the next try if no page came */
	if (!reserved)
		reserved = heap_os_reserve(HEAP_ARENA);
	if (!reserved || !heap_os_commit(reserved, HEAP_PAGE))
		return 0;
	heap_base = reserved;
	heap_runs = (heap_run_t *)reserved;
	heap_meta_top = 1;
	heap_committed = HEAP_PAGE;
	for (unsigned c = 0; c < HEAP_CLASSES; c++)
		heap_partial[c] = (heap_list_t){HEAP_NIL, 0};
	heap_kept = heap_free_runs = (heap_list_t){HEAP_NIL, 0};
	for (uint32_t r = 0; r < HEAP_META_RUNS; r++)
		heap_runs[r] = (heap_run_t){HEAP_NIL, HEAP_NIL, 0, 0, HEAP_RUN_META};
	heap_top = HEAP_META_RUNS;
	return 1;
}

/* Makes room for `count` more descriptors above heap_top. */
static int heap_grow(uint32_t count)
{
	if (count > HEAP_RUNS - heap_top)
		return 0;
	uint64_t need =
	    ((uint64_t)(heap_top + count) * sizeof(heap_run_t) + HEAP_PAGE - 1) / HEAP_PAGE;
	if (need > heap_meta_top) {
		uintptr_t at = heap_base + heap_meta_top * HEAP_PAGE;
		if (!heap_os_commit(at, (need - heap_meta_top) * HEAP_PAGE))
			return 0;
		heap_committed += (need - heap_meta_top) * HEAP_PAGE;
		heap_meta_top = (uint32_t)need;
	}
	for (uint32_t r = heap_top; r < heap_top + count; r++)
		heap_runs[r] = (heap_run_t){HEAP_NIL, HEAP_NIL, 0, 0, HEAP_RUN_FREE};
	heap_top += count;
	return 1;
}

/* A run with its pages committed, taken off every list; HEAP_NIL when the
 * kernel has no pages or the range is full. */
static uint32_t heap_run_take(void)
{
	uint32_t r = heap_kept.head;
	if (r != HEAP_NIL) {
		heap_list_remove(&heap_kept, r);
		return r;
	}
	r = heap_free_runs.head;
	if (r != HEAP_NIL) {
		heap_list_remove(&heap_free_runs, r);
	} else {
		if (!heap_grow(1))
			return HEAP_NIL;
		r = heap_top - 1;
	}
	if (!heap_os_commit(heap_run_addr(r), HEAP_RUN)) {
		heap_runs[r].kind = HEAP_RUN_FREE;
		heap_list_push(&heap_free_runs, r);
		return HEAP_NIL;
	}
	heap_committed += HEAP_RUN;
	return r;
}

/* A run whose last block went: kept, or its pages back to the kernel. */
static void heap_run_give(uint32_t r)
{
	heap_run_t *d = &heap_runs[r];
	d->used = 0;
	if (heap_kept.count < HEAP_KEEP_EMPTY) {
		d->kind = HEAP_RUN_EMPTY;
		heap_list_push(&heap_kept, r);
		return;
	}
	heap_os_decommit(heap_run_addr(r), HEAP_RUN);
	heap_committed -= HEAP_RUN;
	d->kind = HEAP_RUN_FREE;
	heap_list_push(&heap_free_runs, r);
}

static int heap_class_of(size_t n)
{
	int c = 0;
	while (c < HEAP_CLASSES && ((size_t)16 << c) < n)
		c++;
	return c; /* HEAP_CLASSES: too large for a class */
}

/* Splits run r (committed) into blocks of class c on its own free list. */
static void heap_run_carve(uint32_t r, int c)
{
	heap_run_t *d = &heap_runs[r];
	uint32_t bsize = 16u << c;
	uint8_t *start = (uint8_t *)heap_run_addr(r);
	for (uint32_t off = 0; off < HEAP_RUN; off += bsize)
		*(uint32_t *)(start + off) = off + bsize < HEAP_RUN ? off + bsize : HEAP_NIL;
	d->kind = (uint8_t)c;
	d->free = 0;
	d->used = 0;
}

static void *heap_alloc_small(int c)
{
	uint32_t r = heap_partial[c].head;
	if (r == HEAP_NIL) {
		r = heap_run_take();
		if (r == HEAP_NIL)
			return NULL;
		heap_run_carve(r, c);
		heap_list_push(&heap_partial[c], r);
	}
	heap_run_t *d = &heap_runs[r];
	uint8_t *b = (uint8_t *)heap_run_addr(r) + d->free;
	d->free = *(uint32_t *)b;
	d->used++;
	if (d->free == HEAP_NIL)
		heap_list_remove(&heap_partial[c], r);
	return b;
}

/* First of `count` consecutive runs without pages, taken off the free
 * list; HEAP_NIL when the range has no such place. */
static uint32_t heap_span_find(uint32_t count)
{
	uint32_t found = 0;
	for (uint32_t r = HEAP_META_RUNS; r < heap_top; r++) {
		found = heap_runs[r].kind == HEAP_RUN_FREE ? found + 1 : 0;
		if (found == count) {
			uint32_t first = r + 1 - count;
			for (uint32_t i = first; i <= r; i++)
				heap_list_remove(&heap_free_runs, i);
			return first;
		}
	}
	/* Free runs just below the top count towards a span there. */
	uint32_t first = heap_top - found;
	if (!heap_grow(count - found))
		return HEAP_NIL;
	for (uint32_t i = first; i < first + found; i++)
		heap_list_remove(&heap_free_runs, i);
	return first;
}

static void *heap_alloc_large(size_t n)
{
	if (n > HEAP_LARGE_MAX)
		return NULL;
	uint64_t pages = (n + HEAP_PAGE - 1) / HEAP_PAGE;
	uint32_t count = (uint32_t)((pages * HEAP_PAGE + HEAP_RUN - 1) / HEAP_RUN);
	uint32_t r = heap_span_find(count);
	if (r == HEAP_NIL)
		return NULL;
	if (!heap_os_commit(heap_run_addr(r), pages * HEAP_PAGE)) {
		for (uint32_t i = r; i < r + count; i++) {
			heap_runs[i].kind = HEAP_RUN_FREE;
			heap_list_push(&heap_free_runs, i);
		}
		return NULL;
	}
	heap_committed += pages * HEAP_PAGE;
	for (uint32_t i = r; i < r + count; i++)
		heap_runs[i].kind = HEAP_RUN_TAIL;
	heap_runs[r].kind = HEAP_RUN_LARGE;
	heap_runs[r].free = (uint32_t)pages;
	heap_runs[r].used = 1;
	return (void *)heap_run_addr(r);
}

void *rae_heap_alloc(size_t n)
{
	if (!heap_base && !heap_init())
		return NULL;
	if (n == 0)
		n = 1;
	int c = heap_class_of(n);
	return c == HEAP_CLASSES ? heap_alloc_large(n) : heap_alloc_small(c);
}

/* The run of a block handed out; a pointer the heap never returned ends
 * the program: it is a bug, and going on would corrupt the lists. */
static uint32_t heap_block_run(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	if (heap_base && a >= heap_base && a - heap_base < (uintptr_t)heap_top * HEAP_RUN) {
		uint32_t r = (uint32_t)((a - heap_base) / HEAP_RUN);
		uintptr_t off = (a - heap_base) % HEAP_RUN;
		const heap_run_t *d = &heap_runs[r];
		if (d->kind < HEAP_CLASSES && off % ((size_t)16 << d->kind) == 0 && d->used)
			return r;
		if (d->kind == HEAP_RUN_LARGE && off == 0)
			return r;
	}
	heap_die("heap: free of a pointer the heap did not hand out\n");
}

size_t rae_heap_size(const void *p)
{
	const heap_run_t *d = &heap_runs[heap_block_run(p)];
	return d->kind == HEAP_RUN_LARGE ? (size_t)d->free * HEAP_PAGE : (size_t)16 << d->kind;
}

void rae_heap_free(void *p)
{
	if (!p)
		return;
	uint32_t r = heap_block_run(p);
	heap_run_t *d = &heap_runs[r];
	if (d->kind == HEAP_RUN_LARGE) {
		uint64_t pages = d->free;
		uint32_t count = (uint32_t)((pages * HEAP_PAGE + HEAP_RUN - 1) / HEAP_RUN);
		heap_os_decommit(heap_run_addr(r), pages * HEAP_PAGE);
		heap_committed -= pages * HEAP_PAGE;
		for (uint32_t i = r; i < r + count; i++) {
			heap_runs[i].kind = HEAP_RUN_FREE;
			heap_runs[i].used = 0;
			heap_list_push(&heap_free_runs, i);
		}
		return;
	}
	int c = d->kind;
	uint32_t off = (uint32_t)((uintptr_t)p - heap_run_addr(r));
	*(uint32_t *)p = d->free;
	if (d->free == HEAP_NIL)
		heap_list_push(&heap_partial[c], r); /* it was full */
	d->free = off;
	if (--d->used == 0) {
		heap_list_remove(&heap_partial[c], r);
		heap_run_give(r);
	}
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
	return heap_committed;
}
