/* Kernel tests of the hardware objects: resources, device memory, I/O
 * ports and interrupt lines, from a user program given the root resource
 * (bin/hwtest), the rights table with hardware rows (bin/rightstest), and
 * the kernel-side rules (containment, RAM refused, lines and vectors given
 * back). */
#include <console/kprintf.h>
#include <hal/irq.h>
#include <kernel.h>
#include <mm/kmalloc.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <mm/vmm.h>
#include <object/endpoint.h>
#include <object/memory.h>
#include <object/resource.h>
#include <proc/process.h>
#include <rae/syscall.h>
#include <test/ktest.h>
#include <test/ktest_user.h>
#include <time/clock.h>

#define FB_PATTERN          0x5a17c0deu
#define HANDOVER_TIMEOUT_NS 10000000000ull

/* The page hwtest writes past the visible framebuffer, or 0. */
static paddr_t hw_vram_page(uint64_t *fb_phys, uint64_t *fb_bytes)
{
	const boot_framebuffer_t *fb = &boot_info.framebuffer;
	*fb_phys = 0;
	*fb_bytes = 0;
	if (!boot_info.has_framebuffer || fb->type != BOOT_FB_RGB)
		return 0;
	*fb_phys = fb->phys_addr;
	*fb_bytes = (uint64_t)fb->pitch * fb->height;
	return PAGE_ALIGN_UP(*fb_phys + *fb_bytes);
}

int ktest_run_with_root(ktest_t *t, const char *path, uint64_t flags)
{
	rae_status_t st;
	endpoint_t *ep = endpoint_create();
	kobject_t *root = resource_root_create();
	ipc_msg_t *m = kzalloc(sizeof(*m));
	paddr_t ram = pmm_alloc_page_zeroed(RAE_MEM_KERNEL_OTHER);
	if (!KTEST_EXPECT(t, ep && root && m && ram)) {
		/* Out of memory in a test: nothing else to check. */
		return -1;
	}
	kobject_ref(&ep->obj); /* one for the child, one for the call */
	process_t *p = process_spawn_with(path, NULL, &ep->obj, RAE_RIGHT_READ | RAE_RIGHT_WRITE, 0,
					  NULL, &st);
	if (!KTEST_EXPECT_EQ(t, st, RAE_OK) || !p) {
		kobject_unref(&ep->obj);
		kobject_unref(root);
		kfree(m);
		pmm_free_pages(ram, 0);
		return -1;
	}
	uint64_t fb_phys, fb_bytes;
	hw_vram_page(&fb_phys, &fb_bytes);
	m->words[0] = (hal_irq_lines_available() ? KTEST_ROOT_HAS_IRQ_LINES : 0) | flags;
	m->words[1] = fb_phys;
	m->words[2] = fb_bytes;
	m->words[3] = ram;
	m->objs[0] = root; /* the message owns it now */
	m->rights[0] = RESOURCE_RIGHTS;
	m->handle_count = 1;
	ipc_msg_t *reply = NULL;
	st = ipc_call((endpoint_t *)ep, m, 0, clock_monotonic_ns() + HANDOVER_TIMEOUT_NS, &reply);
	KTEST_EXPECT_EQ(t, st, RAE_OK);
	ipc_msg_free(reply);
	kobject_unref(&ep->obj);
	int status = -1;
	KTEST_EXPECT_EQ(t, process_wait(p, &status), RAE_OK);
	pmm_free_pages(ram, 0);
	return status;
}

KTEST(user_hardware_objects)
{
	KTEST_EXPECT_EQ(t, ktest_run_with_root(t, "bin/hwtest", 0), 0);

	/* What hwtest wrote through its write-combining user mapping is in the
	 * device: read it back through a mapping of the kernel's own. */
	uint64_t fb_phys, fb_bytes;
	paddr_t page = hw_vram_page(&fb_phys, &fb_bytes);
	if (page) {
		volatile uint32_t *v = vmm_map_phys(page, PAGE_SIZE, VM_READ | VM_UNCACHED);
		if (KTEST_EXPECT(t, v != NULL)) {
			unsigned bad = 0;
			for (uint32_t i = 0; i < 1024; i++)
				bad += v[i] != (FB_PATTERN ^ i);
			KTEST_EXPECT_EQ(t, bad, 0);
			vmm_free((uintptr_t)v & ~(uintptr_t)(PAGE_SIZE - 1));
		}
	}

	/* Resources, device memory objects, mappings, interrupt objects and
	 * I/O bitmaps all come back, over many programs' lives. */
	pmm_stats_t before, after;
	pmm_stats(&before);
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_EQ(t, ktest_run_with_root(t, "bin/hwtest", 0), 0);
	pmm_stats(&after);
	kprintf("# free pages before %lu, after %lu\n", before.free_pages, after.free_pages);
	KTEST_EXPECT(t, after.free_pages + 8 >= before.free_pages);
}

KTEST(user_hardware_rights_are_checked)
{
	/* rightstest's hardware rows run only when it holds a resource. */
	KTEST_EXPECT_EQ(t, ktest_run_with_root(t, "bin/rightstest", 0), 0);
}

KTEST(resource_containment)
{
	rae_status_t st;
	resource_t *root = (resource_t *)resource_root_create();
	if (!KTEST_EXPECT(t, root != NULL))
		return;
	resource_t *io = resource_create(root, RAE_RESOURCE_IOPORT, 0x60, 0x10, &st);
	KTEST_EXPECT_EQ(t, st, RAE_OK);
	if (io) {
		KTEST_EXPECT(t, resource_covers(io, RAE_RESOURCE_IOPORT, 0x60, 0x10));
		KTEST_EXPECT(t, !resource_covers(io, RAE_RESOURCE_IOPORT, 0x5f, 2));
		KTEST_EXPECT(t, !resource_covers(io, RAE_RESOURCE_IOPORT, 0x6f, 2));
		KTEST_EXPECT(t, !resource_covers(io, RAE_RESOURCE_IRQ, 0x60, 1));
		KTEST_EXPECT(t, resource_create(io, RAE_RESOURCE_IOPORT, 0x70, 1, &st) == NULL);
		KTEST_EXPECT_EQ(t, st, RAE_ERR_RANGE);
		kobject_unref(&io->obj);
	}
	KTEST_EXPECT(t, resource_covers(root, RAE_RESOURCE_MMIO, 0xfee00000, PAGE_SIZE));
	KTEST_EXPECT(t, !resource_covers(root, RAE_RESOURCE_MMIO, UINT64_MAX - 10, 20));
	KTEST_EXPECT(t, resource_create(root, RAE_RESOURCE_IRQ, 0, 0, &st) == NULL);
	KTEST_EXPECT_EQ(t, st, RAE_ERR_INVALID);
	kobject_unref(&root->obj);
}

KTEST(device_memory_never_ram)
{
	rae_status_t st;
	/* Every byte of every usable or ACPI region is RAM to the check. */
	for (uint32_t i = 0; i < boot_info.mem_region_count; i++) {
		const boot_mem_region_t *r = &boot_info.mem_regions[i];
		if (r->type != BOOT_MEM_USABLE || r->length == 0)
			continue;
		KTEST_EXPECT(t, memory_range_is_ram(PAGE_ALIGN_DOWN(r->base), PAGE_SIZE));
		KTEST_EXPECT(
		    t, memory_range_is_ram(PAGE_ALIGN_DOWN(r->base + r->length - 1), PAGE_SIZE));
	}
	paddr_t page = pmm_alloc_page_zeroed(RAE_MEM_KERNEL_OTHER);
	if (KTEST_EXPECT(t, page != 0)) {
		KTEST_EXPECT(t, memory_object_create_phys(page, 1, VM_UNCACHED, &st) == NULL);
		KTEST_EXPECT_EQ(t, st, RAE_ERR_ACCESS_DENIED);
		pmm_free_pages(page, 0);
	}
	/* The legacy VGA window is never RAM on a PC. */
	KTEST_EXPECT(t, !memory_range_is_ram(0xb8000, 0x8000));
	/* Nor are the local APIC's registers handed out, though not RAM. */
	KTEST_EXPECT(t, memory_object_create_phys(0xfee00000, 1, VM_UNCACHED, &st) == NULL);
	KTEST_EXPECT_EQ(t, st, RAE_ERR_ACCESS_DENIED);
}

static void ktest_irq_fire(void *arg)
{
	(void)arg;
}

KTEST(interrupt_lines_come_back)
{
	if (!hal_irq_lines_available()) {
		KTEST_EXPECT_EQ(t, hal_irq_claim(8, 0, ktest_irq_fire, NULL), RAE_ERR_UNSUPPORTED);
		return;
	}
	uint32_t gsi;
	unsigned flags;
	KTEST_EXPECT_EQ(t, hal_irq_isa_to_gsi(8, &gsi, &flags), RAE_OK);
	/* More rounds than there are device vectors: each release frees its
	 * vector, or a claim would fail with RAE_ERR_NO_MEMORY. */
	unsigned ok = 0;
	for (int i = 0; i < 300; i++) {
		if (hal_irq_claim(gsi, flags, ktest_irq_fire, NULL) != RAE_OK)
			break;
		hal_irq_release(gsi, NULL);
		ok++;
	}
	KTEST_EXPECT_EQ(t, ok, 300);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, flags, ktest_irq_fire, NULL), RAE_OK);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, flags, ktest_irq_fire, NULL), RAE_ERR_BUSY);
	hal_irq_release(gsi, NULL);
	/* ISA IRQ 0 (the timer's line) belongs to the kernel. */
	KTEST_EXPECT_EQ(t, hal_irq_isa_to_gsi(0, &gsi, &flags), RAE_OK);
	KTEST_EXPECT_EQ(t, hal_irq_claim(gsi, flags, ktest_irq_fire, NULL), RAE_ERR_BUSY);
	KTEST_EXPECT_EQ(t, hal_irq_claim(RAE_RESOURCE_IRQ_END, 0, ktest_irq_fire, NULL),
			RAE_ERR_NOT_FOUND);
}
