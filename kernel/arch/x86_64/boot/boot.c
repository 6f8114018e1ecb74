/* The first C code on the boot CPU: console, CPU tables and protections,
 * then the multiboot2 information turned into boot_info, then the generic
 * kernel. Nothing after this file reads multiboot2 structures. */
#include <arch/x86_64/boot/early_map.h>
#include <arch/x86_64/boot/multiboot2.h>
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/gdt.h>
#include <arch/x86_64/cpu/interrupt.h>
#include <arch/x86_64/pic.h>
#include <console/kprintf.h>
#include <hal/console.h>
#include <kernel.h>
#include <panic.h>

boot_info_t boot_info;

NORETURN void arch_boot_main(uint32_t magic, uint64_t info_phys);

NORETURN void arch_boot_main(uint32_t magic, uint64_t info_phys)
{
	hal_console_init();
	gdt_init();
	idt_init();
	pic_remap_and_mask(VEC_PIC_BASE);
	cpu_features_detect();
	cpu_protections_enable();

	/* The loader's information must lie inside the direct map; read at
	 * most MB2_INFO_MAX_SIZE bytes of it, and never past the map's end. */
	uint64_t avail = MB2_INFO_MAX_SIZE;
	if (info_phys < DIRECT_MAP_SIZE && DIRECT_MAP_SIZE - info_phys < avail)
		avail = DIRECT_MAP_SIZE - info_phys;
	const void *info = phys_to_virt(info_phys, 8);
	if (!info)
		panic("boot: multiboot2 information at 0x%lx is outside the low 4 GiB", info_phys);

	char err[160];
	rae_status_t st = mb2_parse(magic, info, avail, &boot_info, err, sizeof(err));
	if (st != RAE_OK)
		panic("boot: unusable boot information (%s): %s", rae_status_name(st), err);

	/* boot_info holds copies of everything; the identity map can go. */
	early_map_drop_identity();
	kernel_main();
}
