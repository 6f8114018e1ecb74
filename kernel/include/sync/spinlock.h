/* Spinlocks, with interrupt-saving variants. Debug builds record the owner
 * and enforce a lock order: a CPU may take a lock only while every lock it
 * already holds has a lower level (sync/lock_levels.h). A violation, or
 * taking a lock this CPU already holds, panics with both locks named. */
#ifndef SYNC_SPINLOCK_H
#define SYNC_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct spinlock {
	volatile uint32_t locked;
	const char *name;
	unsigned level;
	volatile int owner_cpu; /* -1 when free; debug bookkeeping */
	uintptr_t owner_pc;     /* where the owner took it */
} spinlock_t;

#define SPINLOCK_INIT(name_, level_)                                                               \
	{                                                                                          \
		.locked = 0, .name = (name_), .level = (level_), .owner_cpu = -1, .owner_pc = 0    \
	}

void spinlock_init(spinlock_t *l, const char *name, unsigned level);

/* Spins until the lock is ours. Interrupts stay as they are: use the
 * irqsave form for any lock an interrupt handler also takes. */
/* Takes the lock if free; true on success. */
bool spin_trylock(spinlock_t *l);

/* spin_lock_irqsave disables interrupts, then locks; it returns the
 * previous interrupt state for spin_unlock_irqrestore. */
/* spin_lock_irqoff / spin_unlock_irqoff: for code that already runs with
 * interrupts off, where nothing can preempt the holder: release builds skip
 * the preemption count (the IPC fast path takes several locks per call);
 * debug builds check them like spin_lock. The same thread must release the
 * lock (not so the run-queue locks, which a switch hands to the next
 * thread: they keep spin_lock). */
#if RAE_DEBUG
/* Debug builds record owners and check the lock order (spinlock.c). */
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
bool spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, bool irq);
#define spin_lock_irqoff   spin_lock
#define spin_unlock_irqoff spin_unlock
#else
/* Release builds: inline, as they are taken on every system call. */
#include <smp/cpu.h>

static inline void spin_lock(spinlock_t *l)
{
	cpu_t *c = this_cpu();
	if (c)
		c->preempt_off++;
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	}
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	cpu_t *c = this_cpu();
	if (c && c->preempt_off)
		c->preempt_off--;
}

static inline bool spin_lock_irqsave(spinlock_t *l)
{
	bool irq = hal_irq_save();
	spin_lock(l);
	return irq;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, bool irq)
{
	spin_unlock(l);
	hal_irq_restore(irq);
}

static inline void spin_lock_irqoff(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	}
}

static inline void spin_unlock_irqoff(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
#endif

/* True when this CPU holds `l` (debug builds; false otherwise). */
bool spin_held(const spinlock_t *l);

#endif
