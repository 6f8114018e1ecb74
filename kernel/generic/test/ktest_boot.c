/* Kernel tests of what boot produced: boot_info, the initrd, the symbol
 * table and backtraces. */
#include <cmdline.h>
#include <debug/backtrace.h>
#include <debug/ksym.h>
#include <hal/cpu.h>
#include <kernel.h>
#include <lib/ustar.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <object/memory.h>
#include <string.h>
#include <test/ktest.h>

KTEST(boot_info_sane)
{
	uint64_t usable = 0;
	KTEST_EXPECT(t, boot_info.firmware == BOOT_FIRMWARE_BIOS ||
			    boot_info.firmware == BOOT_FIRMWARE_UEFI);
	KTEST_EXPECT(t, boot_info.mem_region_count > 0);
	for (uint32_t i = 0; i < boot_info.mem_region_count; i++) {
		const boot_mem_region_t *r = &boot_info.mem_regions[i];
		KTEST_EXPECT(t, r->length > 0 && r->base + r->length > r->base);
		if (r->type == BOOT_MEM_USABLE)
			usable += r->length;
	}
	KTEST_EXPECT(t, usable >= (32ull << 20));
	char sel[64];
	KTEST_EXPECT(t, cmdline_get(boot_info.cmdline, "test", sel, sizeof(sel)));
	KTEST_EXPECT(t, strncmp(boot_info.loader_name, "GRUB", 4) == 0);
	KTEST_EXPECT(t, boot_info.module_count >= 1);
	/* The EFI system table tag is what tells the two boot paths apart. */
	KTEST_EXPECT_EQ(t, boot_info.firmware == BOOT_FIRMWARE_UEFI,
			boot_info.efi_system_table != 0);
}

KTEST(initrd_contents)
{
	const boot_module_t *m = kernel_initrd_module();
	if (!KTEST_EXPECT(t, m != NULL))
		return;
	const void *data = phys_to_virt(m->start, m->end - m->start);
	if (!KTEST_EXPECT(t, data != NULL))
		return;

	ustar_reader_t r;
	ustar_entry_t e;
	bool found_motd = false;
	unsigned entries = 0;
	rae_status_t st;
	ustar_reader_init(&r, data, m->end - m->start);
	while ((st = ustar_next(&r, &e)) == RAE_OK) {
		entries++;
		if (strcmp(e.name, "etc/motd") == 0) {
			found_motd = true;
			KTEST_EXPECT(t, e.size >= 7 && memcmp(e.data, "Welcome", 7) == 0);
		}
	}
	KTEST_EXPECT_EQ(t, st, RAE_ERR_END);
	KTEST_EXPECT(t, entries >= 2);
	KTEST_EXPECT(t, found_motd);
}

/* The first process's initrd object is the module's own pages: the object
 * reads what the module holds and gives none of them to the allocator when
 * it dies; bad requests are refused. */
KTEST(initrd_object_is_the_module)
{
	const boot_module_t *m = kernel_initrd_module();
	if (!KTEST_EXPECT(t, m != NULL && (m->start & (PAGE_SIZE - 1)) == 0))
		return;
	const uint8_t *data = phys_to_virt(m->start, m->end - m->start);
	if (!KTEST_EXPECT(t, data != NULL))
		return;
	uint64_t pages = PAGE_ALIGN_UP(m->end - m->start) / PAGE_SIZE;
	rae_status_t st;
	memory_object_t *o = memory_object_create_loaded(m->start, pages, &st);
	if (!KTEST_EXPECT_EQ(t, st, RAE_OK) || !KTEST_EXPECT(t, o != NULL))
		return;
	KTEST_EXPECT_EQ(t, o->pages, pages);
	KTEST_EXPECT(t, o->frames[0] == m->start);
	KTEST_EXPECT(t, o->frames[pages - 1] == m->start + (pages - 1) * PAGE_SIZE);
	uint8_t head[512];
	memory_object_read(o, 0, head, sizeof(head));
	KTEST_EXPECT(t, memcmp(head, data, sizeof(head)) == 0);
	kobject_unref(&o->obj);
	/* The pages stay the loader's: reserved, never the allocator's. */
	unsigned not_reserved = 0;
	for (uint64_t i = 0; i < pages; i++) {
		const page_t *pg = pmm_page(m->start + i * PAGE_SIZE);
		if (pg && pg->state != PAGE_RESERVED)
			not_reserved++;
	}
	KTEST_EXPECT_EQ(t, not_reserved, 0);
	KTEST_EXPECT(t, memcmp(head, data, sizeof(head)) == 0);

	KTEST_EXPECT(t, memory_object_create_loaded(m->start + 1, 1, &st) == NULL);
	KTEST_EXPECT_EQ(t, st, RAE_ERR_INVALID);
	KTEST_EXPECT(t, memory_object_create_loaded(m->start, 0, &st) == NULL);
	KTEST_EXPECT_EQ(t, st, RAE_ERR_RANGE);
	KTEST_EXPECT(t, memory_object_create_loaded(m->start, MEMORY_LOADED_MAX_PAGES + 1, &st) ==
			    NULL);
	KTEST_EXPECT_EQ(t, st, RAE_ERR_RANGE);
}

KTEST(ksym_lookup)
{
	uintptr_t off = 1234;
	uintptr_t addr = (uintptr_t)&kernel_main;
	const char *name = ksym_lookup(addr, &off);
	KTEST_EXPECT(t, ksym_count() > 10);
	KTEST_EXPECT(t, name != NULL && strcmp(name, "kernel_main") == 0);
	KTEST_EXPECT_EQ(t, off, 0);
	name = ksym_lookup(addr + 3, &off);
	KTEST_EXPECT(t, name != NULL && strcmp(name, "kernel_main") == 0);
	KTEST_EXPECT_EQ(t, off, 3);
	KTEST_EXPECT(t, ksym_lookup(0x1000, &off) == NULL);
	KTEST_EXPECT_EQ(t, ksym_address("ksym_lookup"), (uintptr_t)&ksym_lookup);
	KTEST_EXPECT_EQ(t, ksym_address("no_such_function_here"), 0);
}

static NOIPA size_t backtrace_inner(uintptr_t *pcs, size_t max)
{
	size_t n = backtrace_collect(hal_frame_address(), pcs, max);
	__asm__ volatile("" ::: "memory"); /* keep this a real call frame */
	return n;
}

static NOIPA size_t backtrace_outer(uintptr_t *pcs, size_t max)
{
	size_t n = backtrace_inner(pcs, max);
	__asm__ volatile("" ::: "memory");
	return n;
}

KTEST(backtrace_symbolized)
{
	uintptr_t pcs[BACKTRACE_MAX_FRAMES];
	size_t n = backtrace_outer(pcs, BACKTRACE_MAX_FRAMES);
	uintptr_t off;
	KTEST_EXPECT(t, n >= 3);
	if (n < 3)
		return;
	const char *first = ksym_lookup(pcs[0] - 1, &off);
	const char *second = ksym_lookup(pcs[1] - 1, &off);
	KTEST_EXPECT(t, first && strcmp(first, "backtrace_outer") == 0);
	KTEST_EXPECT(t, second && strcmp(second, "ktest_backtrace_symbolized") == 0);
}
