/* Starting application processors (INIT-SIPI-SIPI through a real-mode
 * trampoline below 1 MiB) and the x86 side of inter-processor interrupts. */
#ifndef ARCH_X86_64_SMP_SMP_H
#define ARCH_X86_64_SMP_SMP_H

#include <stdint.h>

#define TRAMPOLINE_PHYS 0x8000ull

/* Starts every CPU listed in cpus[1..cpu_possible_count) and waits (with a
 * timeout per CPU) until each reports online. Boot CPU, interrupts on. */
void smp_start_aps(void);

#endif
