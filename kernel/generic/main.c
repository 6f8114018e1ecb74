/* kernel_main: the architecture-independent start-up. Prints the boot
 * banner, brings up the framebuffer console, finds the initrd, and runs the
 * kernel tests when the command line asks for them. */
#include <cmdline.h>
#include <console/fbcon.h>
#include <console/kprintf.h>
#include <hal/banner.h>
#include <hal/cpu.h>
#include <hal/time.h>
#include <kernel.h>
#include <lib/ustar.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <object/device.h>
#include <panic.h>
#include <proc/bootstrap.h>
#include <proc/process.h>
#include <rae_version.h>
#include <string.h>
#include <test/kbench.h>
#include <test/ktest.h>

uint64_t kernel_entry_timestamp;

static const char *firmware_name(uint32_t fw)
{
	switch (fw) {
	case BOOT_FIRMWARE_BIOS: return "BIOS";
	case BOOT_FIRMWARE_UEFI: return "UEFI";
	default: return "unknown firmware";
	}
}

static void banner_memory(void)
{
	pmm_stats_t st;
	pmm_stats(&st);
	uint64_t usable = 0, top = 0;
	for (uint32_t i = 0; i < boot_info.mem_region_count; i++) {
		const boot_mem_region_t *r = &boot_info.mem_regions[i];
		if (r->type == BOOT_MEM_USABLE) {
			usable += r->length;
			if (r->base + r->length > top)
				top = r->base + r->length;
		}
	}
	kprintf("memory: %lu MiB usable in %u map entries, highest usable address 0x%lx\n",
		usable >> 20, boot_info.mem_region_count, top);
	kprintf("memory: %lu KiB total, %lu KiB free, %lu KiB used, %lu KiB reserved at boot\n",
		st.total_pages * 4, st.free_pages * 4, (st.total_pages - st.free_pages) * 4,
		st.reserved_pages * 4);
	for (int z = 0; z < PMM_ZONE_COUNT; z++)
		kprintf("memory: zone %-6s %8lu KiB free of %8lu KiB\n",
			pmm_zone_name((pmm_zone_id_t)z), st.zone_free[z] * 4,
			st.zone_managed[z] * 4);
}

static void framebuffer_start(void)
{
	const boot_framebuffer_t *fb = &boot_info.framebuffer;
	if (!boot_info.has_framebuffer)
		return;
	void *pixels = vmm_map_phys(fb->phys_addr, (uint64_t)fb->pitch * fb->height,
				    VM_READ | VM_WRITE | VM_WRITE_COMBINE);
	if (!pixels) {
		kprintf("fbcon: cannot map the framebuffer at 0x%lx; serial only\n", fb->phys_addr);
		return;
	}
	rae_status_t st = fbcon_init(&fbcon_main, fb, pixels);
	if (st != RAE_OK) {
		kprintf("fbcon: cannot draw on this framebuffer (%s); serial only\n",
			rae_status_name(st));
		return;
	}
	fbcon_active = true;
}

static void banner_framebuffer(void)
{
	const boot_framebuffer_t *fb = &boot_info.framebuffer;
	if (!boot_info.has_framebuffer) {
		kprintf("framebuffer: none\n");
		return;
	}
	kprintf("framebuffer: %ux%u, %u bpp, pitch %u, at 0x%lx (R %u:%u G %u:%u B %u:%u)%s\n",
		fb->width, fb->height, fb->bpp, fb->pitch, fb->phys_addr, fb->red_pos, fb->red_size,
		fb->green_pos, fb->green_size, fb->blue_pos, fb->blue_size,
		fbcon_active ? ", console on" : "");
}

/* The initrd: the module the loader was told to call "initrd", else the
 * first one. Returns NULL when there is none. */
const boot_module_t *kernel_initrd_module(void)
{
	for (uint32_t i = 0; i < boot_info.module_count; i++) {
		if (strcmp(boot_info.modules[i].cmdline, "initrd") == 0)
			return &boot_info.modules[i];
	}
	return boot_info.module_count > 0 ? &boot_info.modules[0] : NULL;
}

static void initrd_report(void)
{
	const boot_module_t *m = kernel_initrd_module();
	if (!m) {
		kprintf("initrd: none loaded\n");
		return;
	}
	uint64_t size = m->end - m->start;
	const void *data = phys_to_virt(m->start, size);
	if (!data) {
		kprintf("initrd: module at 0x%lx (%lu bytes) is outside the mapped range\n",
			m->start, size);
		return;
	}
	unsigned entries = 0;
	uint64_t bytes = 0;
	char err[160];
	rae_status_t st = ustar_count(data, size, &entries, &bytes, err, sizeof(err));
	if (st != RAE_OK) {
		kprintf("initrd: %lu bytes at 0x%lx: malformed after %u entries: %s\n", size,
			m->start, entries, err);
		return;
	}
	kprintf("initrd: %lu bytes at 0x%lx, %u entries, %lu bytes of file data\n", size, m->start,
		entries, bytes);
}

void kernel_main(void)
{
	framebuffer_start();

	kprintf("RaeenOS %s (%s) - RaeCore microkernel, %s\n", RAEENOS_VERSION, RAE_GIT_REV,
		hal_arch_name());
	kprintf("boot: %s via %s\n", firmware_name(boot_info.firmware),
		boot_info.loader_name[0] ? boot_info.loader_name : "an unnamed loader");
	hal_banner_print();
	hal_banner_layout();
	hal_platform_report();
	banner_memory();
	banner_framebuffer();
	kprintf("cmdline: %s\n", boot_info.cmdline[0] ? boot_info.cmdline : "(empty)");
	initrd_report();
	device_report_boot();
	process_init();

	char selection[BOOT_INFO_CMDLINE_MAX];
	if (cmdline_get(boot_info.cmdline, "test", selection, sizeof(selection))) {
		unsigned failed = ktest_run(selection);
		hal_machine_exit(failed ? HAL_EXIT_TESTS_FAILED : HAL_EXIT_TESTS_PASSED);
		kprintf("ktest: no isa-debug-exit device; halting\n");
		hal_cpu_halt_forever();
	}
	if (cmdline_get(boot_info.cmdline, "bench", selection, sizeof(selection))) {
		pmm_stats_t st;
		pmm_stats(&st);
		kbench_report_value("free_memory_after_boot", "MiB",
				    st.free_pages * PAGE_SIZE >> 20);
		unsigned problems = kbench_run(selection);
		hal_machine_exit(problems ? HAL_EXIT_TESTS_FAILED : HAL_EXIT_TESTS_PASSED);
		hal_cpu_halt_forever();
	}

	/* The first user process: init=PATH (default bin/init) gets the root
	 * resource and the initrd, the only authority the kernel hands out. */
	char init[BOOT_INFO_CMDLINE_MAX];
	if (!cmdline_get(boot_info.cmdline, "init", init, sizeof(init)))
		memcpy(init, "bin/init", sizeof("bin/init"));
	rae_status_t st;
	uint64_t first_process = hal_timestamp();
	if (bootstrap_start(init, 10000000000ull, &st)) {
		kprintf("kernel: started %s with the root resource and the initrd\n", init);
		/* `bench boot` reads this line back (apps/coreutils/bench.c). */
		kprintf("boot: timestamp %lu at kernel entry, %lu at the first process\n",
			kernel_entry_timestamp, first_process);
	} else
		kprintf("kernel: cannot start the first process %s: %s\n", init,
			rae_status_name(st));
	kprintf("kernel: boot complete, idling\n");
	for (;;)
		hal_cpu_idle();
}
