/* Kernel thread context switch: only callee-saved registers need saving,
 * since the switch is an ordinary function call for both threads. */
	.text

/* void hal_context_switch(uintptr_t *prev_sp, uintptr_t next_sp) */
	.globl hal_context_switch
hal_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* Where a new thread's first switch returns to: r12 holds its thread. */
	.globl context_thread_start
context_thread_start:
	movq %r12, %rdi
	xorl %ebp, %ebp
	andq $-16, %rsp
	call sched_thread_start
	ud2 /* sched_thread_start does not return */
