/* Kernel tests of memory accounting by use (RAE_MEM_*): the counts add up
 * to the RAM there is, agree with a fresh count of the page frame
 * database, and follow allocations and frees. */
#include <console/kprintf.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <test/ktest.h>

static uint64_t sum(const uint64_t use[RAE_MEM_USES])
{
	uint64_t n = 0;
	for (unsigned u = 0; u < RAE_MEM_USES; u++)
		n += use[u];
	return n;
}

KTEST(mm_usage_adds_up)
{
	uint64_t counted[RAE_MEM_USES], kept[RAE_MEM_USES];
	pmm_stats_t stats;
	pmm_census(counted, kept);
	pmm_stats(&stats);
	KTEST_EXPECT_EQ(t, sum(kept), stats.total_pages);
	KTEST_EXPECT_EQ(t, sum(counted), stats.total_pages);
	for (unsigned u = 0; u < RAE_MEM_USES; u++) {
		if (counted[u] != kept[u])
			kprintf("# use %u: %lu pages in the database, %lu counted\n", u, counted[u],
				kept[u]);
		KTEST_EXPECT_EQ(t, counted[u], kept[u]);
	}
	/* What every boot has: an image, a database of 16-byte entries, a heap,
	 * page tables, stacks, the initrd. */
	KTEST_EXPECT(t, kept[RAE_MEM_KERNEL_IMAGE] > 0);
	KTEST_EXPECT(t, kept[RAE_MEM_PAGE_DB] > 0);
	KTEST_EXPECT(t, kept[RAE_MEM_PAGE_DB] * PAGE_SIZE / sizeof(page_t) >= stats.total_pages);
	KTEST_EXPECT(t, kept[RAE_MEM_KERNEL_HEAP] > 0);
	KTEST_EXPECT(t, kept[RAE_MEM_PAGE_TABLES] > 0);
	KTEST_EXPECT(t, kept[RAE_MEM_KERNEL_STACKS] > 0);
	KTEST_EXPECT(t, kept[RAE_MEM_INITRD] > 0);
}

KTEST(mm_usage_follows_allocations)
{
	uint64_t before[RAE_MEM_USES], during[RAE_MEM_USES], after[RAE_MEM_USES];
	pmm_usage(before);
	paddr_t block = pmm_alloc_pages(3, RAE_MEM_KERNEL_OTHER);
	paddr_t table = pmm_alloc_page_table();
	uintptr_t stack = kstack_alloc();
	KTEST_EXPECT(t, block && table && stack);
	pmm_usage(during);
	KTEST_EXPECT_EQ(t, during[RAE_MEM_KERNEL_OTHER], before[RAE_MEM_KERNEL_OTHER] + 8);
	/* The stack may have needed a page table of its own. */
	KTEST_EXPECT(t, during[RAE_MEM_PAGE_TABLES] >= before[RAE_MEM_PAGE_TABLES] + 1);
	KTEST_EXPECT(t,
		     during[RAE_MEM_KERNEL_STACKS] >= before[RAE_MEM_KERNEL_STACKS] + KSTACK_PAGES);
	KTEST_EXPECT_EQ(t, sum(during), sum(before));
	if (block)
		pmm_free_pages(block, 3);
	if (table)
		pmm_free_pages(table, 0);
	if (stack)
		kstack_free(stack);
	pmm_usage(after);
	KTEST_EXPECT_EQ(t, after[RAE_MEM_KERNEL_OTHER], before[RAE_MEM_KERNEL_OTHER]);
	KTEST_EXPECT_EQ(t, sum(after), sum(before));
}
