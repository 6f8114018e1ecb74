/* The architecture's time sources: a fast per-CPU timestamp counter (the
 * TSC on x86) and a one-shot timer interrupt per CPU. */
#ifndef HAL_TIME_H
#define HAL_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* The timestamp counter: monotonic, and synchronized across CPUs on the
 * machines we support (the SMP code measures the skew). */
static inline uint64_t hal_timestamp(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Timestamp ticks per second, once calibrated (0 before). */
uint64_t hal_timestamp_hz(void);

/* Arms this CPU's one-shot timer to interrupt once the timestamp counter
 * reaches `deadline` (already passed: as soon as possible); 0 disarms it.
 * Interrupts off. The interrupt calls timer_interrupt(). */
void hal_timer_arm(uint64_t deadline);

/* Busy-waits for `ns` nanoseconds (calibrated timestamp). */
void hal_delay_ns(uint64_t ns);

#endif
