/* The scheduler's per-CPU state and its switch, shared by sched/sched.c and
 * the register IPC fast path (object/ipc_fast.c), which inlines the two
 * donating switches. Nothing else includes this: everyone else goes
 * through sched/sched.h. */
#ifndef SCHED_SCHED_CPU_H
#define SCHED_SCHED_CPU_H

#include <compiler.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/time.h>
#include <panic.h>
#include <proc/process.h>
#include <sched/policy.h>
#include <sched/sched.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <sync/spinlock.h>
#include <time/timer.h>

typedef struct {
	spinlock_t lock;
	sched_rq_t rq;     /* guarded by lock */
	ktimer_t tick;     /* the scheduling timer; this CPU only */
	bool tick_armed;   /* this CPU only, interrupts off */
	thread_t *prev;    /* the thread that switched out; its on_cpu is cleared after */
	thread_t *migrate; /* prev, to be queued on another CPU once switched out */
	/* CPU time: the process the time since acct_ts is charged to (NULL
	 * for a kernel thread) and that timestamp. Written by this CPU at each
	 * accounted switch; read without a lock by sched_running_ticks. */
	struct process *acct_proc;
	uint64_t acct_ts;
	/* A cache line of its own per CPU (no false sharing of the run-queue
	 * locks), and a power-of-two size: indexing by CPU id is one shift. */
} __attribute__((aligned(64))) cpu_sched_t;

_Static_assert((sizeof(cpu_sched_t) & (sizeof(cpu_sched_t) - 1)) == 0, "sched_cpus[id] is a shift");

/* Each CPU's, by id. */
extern cpu_sched_t sched_cpus[CPU_MAX];

/* The only writer of a started thread's state. The transitions: STOPPED
 * -> RUNNABLE (thread_start), RUNNABLE <-> BLOCKED, and RUNNABLE -> DEAD,
 * after which nothing changes it. */
static inline void set_state(cpu_sched_t *cs, thread_t *t, thread_state_t to)
{
	ASSERT(spin_held(&cs->lock));
	ASSERT(cs == &sched_cpus[t->cpu]);
	ASSERT(t->state != THREAD_DEAD && to != THREAD_STOPPED);
	ASSERT(to == THREAD_RUNNABLE || t->state == THREAD_RUNNABLE);
	t->state = to;
}

/* Runs right after a switch, in the thread that now runs: the previous
 * thread may now be picked elsewhere. Returns a thread the caller must
 * queue on another CPU once it has dropped the run-queue lock. */
static ALWAYS_INLINE thread_t *sched_finish_switch(cpu_sched_t *cs)
{
	thread_t *migrate = cs->migrate;
	cs->migrate = NULL;
	if (cs->prev) {
		__atomic_store_n(&cs->prev->on_cpu, false, __ATOMIC_RELEASE);
		cs->prev = NULL;
	}
	return migrate;
}

/* The switch itself, from the current thread `prev` to `next`, with this
 * CPU's run-queue lock held and interrupts off. Returns when prev runs
 * again, possibly on another CPU, having finished the switch there: with
 * that CPU's run-queue lock held, that CPU in *now, and a thread to queue
 * elsewhere (or NULL) in *migrate. */
static ALWAYS_INLINE cpu_sched_t *sched_context_switch(cpu_t *c, cpu_sched_t *cs, thread_t *prev,
						       thread_t *next, thread_t **migrate,
						       bool account, cpu_t **now)
{
	/* A thread switching out on another CPU must finish first. The
	 * donating IPC switches (account false) checked under this lock that
	 * next is not on a CPU, so they skip the wait. */
	if (account)
		while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
			__builtin_ia32_pause();
	next->on_cpu = true;
	next->ran_on |= 1ull << c->id;
	c->current = next;
	cs->prev = prev;
	c->syscall_stack = next->kstack_top;
	/* The time since the last accounted switch, charged to the process
	 * recorded then. The donating IPC switches do not account: like its
	 * scheduling budget, a call's CPU time goes to the process whose
	 * context runs it, the caller's, until a switch that accounts. */
	if (account) {
		uint64_t ts = hal_timestamp();
		if (cs->acct_proc)
			__atomic_fetch_add(&cs->acct_proc->cpu_ticks, ts - cs->acct_ts,
					   __ATOMIC_RELAXED);
		__atomic_store_n(&cs->acct_ts, ts, __ATOMIC_RELAXED);
		__atomic_store_n(&cs->acct_proc, next->proc, __ATOMIC_RELAXED);
	}
	cs->migrate = *migrate;
	hal_thread_switch(c, prev, next);
	/* Running again, possibly on another CPU. */
	*now = hal_this_cpu();
	cs = &sched_cpus[(*now)->id];
	*migrate = sched_finish_switch(cs);
	return cs;
}

/* spin_lock and spin_unlock of run-queue lock `cs` by CPU c, on the IPC
 * switches, where c is known: release builds skip this_cpu()'s checks. */
static ALWAYS_INLINE void rq_lock_on(cpu_t *c, cpu_sched_t *cs)
{
#if RAE_DEBUG
	(void)c;
	spin_lock(&cs->lock);
#else
	c->preempt_off++;
	spin_lock_irqoff(&cs->lock);
#endif
}

static ALWAYS_INLINE void rq_unlock_on(cpu_t *c, cpu_sched_t *cs)
{
#if RAE_DEBUG
	(void)c;
	spin_unlock(&cs->lock);
#else
	spin_unlock_irqoff(&cs->lock);
	if (c->preempt_off)
		c->preempt_off--;
#endif
}

/* The IPC switches' end: to `next` (run-queue lock held, interrupts off),
 * and once `prev` runs again, the lock dropped and a migrating thread
 * queued elsewhere. */
static ALWAYS_INLINE void sched_hand_over(cpu_t *c, cpu_sched_t *cs, thread_t *prev, thread_t *next)
{
	thread_t *migrate = NULL;
	cs = sched_context_switch(c, cs, prev, next, &migrate, false, &c);
	rq_unlock_on(c, cs);
	if (unlikely(migrate))
		sched_enqueue_thread(migrate, false);
}

/* The IPC switches with scheduling-context donation (object/ipc_fast.c,
 * and the general path's ipc_hand_over and recv_reg in object/endpoint.c),
 * each in two halves: a check that takes this CPU's run-queue lock and
 * changes nothing, so the caller can still fall back to the general path,
 * and the switch, which it makes once it has committed its own state. The
 * caller is the current thread, interrupts off since its system-call
 * entry. The check reads `killed` under the run-queue lock, which
 * process_kill's thread_kill_wake takes after setting it, and marks the
 * caller blocked under it (a kill is either seen here or finds the thread
 * blocked and wakes it). A check returns false having changed nothing, or
 * true with this CPU's run-queue lock held; the caller commits its own
 * state (it may drop locks of a lower level) and calls the switch, which
 * lends the caller's context to `next` (sched_donate_to) or gives the
 * context back to `donor` (sched_return_to), drops the run-queue lock and
 * returns when the caller runs again. */
static ALWAYS_INLINE bool sched_donate_check(cpu_t *c, thread_t *prev, thread_t *next)
{
	uint64_t bit = 1ull << c->id;
	if (unlikely(next->cpu != c->id || next->se.cls != SCHED_TS || !(next->affinity & bit) ||
		     (c->isolated && next->affinity != bit)))
		return false;
	cpu_sched_t *cs = &sched_cpus[c->id];
	rq_lock_on(c, cs);
	sched_entity_t *sc = prev->sc;
	if (unlikely(prev->proc->killed || prev->state != THREAD_RUNNABLE ||
		     next->state != THREAD_BLOCKED || next->on_cpu || next->se.on_rq ||
		     next->sc != &next->se || next->se.owner != next || sc != cs->rq.curr ||
		     !sc->on_rq || sc->owner != prev)) {
		rq_unlock_on(c, cs);
		return false;
	}
	set_state(cs, prev, THREAD_BLOCKED);
	return true;
}

static ALWAYS_INLINE void sched_donate_to(cpu_t *c, thread_t *prev, thread_t *next)
{
	sched_entity_t *sc = prev->sc;
	next->sc = sc;
	next->sc_donor = prev;
	sc->owner = next;
	set_state(&sched_cpus[c->id], next, THREAD_RUNNABLE);
	next->run_start = prev->run_start;
	sched_hand_over(c, &sched_cpus[c->id], prev, next);
}

static ALWAYS_INLINE bool sched_return_check(cpu_t *c, thread_t *self, thread_t *donor)
{
	cpu_sched_t *cs = &sched_cpus[c->id];
	rq_lock_on(c, cs);
	sched_entity_t *sc = self->sc;
	if (unlikely(self->proc->killed || self->sc_donor != donor || sc == &self->se ||
		     sc != cs->rq.curr || sc->owner != self || self->state != THREAD_RUNNABLE ||
		     donor->state != THREAD_BLOCKED || donor->on_cpu)) {
		rq_unlock_on(c, cs);
		return false;
	}
	set_state(cs, self, THREAD_BLOCKED);
	return true;
}

static ALWAYS_INLINE void sched_return_to(cpu_t *c, thread_t *self, thread_t *donor)
{
	sched_entity_t *sc = self->sc;
	self->sc = &self->se;
	self->sc_donor = NULL;
	sc->owner = donor;
	set_state(&sched_cpus[c->id], donor, THREAD_RUNNABLE);
	donor->wake_pending = false;
	donor->run_start = self->run_start;
	sched_hand_over(c, &sched_cpus[c->id], self, donor);
}

#endif
