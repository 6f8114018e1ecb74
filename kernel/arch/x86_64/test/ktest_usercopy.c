/* Kernel tests of user-memory access: SMAP stops a plain kernel read of a
 * user page, the copy helpers work on good user memory and return
 * RAE_ERR_FAULT for bad pointers, and the KASLR layout is what it claims. */
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/interrupt.h>
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/mm/kaslr.h>
#include <hal/paging.h>
#include <hal/usercopy.h>
#include <mm/pmm.h>
#include <mm/usercopy.h>
#include <string.h>
#include <test/ktest.h>

#define TEST_USER_VA 0x0000000040000000ull

/* Maps one zeroed user page (RW, NX) at TEST_USER_VA in the current tables
 * and returns its physical address, or 0. */
static paddr_t user_page_map(void)
{
	paddr_t pa = pmm_alloc_page_zeroed(RAE_MEM_KERNEL_OTHER);
	if (!pa)
		return 0;
	if (hal_pt_map(hal_pt_root(), TEST_USER_VA, pa, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER,
		       false, pmm_alloc_page_table) != RAE_OK) {
		pmm_free_pages(pa, 0);
		return 0;
	}
	return pa;
}

static void user_page_unmap(paddr_t pa)
{
	hal_pt_unmap(hal_pt_root(), TEST_USER_VA, PAGE_SIZE);
	pmm_free_pages(pa, 0);
}

KTEST(usercopy_smap_blocks_plain_access)
{
	paddr_t pa = user_page_map();
	if (!KTEST_EXPECT(t, pa != 0))
		return;
	memcpy(phys_to_virt(pa, PAGE_SIZE), "user data", 10);

	uint64_t v = 0, faults = exception_fixup_count;
	rae_status_t st = hal_probe_read((const void *)TEST_USER_VA, &v);
	if (cpu_features.smap) {
		/* A protection-violation read fault from kernel mode. */
		KTEST_EXPECT_EQ(t, st, RAE_ERR_FAULT);
		KTEST_EXPECT_EQ(t, exception_fixup_count, faults + 1);
		KTEST_EXPECT_EQ(t, exception_fixup_vector, VEC_PF);
		KTEST_EXPECT_EQ(t, exception_fixup_error_code & 7, 1);
	} else {
		/* Without SMAP the read goes through: nothing to enforce it. */
		KTEST_EXPECT_EQ(t, st, RAE_OK);
		KTEST_EXPECT(t, memcmp(&v, "user dat", 8) == 0);
	}

	/* The checked copy opens user access and succeeds. */
	char buf[16] = {0};
	KTEST_EXPECT_EQ(t, copy_from_user(buf, (const void *)TEST_USER_VA, 10), RAE_OK);
	KTEST_EXPECT(t, strcmp(buf, "user data") == 0);
	KTEST_EXPECT_EQ(t, copy_to_user((void *)(TEST_USER_VA + 100), "back", 5), RAE_OK);
	KTEST_EXPECT(t, memcmp((char *)phys_to_virt(pa, PAGE_SIZE) + 100, "back", 5) == 0);
	/* With SMAP on, the kernel runs with AC clear again afterwards. */
	KTEST_EXPECT(t, !(cpu_read_rflags() & RFLAGS_AC));
	user_page_unmap(pa);
}

KTEST(usercopy_bad_pointers)
{
	paddr_t pa = user_page_map();
	if (!KTEST_EXPECT(t, pa != 0))
		return;
	char buf[64];
	uint64_t faults = exception_fixup_count;

	/* Unmapped user page: the fault is caught and becomes an error. */
	KTEST_EXPECT_EQ(t, copy_from_user(buf, (const void *)(TEST_USER_VA + PAGE_SIZE), 8),
			RAE_ERR_FAULT);
	KTEST_EXPECT_EQ(t, exception_fixup_count, faults + 1);
	/* Straddling the end of the mapped page. */
	KTEST_EXPECT_EQ(t, copy_from_user(buf, (const void *)(TEST_USER_VA + PAGE_SIZE - 4), 8),
			RAE_ERR_FAULT);
	/* Kernel addresses, NULL-relative overflow and non-canonical ones are
	 * refused before any access. */
	faults = exception_fixup_count;
	KTEST_EXPECT_EQ(t, copy_from_user(buf, buf, 8), RAE_ERR_FAULT);
	KTEST_EXPECT_EQ(t, copy_to_user((void *)0xffff800000000000ull, buf, 8), RAE_ERR_FAULT);
	KTEST_EXPECT_EQ(t, copy_from_user(buf, (const void *)(USER_SPACE_END - 4), 8),
			RAE_ERR_FAULT);
	KTEST_EXPECT_EQ(t, copy_from_user(buf, (const void *)TEST_USER_VA, SIZE_MAX),
			RAE_ERR_FAULT);
	KTEST_EXPECT_EQ(t, exception_fixup_count, faults);
	KTEST_EXPECT_EQ(t, copy_from_user(buf, (const void *)TEST_USER_VA, 0), RAE_OK);

	/* Strings: good, unterminated, and running into an unmapped page. */
	char *u = phys_to_virt(pa, PAGE_SIZE);
	memcpy(u, "hello", 6);
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, (const char *)TEST_USER_VA, sizeof(buf)), 5);
	KTEST_EXPECT(t, strcmp(buf, "hello") == 0);
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, (const char *)TEST_USER_VA, 4), RAE_ERR_RANGE);
	KTEST_EXPECT_EQ(t, buf[3], '\0');
	memset(u + PAGE_SIZE - 8, 'x', 8);
	KTEST_EXPECT_EQ(
	    t, strncpy_from_user(buf, (const char *)(TEST_USER_VA + PAGE_SIZE - 8), sizeof(buf)),
	    RAE_ERR_FAULT);
	KTEST_EXPECT_EQ(t, strncpy_from_user(buf, buf, sizeof(buf)), RAE_ERR_FAULT);
	user_page_unmap(pa);
}

extern const char __kernel_start[];

KTEST(kaslr_layout_applied)
{
	const kaslr_layout_t *l = &kaslr_layout;
	KTEST_EXPECT_EQ(t, l->kernel_base & (KASLR_KERNEL_ALIGN - 1), 0);
	KTEST_EXPECT_EQ(t, l->direct_map_base & (KASLR_GIB - 1), 0);
	KTEST_EXPECT_EQ(t, direct_map_base, l->direct_map_base);
	/* The image really runs at the chosen base: the linker put
	 * __kernel_start 0x20c000-ish past the link base; it is now that far
	 * past kernel_base. */
	uintptr_t off = (uintptr_t)__kernel_start - l->kernel_base;
	KTEST_EXPECT(t, off < (16ull << 20));
	if (l->enabled) {
		KTEST_EXPECT(t, l->kernel_base >= KASLR_KERNEL_WINDOW_START &&
				    l->kernel_base < KASLR_KERNEL_WINDOW_END);
	} else {
		KTEST_EXPECT_EQ(t, l->kernel_base, KASLR_LINK_BASE);
	}
	/* Nothing is left at the link address when the kernel moved. */
	if (l->kernel_base != KASLR_LINK_BASE)
		KTEST_EXPECT(t, !hal_pt_query(hal_pt_root(), KASLR_LINK_BASE + off, NULL, NULL));
	/* A relocated pointer: a function pointer taken from data. */
	static void (*const fnptr)(void) = (void (*)(void))ktest_kaslr_layout_applied;
	KTEST_EXPECT_EQ(t, (uintptr_t)fnptr, (uintptr_t)&ktest_kaslr_layout_applied);
}
