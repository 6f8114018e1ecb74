/* Benchmarks of interrupts, timers and SMP (bench=all), in guest
 * instructions: IPI round trip, one-shot timer lateness, cross-CPU TSC skew. */
#include <console/kprintf.h>
#include <hal/cpu.h>
#include <hal/time.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <test/kbench.h>
#include <time/clock.h>
#include <time/timer.h>

static void bench_nop(void *arg)
{
	(void)arg;
}

/* Call a function on CPU 1 and wait for it: IPI out, handler, reply seen. */
KBENCH(kernel_ipi_round_trip)
{
	if (cpu_online_count < 2) {
		kprintf("bench: kernel_ipi_round_trip needs two CPUs\n");
		return;
	}
	for (int i = 0; i < 10000; i++) {
		uint64_t t0 = kbench_now();
		smp_call_on(1, bench_nop, NULL, true);
		kbench_sample(b, t0, kbench_now());
	}
}

static void lateness_fire(ktimer_t *t, void *arg)
{
	(void)t;
	*(volatile bool *)arg = true;
}

/* Arm a one-shot 100 us ahead, sleep, and measure how long after its
 * deadline the callback ran. */
KBENCH(kernel_timer_expiry_lateness)
{
	ktimer_t timer;
	for (int i = 0; i < 2000; i++) {
		volatile bool fired = false;
		uint64_t deadline = hal_timestamp() + clock_ns_to_ticks(100000);
		timer_start(&timer, deadline, lateness_fire, (void *)&fired);
		while (!fired)
			hal_cpu_idle_until(&fired); /* no wake-up lost before the halt */
		kbench_sample(b, deadline, timer.fired_at);
	}
}

/* The TSC warp test in short rounds; each sample is one round's largest
 * backwards step seen between CPUs. */
KBENCH(kernel_tsc_cross_cpu_skew)
{
	if (cpu_online_count < 2) {
		kprintf("bench: kernel_tsc_cross_cpu_skew needs two CPUs\n");
		return;
	}
	uint64_t saved = b->overhead;
	b->overhead = 0; /* a skew is not a timed region */
	for (int i = 0; i < 200; i++)
		kbench_sample(b, 0, smp_tsc_warp_test(100));
	b->overhead = saved;
}
