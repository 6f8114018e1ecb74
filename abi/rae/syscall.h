/* RaeCore system call numbers and calling convention (x86-64): the number
 * in rax, arguments in rdi, rsi, rdx, r10, r8, r9, the `syscall`
 * instruction, the result in rax (a rae_status_t, or a value >= 0). The
 * calls themselves are declared in rae/syscalls.def; docs/syscalls.md is
 * generated from it. Assembly may include this header for the numbers. */
#ifndef RAE_SYSCALL_H
#define RAE_SYSCALL_H

/* Jobs nest at most this deep (the root job is depth 0): JOB_CREATE under a
 * job at this depth is RAE_ERR_LIMIT. Walks up the tree stay short. */
#define RAE_JOB_MAX_DEPTH 32

/* RAE_SYS_FUTEX_WAIT: the word did not hold the expected value. */
#define RAE_FUTEX_CHANGED 1
/* Largest RAE_SYS_RANDOM request and RAE_SYS_VM_ALLOCATE size. */
#define RAE_RANDOM_MAX   256
#define RAE_VM_BYTES_MAX (1ull << 30)

/* The numbers, from the table (rae/syscalls.def). */
#define RAE_SYSCALL(...)
#include <rae/syscalls.def>
#undef RAE_SYSCALL
/* Numbers at or past this are RAE_ERR_UNSUPPORTED. */
#define RAE_SYS_COUNT 82

/* RAE_SYS_MEM_CREATE flags and RAE_SYS_MEM_MAP protections. */
#define RAE_MEM_CONTIGUOUS 0x1
#define RAE_PROT_READ      0x1
#define RAE_PROT_WRITE     0x2
#define RAE_PROT_EXEC      0x4

/* RAE_SYS_WAIT flags. */
#define RAE_WAIT_NOHANG 0x1 /* RAE_ERR_TIMED_OUT at once if the process still runs */

/* Exit status of a process killed by the kernel for a fault or by kill. */
#define RAE_EXIT_KILLED_FAULT 0x100
#define RAE_EXIT_KILLED       0x101

#ifndef __ASSEMBLER__
#include <stdint.h>
/* THREAD_CREATE's entry: called with the thread's argument in rdi. */
typedef void (*rae_thread_entry_t)(uint64_t arg);
#endif

#endif
