/* Per-CPU GDT and TSS with IST stacks, so that #DF, NMI and #MC always run
 * on a known-good stack. The boot CPU's live in the image; application
 * processors get theirs when they are started. */
#include <arch/x86_64/cpu/gdt.h>
#include <string.h>

cpu_tables_t boot_cpu_tables;

static uint8_t boot_ist_stacks[3][IST_STACK_SIZE] ALIGNED(16);

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
	const uintptr_t ist[3] = {
	    (uintptr_t)&boot_ist_stacks[0][IST_STACK_SIZE],
	    (uintptr_t)&boot_ist_stacks[1][IST_STACK_SIZE],
	    (uintptr_t)&boot_ist_stacks[2][IST_STACK_SIZE],
	};
	gdt_load(&boot_cpu_tables, ist);
}

void gdt_load(cpu_tables_t *t, const uintptr_t ist_top[3])
{
	uint64_t *gdt = t->gdt;
	tss_t *tss = &t->tss;
	gdt[0] = 0;
	gdt[GDT_KERNEL_CODE / 8] = gdt_segment(0x9b, 0xa); /* present, ring 0, code, L */
	gdt[GDT_KERNEL_DATA / 8] = gdt_segment(0x93, 0xc); /* present, ring 0, data */
	gdt[GDT_USER_CODE32 / 8] = gdt_segment(0xfb, 0xc); /* ring 3, 32-bit code */
	gdt[GDT_USER_DATA / 8] = gdt_segment(0xf3, 0xc);   /* ring 3, data */
	gdt[GDT_USER_CODE / 8] = gdt_segment(0xfb, 0xa);   /* ring 3, 64-bit code */

	memset(tss, 0, sizeof(*tss));
	tss->ist[IST_DOUBLE_FAULT - 1] = ist_top[0];
	tss->ist[IST_NMI - 1] = ist_top[1];
	tss->ist[IST_MACHINE_CHECK - 1] = ist_top[2];
	/* Every port denied; the base moves onto the bitmap only while a
	 * process that enabled I/O port objects runs here (cpu/user.c). */
	memset(t->io_bitmap, 0xff, sizeof(t->io_bitmap));
	tss->iomap_base = TSS_IOMAP_OFF;

	uint64_t base = (uint64_t)tss, limit = sizeof(tss_t) + IO_BITMAP_BYTES;
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;

	gdt_pointer_t ptr = {.limit = sizeof(t->gdt) - 1, .base = (uint64_t)gdt};
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
