/* Kernel tests of memory management: W^X over every mapping, the mapping
 * rules, the page allocator, the heap, guarded stacks and the KASLR layout. */
#include <console/kprintf.h>
#include <hal/paging.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <string.h>
#include <test/ktest.h>

extern const char __text_start[], __rodata_start[], __data_start[];

static void wx_report(uintptr_t va, uint64_t size)
{
	kprintf("# W+X mapping at 0x%016lx (%lu bytes)\n", va, size);
}

KTEST(mm_no_wx_mappings)
{
	KTEST_EXPECT_EQ(t, hal_pt_count_wx(hal_pt_root(), wx_report), 0);
}

KTEST(mm_map_refuses_wx)
{
	uintptr_t va = vmm_alloc(1, VM_READ | VM_WRITE, RAE_MEM_KERNEL_OTHER);
	KTEST_EXPECT(t, va != 0);
	paddr_t pa = pmm_alloc_page_zeroed(RAE_MEM_KERNEL_OTHER);
	KTEST_EXPECT(t, pa != 0);
	/* A W+X request is refused outright, mapped or not. */
	KTEST_EXPECT_EQ(t,
			hal_pt_map(hal_pt_root(), va, pa, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC,
				   false, pmm_alloc_page_table),
			RAE_ERR_INVALID);
	KTEST_EXPECT_EQ(t, vmm_alloc(1, VM_READ | VM_WRITE | VM_EXEC, RAE_MEM_KERNEL_OTHER), 0);
	KTEST_EXPECT(t, vmm_map_phys(pa, PAGE_SIZE, VM_WRITE | VM_EXEC) == NULL);
	/* Mapping over an existing mapping is refused too. */
	KTEST_EXPECT_EQ(
	    t, hal_pt_map(hal_pt_root(), va, pa, PAGE_SIZE, VM_READ, false, pmm_alloc_page_table),
	    RAE_ERR_INVALID);
	pmm_free_pages(pa, 0);
	vmm_free(va);
	KTEST_EXPECT_EQ(t, hal_pt_count_wx(hal_pt_root(), NULL), 0);
}

static unsigned flags_of(const void *p)
{
	unsigned f = 0;
	if (!hal_pt_query(hal_pt_root(), (uintptr_t)p, NULL, &f))
		return 0;
	return f;
}

KTEST(mm_kernel_image_permissions)
{
	unsigned text = flags_of(__text_start), ro = flags_of(__rodata_start),
		 data = flags_of(__data_start);
	KTEST_EXPECT(t, (text & VM_EXEC) && !(text & VM_WRITE));
	KTEST_EXPECT(t, !(ro & VM_EXEC) && !(ro & VM_WRITE) && (ro & VM_READ));
	KTEST_EXPECT(t, !(data & VM_EXEC) && (data & VM_WRITE));
	unsigned dm = flags_of(phys_to_virt(0x100000, 1));
	KTEST_EXPECT(t, (dm & VM_WRITE) && !(dm & VM_EXEC));
	KTEST_EXPECT(t, !(text & VM_USER) && !(dm & VM_USER));
}

KTEST(mm_pmm_alloc_free)
{
	pmm_stats_t before, during, after;
	paddr_t blocks[8];
	pmm_stats(&before);
	for (unsigned order = 0; order < 8; order++) {
		blocks[order] = pmm_alloc_pages(order, RAE_MEM_KERNEL_OTHER);
		KTEST_EXPECT(t, blocks[order] != 0);
		KTEST_EXPECT_EQ(t, blocks[order] & ((PAGE_SIZE << order) - 1), 0);
		page_t *p = pmm_page(blocks[order]);
		KTEST_EXPECT(t, p && p->state == PAGE_ALLOCATED && p->order == order);
	}
	pmm_stats(&during);
	KTEST_EXPECT_EQ(t, before.free_pages - during.free_pages, 255);
	for (unsigned order = 0; order < 8; order++) {
		if (blocks[order])
			pmm_free_pages(blocks[order], order);
	}
	pmm_stats(&after);
	KTEST_EXPECT_EQ(t, after.free_pages, before.free_pages);
	/* Nothing the kernel image or boot data uses is free. */
	paddr_t text = 0;
	KTEST_EXPECT(t, hal_pt_query(hal_pt_root(), (uintptr_t)__text_start, &text, NULL));
	page_t *k = pmm_page(text);
	KTEST_EXPECT(t, k && k->state == PAGE_RESERVED && k->use == RAE_MEM_KERNEL_IMAGE);
}

KTEST(mm_kmalloc_sizes)
{
	kmalloc_stats_t before, after;
	void *p[16];
	kmalloc_stats(&before);
	for (unsigned i = 0; i < 16; i++) {
		size_t size = (size_t)1 << i; /* 1 B .. 32 KiB: caches and whole pages */
		p[i] = kmalloc(size);
		KTEST_EXPECT(t, p[i] != NULL);
		if (!p[i])
			continue;
		KTEST_EXPECT_EQ(t, (uintptr_t)p[i] & 15, 0);
		memset(p[i], 0xa5, size);
	}
	for (unsigned i = 0; i < 16; i++)
		kfree(p[i]);
	kfree(NULL);
	kmalloc_stats(&after);
	KTEST_EXPECT_EQ(t, after.large_pages, before.large_pages);
	uint64_t in_use_before = 0, in_use_after = 0;
	for (unsigned i = 0; i < KMALLOC_CACHE_COUNT; i++) {
		in_use_before += before.caches[i].objects_in_use;
		in_use_after += after.caches[i].objects_in_use;
	}
	KTEST_EXPECT_EQ(t, in_use_after, in_use_before);
	void *z = kzalloc(100);
	KTEST_EXPECT(t, z && ((uint8_t *)z)[0] == 0 && ((uint8_t *)z)[99] == 0);
	kfree(z);
}

KTEST(mm_kstack_guard_pages)
{
	uintptr_t top = kstack_alloc();
	if (!KTEST_EXPECT(t, top != 0))
		return;
	uintptr_t base = top - KSTACK_SIZE;
	unsigned f = flags_of((void *)base);
	KTEST_EXPECT(t, (f & VM_WRITE) && !(f & VM_EXEC));
	KTEST_EXPECT(t, flags_of((void *)(top - 8)) != 0);
	KTEST_EXPECT_EQ(t, flags_of((void *)(base - 8)), 0); /* guard below */
	KTEST_EXPECT_EQ(t, flags_of((void *)top), 0);        /* guard above */
	KTEST_EXPECT_EQ(t, vmm_guard_owner(base - 8), base);
	KTEST_EXPECT_EQ(t, vmm_guard_owner(base + 8), 0);
	kstack_free(top);
	KTEST_EXPECT_EQ(t, flags_of((void *)base), 0);
}

/* Recurses until the stack's guard page stops it (the negative test). The
 * limit only exists to keep the compiler from calling this infinite; it is
 * far beyond what a 16 KiB stack holds. */
static volatile unsigned stack_eater_limit = 1000000;

static NOIPA unsigned stack_eater(unsigned depth)
{
	volatile uint8_t pad[512];
	pad[0] = (uint8_t)depth;
	if (depth >= stack_eater_limit)
		return 0;
	return stack_eater(depth + 1) + pad[0];
}

KTEST_FAULT(stack_overflow)
{
	KTEST_EXPECT(t, stack_eater(0) == 0);
}

KTEST_FAULT(heap_overrun)
{
	uint8_t *p = kmalloc(32);
	if (!KTEST_EXPECT(t, p != NULL))
		return;
	/* Three bytes past the 32-byte object land in its red zone; kfree sees it. */
	memset(p, 0x11, 35);
	kfree(p);
	KTEST_EXPECT(t, false); /* not reached in a debug build */
}
