/* Notifications and yields between two threads of one process on CPU 0,
 * timed with the TSC (guest instructions under -icount):
 *   user_notify_signal_to_wakeup: from just before signal() until the
 *     waiting thread runs again (the signaller goes on until it blocks);
 *   user_notify_ping_pong: A signals B and waits, B signals A back;
 *   user_yield_ping_pong: A and B hand a turn counter to each other,
 *     yielding until it is theirs (sched_yield ping-pong on Linux). */
#include <rae.h>

#define SAMPLES 10000

static uint64_t samples[SAMPLES];
static rae_handle_t ping, pong;
static volatile uint64_t sent_at;
static volatile int turn;
static volatile int phase;

static void partner(uint64_t arg)
{
	(void)arg;
	/* Phase 1: wake-up latency; phase 2: ping-pong. */
	for (int i = -100; i < SAMPLES; i++) {
		rae_notify_wait(ping, RAE_TIMEOUT_NEVER);
		uint64_t now = rae_rdtsc();
		if (i >= 0)
			samples[i] = now - sent_at;
		rae_notify_signal(pong, 1);
	}
	for (int i = -100; i < SAMPLES; i++) {
		rae_notify_wait(ping, RAE_TIMEOUT_NEVER);
		rae_notify_signal(pong, 1);
	}
	/* Phase 3: yields. */
	while (phase != 3)
		rae_yield();
	for (int i = -100; i < SAMPLES; i++) {
		while (turn != 1)
			rae_yield();
		turn = 0;
	}
	rae_thread_exit(0);
}

int main(uint64_t arg)
{
	(void)arg;
	rae_set_affinity(1);
	int64_t a = rae_sys_notify_create(), b = rae_sys_notify_create();
	if (a < 0 || b < 0)
		return 1;
	ping = (rae_handle_t)a;
	pong = (rae_handle_t)b;
	int64_t tid = rae_sys_thread_create(partner, 0, 0);
	if (tid < 0)
		return 1;
	for (int i = -100; i < SAMPLES; i++) {
		sent_at = rae_rdtsc();
		rae_notify_signal(ping, 1);
		if (rae_notify_wait(pong, RAE_TIMEOUT_NEVER) != 1)
			return 2;
	}
	rae_bench_report("user_notify_signal_to_wakeup", samples, SAMPLES);
	for (int i = -100; i < SAMPLES; i++) {
		uint64_t t0 = rae_rdtsc();
		rae_notify_signal(ping, 1);
		if (rae_notify_wait(pong, RAE_TIMEOUT_NEVER) != 1)
			return 3;
		if (i >= 0)
			samples[i] = rae_rdtsc() - t0;
	}
	rae_bench_report("user_notify_ping_pong", samples, SAMPLES);
	phase = 3;
	for (int i = -100; i < SAMPLES; i++) {
		uint64_t t0 = rae_rdtsc();
		turn = 1;
		while (turn != 0)
			rae_yield();
		if (i >= 0)
			samples[i] = rae_rdtsc() - t0;
	}
	rae_bench_report("user_yield_ping_pong", samples, SAMPLES);
	int code = -1;
	rae_thread_join(tid, &code);
	return code;
}
