/* Benchmarks of the scheduler and user entry (bench=all), in guest
 * instructions: thread-to-thread switch on one CPU, the wake-up latency of
 * a real-time thread after its timer, and a null system call (measured by
 * a user program, which prints its own BENCH line). */
#include <console/kprintf.h>
#include <hal/time.h>
#include <proc/process.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <test/kbench.h>
#include <time/clock.h>

#define SWITCH_SAMPLES 10000

static volatile bool pong_stop;

static void pong(void *arg)
{
	(void)arg;
	while (!pong_stop)
		thread_yield();
}

/* Two threads on one CPU hand it back and forth with yield: each sample is
 * one round (two switches), halved. */
KBENCH(kernel_thread_switch_one_core)
{
	uint64_t cpu = 1ull << this_cpu()->id;
	pong_stop = false;
	thread_set_affinity(thread_current(), cpu);
	thread_t *p = thread_create("pong", pong, NULL, cpu);
	if (!p)
		return;
	thread_yield();
	for (int i = 0; i < SWITCH_SAMPLES; i++) {
		uint64_t t0 = kbench_now();
		thread_yield();
		uint64_t t1 = kbench_now();
		kbench_sample(b, 0, (t1 - t0) / 2 + b->overhead);
	}
	pong_stop = true;
	thread_join(p, NULL);
	thread_set_affinity(thread_current(), THREAD_AFFINITY_ALL);
}

typedef struct {
	kbench_t *b;
	volatile bool done;
} rt_wake_t;

static void rt_waker(void *arg)
{
	rt_wake_t *w = arg;
	if (thread_set_rt(thread_current(), 1000000, 10000000) != RAE_OK) {
		w->done = true;
		return;
	}
	for (int i = 0; i < SWITCH_SAMPLES; i++) {
		uint64_t deadline = hal_timestamp() + clock_ns_to_ticks(100000);
		thread_sleep_until(clock_monotonic_ns() + 100000);
		uint64_t woke = kbench_now();
		kbench_sample(w->b, 0, (woke > deadline ? woke - deadline : 0) + w->b->overhead);
	}
	thread_set_ts(thread_current(), 0);
	w->done = true;
}

/* A real-time thread sleeps 100 us and records how long after the timer's
 * deadline it was running again. */
KBENCH(kernel_rt_wakeup_latency)
{
	rt_wake_t w = {.b = b};
	thread_t *t = thread_create("rt-waker", rt_waker, &w, 1ull << this_cpu()->id);
	if (!t)
		return;
	thread_join(t, NULL);
}

/* Runs a user program that measures itself and prints its own BENCH line
 * (what only user mode can time: system calls, IPC between processes). */
static void user_bench(kbench_t *b, const char *path)
{
	rae_status_t st;
	b->external = true;
	process_t *p = process_spawn(path, NULL, &st);
	if (!p) {
		kprintf("bench: cannot start %s (%s)\n", path, rae_status_name(st));
		b->failed = true;
		return;
	}
	int status = -1;
	process_wait(p, &status);
	if (status != 0) {
		kprintf("bench: %s exited with status %d\n", path, status);
		b->failed = true;
	}
}

KBENCH(user_null_syscall)
{
	user_bench(b, "bin/bench_syscall");
}

KBENCH(user_ipc_call_reply)
{
	user_bench(b, "bin/bench_ipc");
}

KBENCH(user_ipc_register_call_reply)
{
	user_bench(b, "bin/bench_ipcreg");
}

KBENCH(user_ipc_cross_core)
{
	user_bench(b, "bin/bench_ipcx");
}

KBENCH(user_ipc_buffer_and_handle)
{
	user_bench(b, "bin/bench_ipcbuf");
}

KBENCH(user_notify_and_yield)
{
	user_bench(b, "bin/bench_notify");
}

KBENCH(user_shm_copy)
{
	user_bench(b, "bin/bench_shm");
}

KBENCH(user_pipe)
{
	user_bench(b, "bin/bench_pipe");
}
