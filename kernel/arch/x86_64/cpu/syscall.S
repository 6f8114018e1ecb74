/* SYSCALL entry and the ways back to user mode.
 *
 * syscall_entry runs with interrupts off (FMASK clears IF, TF, DF, AC) on
 * the user stack: it swaps to the kernel GS, parks the user RSP in the
 * per-CPU area, moves to this thread's kernel stack, saves the registers as
 * a syscall_frame_t (the argument and scratch registers; the callee-saved
 * ones come back from C unchanged) and calls syscall_dispatch. The return uses SYSRET only
 * when the return address is canonical (a non-canonical RCX would fault in
 * ring 0 on Intel CPUs); otherwise, and for returns the kernel set up
 * itself, it uses IRET. The register IPC calls try their fast path
 * (object/ipc_fast.c) before the dispatcher. */
#include <object/ipc_fast.h>
#include <rae/syscall.h>

#include <arch/x86_64/cpu/syscall_frame.h>

#define GDT_USER_DATA 0x23 /* 0x20 | RPL 3 */
#define GDT_USER_CODE 0x2b /* 0x28 | RPL 3 */
#define CPU_SYSCALL_STACK 8
#define CPU_USER_RSP 16
/* syscall_frame_t (proc/syscall.c): the message words and rdi. */
#define FRAME_MSG 8
#define FRAME_RDI 48

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_SYSCALL_STACK, %rsp
	/* An IRET-shaped frame, so both return paths can use it. */
	pushq $GDT_USER_DATA   /* ss */
	pushq %gs:CPU_USER_RSP /* rsp */
	pushq %r11             /* rflags */
	pushq $GDT_USER_CODE   /* cs */
	pushq %rcx             /* rip */
	pushq %rax             /* the syscall number */
	pushq %rdi
	/* rsi, rdx, r10, r8, r9 end up in that order in memory: the register
	 * IPC calls use them in place as the message's tag and words. */
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	/* rbx and r12-r15 are callee-saved in C: syscall_dispatch gives them
	 * back as they came. rbp too, but it is zeroed for backtraces. */
	pushq %rbp
	/* The pushes above build syscall_frame_t (cpu/syscall_frame.h, whose
	 * offsets the C struct asserts): 13 of them, rbp at the bottom, the
	 * message registers next, then rdi, the number and the IRET frame. */
	.if SYSCALL_FRAME_SIZE != 13 * 8 || SYSCALL_FRAME_RBP != 0 || SYSCALL_FRAME_RSI != 8
	.error "syscall_frame_t does not match syscall_entry's pushes"
	.endif
	.if SYSCALL_FRAME_R9 != 5 * 8 || SYSCALL_FRAME_RDI != 6 * 8 || SYSCALL_FRAME_NR != 7 * 8
	.error "syscall_frame_t does not match syscall_entry's pushes"
	.endif
	.if SYSCALL_FRAME_RIP != 8 * 8 || SYSCALL_FRAME_RFLAGS != 10 * 8 || SYSCALL_FRAME_RSP != 11 * 8
	.error "syscall_frame_t does not match syscall_entry's pushes"
	.endif
	cld
	xorl %ebp, %ebp
	cmpq $RAE_SYS_IPC_CALL_REG, %rax
	je 2f
	cmpq $RAE_SYS_IPC_REPLY_RECV_REG, %rax
	je 3f
	sti /* the register IPC calls keep interrupts off to their switch */
	movq %rsp, %rdi
	call syscall_dispatch /* returns the result in rax, frame updated */
	jmp syscall_return
	/* The fast paths' usual way out is the fewest branches: a not-taken
	 * or taken branch to syscall_return, never both. */
2:	movq FRAME_RDI(%rsp), %rdi
	leaq FRAME_MSG(%rsp), %rsi
	call ipc_fast_call
	cmpq $IPC_FAST_FALLBACK, %rax
	jne syscall_return
	jmp 1f
3:	movq FRAME_RDI(%rsp), %rdi
	leaq FRAME_MSG(%rsp), %rsi
	leaq FRAME_RDI(%rsp), %rdx
	call ipc_fast_reply_recv
	cmpq $IPC_FAST_FALLBACK, %rax
	jne syscall_return
1:	movq %rsp, %rdi
	call syscall_dispatch_reg_ipc /* interrupts still off */
	/* falls through */

/* void syscall_return(void) with rsp at a syscall_frame_t and the result
 * in rax. */
syscall_return:
	cli
	popq %rbp
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %rdi
	addq $8, %rsp /* the syscall number slot */
	/* rip, cs, rflags, rsp, ss remain. SYSRET needs a canonical rip;
	 * anything outside the lower half goes by IRET (a kernel address
	 * faults there in user mode, as it would after SYSRET). */
	movq 0(%rsp), %rcx
	movq %rcx, %r11
	shrq $47, %r11
	jnz 1f
	movq 16(%rsp), %r11 /* rflags */
	movq 24(%rsp), %rsp /* user rsp: after this only registers */
	swapgs
	sysretq
1:	swapgs
	iretq

/* NORETURN void user_enter(uintptr_t rip, uintptr_t rsp, uint64_t arg):
 * the first entry of a thread into user mode, with clean registers. */
	.globl user_enter
user_enter:
	cli
	pushq $GDT_USER_DATA
	pushq %rsi
	pushq $0x202 /* IF */
	pushq $GDT_USER_CODE
	pushq %rdi
	movq %rdx, %rdi
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	swapgs
	iretq
