/* Stack and address-space switches that C cannot express. */
	.text

/* void boot_switch_to(paddr_t root, uintptr_t entry, uintptr_t stack_top):
 * loads `root` into CR3, moves to `stack_top` and jumps to `entry`. This
 * code must be mapped at the same address before and after the switch. */
	.globl boot_switch_to
boot_switch_to:
	movq %rdi, %cr3
	movq %rdx, %rsp
	xorl %ebp, %ebp
	pushq $0 /* a zero return address ends backtraces here */
	jmp *%rsi

/* void stack_switch_call(uintptr_t stack_top, void (*fn)(void)): calls `fn`
 * on a new stack. `fn` does not return. */
	.globl stack_switch_call
stack_switch_call:
	movq %rdi, %rsp
	xorl %ebp, %ebp
	pushq $0
	jmp *%rsi
