/* Application processor start-up code. The boot CPU copies the bytes
 * between smp_trampoline_start and smp_trampoline_end to physical
 * TRAMPOLINE_PHYS (below 1 MiB) and fills the parameter block at its end.
 * A started AP begins here in real mode at TRAMPOLINE_PHYS:0, switches to
 * protected mode, then long mode on the temporary page tables the boot CPU
 * built (this page identity-mapped, the kernel's upper half shared), and
 * jumps to the kernel entry with the parameter block's argument.
 *
 * Everything is addressed as TRAMPOLINE_PHYS + offset, so no relocation is
 * needed; keep it that way. */

#define TRAMPOLINE_PHYS 0x8000
#define T(sym) (TRAMPOLINE_PHYS + ((sym) - smp_trampoline_start))

	.section .rodata
	.balign 16
	.globl smp_trampoline_start
smp_trampoline_start:
	.code16
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	lgdtl T(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp_pm32)

	.code32
tramp_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax /* PAE */
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax /* LME */
	testl $1, T(tramp_nx)
	jz 1f
	orl $(1 << 11), %eax /* NXE */
1:	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax /* PG, WP */
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp_lm64)

	.code64
tramp_lm64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq T(tramp_stack), %rsp
	movq T(tramp_arg), %rdi
	xorl %ebp, %ebp
	pushq $0
	jmpq *T(tramp_entry)

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff /* 32-bit code */
	.quad 0x00cf93000000ffff /* data */
	.quad 0x00af9b000000ffff /* 64-bit code */
tramp_gdt_end:
tramp_gdt_ptr:
	.short tramp_gdt_end - tramp_gdt - 1
	.long T(tramp_gdt)

	/* The parameter block, filled by the boot CPU for each AP. Its layout
	 * is smp_trampoline_params_t in smp_boot.c. */
	.balign 8
	.globl smp_trampoline_params
smp_trampoline_params:
tramp_cr3:
	.quad 0
tramp_stack:
	.quad 0
tramp_entry:
	.quad 0
tramp_arg:
	.quad 0
tramp_nx:
	.quad 0
	.globl smp_trampoline_end
smp_trampoline_end:
