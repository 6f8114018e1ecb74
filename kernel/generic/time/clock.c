/* Monotonic nanoseconds from the timestamp counter, by fixed-point
 * multiplication (no division on the read path). */
#include <hal/time.h>
#include <time/clock.h>

static uint64_t boot_ts;
static uint64_t ns_per_tick_q32;  /* nanoseconds per tick, 32.32 fixed point */
static uint64_t ticks_per_ns_q32; /* ticks per nanosecond, 32.32 */

void clock_init(uint64_t hz)
{
	boot_ts = hal_timestamp();
	/* 64-bit arithmetic only (no libgcc): 1e9 << 32 fits, and hz is split
	 * into whole and fractional gigahertz. */
	ns_per_tick_q32 = (1000000000ull << 32) / hz;
	ticks_per_ns_q32 =
	    ((hz / 1000000000ull) << 32) + ((hz % 1000000000ull) << 32) / 1000000000ull;
}

uint64_t clock_ticks_to_ns(uint64_t ticks)
{
	unsigned __int128 v = ((unsigned __int128)ticks * ns_per_tick_q32) >> 32;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

uint64_t clock_ns_to_ticks(uint64_t ns)
{
	unsigned __int128 v = ((unsigned __int128)ns * ticks_per_ns_q32) >> 32;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

uint64_t clock_monotonic_ns(void)
{
	return clock_ticks_to_ns(hal_timestamp() - boot_ts);
}

uint64_t clock_boot_timestamp(void)
{
	return boot_ts;
}
