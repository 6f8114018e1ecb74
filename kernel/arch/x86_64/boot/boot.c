/* Boot on x86_64, in two phases.
 *
 * Phase 1 runs where the linker put the kernel, on the boot stub's page
 * tables: console, CPU tables and protections, the multiboot2 information
 * turned into boot_info, the early allocator, the KASLR layout, and the
 * kernel's own page tables (W^X kernel image at its random base, NX direct
 * map of RAM). It then applies the kernel's relocations and jumps into the
 * new mapping.
 *
 * Phase 2 runs at the random base: reloads the CPU tables, brings up the
 * page allocator, the heap and the kernel area, moves onto a guarded stack
 * and enters kernel_main. Nothing after this file reads multiboot2 data. */
#include <arch/x86_64/boot/multiboot2.h>
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/gdt.h>
#include <arch/x86_64/cpu/interrupt.h>
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/mm/kaslr.h>
#include <arch/x86_64/pic.h>
#include <arch/x86_64/smp/smp.h>
#include <arch/x86_64/platform.h>
#include <cmdline.h>
#include <console/kprintf.h>
#include <hal/console.h>
#include <hal/paging.h>
#include <kernel.h>
#include <mm/direct_map.h>
#include <mm/kmalloc.h>
#include <mm/memblock.h>
#include <mm/heap_report.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <panic.h>
#include <sched/sched.h>
#include <sched/thread.h>
#include <string.h>

boot_info_t boot_info;

/* The boot stub's identity and direct maps cover the low 4 GiB; so must
 * everything phase 1 touches through phys_to_virt. */
#define BOOT_MAP_LIMIT (4ull << 30)
#define LOW_MEMORY_END (1ull << 20)
/* Kept for good below the first MiB: the BIOS data area and the AP
 * trampoline; some BIOSes write there at any time, so Linux keeps it too. */
#define LOW_MEMORY_KEEP (64ull << 10)
_Static_assert(TRAMPOLINE_PHYS + PAGE_SIZE <= LOW_MEMORY_KEEP, "the AP trampoline must stay kept");
#define BOOT_PHYS        0x200000ull
#define EARLY_STACK_SIZE 16384

typedef struct {
	uint64_t r_offset, r_info;
	int64_t r_addend;
} elf64_rela_t;
#define R_X86_64_RELATIVE 8

extern const char __boot_start[], __kernel_start[], __kernel_end[];
extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __data_end[], __ksyms_start[];
extern const elf64_rela_t __rela_start[], __rela_end[];

NORETURN void boot_switch_to(paddr_t root, uintptr_t entry, uintptr_t stack_top);
NORETURN void stack_switch_call(uintptr_t stack_top, void (*fn)(void));
NORETURN void arch_boot_main(uint32_t magic, uint64_t info_phys, uint64_t entry_tsc);
NORETURN void arch_boot_relocated(void);
void x86_pat_init(void);

static uint8_t early_stack[EARLY_STACK_SIZE] ALIGNED(16);
/* The kernel's page tables (every CPU runs on them). */
paddr_t kernel_pt_root;
/* Physical address of the new tables' PDPT entry that keeps the
 * link-address alias alive across the switch; cleared in phase 2. */
static paddr_t link_alias_slot;
static uintptr_t boot_thread_stack_top;
/* The end of the boot stub (.boot: 32-bit entry, loader-era page tables,
 * its stack), physical; set in phase 1, where link addresses hold. */
static paddr_t boot_stub_end;

static paddr_t early_pt_alloc(void)
{
	return memblock_alloc(&memblock, PAGE_SIZE, PAGE_SIZE, BOOT_MAP_LIMIT, true,
			      RAE_MEM_PAGE_TABLES);
}

/* The physical address of a kernel-image symbol (link address based). */
static paddr_t image_phys(const void *link_addr)
{
	return (uintptr_t)link_addr - KASLR_LINK_BASE;
}

static void map_or_panic(paddr_t root, uintptr_t va, paddr_t pa, uint64_t size, unsigned flags,
			 bool large, const char *what)
{
	rae_status_t st = hal_pt_map(root, va, pa, size, flags, large, early_pt_alloc);
	if (st != RAE_OK)
		panic("boot: cannot map %s (%s)", what, rae_status_name(st));
}

/* The RAM ranges the direct map covers (see direct_map_plan). */
static phys_range_t direct_ranges[DIRECT_MAP_MAX_RANGES];
static unsigned direct_range_count;

/* Maps every RAM range of the memory map (usable and ACPI) into the direct
 * map, with 2 MiB pages wherever alignment allows; the holes between them
 * stay unmapped. */
static void map_direct(paddr_t root, uint64_t base_va)
{
	for (unsigned i = 0; i < direct_range_count; i++) {
		paddr_t b = direct_ranges[i].base, e = direct_ranges[i].end;
		map_or_panic(root, base_va + b, b, e - b, VM_READ | VM_WRITE | VM_GLOBAL, true,
			     "the direct map");
	}
}

static void map_kernel_image(paddr_t root, uint64_t slide)
{
	const char *bounds[][2] = {
	    {__text_start, __text_end},
	    {__rodata_start, __rodata_end},
	    {__data_start, __data_end},
	    {__ksyms_start, __kernel_end},
	};
	const unsigned flags[] = {
	    VM_READ | VM_EXEC | VM_GLOBAL, VM_READ | VM_GLOBAL, VM_READ | VM_WRITE | VM_GLOBAL,
	    VM_READ | VM_GLOBAL, /* the symbol table */
	};
	for (unsigned i = 0; i < 4; i++) {
		uintptr_t start = PAGE_ALIGN_DOWN((uintptr_t)bounds[i][0]);
		uintptr_t end = PAGE_ALIGN_UP((uintptr_t)bounds[i][1]);
		if (end > start)
			map_or_panic(root, start + slide, image_phys((const void *)start),
				     end - start, flags[i], false, "the kernel image");
	}
}

/* Writes each relocated pointer through the boot direct map: the kernel's
 * own pages are about to be seen at a new address. */
static void apply_relocations(uint64_t slide)
{
	for (const elf64_rela_t *r = __rela_start; r < __rela_end; r++) {
		if ((r->r_info & 0xffffffffu) != R_X86_64_RELATIVE)
			panic("boot: unsupported relocation type %lu", r->r_info & 0xffffffffu);
		uint64_t *where = phys_to_virt(r->r_offset - KASLR_LINK_BASE, 8);
		if (!where)
			panic("boot: relocation outside the kernel image");
		*where = (uint64_t)r->r_addend + slide;
	}
}

void arch_boot_main(uint32_t magic, uint64_t info_phys, uint64_t entry_tsc)
{
	kernel_entry_timestamp = entry_tsc;
	hal_console_init();
	gdt_init();
	idt_init();
	pic_remap_and_mask(VEC_PIC_BASE);
	cpu_features_detect();
	cpu_protections_enable();
	x86_pat_init();

	/* The loader's information must lie in the boot direct map; read at
	 * most MB2_INFO_MAX_SIZE bytes of it, and never past the map's end. */
	uint64_t avail = MB2_INFO_MAX_SIZE;
	if (info_phys < BOOT_MAP_LIMIT && BOOT_MAP_LIMIT - info_phys < avail)
		avail = BOOT_MAP_LIMIT - info_phys;
	const void *info = phys_to_virt(info_phys, 8);
	if (!info)
		panic("boot: multiboot2 information at 0x%lx is outside the low 4 GiB", info_phys);
	char err[160];
	rae_status_t st = mb2_parse(magic, info, avail, &boot_info, err, sizeof(err));
	if (st != RAE_OK)
		panic("boot: unusable boot information (%s): %s", rae_status_name(st), err);
	panic_configure(boot_info.cmdline);

	/* Memory that is not free even if the map says usable. */
	memblock_range_t reserved[5 + BOOT_INFO_MAX_MODULES];
	uint8_t reserved_use[5 + BOOT_INFO_MAX_MODULES];
	unsigned nres = 0;
	reserved_use[nres] = RAE_MEM_RESERVED;
	reserved[nres++] = (memblock_range_t){0, LOW_MEMORY_END};
	/* The boot stub is dead once phase 2 runs on the kernel's own tables:
	 * kept without a use, it is released with low memory. */
	boot_stub_end = image_phys(__kernel_start);
	reserved_use[nres] = RAE_MEM_RESERVED;
	reserved[nres++] = (memblock_range_t){BOOT_PHYS, boot_stub_end};
	reserved_use[nres] = RAE_MEM_KERNEL_IMAGE;
	reserved[nres++] = (memblock_range_t){boot_stub_end, image_phys(__kernel_end)};
	if (boot_info.has_framebuffer) {
		const boot_framebuffer_t *fb = &boot_info.framebuffer;
		reserved_use[nres] = RAE_MEM_FRAMEBUFFER;
		reserved[nres++] = (memblock_range_t){
		    fb->phys_addr, fb->phys_addr + (uint64_t)fb->pitch * fb->height};
	}
	for (uint32_t i = 0; i < boot_info.module_count; i++) {
		reserved_use[nres] = RAE_MEM_INITRD;
		reserved[nres++] =
		    (memblock_range_t){boot_info.modules[i].start, boot_info.modules[i].end};
	}
	if (memblock_init(&memblock, &boot_info, reserved, reserved_use, nres) != RAE_OK)
		panic("boot: the memory map has too many ranges");

	direct_range_count = direct_map_plan(&boot_info, direct_ranges, DIRECT_MAP_MAX_RANGES);
	if (direct_range_count == 0 || direct_range_count > DIRECT_MAP_MAX_RANGES)
		panic("boot: the memory map has %u RAM ranges", direct_range_count);
	/* The direct map's window must hold every range it maps, ACPI NVS
	 * above the last usable byte included. */
	kaslr_choose(&kaslr_layout, &boot_info, (uintptr_t)__kernel_end - KASLR_LINK_BASE,
		     direct_ranges[direct_range_count - 1].end);
	uint64_t slide = kaslr_layout.slide;

	kernel_pt_root = early_pt_alloc();
	if (!kernel_pt_root)
		panic("boot: no memory for page tables");
	map_direct(kernel_pt_root, kaslr_layout.direct_map_base);
	map_kernel_image(kernel_pt_root, slide);

	/* Keep the link-address alias (the boot stub's 2 MiB pages) until we
	 * run at the new address, unless the kernel stays where it was linked. */
	if (slide != 0) {
		uint64_t *new_pml4 = phys_to_virt(kernel_pt_root, PAGE_SIZE);
		uint64_t *boot_pml4_now = phys_to_virt(hal_pt_root(), PAGE_SIZE);
		uint64_t *new_pdpt = phys_to_virt(new_pml4[511] & 0x000ffffffffff000ull, PAGE_SIZE);
		uint64_t *boot_pdpt =
		    phys_to_virt(boot_pml4_now[511] & 0x000ffffffffff000ull, PAGE_SIZE);
		if (!new_pdpt || !boot_pdpt)
			panic("boot: page tables outside the boot map");
		new_pdpt[510] = boot_pdpt[510];
		link_alias_slot = virt_to_phys(&new_pdpt[510]);
	}

	uintptr_t entry = (uintptr_t)&arch_boot_relocated + slide;
	uintptr_t stack = (uintptr_t)&early_stack[EARLY_STACK_SIZE] + slide;
	apply_relocations(slide);
	/* From here until the switch, no relocated pointer may be used. */
	boot_switch_to(kernel_pt_root, entry, stack);
}

static void kernel_main_on_guarded_stack(void)
{
	/* This context becomes the boot CPU's "main" thread. */
	sched_init_boot_cpu();
	thread_current()->kstack_top = boot_thread_stack_top;
	platform_start_aps();
	/* The rest of the first MiB was kept only until the APs were up; the
	 * boot stub only until phase 2 left its tables (link_alias_slot). */
	pmm_release_reserved(LOW_MEMORY_KEEP, LOW_MEMORY_END);
	pmm_release_reserved(BOOT_PHYS, boot_stub_end);
	kernel_main();
}

void arch_boot_relocated(void)
{
	/* New addresses for the CPU tables before the old alias goes. */
	gdt_init();
	idt_init();
	direct_map_install(kaslr_layout.direct_map_base, direct_ranges, direct_range_count);
	if (link_alias_slot)
		*(uint64_t *)phys_to_virt_unchecked(link_alias_slot) = 0;
	cpu_write_cr4(cpu_read_cr4() | (1ull << 7)); /* PGE: kernel mappings are global */
	hal_tlb_flush_all();

	pmm_init(&memblock, kernel_pt_root);
	slab_set_report(heap_report_and_panic);
	/* Benchmarks measure the heap as it runs without its debug checks. */
	bool heap_debug = RAE_DEBUG && !cmdline_has(boot_info.cmdline, "bench");
	if (kmalloc_init(&pmm_slab_source, heap_debug ? SLAB_DEBUG : 0) != RAE_OK)
		panic("boot: cannot set up the kernel heap");
	vmm_init(kaslr_layout.area_base, KERNEL_AREA_SIZE);
	platform_init();

	boot_thread_stack_top = kstack_alloc();
	if (!boot_thread_stack_top)
		panic("boot: cannot allocate the boot thread's stack");
	stack_switch_call(boot_thread_stack_top, kernel_main_on_guarded_stack);
}
