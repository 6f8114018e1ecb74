/* The monotonic clock: nanoseconds since boot, from the timestamp counter. */
#ifndef TIME_CLOCK_H
#define TIME_CLOCK_H

#include <stdint.h>

/* Sets the conversion from `hz` timestamp ticks per second. Boot CPU, once. */
void clock_init(uint64_t hz);

uint64_t clock_monotonic_ns(void);

/* The monotonic time `timeout_ns` from now: UINT64_MAX (never) for a
 * timeout of UINT64_MAX, and just short of it where the sum would wrap. */
static inline uint64_t clock_deadline(uint64_t timeout_ns)
{
	if (timeout_ns == UINT64_MAX)
		return UINT64_MAX;
	uint64_t now = clock_monotonic_ns();
	return timeout_ns > UINT64_MAX - now ? UINT64_MAX - 1 : now + timeout_ns;
}
/* Conversions between timestamp ticks and nanoseconds (saturating). */
uint64_t clock_ticks_to_ns(uint64_t ticks);
uint64_t clock_ns_to_ticks(uint64_t ns);
/* The timestamp at which the monotonic clock read 0. */
uint64_t clock_boot_timestamp(void);

#endif
