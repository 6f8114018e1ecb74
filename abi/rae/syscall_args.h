/* Helpers for using the system call table (rae/syscalls.def) from C: a
 * parameter list from an entry's (type, name) pairs, and the six argument
 * words of the syscall instruction. Shared by the kernel's dispatch and
 * librae's stubs, so both read the table the same way. */
#ifndef RAE_SYSCALL_ARGS_H
#define RAE_SYSCALL_ARGS_H

#include <stdint.h>

/* "type name, ..." from an entry's n (type, name) pairs (void for none). */
#define RAE_SYSCALL_PARAMS_0(...)                 void
#define RAE_SYSCALL_PARAMS_1(t1, a1)              t1 a1
#define RAE_SYSCALL_PARAMS_2(t1, a1, t2, a2)      t1 a1, t2 a2
#define RAE_SYSCALL_PARAMS_3(t1, a1, t2, a2, ...) t1 a1, t2 a2, RAE_SYSCALL_PARAMS_1(__VA_ARGS__)
#define RAE_SYSCALL_PARAMS_4(t1, a1, t2, a2, ...) t1 a1, t2 a2, RAE_SYSCALL_PARAMS_2(__VA_ARGS__)
#define RAE_SYSCALL_PARAMS_5(t1, a1, t2, a2, ...) t1 a1, t2 a2, RAE_SYSCALL_PARAMS_3(__VA_ARGS__)
#define RAE_SYSCALL_PARAMS_6(t1, a1, t2, a2, ...) t1 a1, t2 a2, RAE_SYSCALL_PARAMS_4(__VA_ARGS__)

/* One argument as the word the kernel receives in its register. */
#define RAE_SYSCALL_WORD(a) ((uint64_t)(uintptr_t)(a))

/* The six argument words (rdi, rsi, rdx, r10, r8, r9) of an n-argument
 * call, unused ones 0. */
#define RAE_SYSCALL_WORDS_0(...)            0, 0, 0, 0, 0, 0
#define RAE_SYSCALL_WORDS_1(t1, a1)         RAE_SYSCALL_WORD(a1), 0, 0, 0, 0, 0
#define RAE_SYSCALL_WORDS_2(t1, a1, t2, a2) RAE_SYSCALL_WORD(a1), RAE_SYSCALL_WORD(a2), 0, 0, 0, 0
#define RAE_SYSCALL_WORDS_3(t1, a1, t2, a2, t3, a3)                                                \
	RAE_SYSCALL_WORD(a1), RAE_SYSCALL_WORD(a2), RAE_SYSCALL_WORD(a3), 0, 0, 0
#define RAE_SYSCALL_WORDS_4(t1, a1, t2, a2, t3, a3, t4, a4)                                        \
	RAE_SYSCALL_WORD(a1), RAE_SYSCALL_WORD(a2), RAE_SYSCALL_WORD(a3), RAE_SYSCALL_WORD(a4), 0, 0
#define RAE_SYSCALL_WORDS_5(t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)                                \
	RAE_SYSCALL_WORD(a1), RAE_SYSCALL_WORD(a2), RAE_SYSCALL_WORD(a3), RAE_SYSCALL_WORD(a4),    \
	    RAE_SYSCALL_WORD(a5), 0
#define RAE_SYSCALL_WORDS_6(t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6)                        \
	RAE_SYSCALL_WORD(a1), RAE_SYSCALL_WORD(a2), RAE_SYSCALL_WORD(a3), RAE_SYSCALL_WORD(a4),    \
	    RAE_SYSCALL_WORD(a5), RAE_SYSCALL_WORD(a6)

#endif
