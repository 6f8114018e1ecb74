/* Interrupt and exception entry stubs: each pushes its vector (and a zero
 * where the CPU pushes no error code), then isr_common saves the registers
 * as interrupt_frame_t and calls interrupt_dispatch. */


	/* The general registers, in interrupt_frame_t's order. */
	.macro push_regs
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro pop_regs
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	.endm

	.text
	.macro isr_stub vec
	.balign 16
isr_stub_\vec:
	.if !((\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30))
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
	.endm

	.altmacro
	.set vec, 0
	.rept 256
	isr_stub %vec
	.set vec, vec + 1
	.endr

isr_common:
	/* NMI, machine check and double fault can arrive anywhere, also in
	 * the few kernel instructions that run with the user's GS base (the
	 * first of syscall_entry, and between the exit paths' SWAPGS and
	 * SYSRET/IRET), so the interrupted CPL does not tell which GS base is
	 * loaded: they take the paranoid path, which asks the GS base MSR. */
	cmpq $2, (%rsp)
	je isr_paranoid
	cmpq $18, (%rsp)
	je isr_paranoid
	cmpq $8, (%rsp)
	je isr_paranoid
	/* From user mode, switch to the kernel's GS base. */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	push_regs
	cld
	movq %rsp, %rdi
	call interrupt_dispatch
	pop_regs
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp
	iretq

isr_paranoid:
	push_regs
	cld
	/* The kernel's GS base is a higher-half address; a user's is 0 (user
	 * code cannot set it: CR4.FSGSBASE stays off). %ebx, callee-saved,
	 * remembers whether this entry swapped. */
	movl $0xc0000101, %ecx /* IA32_GS_BASE */
	rdmsr
	xorl %ebx, %ebx
	testl %edx, %edx
	js 1f
	swapgs
	movl $1, %ebx
1:	movq %rsp, %rdi
	call interrupt_dispatch
	testl %ebx, %ebx
	jz 2f
	swapgs
2:	pop_regs
	addq $16, %rsp
	iretq

	/* The stub addresses, for idt_init. */
	.section .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:
	.macro isr_addr vec
	.quad isr_stub_\vec
	.endm
	.set vec, 0
	.rept 256
	isr_addr %vec
	.set vec, vec + 1
	.endr
