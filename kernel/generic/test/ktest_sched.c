/* Kernel tests of the scheduler with real threads: preemption, fairness,
 * real-time deadlines under load, CBS throttling, admission control,
 * pinning, and core isolation (threads and device interrupts). Timing runs
 * on QEMU's TCG, whose guest time follows the host clock: the workloads use
 * periods of tens of milliseconds so host jitter cannot cause a miss. */
#include <cmdline.h>
#include <console/kprintf.h>
#include <kernel.h>
#include <hal/cpu.h>
#include <sched/sched.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <test/ktest.h>
#include <time/clock.h>

#define MS 1000000ull

static volatile bool stop_all;

/* CPU time the calling thread has used, including the current slice. */
static uint64_t cpu_time_self(void)
{
	thread_t *t = thread_current();
	return t->se.sum_exec_ns + (clock_monotonic_ns() - t->run_start);
}

static void hog(void *arg)
{
	volatile uint64_t *counter = arg;
	while (!stop_all)
		(*counter)++;
}

static unsigned this_cpu_id(void)
{
	return this_cpu()->id;
}

KTEST(sched_busy_loop_is_preempted)
{
	volatile uint64_t a = 0, b = 0;
	uint64_t mask = 1ull << this_cpu_id();
	stop_all = false;
	thread_t *ta = thread_create("hog-a", hog, (void *)&a, mask);
	thread_t *tb = thread_create("hog-b", hog, (void *)&b, mask);
	KTEST_EXPECT(t, ta && tb);
	thread_sleep_ns(100 * MS);
	uint64_t a1 = a, b1 = b;
	thread_sleep_ns(100 * MS);
	stop_all = true;
	thread_join(ta, NULL);
	thread_join(tb, NULL);
	/* Both advanced in the second window: neither busy loop kept the CPU. */
	KTEST_EXPECT(t, a > a1 && b > b1);
	KTEST_EXPECT(t, ta != tb);
}

KTEST(sched_ts_fairness)
{
	volatile uint64_t counters[3] = {0};
	thread_t *th[3];
	uint64_t mask = 1ull << this_cpu_id();
	stop_all = false;
	for (int i = 0; i < 3; i++)
		th[i] = thread_create("fair", hog, (void *)&counters[i], mask);
	thread_sleep_ns(600 * MS);
	uint64_t exec[3], total = 0;
	for (int i = 0; i < 3; i++) {
		exec[i] = th[i]->se.sum_exec_ns;
		total += exec[i];
	}
	stop_all = true;
	for (int i = 0; i < 3; i++)
		thread_join(th[i], NULL);
	/* Within 10% of the mean with exact guest time. On plain TCG guest time
	 * follows the host clock, and a host that stalls a virtual CPU (four of
	 * them on two host cores in CI) charges the stall to whichever thread
	 * was running: one thread was seen 50 ms over a 207 ms mean. There the
	 * test checks for starvation and hogging only, within 50%. */
	bool exact = cmdline_has(boot_info.cmdline, "exact_time");
	uint64_t tolerance = exact ? 1 : 5; /* tenths of the mean */
	uint64_t mean = total / 3;
	for (int i = 0; i < 3; i++) {
		kprintf("# fair thread %d: %lu us of CPU (mean %lu us)\n", i, exec[i] / 1000,
			mean / 1000);
		KTEST_EXPECT(t, exec[i] * 10 >= mean * (10 - tolerance) &&
				    exec[i] * 10 <= mean * (10 + tolerance));
	}
}

typedef struct {
	uint64_t budget, period, work; /* CBS Q, T and the job's CPU time C */
	uint64_t duration;
	unsigned jobs, misses;
	rae_status_t admitted;
	uint64_t throttles, exec;
	bool overrun; /* wants more than its budget, forever */
} rt_task_t;

static void rt_body(void *arg)
{
	rt_task_t *task = arg;
	thread_t *self = thread_current();
	task->admitted = thread_set_rt(self, task->budget, task->period);
	if (task->admitted != RAE_OK)
		return;
	uint64_t start = clock_monotonic_ns(), release = start;
	while (release - start < task->duration) {
		if (task->overrun) {
			while (clock_monotonic_ns() - start < task->duration)
				;
			break;
		}
		uint64_t target = cpu_time_self() + task->work;
		while (cpu_time_self() < target)
			;
		task->jobs++;
		if (clock_monotonic_ns() > release + task->period)
			task->misses++;
		release += task->period;
		thread_sleep_until(release);
	}
	task->throttles = self->se.nr_throttles;
	task->exec = self->se.sum_exec_ns;
	thread_set_ts(self, 0);
}

static void run_rt_set(ktest_t *t, rt_task_t *tasks, unsigned n, bool hogs_everywhere)
{
	volatile uint64_t hog_counts[CPU_MAX] = {0};
	thread_t *hogs[CPU_MAX] = {0}, *rt[8];
	unsigned cpu = cpu_possible_count > 1 ? 1 : 0;
	stop_all = false;
	if (hogs_everywhere) {
		for (unsigned i = 0; i < cpu_possible_count; i++)
			hogs[i] = thread_create("hog", hog, (void *)&hog_counts[i], 1ull << i);
	}
	for (unsigned i = 0; i < n; i++)
		rt[i] = thread_create("rt", rt_body, &tasks[i], 1ull << cpu);
	for (unsigned i = 0; i < n; i++)
		thread_join(rt[i], NULL);
	stop_all = true;
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (hogs[i])
			thread_join(hogs[i], NULL);
	}
	(void)t;
}

KTEST_EXACT_TIME(sched_rt_set_meets_deadlines_under_load)
{
	/* 20%, 30% and 30% of one CPU reserved, with a time-sharing hog on
	 * every CPU. Each job needs 80% of its budget: the rest covers what
	 * the kernel charges around it (interrupts, switches, the loop). */
	rt_task_t tasks[3] = {
	    {.budget = 10 * MS, .period = 50 * MS, .work = 8 * MS, .duration = 1000 * MS},
	    {.budget = 15 * MS, .period = 50 * MS, .work = 12 * MS, .duration = 1000 * MS},
	    {.budget = 30 * MS, .period = 100 * MS, .work = 24 * MS, .duration = 1000 * MS},
	};
	run_rt_set(t, tasks, 3, true);
	for (int i = 0; i < 3; i++) {
		kprintf("# rt task %d: %u jobs, %u deadline misses, %lu throttles\n", i,
			tasks[i].jobs, tasks[i].misses, tasks[i].throttles);
		KTEST_EXPECT_EQ(t, tasks[i].admitted, RAE_OK);
		KTEST_EXPECT(t, tasks[i].jobs + 1 >= tasks[i].duration / tasks[i].period);
		KTEST_EXPECT_EQ(t, tasks[i].misses, 0);
	}
}

KTEST_EXACT_TIME(sched_cbs_throttles_an_overrunning_thread)
{
	rt_task_t tasks[3] = {
	    {.budget = 5 * MS, .period = 50 * MS, .duration = 800 * MS, .overrun = true},
	    {.budget = 15 * MS, .period = 50 * MS, .work = 12 * MS, .duration = 800 * MS},
	    {.budget = 12 * MS, .period = 40 * MS, .work = 9 * MS, .duration = 800 * MS},
	};
	run_rt_set(t, tasks, 3, false);
	uint64_t share_ppm = tasks[0].exec * 1000000 / (800 * MS);
	kprintf("# overrunning CBS thread: %lu throttles, %lu ppm of the CPU (budget 100000)\n",
		tasks[0].throttles, share_ppm);
	KTEST_EXPECT(t, tasks[0].throttles > 5);
	/* Its bandwidth plus a little for the partial last period. */
	KTEST_EXPECT(t, share_ppm < 150000);
	for (int i = 1; i < 3; i++) {
		kprintf("# rt task %d: %u jobs, %u misses\n", i, tasks[i].jobs, tasks[i].misses);
		KTEST_EXPECT_EQ(t, tasks[i].misses, 0);
		KTEST_EXPECT(t, tasks[i].jobs >= 10);
	}
}

static void parked(void *arg)
{
	volatile bool *go = arg;
	while (!*go)
		thread_sleep_ns(5 * MS);
}

KTEST(sched_admission_control)
{
	volatile bool go = false;
	thread_t *th[4];
	unsigned cpu = this_cpu_id();
	for (int i = 0; i < 4; i++)
		th[i] = thread_create("adm", parked, (void *)&go, 1ull << cpu);
	/* 40% + 40% fit under the 90% bound; another 20% does not. */
	KTEST_EXPECT_EQ(t, thread_set_rt(th[0], 40 * MS, 100 * MS), RAE_OK);
	KTEST_EXPECT_EQ(t, thread_set_rt(th[1], 40 * MS, 100 * MS), RAE_OK);
	KTEST_EXPECT_EQ(t, thread_set_rt(th[2], 20 * MS, 100 * MS), RAE_ERR_LIMIT);
	KTEST_EXPECT_EQ(t, thread_set_rt(th[2], 10 * MS, 100 * MS), RAE_OK);
	KTEST_EXPECT_EQ(t, thread_set_rt(th[3], 1 * MS, 0), RAE_ERR_INVALID);
	KTEST_EXPECT_EQ(t, thread_set_rt(th[3], 2 * MS, 1 * MS), RAE_ERR_INVALID);
	/* Releasing one makes room again. */
	KTEST_EXPECT_EQ(t, thread_set_ts(th[1], 0), RAE_OK);
	KTEST_EXPECT_EQ(t, thread_set_rt(th[3], 20 * MS, 100 * MS), RAE_OK);
	go = true;
	for (int i = 0; i < 4; i++)
		thread_join(th[i], NULL);
}

static void wanderer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		if (i % 2)
			thread_yield();
		else
			thread_sleep_ns(1 * MS);
	}
}

KTEST(sched_pinned_thread_stays)
{
	unsigned cpu = cpu_possible_count - 1;
	thread_t *w = thread_create("pinned", wanderer, NULL, 1ull << cpu);
	if (!KTEST_EXPECT(t, w != NULL))
		return;
	/* Keep other CPUs busy so a migration would be tempting. */
	volatile uint64_t c = 0;
	stop_all = false;
	thread_t *h = thread_create("hog", hog, (void *)&c, 1ull << cpu);
	while (w->state != THREAD_DEAD)
		thread_sleep_ns(5 * MS);
	uint64_t ran_on = w->ran_on;
	stop_all = true;
	thread_join(w, NULL);
	thread_join(h, NULL);
	KTEST_EXPECT_EQ(t, ran_on, 1ull << cpu);
}

KTEST(sched_isolated_cpu_runs_only_pinned)
{
	if (cpu_possible_count < 2) {
		KTEST_EXPECT_EQ(t, sched_set_isolated(1, true), RAE_ERR_INVALID);
		return;
	}
	unsigned iso = cpu_possible_count - 1;
	KTEST_EXPECT_EQ(t, sched_set_isolated(0, true), RAE_ERR_INVALID);
	KTEST_EXPECT_EQ(t, sched_set_isolated(iso, true), RAE_OK);
	uint64_t dev_before = cpus[iso].device_interrupts, dev0_before = cpus[0].device_interrupts;
	bool have_device = hal_test_device_interrupts(true);
	volatile uint64_t counts[8] = {0};
	thread_t *th[8];
	stop_all = false;
	for (int i = 0; i < 8; i++)
		th[i] = thread_create("unpinned", hog, (void *)&counts[i], 0);
	volatile uint64_t pc = 0;
	thread_t *pinned = thread_create("pinned-iso", hog, (void *)&pc, 1ull << iso);
	thread_sleep_ns(200 * MS);
	stop_all = true;
	uint64_t unpinned_on = 0;
	for (int i = 0; i < 8; i++) {
		unpinned_on |= th[i]->ran_on;
		thread_join(th[i], NULL);
	}
	uint64_t pinned_on = pinned->ran_on;
	thread_join(pinned, NULL);
	KTEST_EXPECT_EQ(t, unpinned_on & (1ull << iso), 0);
	KTEST_EXPECT_EQ(t, pinned_on, 1ull << iso);
	if (have_device)
		hal_test_device_interrupts(false);
	kprintf("# device interrupts during the run: CPU 0 %lu, isolated CPU %u %lu\n",
		cpus[0].device_interrupts - dev0_before, iso,
		cpus[iso].device_interrupts - dev_before);
	KTEST_EXPECT_EQ(t, cpus[iso].device_interrupts, dev_before);
	KTEST_EXPECT(t, !have_device || cpus[0].device_interrupts > dev0_before);
	KTEST_EXPECT_EQ(t, sched_set_isolated(iso, false), RAE_OK);
}

KTEST(sched_load_spreads_over_cpus)
{
	/* Twice as many hogs as CPUs, created from one CPU: placement and
	 * stealing must put work on every CPU. */
	volatile uint64_t counts[16] = {0};
	thread_t *th[16];
	unsigned n = 2 * cpu_possible_count;
	if (n > 16)
		n = 16;
	stop_all = false;
	for (unsigned i = 0; i < n; i++)
		th[i] = thread_create("spread", hog, (void *)&counts[i], 0);
	thread_sleep_ns(200 * MS);
	stop_all = true;
	uint64_t ran = 0;
	for (unsigned i = 0; i < n; i++) {
		ran |= th[i]->ran_on;
		thread_join(th[i], NULL);
	}
	uint64_t all = cpu_possible_count >= 64 ? ~0ull : (1ull << cpu_possible_count) - 1;
	kprintf("# CPUs that ran the hogs: mask 0x%lx of 0x%lx\n", ran, all);
	KTEST_EXPECT_EQ(t, ran & all, all);
}

typedef struct {
	volatile bool timer_still_armed;
	volatile bool returned;
} early_wake_t;

static void long_sleeper(void *arg)
{
	early_wake_t *w = arg;
	thread_sleep_ns(5000 * MS);
	w->timer_still_armed = thread_current()->sleep_timer.armed;
	w->returned = true;
}

/* A sleeper woken early (as kill and join do) must not leave its timer
 * queued: it would fire into a thread that sleeps again or is freed. */
KTEST(sched_early_wake_disarms_sleep_timer)
{
	early_wake_t w = {0};
	thread_t *s = thread_create("sleeper", long_sleeper, &w, 1ull << this_cpu_id());
	if (!KTEST_EXPECT(t, s != NULL))
		return;
	thread_sleep_ns(10 * MS);
	thread_wake(s);
	thread_join(s, NULL);
	KTEST_EXPECT(t, w.returned);
	KTEST_EXPECT(t, !w.timer_still_armed);
	/* The timer queue still works. */
	uint64_t t0 = clock_monotonic_ns();
	thread_sleep_ns(5 * MS);
	KTEST_EXPECT(t, clock_monotonic_ns() - t0 >= 5 * MS);
}
