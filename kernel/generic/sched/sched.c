/* The scheduler's mechanism: per-CPU run queues around the policy
 * (sched/policy.c), switching, preemption at interrupt exit, the per-CPU
 * scheduling timer (armed only when something needs time-slicing or a
 * budget runs out: tickless otherwise), wake-up placement and isolation.
 *
 * Locks: each CPU's run queue has its own lock (level LOCK_LEVEL_RQ), held
 * with interrupts off across a switch and released by the thread that
 * runs next. A thread's `state` changes only under the lock of the queue
 * it belongs to (t->cpu's), through set_state, which asserts it: the one
 * rule that makes a wake-up, a kill and a thread going to sleep agree. */
#include <cmdline.h>
#include <console/kprintf.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/time.h>
#include <kernel.h>
#include <mm/kmalloc.h>
#include <mm/vmm.h>
#include <panic.h>
#include <proc/process.h>
#include <sched/sched.h>
#include <sched/sched_cpu.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <time/clock.h>

cpu_sched_t sched_cpus[CPU_MAX];

/* Locks the run queue `t` belongs to, with interrupts off (returned for
 * thread_rq_unlock): t->cpu changes only under the old queue's lock, so
 * the queue is checked again once locked. */
static cpu_sched_t *thread_rq_lock(thread_t *t, bool *irq)
{
	*irq = hal_irq_save();
	for (;;) {
		cpu_sched_t *cs = &sched_cpus[__atomic_load_n(&t->cpu, __ATOMIC_RELAXED)];
		spin_lock(&cs->lock);
		if (cs == &sched_cpus[t->cpu])
			return cs;
		spin_unlock(&cs->lock);
	}
}

static void thread_rq_unlock(cpu_sched_t *cs, bool irq)
{
	spin_unlock(&cs->lock);
	hal_irq_restore(irq);
}

/* True when the thread's process was killed. */
static bool killed(const thread_t *t)
{
	return t->proc && __atomic_load_n(&t->proc->killed, __ATOMIC_ACQUIRE);
}

bool thread_block_prepare(void)
{
	thread_t *self = thread_current();
	bool irq;
	cpu_sched_t *cs = thread_rq_lock(self, &irq);
	/* Under the lock process_kill's thread_kill_wake takes: a kill either
	 * came first and is seen here, or comes after and finds the thread
	 * blocked and wakes it. */
	bool ok = !killed(self);
	/* Already BLOCKED (prepared before, not slept since): as good. */
	if (ok != (self->state == THREAD_BLOCKED))
		set_state(cs, self, ok ? THREAD_BLOCKED : THREAD_RUNNABLE);
	thread_rq_unlock(cs, irq);
	return ok;
}

void thread_block_prepare_unkillable(void)
{
	thread_t *self = thread_current();
	bool irq;
	cpu_sched_t *cs = thread_rq_lock(self, &irq);
	if (self->state != THREAD_BLOCKED)
		set_state(cs, self, THREAD_BLOCKED);
	thread_rq_unlock(cs, irq);
}

void thread_block_cancel(void)
{
	thread_t *self = thread_current();
	bool irq;
	cpu_sched_t *cs = thread_rq_lock(self, &irq);
	if (self->state == THREAD_BLOCKED)
		set_state(cs, self, THREAD_RUNNABLE);
	thread_rq_unlock(cs, irq);
}

void thread_mark_dead(void)
{
	thread_t *self = thread_current();
	bool irq;
	cpu_sched_t *cs = thread_rq_lock(self, &irq);
	set_state(cs, self, THREAD_DEAD);
	thread_rq_unlock(cs, irq);
}

/* Hooks the address-space and user-entry code installs (proc/). */

static void sched_tick_fire(ktimer_t *t, void *arg)
{
	(void)t;
	(void)arg;
	cpu_t *c = this_cpu();
	/* Gone off: if the interrupted code cannot switch now (a lock held),
	 * sched_syscall_exit must not count on a tick to come. */
	sched_cpus[c->id].tick_armed = false;
	c->need_resched = true;
}

uint64_t sched_running_ticks(const struct process *p)
{
	uint64_t now = hal_timestamp(), sum = 0;
	for (unsigned i = 0; i < CPU_MAX; i++) {
		const cpu_sched_t *cs = &sched_cpus[i];
		if (__atomic_load_n(&cs->acct_proc, __ATOMIC_RELAXED) != p)
			continue;
		uint64_t ts = __atomic_load_n(&cs->acct_ts, __ATOMIC_RELAXED);
		if (now > ts)
			sum += now - ts;
	}
	return sum;
}

void sched_forget_process(const struct process *p)
{
	for (unsigned i = 0; i < CPU_MAX; i++) {
		cpu_sched_t *cs = &sched_cpus[i];
		if (__atomic_load_n(&cs->acct_proc, __ATOMIC_RELAXED) != p)
			continue;
		/* The accounted switches write acct_proc under this lock. */
		bool irq = spin_lock_irqsave(&cs->lock);
		if (cs->acct_proc == p)
			__atomic_store_n(&cs->acct_proc, NULL, __ATOMIC_RELAXED);
		spin_unlock_irqrestore(&cs->lock, irq);
	}
}

unsigned sched_nr_running(unsigned cpu)
{
	const sched_rq_t *rq = &sched_cpus[cpu].rq;
	return rq->nr_ts + rq->nr_rt + rq->nr_throttled;
}

static void sched_arm_tick(cpu_sched_t *cs, sched_entity_t *curr, uint64_t now)
{
	uint64_t ev = sched_next_event(&cs->rq, curr, now);
	if (cs->tick_armed) {
		timer_cancel(&cs->tick);
		cs->tick_armed = false;
	}
	if (ev == UINT64_MAX)
		return; /* nothing to preempt for: no tick at all */
	uint64_t delta = ev > now ? ev - now : 0;
	timer_start(&cs->tick, hal_timestamp() + clock_ns_to_ticks(delta), sched_tick_fire, NULL);
	cs->tick_armed = true;
}

/* Picks a CPU for `t`: in its affinity mask, not isolated unless the mask
 * names only that CPU, least loaded, preferring where it ran last. */
static unsigned sched_pick_cpu(thread_t *t)
{
	uint64_t online = 0;
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online)
			online |= 1ull << i;
	}
	uint64_t mask = t->affinity & online;
	if (!mask)
		mask = online;
	bool pinned = (mask & (mask - 1)) == 0;
	unsigned best = t->cpu < cpu_possible_count && (mask & (1ull << t->cpu)) ? t->cpu : CPU_MAX;
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (!(mask & (1ull << i)) || (cpus[i].isolated && !pinned))
			continue;
		if (best == CPU_MAX || (cpus[best].isolated && !pinned) ||
		    sched_nr_running(i) < sched_nr_running(best))
			best = i;
	}
	if (best == CPU_MAX || (cpus[best].isolated && !pinned))
		best = 0; /* only isolated CPUs allowed and not pinned: CPU 0 */
	return best;
}

void sched_enqueue_thread(thread_t *t, bool wakeup)
{
	/* Real-time threads stay where their budget was admitted. */
	unsigned target = t->se.cls == SCHED_RT ? t->cpu : sched_pick_cpu(t);
	cpu_sched_t *cs = &sched_cpus[target];
	bool irq = spin_lock_irqsave(&cs->lock);
	uint64_t now = clock_monotonic_ns();
	/* Nobody else changes t meanwhile: it is new, migrating, or claimed
	 * by a waker (thread_wake set it RUNNABLE under its old queue's lock). */
	t->cpu = target;
	set_state(cs, t, THREAD_RUNNABLE);
	if (!t->se.on_rq)
		sched_enqueue(&cs->rq, &t->se, now, wakeup);
	bool preempt = !cs->rq.curr || sched_should_preempt(&cs->rq, cs->rq.curr, &t->se, now);
	/* Without a pending tick (tickless: it ran alone) the CPU must look
	 * again anyway, to start time-slicing between the two. */
	bool look_again = preempt || !cs->tick_armed;
	spin_unlock_irqrestore(&cs->lock, irq);
	if (!look_again)
		return;
	cpu_t *self = this_cpu();
	if (self->id == target)
		self->need_resched = true;
	else
		smp_send_reschedule(target);
}

/* Gives the scheduling context `holder` runs on, lent to it through one or
 * more IPC calls, back along the chain of donors to the thread whose se it
 * is. Every thread of the chain runs on its own se again. The owner's se
 * stays queued if the owner may run (a wake-up was pending) and leaves the
 * queue otherwise; a middle donor with a wake-up pending is queued on its
 * own se, and so is a runnable holder. The caller has charged the lent
 * context up to `now`. Run-queue lock held. */
static void sched_unwind(cpu_sched_t *cs, thread_t *holder, uint64_t now)
{
	ASSERT(spin_held(&cs->lock));
	sched_entity_t *lent = holder->sc;
	thread_t *t = holder;
	while (t->sc != &t->se) {
		thread_t *donor = t->sc_donor;
		t->sc = &t->se;
		t->sc_donor = NULL;
		if (t != holder && t->wake_pending) {
			t->wake_pending = false;
			set_state(cs, t, THREAD_RUNNABLE);
			sched_enqueue(&cs->rq, &t->se, now, true);
		}
		t = donor;
	}
	lent->owner = t;
	if (t->wake_pending) {
		t->wake_pending = false;
		set_state(cs, t, THREAD_RUNNABLE);
	} else if (lent->on_rq && t->state != THREAD_RUNNABLE) {
		sched_dequeue(&cs->rq, lent);
	}
	if (holder != t && holder->state == THREAD_RUNNABLE && !holder->se.on_rq)
		sched_enqueue(&cs->rq, &holder->se, now, true);
}

/* Whether a thread of the donation chain that `holder` runs at the end of
 * was woken (a kill, a reply on the general path) and waits for its
 * context back. Run-queue lock held. */
static bool sched_chain_woken(const thread_t *holder)
{
	ASSERT(spin_held(&sched_cpus[holder->cpu].lock));
	const thread_t *t = holder;
	for (; t->sc != &t->se; t = t->sc_donor) {
		if (t->wake_pending)
			return true;
	}
	return t->wake_pending;
}

void thread_wake(thread_t *t)
{
	bool irq;
	cpu_sched_t *cs = thread_rq_lock(t, &irq);
	if (t->state != THREAD_BLOCKED) {
		thread_rq_unlock(cs, irq);
		return;
	}
	sched_entity_t *lent = t->sc != &t->se ? t->sc : &t->se;
	if (lent->owner != t) {
		/* Blocked in a call with its scheduling context lent out: the
		 * context comes back first. At once if its holder is the thread
		 * waking it here (a reply on the general path), else at the
		 * holder's next switch on its CPU. */
		t->wake_pending = true;
		cpu_t *self = this_cpu();
		thread_t *holder = lent->owner;
		if (t->cpu == self->id && holder == self->current && holder->sc == lent) {
			uint64_t now = clock_monotonic_ns();
			sched_charge(&cs->rq, lent, now - holder->run_start, now);
			sched_unwind(cs, holder, now);
			cs->rq.curr = holder->state == THREAD_RUNNABLE ? &holder->se : NULL;
			holder->run_start = now;
			self->need_resched = true;
			spin_unlock_irqrestore(&cs->lock, irq);
			return;
		}
		unsigned cpu = t->cpu;
		spin_unlock_irqrestore(&cs->lock, irq);
		if (cpu == self->id)
			self->need_resched = true;
		else
			smp_send_reschedule(cpu);
		return;
	}
	if (t->se.on_rq) {
		/* Woken before it finished blocking: it simply keeps running. */
		set_state(cs, t, THREAD_RUNNABLE);
		spin_unlock_irqrestore(&cs->lock, irq);
		return;
	}
	/* Claimed under the lock: a second waker (a kill racing a signal)
	 * now finds it not blocked and leaves it. Checking BLOCKED here and
	 * setting RUNNABLE only in the enqueue let both go on; the second
	 * could then queue a thread that the first wake-up had let run and
	 * exit, and the dead thread was picked again. */
	set_state(cs, t, THREAD_RUNNABLE);
	spin_unlock_irqrestore(&cs->lock, irq);
	sched_enqueue_thread(t, true);
}

void thread_kill_wake(thread_t *t)
{
	bool irq;
	cpu_sched_t *cs = thread_rq_lock(t, &irq);
	thread_state_t state = t->state;
	/* Running somewhere else, perhaps in user mode with no tick to come:
	 * an interrupt makes it pass its kernel exit, where it ends. */
	bool kick = state == THREAD_RUNNABLE && t->on_cpu && t->cpu != this_cpu()->id;
	unsigned cpu = t->cpu;
	thread_rq_unlock(cs, irq);
	if (state == THREAD_BLOCKED)
		thread_wake(t);
	else if (kick)
		smp_send_reschedule(cpu);
}

/* Moves `prev` off this CPU when it may no longer run here (affinity or
 * isolation changed). Lock held. */
static bool sched_must_migrate(cpu_t *c, thread_t *prev)
{
	ASSERT(spin_held(&sched_cpus[c->id].lock));
	if (prev->is_idle || prev->state != THREAD_RUNNABLE || prev->se.cls == SCHED_RT ||
	    prev->sc != &prev->se)
		return false;
	uint64_t bit = 1ull << c->id;
	if (!(prev->affinity & bit))
		return true;
	return c->isolated && prev->affinity != bit;
}

/* A scheduling point. With `want` (a blocked thread that may run here), it
 * is made runnable on this CPU and runs next, bypassing the pick (IPC hands
 * the CPU straight from caller to receiver). With `yield`, the current
 * thread goes behind the others before the pick. With `preempt` (from an
 * interrupt), a current thread marked blocked stays queued: it was
 * interrupted on its way to blocking (after registering with a waker, before
 * arming its timeout and switching), and finishes that when it runs again;
 * taking it off the queue here could lose its timeout for good. */
static void sched_switch_to(thread_t *want, bool yield, bool preempt);

void sched_schedule(void)
{
	sched_switch_to(NULL, false, false);
}

void sched_yield(void)
{
	sched_switch_to(NULL, true, false);
}
static void sched_switch_to(thread_t *want, bool yield, bool preempt)
{
	bool irq = hal_irq_save();
	cpu_t *c = this_cpu();
	cpu_sched_t *cs = &sched_cpus[c->id];
	thread_t *prev = c->current;
	thread_t *migrate = NULL;

	spin_lock(&cs->lock);
	uint64_t now = clock_monotonic_ns();
	bool blocking =
	    prev->state != THREAD_RUNNABLE && !(preempt && prev->state == THREAD_BLOCKED);
	if (!prev->is_idle && prev->sc->on_rq) {
		sched_charge(&cs->rq, prev->sc, now - prev->run_start, now);
		if (prev->sc != &prev->se) {
			/* On a lent context: it goes back when this thread
			 * blocks, or when a donor waits for it. */
			if (blocking || (prev->state == THREAD_RUNNABLE && sched_chain_woken(prev)))
				sched_unwind(cs, prev, now);
		} else if (blocking) {
			sched_dequeue(&cs->rq, &prev->se);
		} else if (sched_must_migrate(c, prev)) {
			sched_dequeue(&cs->rq, &prev->se);
			migrate = prev;
		}
		if (yield && prev->sc->on_rq)
			sched_yield_entity(&cs->rq, prev->sc);
	}
	c->need_resched = false;
	sched_entity_t *se;
	if (want && want->state == THREAD_BLOCKED && !want->se.on_rq && !want->on_cpu &&
	    want->sc == &want->se && want->se.owner == want) {
		set_state(cs, want, THREAD_RUNNABLE);
		sched_enqueue(&cs->rq, &want->se, now, true);
		se = &want->se;
	} else {
		se = sched_pick_next(&cs->rq, now);
	}
	thread_t *next = se ? se->owner : c->idle;
	cs->rq.curr = se;
	sched_arm_tick(cs, se, now);
	next->run_start = now;

	if (next != prev)
		cs = sched_context_switch(c, cs, prev, next, &migrate, true, &c);
	else
		next->ran_on |= 1ull << c->id;
	spin_unlock(&cs->lock);
	if (migrate)
		sched_enqueue_thread(migrate, false);
	hal_irq_restore(irq);
}

void sched_thread_start(thread_t *t)
{
	cpu_sched_t *cs = &sched_cpus[this_cpu()->id];
	thread_t *migrate = sched_finish_switch(cs);
	spin_unlock(&cs->lock);
	if (migrate)
		sched_enqueue_thread(migrate, false);
	hal_irq_enable();
	t->entry(t->arg);
	thread_exit(0);
}

void sched_syscall_exit(void)
{
	cpu_t *c = this_cpu();
	if (c->need_resched && !c->preempt_off && !sched_cpus[c->id].tick_armed)
		sched_switch_to(NULL, false, true);
}

void sched_interrupt_exit(bool interrupts_were_on)
{
	cpu_t *c = this_cpu();
	if (!c || !c->current || !c->need_resched || !interrupts_were_on || c->preempt_off)
		return;
	sched_switch_to(NULL, false, true);
}

/* Load balancing by stealing: an idle CPU takes one waiting time-sharing
 * thread from the busiest other CPU, if that thread may run here. Takes
 * one run-queue lock at a time. Returns true if it took one. */
static bool sched_steal_work(cpu_t *self)
{
	unsigned busiest = CPU_MAX, most = 1;
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (i != self->id && cpus[i].online && sched_cpus[i].rq.nr_ts > most) {
			most = sched_cpus[i].rq.nr_ts;
			busiest = i;
		}
	}
	if (busiest == CPU_MAX || self->isolated)
		return false;
	cpu_sched_t *from = &sched_cpus[busiest];
	thread_t *taken = NULL;
	bool irq = spin_lock_irqsave(&from->lock);
	for (sched_entity_t *se = from->rq.ts_head; se; se = se->next) {
		thread_t *t = se->owner;
		/* Not one on its way to blocking (queued, BLOCKED): its waker
		 * would find it off every queue between our dequeue and our
		 * enqueue and queue it a second time elsewhere. */
		if (se == from->rq.curr || se != &t->se || t->on_cpu || t->is_idle ||
		    t->state != THREAD_RUNNABLE || !(t->affinity & (1ull << self->id)))
			continue;
		sched_dequeue(&from->rq, se);
		taken = t;
		break;
	}
	spin_unlock_irqrestore(&from->lock, irq);
	if (!taken)
		return false;
	cpu_sched_t *cs = &sched_cpus[self->id];
	irq = spin_lock_irqsave(&cs->lock);
	taken->cpu = self->id;
	sched_enqueue(&cs->rq, &taken->se, clock_monotonic_ns(), false);
	self->need_resched = true;
	spin_unlock_irqrestore(&cs->lock, irq);
	return true;
}

static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		cpu_t *c = this_cpu();
		/* Whoever queues a thread here sets need_resched (on this CPU) or
		 * sends a reschedule interrupt, whose handler sets it. */
		if (!c->need_resched && !sched_steal_work(c))
			hal_cpu_idle_until(&c->need_resched);
		if (c->need_resched)
			sched_schedule();
	}
}

thread_t *thread_alloc(const char *name, bool with_stack);

/* The calling context becomes thread `t` on this CPU. */
static void sched_adopt_current(cpu_t *c, thread_t *t)
{
	t->cpu = c->id;
	t->on_cpu = true;
	t->run_start = clock_monotonic_ns();
	c->current = t;
}

static void sched_init_cpu_common(cpu_t *c)
{
	cpu_sched_t *cs = &sched_cpus[c->id];
	spinlock_init(&cs->lock, "run queue", LOCK_LEVEL_RQ);
	sched_rq_init(&cs->rq);
	thread_t *idle = thread_alloc("idle", true);
	if (!idle)
		panic("sched: no memory for CPU %u's idle thread", c->id);
	idle->is_idle = true;
	idle->cpu = c->id;
	idle->affinity = 1ull << c->id;
	idle->entry = idle_loop;
	idle->ctx_sp = hal_context_init(idle->kstack_top, idle);
	c->idle = idle;
}

static void sched_parse_isolcpus(void)
{
	char list[64];
	if (!cmdline_get(boot_info.cmdline, "isolcpus", list, sizeof(list)))
		return;
	for (const char *p = list; *p;) {
		unsigned n = 0;
		bool digits = false;
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (unsigned)(*p++ - '0');
			digits = true;
		}
		if (digits && n < CPU_MAX) {
			if (n == 0) {
				kprintf("sched: CPU 0 takes device interrupts; not isolating it\n");
			} else {
				cpus[n].isolated = true;
				hal_shield_cpu(n);
			}
		}
		while (*p && (*p < '0' || *p > '9'))
			p++;
	}
}

void sched_init_boot_cpu(void)
{
	cpu_t *c = this_cpu();
	sched_parse_isolcpus();
	sched_init_cpu_common(c);
	thread_t *main = thread_alloc("main", false);
	if (!main)
		panic("sched: no memory for the main thread");
	sched_adopt_current(c, main);
	cpu_sched_t *cs = &sched_cpus[c->id];
	bool irq = spin_lock_irqsave(&cs->lock);
	sched_enqueue(&cs->rq, &main->se, clock_monotonic_ns(), false);
	cs->rq.curr = &main->se;
	spin_unlock_irqrestore(&cs->lock, irq);
}

void sched_run_ap(void)
{
	cpu_t *c = this_cpu();
	sched_init_cpu_common(c);
	/* This context is the idle thread from now on. */
	thread_t *idle = c->idle;
	sched_adopt_current(c, idle);
	c->syscall_stack = idle->kstack_top;
	hal_irq_enable();
	idle_loop(NULL);
	for (;;)
		;
}

rae_status_t sched_set_isolated(unsigned cpu, bool isolated)
{
	if (cpu == 0 || cpu >= cpu_possible_count || !cpus[cpu].online)
		return RAE_ERR_INVALID;
	cpus[cpu].isolated = isolated;
	/* Device interrupts go elsewhere; unpinned threads there leave at
	 * their next switch. */
	if (isolated) {
		hal_shield_cpu(cpu);
		smp_send_reschedule(cpu);
	}
	return RAE_OK;
}

/* Changes a thread's class or parameters on its run queue. Real-time
 * threads are pinned to the CPU whose bandwidth admitted them. */
rae_status_t sched_set_params(thread_t *t, bool rt, int nice, uint64_t budget, uint64_t period)
{
	cpu_sched_t *cs = &sched_cpus[t->cpu];
	bool irq = spin_lock_irqsave(&cs->lock);
	uint64_t now = clock_monotonic_ns();
	rae_status_t st = RAE_OK;
	if (rt) {
		st = sched_entity_set_rt(&cs->rq, &t->se, budget, period, now);
		if (st == RAE_OK)
			t->affinity = 1ull << t->cpu;
	} else {
		sched_entity_set_ts(&cs->rq, &t->se, nice);
	}
	bool resched = st == RAE_OK && t->cpu == this_cpu()->id;
	spin_unlock_irqrestore(&cs->lock, irq);
	if (resched)
		this_cpu()->need_resched = true;
	return st;
}
