/* The kernel GDT and the boot CPU's TSS with its IST stacks, so that #DF,
 * NMI and #MC always run on a known-good stack. */
#include <arch/x86_64/cpu/gdt.h>
#include <string.h>

tss_t boot_tss;

static uint8_t ist_stacks[3][IST_STACK_SIZE] ALIGNED(16);

/* null, kcode, kdata, ucode32, udata, ucode64, tss (two slots) */
static uint64_t gdt[8] ALIGNED(16);

typedef struct PACKED {
	uint16_t limit;
	uint64_t base;
} gdt_pointer_t;

static uint64_t gdt_segment(uint8_t access, uint8_t flags)
{
	return ((uint64_t)flags << 52) | ((uint64_t)access << 40) | (0xfull << 48) | 0xffff;
}

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[GDT_KERNEL_CODE / 8] = gdt_segment(0x9b, 0xa);   /* present, ring 0, code, L */
	gdt[GDT_KERNEL_DATA / 8] = gdt_segment(0x93, 0xc);   /* present, ring 0, data */
	gdt[GDT_USER_CODE32 / 8] = gdt_segment(0xfb, 0xc);   /* ring 3, 32-bit code */
	gdt[GDT_USER_DATA / 8] = gdt_segment(0xf3, 0xc);     /* ring 3, data */
	gdt[GDT_USER_CODE / 8] = gdt_segment(0xfb, 0xa);     /* ring 3, 64-bit code */

	memset(&boot_tss, 0, sizeof(boot_tss));
	boot_tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)&ist_stacks[0][IST_STACK_SIZE];
	boot_tss.ist[IST_NMI - 1] = (uint64_t)&ist_stacks[1][IST_STACK_SIZE];
	boot_tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)&ist_stacks[2][IST_STACK_SIZE];
	/* No I/O bitmap yet: a base past the limit denies every port to ring 3. */
	boot_tss.iomap_base = sizeof(tss_t);

	uint64_t base = (uint64_t)&boot_tss, limit = sizeof(tss_t) - 1;
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;

	gdt_pointer_t ptr = {.limit = sizeof(gdt) - 1, .base = (uint64_t)gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w3, %%fs\n\t"
			 "movw %w3, %%gs\n\t"
			 "ltr %w4"
			 :
			 : "m"(ptr), "i"((uint64_t)GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(0),
			   "r"(GDT_TSS)
			 : "rax", "memory");
}
