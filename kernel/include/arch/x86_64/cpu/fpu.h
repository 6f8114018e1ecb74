/* The extended-state switch (cpu/fpu.c sets up XCR0 and the save areas),
 * inline for the thread switch in cpu/user.c. */
#ifndef ARCH_X86_64_CPU_FPU_H
#define ARCH_X86_64_CPU_FPU_H

#include <arch/x86_64/cpu/features.h>
#include <stdint.h>

/* The components XSAVE saves (0 without XSAVE); set once at boot. */
extern uint64_t fpu_xcr0;

/* Saves this CPU's extended state into `save` and loads `restore`'s. */
static inline void fpu_switch(void *save, const void *restore)
{
	uint32_t lo = (uint32_t)fpu_xcr0, hi = (uint32_t)(fpu_xcr0 >> 32);
	if (cpu_features.xsave) {
		__asm__ volatile("xsave64 (%0)" : : "r"(save), "a"(lo), "d"(hi) : "memory");
		__asm__ volatile("xrstor64 (%0)" : : "r"(restore), "a"(lo), "d"(hi) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" : : "r"(save) : "memory");
		__asm__ volatile("fxrstor64 (%0)" : : "r"(restore) : "memory");
	}
}

#endif
