/* Host tests for the kernel log ring (kernel/generic/console/klog.c):
 * offsets since boot, wrap-around, a reader lapped by the writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <console/klog.h>

static void test_klog_reads_by_offset(void **state)
{
	(void)state;
	klog_t *l = calloc(1, sizeof(*l));
	char out[64];
	uint64_t off = 0;
	assert_int_equal(klog_read(l, &off, out, sizeof(out)), 0);
	klog_append(l, "hello ", 6);
	klog_append(l, "world\n", 6);
	assert_int_equal(klog_read(l, &off, out, 8), 8);
	assert_memory_equal(out, "hello wo", 8);
	assert_int_equal(off, 8);
	assert_int_equal(klog_read(l, &off, out, sizeof(out)), 4);
	assert_memory_equal(out, "rld\n", 4);
	assert_int_equal(off, 12);
	off = 13;
	assert_int_equal(klog_read(l, &off, out, sizeof(out)), RAE_ERR_RANGE);
	free(l);
}

static void test_klog_wraps_and_skips_a_lapped_reader(void **state)
{
	(void)state;
	klog_t *l = calloc(1, sizeof(*l));
	char *big = malloc(KLOG_SIZE);
	for (size_t i = 0; i < KLOG_SIZE; i++)
		big[i] = (char)('a' + i % 26);
	klog_append(l, "0123456789", 10);
	klog_append(l, big, KLOG_SIZE);
	assert_int_equal(klog_oldest(l), 10);
	uint64_t off = 0; /* lapped: starts at the oldest byte still held */
	char out[16];
	assert_int_equal(klog_read(l, &off, out, 4), 4);
	assert_int_equal(off, 14);
	assert_memory_equal(out, "abcd", 4);
	off = KLOG_SIZE + 10 - 3;
	assert_int_equal(klog_read(l, &off, out, sizeof(out)), 3);
	assert_memory_equal(out, big + KLOG_SIZE - 3, 3);
	free(big);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_klog_reads_by_offset),
	    cmocka_unit_test(test_klog_wraps_and_skips_a_lapped_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
