/* Thread contexts as the architecture keeps them: the saved kernel stack
 * pointer of a switched-out thread, and the extended (FPU/SIMD) state. */
#ifndef HAL_CONTEXT_H
#define HAL_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

struct thread;

/* Saves the callee-saved registers on the current stack, stores the stack
 * pointer in *prev_sp, switches to next_sp and restores from there.
 * Returns when some later switch comes back to *prev_sp. */
void hal_context_switch(uintptr_t *prev_sp, uintptr_t next_sp);

/* Prepares a new thread's kernel stack so that the first switch to the
 * returned stack pointer calls sched_thread_start(t). */
uintptr_t hal_context_init(uintptr_t stack_top, struct thread *t);

/* Extended state: size and alignment of one save area, an area's initial
 * (clean) contents, and eager save/restore on every switch. */
size_t hal_fpu_area_size(void);
size_t hal_fpu_area_align(void);
void hal_fpu_area_init(void *area);
void hal_fpu_save(void *area);
void hal_fpu_restore(const void *area);

/* The switch from `prev` to `next` on this CPU (`c`, interrupts off): points
 * the CPU at next's address space, kernel stack for interrupts from user
 * mode, I/O permission bitmap and user FS base, switches the extended state
 * (hal_fpu_save's and hal_fpu_restore's pair) and then the stacks
 * (hal_context_switch). Returns when a
 * later switch comes back to prev. */
struct cpu;
void hal_thread_switch(struct cpu *c, struct thread *prev, struct thread *next);

/* Turns the FPU/SSE/AVX state on for this CPU (CR0, CR4, XCR0). Each CPU. */
void hal_fpu_cpu_init(void);

/* Sets the calling user thread's thread-pointer base (the FS base on
 * x86-64, where a C library keeps its thread-local storage), now and at
 * every later switch to it. RAE_ERR_INVALID for an address outside the
 * user half. */
int hal_user_set_tls_base(uint64_t base);

#endif
