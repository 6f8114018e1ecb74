/* User-memory copy primitives. Each instruction that may fault has an entry
 * in __ex_table (relative offsets: fault address, resume address); the #PF
 * and #GP handlers resume there with RAE_ERR_FAULT instead of panicking. */

#define RAE_ERR_FAULT -9

	.macro ex_entry fault, fixup
	.pushsection .ex_table, "a"
	.balign 4
	.long \fault - .
	.long \fixup - .
	.popsection
	.endm

	.macro user_open
	cmpb $0, hal_user_access_has_smap(%rip)
	je 98f
	stac
98:
	.endm

	.macro user_close
	cmpb $0, hal_user_access_has_smap(%rip)
	je 99f
	clac
99:
	.endm

	.text

/* rae_status_t hal_copy_user(void *dst, const void *src, size_t n) */
	.globl hal_copy_user
hal_copy_user:
	movq %rdx, %rcx
	user_open
1:	rep movsb
	user_close
	xorl %eax, %eax
	ret
2:	user_close
	movl $RAE_ERR_FAULT, %eax
	ret
	ex_entry 1b, 2b

/* long hal_strncpy_user(char *dst, const char *src, size_t max) */
	.globl hal_strncpy_user
hal_strncpy_user:
	xorl %eax, %eax
	testq %rdx, %rdx
	jz 5f
	user_open
3:	movb (%rsi, %rax), %cl
	movb %cl, (%rdi, %rax)
	incq %rax
	testb %cl, %cl
	jz 4f
	cmpq %rdx, %rax
	jb 3b
	xorl %eax, %eax /* no NUL within max */
4:	user_close
5:	ret
6:	user_close
	movq $RAE_ERR_FAULT, %rax
	ret
	ex_entry 3b, 6b

/* rae_status_t hal_probe_read(const void *addr, uint64_t *out) */
	.globl hal_probe_read
hal_probe_read:
7:	movq (%rdi), %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
8:	movl $RAE_ERR_FAULT, %eax
	ret
	ex_entry 7b, 8b
