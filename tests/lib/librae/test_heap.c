/* Host tests of librae's heap (heap.c, over an mmap reservation instead of
 * VM_ALLOCATE): alignment, sizes, reuse, realloc, large blocks, a seeded
 * random mix whose blocks must never overlap (each is filled with a pattern
 * and checked before it is freed), and that freed memory goes back: the
 * pages the heap holds fall to what they were, whatever the order of the
 * frees. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rae_heap.h>

static void test_classes(void **state)
{
	(void)state;
	for (size_t n = 1; n <= 70000; n = n * 3 + 1) {
		uint8_t *p = rae_heap_alloc(n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(rae_heap_size(p) >= n);
		memset(p, 0xab, n);
		rae_heap_free(p);
	}
	/* A freed small block is handed out again. */
	void *a = rae_heap_alloc(100);
	rae_heap_free(a);
	assert_ptr_equal(rae_heap_alloc(100), a);
	rae_heap_free(a);
	assert_null(rae_heap_alloc((16u << 20) + 1));
	rae_heap_free(NULL);
}

static void test_heap_realloc(void **state)
{
	(void)state;
	uint8_t *p = rae_heap_realloc(NULL, 10);
	memcpy(p, "0123456789", 10);
	p = rae_heap_realloc(p, 5000);
	assert_memory_equal(p, "0123456789", 10);
	assert_ptr_equal(rae_heap_realloc(p, 4500), p); /* still fits, not under half */
	p = rae_heap_realloc(p, 100000);                /* a large block of its own */
	assert_memory_equal(p, "0123456789", 10);
	size_t mapped = rae_heap_mapped();
	p = rae_heap_realloc(p, 8);
	assert_memory_equal(p, "01234567", 8);
	assert_true(rae_heap_mapped() < mapped); /* the large block went back */
	rae_heap_free(p);
}

#define SLOTS 512

static void test_random_mix(void **state)
{
	(void)state;
	static uint8_t *blocks[SLOTS];
	static size_t sizes[SLOTS];
	srand(7);
	for (int iter = 0; iter < 100000; iter++) {
		int i = rand() % SLOTS;
		if (blocks[i]) {
			for (size_t k = 0; k < sizes[i]; k++)
				assert_int_equal(blocks[i][k], (uint8_t)(i + k));
			rae_heap_free(blocks[i]);
			blocks[i] = NULL;
		} else {
			size_t n =
			    rand() % 8 ? 1 + (size_t)rand() % 600 : 1 + (size_t)rand() % 90000;
			blocks[i] = rae_heap_alloc(n);
			assert_non_null(blocks[i]);
			sizes[i] = n;
			for (size_t k = 0; k < n; k++)
				blocks[i][k] = (uint8_t)(i + k);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		rae_heap_free(blocks[i]);
		blocks[i] = NULL;
	}
}

#define RUN       (64u << 10)
#define KEPT_RUNS 2 /* HEAP_KEEP_EMPTY */

/* What the heap may still hold after everything allocated since `base`
 * was freed: the empty runs it keeps, and descriptor pages. */
static void assert_given_back(size_t base)
{
	size_t now = rae_heap_mapped();
	assert_true(now <= base + KEPT_RUNS * RUN + 4 * 4096);
}

/* Exactly `want` bytes but for descriptor pages the heap may have added. */
static void assert_near(size_t got, size_t want)
{
	assert_true(got >= want && got <= want + 4 * 4096);
}

#define MANY 20000

static void test_small_blocks_go_back(void **state)
{
	(void)state;
	static void *p[MANY];
	size_t base = rae_heap_mapped();
	/* Like a file system's nodes, names and 4 KiB blocks, interleaved. */
	for (int i = 0; i < MANY; i++) {
		size_t n = i % 3 == 0 ? 72 : i % 3 == 1 ? 9 : 4096;
		p[i] = rae_heap_alloc(n);
		assert_non_null(p[i]);
		memset(p[i], i, n);
	}
	assert_true(rae_heap_mapped() > base + (MANY / 3) * 4096);
	/* Every other one, then the rest: runs empty only at the end. */
	for (int i = 0; i < MANY; i += 2)
		rae_heap_free(p[i]);
	for (int i = 1; i < MANY; i += 2)
		rae_heap_free(p[i]);
	assert_given_back(base);
	/* And again, freed in reverse: the same runs serve, nothing grows. */
	for (int i = 0; i < MANY; i++)
		p[i] = rae_heap_alloc(i % 2 ? 4096 : 48);
	size_t full = rae_heap_mapped();
	for (int i = MANY - 1; i >= 0; i--)
		rae_heap_free(p[i]);
	assert_given_back(base);
	for (int i = 0; i < MANY; i++)
		p[i] = rae_heap_alloc(i % 2 ? 4096 : 48);
	assert_int_equal(rae_heap_mapped(), full);
	for (int i = 0; i < MANY; i++)
		rae_heap_free(p[i]);
	assert_given_back(base);
}

static void test_large_blocks_go_back(void **state)
{
	(void)state;
	size_t base = rae_heap_mapped();
	uint8_t *a = rae_heap_alloc(100000); /* 25 pages, in two runs */
	assert_non_null(a);
	assert_int_equal(rae_heap_size(a), 25 * 4096);
	assert_near(rae_heap_mapped(), base + 25 * 4096);
	memset(a, 1, 100000);
	uint8_t *b = rae_heap_alloc(1u << 20);
	memset(b, 2, 1u << 20);
	rae_heap_free(a);
	assert_near(rae_heap_mapped(), base + (1u << 20));
	/* Pages of a block that fits where a was come fresh. */
	uint8_t *c = rae_heap_alloc(2 * RUN);
	for (size_t i = 0; i < 2 * RUN; i++)
		assert_int_equal(c[i], 0);
	rae_heap_free(b);
	rae_heap_free(c);
	assert_near(rae_heap_mapped(), base);
	/* A directory's entry array growing by doubling, then shrinking. */
	void *e = NULL;
	for (size_t n = 16; n <= (4u << 20); n *= 2) {
		e = rae_heap_realloc(e, n);
		assert_non_null(e);
		memset(e, 3, n);
	}
	for (size_t n = (2u << 20); n >= 16; n /= 2)
		e = rae_heap_realloc(e, n);
	rae_heap_free(e);
	assert_given_back(base);
}

static void test_random_mix_goes_back(void **state)
{
	(void)state;
	size_t base = rae_heap_mapped();
	test_random_mix(state);
	assert_given_back(base);
}

/* A pointer the heap never handed out ends the program (abort, on the
 * host), before any list is touched. */
static void test_bad_free_dies(void **state)
{
	(void)state;
	uint8_t *p = rae_heap_alloc(64);
	assert_non_null(p);
	pid_t pid = fork();
	if (pid == 0) {
		rae_heap_free(p + 16 + 8); /* inside a block, not at its start */
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	rae_heap_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_heap_realloc),
	    cmocka_unit_test(test_random_mix),
	    cmocka_unit_test(test_small_blocks_go_back),
	    cmocka_unit_test(test_large_blocks_go_back),
	    cmocka_unit_test(test_random_mix_goes_back),
	    cmocka_unit_test(test_bad_free_dies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
