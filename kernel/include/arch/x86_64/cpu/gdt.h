/* GDT and TSS: segment selectors and the IST stacks for #DF, NMI and #MC. */
#ifndef ARCH_X86_64_CPU_GDT_H
#define ARCH_X86_64_CPU_GDT_H

#include <stdint.h>
#include <compiler.h>

/* The order suits SYSCALL/SYSRET: STAR's user base 0x18 gives SS 0x20 and
 * CS 0x28 for 64-bit user code. */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_CODE32 0x18
#define GDT_USER_DATA   0x20
#define GDT_USER_CODE   0x28
#define GDT_TSS         0x30

#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE    16384

typedef struct PACKED {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} tss_t;

/* The I/O permission bitmap follows the TSS: one bit per port (set =
 * denied), then the all-ones byte the CPU may read past the last port. */
#define IO_BITMAP_BYTES 8192
/* iomap_base values: the bitmap in force, or past the limit (every port
 * denied to user mode). */
#define TSS_IOMAP_ON  ((uint16_t)sizeof(tss_t))
#define TSS_IOMAP_OFF ((uint16_t)0xffff)

/* One CPU's descriptor tables. */
typedef struct {
	/* null, kcode, kdata, ucode32, udata, ucode64, tss (two slots) */
	uint64_t gdt[8] ALIGNED(16);
	tss_t tss;
	uint8_t io_bitmap[IO_BITMAP_BYTES + 1];
} cpu_tables_t;

_Static_assert(__builtin_offsetof(cpu_tables_t, io_bitmap) ==
		   __builtin_offsetof(cpu_tables_t, tss) + sizeof(tss_t),
	       "the I/O bitmap must follow the TSS");

extern cpu_tables_t boot_cpu_tables;

/* Loads the boot CPU's GDT and TSS (static IST stacks) and reloads every
 * segment register. Safe to call again after the kernel moved. */
void gdt_init(void);

/* Fills `t` with the kernel GDT and a TSS whose IST slots point at the
 * given stack tops (#DF, NMI, #MC), and loads both on this CPU. */
void gdt_load(cpu_tables_t *t, const uintptr_t ist_top[3]);

#endif
