/* Host tests of librae's heap (heap.c, over aligned host memory instead of
 * memory objects): alignment, sizes, reuse, realloc, large blocks, and a
 * seeded random mix whose blocks must never overlap (each is filled with a
 * pattern and checked before it is freed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

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
	for (int i = 0; i < SLOTS; i++)
		rae_heap_free(blocks[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_heap_realloc),
	    cmocka_unit_test(test_random_mix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
