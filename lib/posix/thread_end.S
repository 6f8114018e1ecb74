/* The two ends of a runtime thread that must not touch its stack. */
#include <rae/syscall.h>

	.text
/* rae_thread_entry: where THREAD_CREATE starts a thread, its slot in rdi
 * and rsp as at a function's entry (rsp + 8 16-byte aligned) near the top
 * of the stack musl gave; aligned again before the call all the same. */
	.globl rae_thread_entry
	.hidden rae_thread_entry
	.type rae_thread_entry, @function
rae_thread_entry:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call rae_thread_start
	ud2

/* noreturn void rae_thread_end(int *ctid, int code, void *unmap, size_t len)
 * Once the stack may be freed (by VM_FREE here, or by a joiner as soon as
 * *ctid is 0) only registers are used: the kernel keeps everything but
 * rax, rcx and r11 across a system call. */
	.globl rae_thread_end
	.hidden rae_thread_end
	.type rae_thread_end, @function
rae_thread_end:
	movq %rdi, %r8
	movl %esi, %r9d
	testq %rdx, %rdx
	jz 1f
	movq %rdx, %rdi
	movq %rcx, %rsi
	movl $RAE_SYS_VM_FREE, %eax
	syscall
1:	testq %r8, %r8
	jz 2f
	movl $0, (%r8)
	movq %r8, %rdi
	movl $0x7fffffff, %esi
	movl $RAE_SYS_FUTEX_WAKE, %eax
	syscall
2:	movl %r9d, %edi
	movl $RAE_SYS_THREAD_EXIT, %eax
	syscall
	ud2
