/* Cross-CPU function calls, TLB shootdown and the TSC warp test. One call
 * is in flight at a time (smp_call_lock); each CPU has a mailbox the
 * caller fills before sending the IPI. */
#include <hal/cpu.h>
#include <hal/paging.h>
#include <hal/smp.h>
#include <hal/time.h>
#include <panic.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

typedef struct {
	smp_call_fn fn; /* set by the caller under smp_call_lock */
	void *arg;
	volatile uint32_t pending; /* 1 until the target ran fn */
} smp_mailbox_t;

static spinlock_t smp_call_lock = SPINLOCK_INIT("smp call", LOCK_LEVEL_SMP_CALL);
static smp_mailbox_t mailboxes[CPU_MAX];

static void smp_wait(unsigned cpu);

static void smp_post(unsigned cpu, smp_call_fn fn, void *arg)
{
	smp_mailbox_t *m = &mailboxes[cpu];
	smp_wait(cpu); /* an earlier call without wait may still be pending */
	m->fn = fn;
	m->arg = arg;
	__atomic_store_n(&m->pending, 1, __ATOMIC_RELEASE);
	hal_send_ipi(cpus[cpu].hw_id, HAL_IPI_CALL);
}

static void smp_wait(unsigned cpu)
{
	while (__atomic_load_n(&mailboxes[cpu].pending, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

bool smp_call_on(unsigned cpu, smp_call_fn fn, void *arg, bool wait)
{
	cpu_t *self = this_cpu();
	if (cpu >= cpu_possible_count || !cpus[cpu].online)
		return false;
	if (self && cpu == self->id) {
		bool irq = hal_irq_save();
		fn(arg);
		hal_irq_restore(irq);
		return true;
	}
	spin_lock(&smp_call_lock);
	smp_post(cpu, fn, arg);
	if (wait)
		smp_wait(cpu);
	spin_unlock(&smp_call_lock);
	return true;
}

void smp_call_others(smp_call_fn fn, void *arg)
{
	cpu_t *self = this_cpu();
	spin_lock(&smp_call_lock);
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online && (!self || i != self->id))
			smp_post(i, fn, arg);
	}
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online && (!self || i != self->id))
			smp_wait(i);
	}
	spin_unlock(&smp_call_lock);
}

/* smp_run_alone's hold: the CPUs waiting, and whether they must still wait. */
static uint32_t alone_waiting;
static bool alone_hold;

static void wait_alone(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&alone_waiting, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&alone_hold, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

void smp_run_alone(smp_call_fn fn, void *arg)
{
	cpu_t *self = this_cpu();
	spin_lock(&smp_call_lock);
	__atomic_store_n(&alone_waiting, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&alone_hold, true, __ATOMIC_RELEASE);
	uint32_t others = 0;
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online && (!self || i != self->id)) {
			smp_post(i, wait_alone, NULL);
			others++;
		}
	}
	bool irq = hal_irq_save();
	while (__atomic_load_n(&alone_waiting, __ATOMIC_ACQUIRE) < others)
		__builtin_ia32_pause();
	fn(arg);
	__atomic_store_n(&alone_hold, false, __ATOMIC_RELEASE);
	hal_irq_restore(irq);
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online && (!self || i != self->id))
			smp_wait(i);
	}
	spin_unlock(&smp_call_lock);
}

void smp_handle_call_ipi(void)
{
	cpu_t *c = this_cpu();
	smp_mailbox_t *m = &mailboxes[c->id];
	c->ipis_received++;
	if (!__atomic_load_n(&m->pending, __ATOMIC_ACQUIRE))
		return;
	m->fn(m->arg);
	__atomic_store_n(&m->pending, 0, __ATOMIC_RELEASE);
}

void smp_handle_reschedule_ipi(void)
{
	cpu_t *c = this_cpu();
	c->ipis_received++;
	c->need_resched = true; /* acted on at interrupt exit */
}

void smp_send_reschedule(unsigned cpu)
{
	if (cpu < cpu_possible_count && cpus[cpu].online)
		hal_send_ipi(cpus[cpu].hw_id, HAL_IPI_RESCHEDULE);
}

typedef struct {
	uintptr_t va;
	uint64_t size;
} tlb_range_t;

static void tlb_flush_here(void *arg)
{
	const tlb_range_t *r = arg;
	hal_tlb_flush_range(r->va, r->size);
}

void tlb_shootdown(uintptr_t va, uint64_t size)
{
	tlb_range_t r = {va, size};
	hal_tlb_flush_range(va, size);
	if (cpu_online_count > 1)
		smp_call_others(tlb_flush_here, &r);
}

void tlb_shootdown_space(paddr_t root, uintptr_t va, uint64_t size)
{
	tlb_range_t r = {va, size};
	/* The entries were changed before this; order those stores before
	 * the loads of which tables each CPU runs on (a CPU that loads
	 * `root` after our load sees the new entries). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online && hal_pt_root_on(i) == root)
			smp_call_on(i, tlb_flush_here, &r, true);
	}
}

/* --- TSC warp test ------------------------------------------------------ */

static spinlock_t warp_lock = SPINLOCK_INIT("tsc warp", LOCK_LEVEL_TEST_INNER);
static uint64_t warp_last; /* guarded by warp_lock */
static uint64_t warp_max;  /* guarded by warp_lock */
static volatile unsigned warp_running;
static volatile unsigned warp_go;

static void warp_loop(unsigned iterations)
{
	for (unsigned i = 0; i < iterations; i++) {
		spin_lock(&warp_lock);
		uint64_t now = hal_timestamp();
		if (now < warp_last && warp_last - now > warp_max)
			warp_max = warp_last - now;
		warp_last = now;
		spin_unlock(&warp_lock);
	}
}

static void warp_on_other(void *arg)
{
	unsigned iterations = (unsigned)(uintptr_t)arg;
	__atomic_fetch_add(&warp_running, 1, __ATOMIC_ACQ_REL);
	while (!warp_go)
		__builtin_ia32_pause();
	warp_loop(iterations);
	__atomic_fetch_sub(&warp_running, 1, __ATOMIC_ACQ_REL);
}

uint64_t smp_tsc_warp_test(unsigned iterations)
{
	warp_last = 0;
	warp_max = 0;
	warp_go = 0;
	warp_running = 0;
	unsigned others = 0;
	cpu_t *self = this_cpu();
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online && i != self->id) {
			smp_call_on(i, warp_on_other, (void *)(uintptr_t)iterations, false);
			others++;
		}
	}
	while (warp_running < others)
		__builtin_ia32_pause();
	warp_go = 1;
	warp_loop(iterations);
	while (warp_running)
		__builtin_ia32_pause();
	return warp_max;
}
