/* Thread objects: creation with a guarded kernel stack and an extended
 * state area, exit and join, sleeping, yielding, and scheduling
 * parameters. The list of all threads is guarded by thread_list_lock. */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/time.h>
#include <mm/kmalloc.h>
#include <mm/vmm.h>
#include <panic.h>
#include <object/endpoint.h>
#include <proc/process.h>
#include <sched/sched.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <string.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <time/clock.h>

static spinlock_t thread_list_lock = SPINLOCK_INIT("thread list", LOCK_LEVEL_THREADS);
static thread_t *all_threads; /* guarded by thread_list_lock */
static unsigned next_thread_id = 1;

thread_t *thread_alloc(const char *name, bool with_stack);

thread_t *thread_alloc(const char *name, bool with_stack)
{
	thread_t *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	size_t align = hal_fpu_area_align();
	t->fpu_alloc = kmalloc(hal_fpu_area_size() + align);
	if (!t->fpu_alloc) {
		kfree(t);
		return NULL;
	}
	t->fpu = (void *)(((uintptr_t)t->fpu_alloc + align - 1) & ~(uintptr_t)(align - 1));
	hal_fpu_area_init(t->fpu);
	if (with_stack) {
		t->kstack_top = kstack_alloc();
		if (!t->kstack_top) {
			kfree(t->fpu_alloc);
			kfree(t);
			return NULL;
		}
	}
	size_t n = strnlen(name, THREAD_NAME_MAX - 1);
	memcpy(t->name, name, n);
	t->name[n] = '\0';
	t->affinity = THREAD_AFFINITY_ALL;
	sched_entity_init_ts(&t->se, 0);
	t->se.owner = t;
	t->sc = &t->se;

	bool irq = spin_lock_irqsave(&thread_list_lock);
	t->id = next_thread_id++;
	t->all_next = all_threads;
	all_threads = t;
	spin_unlock_irqrestore(&thread_list_lock, irq);
	return t;
}

static void thread_free(thread_t *t)
{
	/* Its sleep timer's callback (a wake-up) may still be running. */
	timer_cancel_sync(&t->sleep_timer);
	bool irq = spin_lock_irqsave(&thread_list_lock);
	for (thread_t **link = &all_threads; *link; link = &(*link)->all_next) {
		if (*link == t) {
			*link = t->all_next;
			break;
		}
	}
	spin_unlock_irqrestore(&thread_list_lock, irq);
	if (t->kstack_top)
		kstack_free(t->kstack_top);
	kfree(t->fpu_alloc);
	kfree(t);
}

thread_t *thread_create_stopped(const char *name, void (*fn)(void *), void *arg, uint64_t affinity)
{
	thread_t *t = thread_alloc(name, true);
	if (!t)
		return NULL;
	t->entry = fn;
	t->arg = arg;
	t->affinity = affinity ? affinity : THREAD_AFFINITY_ALL;
	t->ipc_reg_timeout = UINT64_MAX;
	t->cpu = this_cpu()->id;
	/* Not BLOCKED: a wake-up (a kill of its process) must not start it. */
	t->state = THREAD_STOPPED;
	t->ctx_sp = hal_context_init(t->kstack_top, t);
	return t;
}

void thread_discard(thread_t *t)
{
	thread_free(t);
}

void thread_start(thread_t *t)
{
	sched_enqueue_thread(t, false);
}

thread_t *thread_create(const char *name, void (*fn)(void *), void *arg, uint64_t affinity)
{
	thread_t *t = thread_create_stopped(name, fn, arg, affinity);
	if (t)
		thread_start(t);
	return t;
}

void thread_exit(int code)
{
	thread_t *self = thread_current();
	hal_irq_save();
	self->exit_code = code;
	if (self->se.cls == SCHED_RT)
		thread_set_ts(self, 0); /* give the admitted share back */
	if (self->proc) {
		ipc_thread_exiting(self);
		process_thread_exited(self);
	}
	/* DEAD takes it off the run queue at the switch; the joiner frees it
	 * once it is off the CPU. */
	thread_mark_dead();
	/* Store then load, against the joiner's set-joiner-then-read-state:
	 * without a full fence both could read the old value (x86 lets a load
	 * pass an earlier store), and the joiner would sleep for ever. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	thread_t *joiner = __atomic_load_n(&self->joiner, __ATOMIC_ACQUIRE);
	if (joiner)
		thread_wake(joiner);
	sched_schedule();
	panic("thread_exit: a dead thread ran again");
}

rae_status_t thread_wait_dead(thread_t *t, bool killable)
{
	thread_t *self = thread_current();
	if (t == self)
		return RAE_ERR_INVALID;
	thread_t *expected = NULL;
	if (!__atomic_compare_exchange_n(&t->joiner, &expected, self, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return RAE_ERR_INVALID;
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != THREAD_DEAD) {
		/* An unkillable join (a process's reaping) waits for the end
		 * whatever happens to the joiner's own process. */
		bool blocked = true;
		if (killable)
			blocked = thread_block_prepare();
		else
			thread_block_prepare_unkillable();
		/* Re-check after the state store: t may have died (and tried to
		 * wake us) meanwhile; thread_exit fences the same way. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == THREAD_DEAD) {
			thread_block_cancel();
			break;
		}
		if (!blocked) {
			/* t may be waking us as it dies: harmless, we run anyway. */
			__atomic_store_n(&t->joiner, NULL, __ATOMIC_RELEASE);
			return RAE_ERR_PEER_CLOSED;
		}
		thread_block_until(UINT64_MAX);
	}
	return RAE_OK;
}

void thread_reap(thread_t *t, int *code)
{
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	if (code)
		*code = t->exit_code;
	thread_free(t);
}

rae_status_t thread_join(thread_t *t, int *code)
{
	rae_status_t st = thread_wait_dead(t, false);
	if (st == RAE_OK)
		thread_reap(t, code);
	return st;
}

/* The timestamp at which a wait until deadline_ns ends, or false when it
 * is too far to count in timestamp ticks (such a wait ends only when
 * woken): a huge timeout must not wrap round into the past. */
static bool deadline_to_timestamp(uint64_t deadline_ns, uint64_t now_ns, uint64_t *when)
{
	if (deadline_ns == UINT64_MAX)
		return false;
	uint64_t ticks = clock_ns_to_ticks(deadline_ns > now_ns ? deadline_ns - now_ns : 0);
	uint64_t ts = hal_timestamp();
	if (ticks >= UINT64_MAX / 2 - ts)
		return false;
	*when = ts + ticks;
	return true;
}

void thread_sleep_until(uint64_t deadline_ns)
{
	if (deadline_ns <= clock_monotonic_ns() || !thread_block_prepare())
		return;
	thread_block_until(deadline_ns);
}

static void block_timer_fire(ktimer_t *timer, void *arg)
{
	(void)timer;
	thread_t *t = arg;
	t->timed_out = true;
	thread_wake(t);
}

bool thread_block_until(uint64_t deadline_ns)
{
	thread_t *self = thread_current();
	bool irq = hal_irq_save();
	self->timed_out = false;
	/* Still BLOCKED: no wake-up came since thread_block_prepare (which
	 * also turned away a killed thread). */
	if (self->state == THREAD_BLOCKED) {
		uint64_t when;
		if (deadline_to_timestamp(deadline_ns, clock_monotonic_ns(), &when))
			timer_start(&self->sleep_timer, when, block_timer_fire, self);
		sched_schedule();
		/* Woken early (a kill, a waker): the timer must not stay queued,
		 * or it would fire into a thread that sleeps again or is gone. */
		if (self->sleep_timer.armed)
			timer_cancel(&self->sleep_timer);
	}
	/* Back from the switch, a thread runs: a waker made it RUNNABLE. */
	ASSERT(self->state == THREAD_RUNNABLE);
	hal_irq_restore(irq);
	return self->timed_out;
}

void thread_sleep_ns(uint64_t ns)
{
	thread_sleep_until(clock_monotonic_ns() + ns);
}

void thread_yield(void)
{
	sched_yield();
}

rae_status_t thread_set_ts(thread_t *t, int nice)
{
	if (nice < -20 || nice > 19)
		return RAE_ERR_INVALID;
	return sched_set_params(t, false, nice, 0, 0);
}

rae_status_t thread_set_rt(thread_t *t, uint64_t budget_ns, uint64_t period_ns)
{
	/* Below these a server would spend its CPU on timer interrupts. */
	if (budget_ns < THREAD_RT_MIN_BUDGET_NS || period_ns < THREAD_RT_MIN_PERIOD_NS)
		return RAE_ERR_INVALID;
	return sched_set_params(t, true, 0, budget_ns, period_ns);
}

rae_status_t thread_set_affinity(thread_t *t, uint64_t mask)
{
	uint64_t online = 0;
	for (unsigned i = 0; i < cpu_possible_count; i++) {
		if (cpus[i].online)
			online |= 1ull << i;
	}
	if (!(mask & online))
		return RAE_ERR_INVALID;
	t->affinity = mask;
	if (t == thread_current() && !(mask & (1ull << this_cpu()->id)))
		sched_schedule(); /* migrates at this switch */
	return RAE_OK;
}
