/* Multiboot2 header and 32-bit entry: checks for long mode, builds the boot
 * page tables (identity and direct map of the low 4 GiB, kernel at -2 GiB),
 * enters long mode and calls arch_boot_main in the higher half.
 *
 * The kernel is linked position-independent, so this file may not contain
 * absolute relocations. Everything here lives in the one section .boot,
 * which the linker script places at physical BOOT_PHYS: a physical address
 * is then BOOT_PHYS plus a distance inside this section, which the
 * assembler computes itself. */

#define KERNEL_VMA 0xffffffff80000000
#define BOOT_PHYS 0x200000
#define PHYS(sym) (BOOT_PHYS + ((sym) - mb2_header))

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_HUGE 0x80

#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define COM1 0x3f8

	.section .boot, "awx"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Entry address: the ELF entry is a (virtual) higher-half address. */
	.balign 8
	.short 3, 0
	.long 12
	.long PHYS(_start)

	/* Framebuffer request (optional): 1024x768x32 preferred. */
	.balign 8
	.short 5, 1
	.long 20
	.long 1024, 768, 32

	/* Page-align boot modules so the initrd starts on a page. */
	.balign 8
	.short 6, 0
	.long 8

	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.code32
	.globl _start
_start:
	cli
	cld
	movl $PHYS(boot_stack_top), %esp
	/* Keep the loader's magic and info pointer for arch_boot_main. */
	movl %eax, %edi
	movl %ebx, %esi
	/* The time stamp counter at entry, first of all: firmware and loader
	 * took it this far (under QEMU -icount, their instructions). */
	rdtsc
	movl %eax, PHYS(boot_entry_tsc)
	movl %edx, PHYS(boot_entry_tsc) + 4

	/* Long mode needs CPUID leaf 0x80000001 with the LM bit. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, %ebp /* NX is bit 20 */

	/* Zero the PML4 and the two PDPTs (the PDs are fully written below). */
	pushl %edi
	movl $PHYS(boot_pml4), %edi
	xorl %eax, %eax
	movl $(3 * 4096 / 4), %ecx
	rep stosl
	popl %edi

	/* Four page directories of 2 MiB pages cover physical 0-4 GiB. */
	movl $PHYS(boot_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_PRESENT | PTE_WRITE | PTE_HUGE), %eax
	movl %eax, (%ebx, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b

	/* Low PDPT: PD0..PD3. Used for the identity map and the direct map. */
	movl $PHYS(boot_pdpt_low), %ebx
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $(PHYS(boot_pd) + PTE_PRESENT + PTE_WRITE), %eax
	movl %eax, (%ebx, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 2b

	/* High PDPT slot 510 (-2 GiB) maps the first GiB for the kernel. */
	movl $(PHYS(boot_pd) + PTE_PRESENT + PTE_WRITE), PHYS(boot_pdpt_high) + 510 * 8

	movl $PHYS(boot_pml4), %ebx
	movl $(PHYS(boot_pdpt_low) + PTE_PRESENT + PTE_WRITE), 0(%ebx)
	movl $(PHYS(boot_pdpt_low) + PTE_PRESENT + PTE_WRITE), 256 * 8(%ebx)
	movl $(PHYS(boot_pdpt_high) + PTE_PRESENT + PTE_WRITE), 511 * 8(%ebx)
	movl %ebx, %cr3

	movl %cr4, %eax
	orl $(1 << 5), %eax /* PAE */
	movl %eax, %cr4

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $(1 << 20), %ebp
	jz 3f
	orl $EFER_NXE, %eax
3:	wrmsr

	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax /* PG, WP, PE */
	movl %eax, %cr0

	lgdt PHYS(boot_gdt_ptr)
	ljmp $0x08, $PHYS(long_mode_entry)

no_long_mode:
	movl $PHYS(no_lm_msg), %esi
4:	lodsb
	testb %al, %al
	jz 5f
	movw $COM1, %dx
	outb %al, %dx
	jmp 4b
5:	hlt
	jmp 5b

	.code64
long_mode_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	/* We run at the physical address; continue at its higher-half alias,
	 * where the linker placed this code. */
	leaq 6f(%rip), %rax
	movabsq $KERNEL_VMA, %rcx
	addq %rcx, %rax
	jmp *%rax
6:	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	/* Upper halves are undefined after the mode switch: zero-extend. */
	movl %edi, %edi
	movl %esi, %esi
	movq boot_entry_tsc(%rip), %rdx
	call arch_boot_main
7:	cli
	hlt
	jmp 7b

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9b000000ffff /* 64-bit code, accessed */
	.quad 0x00cf93000000ffff /* data, accessed */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.balign 8
boot_entry_tsc:
	.quad 0

no_lm_msg:
	.asciz "RaeenOS: this CPU has no 64-bit long mode; cannot boot.\r\n"

	/* The boot page tables and stack: only used until the kernel's own
	 * page tables and guarded stacks take over. */
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:
