/* The x86-64 versions of the HAL calls made on every lock, switch and
 * system call, inline (hal/cpu.h includes this file). */
#ifndef ARCH_X86_64_CPU_HAL_INLINE_H
#define ARCH_X86_64_CPU_HAL_INLINE_H

#include <stdbool.h>
#include <stdint.h>

#define HAL_RFLAGS_IF (1ull << 9)

static inline bool hal_irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags & HAL_RFLAGS_IF;
}

static inline void hal_irq_restore(bool enabled)
{
	if (enabled)
		__asm__ volatile("sti" ::: "memory");
}

static inline void hal_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

struct cpu;
/* Reads the per-CPU pointer at %gs:0; read afresh at every call (a thread
 * may have moved to another CPU since the last). */
static inline struct cpu *hal_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c)::"memory");
	return c;
}

#endif
