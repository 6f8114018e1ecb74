/* Kernel tests of SMP, timers and locks: every CPU answers an IPI, timers
 * fire on time (never early), a changed mapping is seen changed on every
 * CPU after a shootdown, the TSCs agree, and spinlocks keep their rules. */
#include <cmdline.h>
#include <console/kprintf.h>
#include <kernel.h>
#include <hal/cpu.h>
#include <hal/paging.h>
#include <hal/time.h>
#include <mm/pmm.h>
#include <mm/vmm.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <panic.h>
#include <test/ktest.h>
#include <time/clock.h>
#include <time/timer.h>

/* The documented bounds for timer lateness: 1 ms with exact guest time
 * (-icount, the exact_time runs), where the guest clock follows guest work;
 * 500 ms otherwise, because plain TCG runs guest time off the host clock
 * and a loaded host (four virtual CPUs on two host cores in CI) delays
 * interrupts by tens of milliseconds. On hardware lateness is microseconds;
 * make bench measures it in instructions. A timer firing early is never
 * allowed, in any mode. */
#define TIMER_LATENESS_EXACT_NS 1000000ull
#define TIMER_LATENESS_HOST_NS  500000000ull
#define TIMER_LATENESS_BOUND_NS                                                                    \
	(cmdline_has(boot_info.cmdline, "exact_time") ? TIMER_LATENESS_EXACT_NS                    \
						      : TIMER_LATENESS_HOST_NS)

typedef struct {
	unsigned id;
	uint32_t hw_id;
	volatile unsigned calls;
} whoami_t;

static void whoami(void *arg)
{
	whoami_t *w = arg;
	w->id = this_cpu()->id;
	w->hw_id = hal_this_cpu()->hw_id;
	w->calls++;
}

KTEST(smp_every_cpu_runs_ipi)
{
	KTEST_EXPECT_EQ(t, cpu_online_count, cpu_possible_count);
	kprintf("# %u CPU(s) online\n", cpu_online_count);
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		whoami_t w = {.id = ~0u};
		KTEST_EXPECT(t, smp_call_on(i, whoami, &w, true));
		KTEST_EXPECT_EQ(t, w.id, i);
		KTEST_EXPECT_EQ(t, w.hw_id, cpus[i].hw_id);
		KTEST_EXPECT_EQ(t, w.calls, 1);
	}
	KTEST_EXPECT(t, !smp_call_on(CPU_MAX - 1, whoami, NULL, true));
}

typedef struct {
	ktimer_t timer;
	volatile bool fired;
	unsigned cpu;
} timer_probe_t;

static void timer_probe_fire(ktimer_t *timer, void *arg)
{
	(void)timer;
	timer_probe_t *p = arg;
	p->cpu = this_cpu()->id;
	p->fired = true;
}

static const uint64_t probe_delays_us[5] = {3000, 50, 1000, 200, 10};

/* Arms timers at several distances on this CPU, in shuffled order to
 * exercise the sorted queue. Interrupts may be off (an IPI handler). */
static void timer_probes_arm(void *arg)
{
	timer_probe_t *probes = arg;
	uint64_t now = hal_timestamp();
	for (unsigned i = 0; i < 5; i++)
		timer_start(&probes[i].timer, now + clock_ns_to_ticks(probe_delays_us[i] * 1000),
			    timer_probe_fire, &probes[i]);
}

/* Waits for all five, then checks each fired on `cpu`, never early, and
 * within the bound. */
static void timer_probes_check(ktest_t *t, timer_probe_t *probes, unsigned cpu, bool idle)
{
	uint64_t give_up = clock_monotonic_ns() + 5000000000ull;
	for (unsigned i = 0; i < 5; i++) {
		while (!probes[i].fired && clock_monotonic_ns() < give_up) {
			/* Checked with interrupts off up to the halt: a timer
			 * firing between a plain check and hlt left the CPU
			 * halted for good once it was the last one armed. */
			if (idle)
				hal_cpu_idle_until(&probes[i].fired);
			else
				__builtin_ia32_pause();
		}
	}
	for (unsigned i = 0; i < 5; i++) {
		ktimer_t *tm = &probes[i].timer;
		if (!KTEST_EXPECT(t, probes[i].fired))
			continue;
		KTEST_EXPECT(t, tm->fired_at >= tm->deadline);
		uint64_t late_ns = clock_ticks_to_ns(tm->fired_at - tm->deadline);
		KTEST_EXPECT(t, late_ns < TIMER_LATENESS_BOUND_NS);
		KTEST_EXPECT_EQ(t, probes[i].cpu, cpu);
		kprintf("# CPU %u timer +%lu us: %lu ticks (%lu ns) late\n", cpu,
			probe_delays_us[i], tm->fired_at - tm->deadline, late_ns);
	}
}

KTEST(timer_oneshot_accuracy)
{
	timer_probe_t probes[5] = {0};
	timer_probes_arm(probes);
	timer_probes_check(t, probes, this_cpu()->id, true);
	/* A cancelled timer never fires. Interrupts stay off until it is
	 * cancelled, so a slow host cannot make it fire first. */
	timer_probe_t c = {0};
	bool irq = hal_irq_save();
	timer_start(&c.timer, hal_timestamp() + clock_ns_to_ticks(2000000), timer_probe_fire, &c);
	KTEST_EXPECT(t, timer_cancel(&c.timer));
	KTEST_EXPECT(t, !timer_cancel(&c.timer));
	hal_irq_restore(irq);
	/* Busy-wait past the deadline: with nothing armed (tickless) an idle
	 * CPU would sleep for good. */
	hal_delay_ns(5000000);
	KTEST_EXPECT(t, !c.fired && !c.timer.armed);
}

KTEST(timer_per_cpu_queues)
{
	/* Each other CPU arms its own timers (through an IPI) and they fire
	 * there while it idles. */
	for (unsigned i = 1; i < cpu_possible_count; i++) {
		timer_probe_t probes[5] = {0};
		KTEST_EXPECT(t, smp_call_on(i, timer_probes_arm, probes, true));
		timer_probes_check(t, probes, i, false);
	}
	KTEST_EXPECT(t, true); /* the one-CPU case still made a check */
}

KTEST(clock_monotonic)
{
	uint64_t prev = clock_monotonic_ns();
	for (int i = 0; i < 10000; i++) {
		uint64_t now = clock_monotonic_ns();
		if (now < prev) {
			KTEST_EXPECT(t, now >= prev);
			break;
		}
		prev = now;
	}
	KTEST_EXPECT(t, hal_timestamp_hz() > 1000000);
	uint64_t one_second = clock_ticks_to_ns(hal_timestamp_hz());
	KTEST_EXPECT(t, one_second >= 999999000 && one_second <= 1000001000);
	uint64_t t0 = clock_monotonic_ns();
	hal_delay_ns(2000000);
	KTEST_EXPECT(t, clock_monotonic_ns() - t0 >= 2000000);
}

typedef struct {
	uintptr_t va;
	uint64_t seen[CPU_MAX];
} tlb_probe_t;

static void tlb_read(void *arg)
{
	tlb_probe_t *p = arg;
	p->seen[this_cpu()->id] = *(volatile uint64_t *)p->va;
}

KTEST(tlb_shootdown_reaches_every_cpu)
{
	tlb_probe_t p = {0};
	paddr_t a = pmm_alloc_page_zeroed(RAE_MEM_KERNEL_OTHER),
		b = pmm_alloc_page_zeroed(RAE_MEM_KERNEL_OTHER);
	p.va = vmm_alloc(1, VM_READ | VM_WRITE, RAE_MEM_KERNEL_OTHER);
	if (!KTEST_EXPECT(t, a && b && p.va))
		return;
	*(uint64_t *)phys_to_virt(a, 8) = 0xaaaa;
	*(uint64_t *)phys_to_virt(b, 8) = 0xbbbb;

	/* Point the page at A and let every CPU cache the translation. */
	paddr_t orig;
	KTEST_EXPECT(t, hal_pt_query(hal_pt_root(), p.va, &orig, NULL));
	hal_pt_unmap(hal_pt_root(), p.va, PAGE_SIZE);
	KTEST_EXPECT_EQ(t,
			hal_pt_map(hal_pt_root(), p.va, a, PAGE_SIZE, VM_READ | VM_WRITE, false,
				   pmm_alloc_page_table),
			RAE_OK);
	tlb_shootdown(p.va, PAGE_SIZE);
	tlb_read(&p);
	smp_call_others(tlb_read, &p);
	for (unsigned i = 0; i < cpu_possible_count; i++)
		KTEST_EXPECT_EQ(t, p.seen[i], 0xaaaa);

	/* Move it to B on this CPU only, then shoot down: all see B. */
	hal_pt_unmap(hal_pt_root(), p.va, PAGE_SIZE);
	KTEST_EXPECT_EQ(t,
			hal_pt_map(hal_pt_root(), p.va, b, PAGE_SIZE, VM_READ | VM_WRITE, false,
				   pmm_alloc_page_table),
			RAE_OK);
	tlb_shootdown(p.va, PAGE_SIZE);
	tlb_read(&p);
	smp_call_others(tlb_read, &p);
	for (unsigned i = 0; i < cpu_possible_count; i++)
		KTEST_EXPECT_EQ(t, p.seen[i], 0xbbbb);

	/* Restore the original page so vmm_free releases what it owns. */
	hal_pt_unmap(hal_pt_root(), p.va, PAGE_SIZE);
	hal_pt_map(hal_pt_root(), p.va, orig, PAGE_SIZE, VM_READ | VM_WRITE, false,
		   pmm_alloc_page_table);
	tlb_shootdown(p.va, PAGE_SIZE);
	vmm_free(p.va);
	pmm_free_pages(a, 0);
	pmm_free_pages(b, 0);
}

KTEST(tsc_warp_across_cpus)
{
	uint64_t skew = smp_tsc_warp_test(20000);
	kprintf("# largest TSC skew seen across %u CPU(s): %lu ticks\n", cpu_online_count, skew);
	/* Synchronized TSCs: anything past a microsecond is a broken clock. */
	KTEST_EXPECT(t, skew < hal_timestamp_hz() / 1000000 + 1);
}

KTEST(spinlock_rules)
{
	spinlock_t outer = SPINLOCK_INIT("test outer", LOCK_LEVEL_TEST_OUTER);
	spinlock_t inner = SPINLOCK_INIT("test inner", LOCK_LEVEL_TEST_INNER);
	bool irq = spin_lock_irqsave(&outer);
	KTEST_EXPECT(t, !(hal_irq_save() && false));
	KTEST_EXPECT(t, spin_held(&outer));
	KTEST_EXPECT(t, !spin_trylock(&outer));
	spin_lock(&inner); /* in order: allowed */
	KTEST_EXPECT(t, spin_held(&inner));
	KTEST_EXPECT_EQ(t, this_cpu()->held_count, 2);
	spin_unlock(&outer); /* releasing out of order is fine */
	spin_unlock(&inner);
	KTEST_EXPECT_EQ(t, this_cpu()->held_count, 0);
	KTEST_EXPECT(t, !spin_held(&outer) && !spin_held(&inner));
	hal_irq_restore(irq);
}

KTEST_FAULT(lock_order_violation)
{
	static spinlock_t outer = SPINLOCK_INIT("test outer", LOCK_LEVEL_TEST_OUTER);
	static spinlock_t inner = SPINLOCK_INIT("test inner", LOCK_LEVEL_TEST_INNER);
	spin_lock(&inner);
	spin_lock(&outer); /* out of order: a debug build panics here */
	KTEST_EXPECT(t, false);
}

static void panic_here(void *arg)
{
	(void)arg;
	panic("deliberate panic on an application processor");
}

KTEST_FAULT(smp_panic_on_ap)
{
	if (!KTEST_EXPECT(t, cpu_online_count > 1))
		return;
	smp_call_on(1, panic_here, NULL, false);
	/* The panicking CPU stops this one with an NMI. */
	for (;;)
		hal_cpu_idle();
}
