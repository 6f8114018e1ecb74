/* Clocks and sleeping. CLOCK_MONOTONIC (and its RAW, COARSE and BOOTTIME
 * variants) is RaeCore's monotonic clock, nanoseconds since boot.
 * CLOCK_REALTIME is not real yet: the kernel reads no wall clock (RTC or
 * network time), so it is the monotonic clock plus a fixed epoch,
 * RAE_POSIX_EPOCH (2026-01-01 00:00:00 UTC) at boot. CLOCK_PROCESS_CPUTIME_ID
 * (clock()) is the kernel's count for this process (PROCESS_INFO: all its
 * threads, and the IPC calls servers ran on their lent context); the kernel
 * keeps no count per thread, so CLOCK_THREAD_CPUTIME_ID is EINVAL. Sleeps are never interrupted (no signals
 * are delivered), so a remaining time is never reported. */
#include <errno.h>
#include <time.h>
#include <rae/process.h>
#include "posix.h"

#define NS_PER_S        1000000000ll
#define RAE_POSIX_EPOCH 1767225600ll

static int64_t monotonic_ns(void)
{
	return rae_sys_clock_ns();
}

static int64_t process_cpu_ns(void)
{
	rae_process_info_t info;
	int64_t st = rae_sys_process_info(0, &info);
	return st < 0 ? -EINVAL : (int64_t)info.cpu_ns;
}

/* The clock's time in ns, or -EINVAL for a clock RaeenOS does not keep. */
static int64_t clock_ns(int clock)
{
	switch (clock) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME: return monotonic_ns();
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE: return RAE_POSIX_EPOCH * NS_PER_S + monotonic_ns();
	case CLOCK_PROCESS_CPUTIME_ID: return process_cpu_ns();
	default: return -EINVAL;
	}
}

int64_t rae_posix_timespec_ns(const void *p)
{
	const struct timespec *ts = p;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_S)
		return -EINVAL;
	if (ts->tv_sec > (INT64_MAX - NS_PER_S) / NS_PER_S)
		return INT64_MAX; /* as good as forever */
	return ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

long rae_posix_clock_gettime(int clock, void *p)
{
	int64_t ns = clock_ns(clock);
	if (ns < 0)
		return ns;
	struct timespec *ts = p;
	ts->tv_sec = ns / NS_PER_S;
	ts->tv_nsec = ns % NS_PER_S;
	return 0;
}

long rae_posix_clock_getres(int clock, void *p)
{
	if (clock_ns(clock) < 0)
		return -EINVAL;
	if (p) {
		struct timespec *ts = p;
		ts->tv_sec = 0;
		ts->tv_nsec = 1;
	}
	return 0;
}

static long sleep_ns(int64_t ns)
{
	if (ns > 0)
		rae_sys_sleep_ns((uint64_t)ns);
	return 0;
}

long rae_posix_nanosleep(const void *req, void *rem)
{
	(void)rem;
	int64_t ns = rae_posix_timespec_ns(req);
	return ns < 0 ? ns : sleep_ns(ns);
}

long rae_posix_clock_nanosleep(int clock, int flags, const void *req, void *rem)
{
	(void)rem;
	int64_t now = clock_ns(clock);
	if (now < 0)
		return now;
	int64_t ns = rae_posix_timespec_ns(req);
	if (ns < 0)
		return ns;
	if (flags & TIMER_ABSTIME)
		ns = ns > now ? ns - now : 0;
	return sleep_ns(ns);
}
