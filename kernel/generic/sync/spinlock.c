/* Spinlocks: a test-and-test-and-set lock, plus (debug builds) owner
 * recording and lock-order checking against the CPU's held-lock list. */
#include <hal/cpu.h>
#include <panic.h>
#include <smp/cpu.h>
#include <sync/spinlock.h>

void spinlock_init(spinlock_t *l, const char *name, unsigned level)
{
	*l = (spinlock_t)SPINLOCK_INIT(name, level);
}

#if RAE_DEBUG
static void lock_check_order(const spinlock_t *l, uintptr_t pc)
{
	cpu_t *c = this_cpu();
	if (!c || panic_in_progress())
		return;
	for (unsigned i = 0; i < c->held_count; i++) {
		const spinlock_t *h = c->held[i];
		if (h == l)
			panic("spinlock: CPU %u takes \"%s\" again (it already holds it, taken at "
			      "0x%lx)",
			      c->id, l->name, l->owner_pc);
		if (h->level >= l->level)
			panic(
			    "spinlock: lock order violation on CPU %u: taking \"%s\" (level %u) at "
			    "0x%lx while holding \"%s\" (level %u)",
			    c->id, l->name, l->level, pc, h->name, h->level);
	}
}

static void lock_note_acquired(spinlock_t *l, uintptr_t pc)
{
	cpu_t *c = this_cpu();
	l->owner_pc = pc;
	if (!c)
		return;
	l->owner_cpu = (int)c->id;
	if (c->held_count < CPU_MAX_HELD_LOCKS)
		c->held[c->held_count++] = l;
}

static void lock_note_released(spinlock_t *l)
{
	cpu_t *c = this_cpu();
	l->owner_cpu = -1;
	if (!c)
		return;
	/* Usually the innermost; search in case locks are released out of
	 * order (allowed, unlike taking them out of order). */
	for (unsigned i = c->held_count; i-- > 0;) {
		if (c->held[i] == l) {
			for (unsigned j = i; j + 1 < c->held_count; j++)
				c->held[j] = c->held[j + 1];
			c->held_count--;
			return;
		}
	}
}
#else
static void lock_note_acquired(spinlock_t *l, uintptr_t pc)
{
	(void)l;
	(void)pc;
}
#endif

static void preempt_off(void)
{
	cpu_t *c = this_cpu();
	if (c)
		c->preempt_off++;
}

#if RAE_DEBUG
static void preempt_on(void)
{
	cpu_t *c = this_cpu();
	if (c && c->preempt_off)
		c->preempt_off--;
}

static void spin_lock_at(spinlock_t *l, uintptr_t pc)
{
	preempt_off();
	lock_check_order(l, pc);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	}
	lock_note_acquired(l, pc);
}

void spin_lock(spinlock_t *l)
{
	spin_lock_at(l, (uintptr_t)__builtin_return_address(0));
}
#endif /* RAE_DEBUG: preempt_on, spin_lock_at, spin_lock */

bool spin_trylock(spinlock_t *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	preempt_off();
	lock_note_acquired(l, (uintptr_t)__builtin_return_address(0));
	return true;
}

#if RAE_DEBUG
void spin_unlock(spinlock_t *l)
{
	lock_note_released(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	preempt_on();
}

bool spin_lock_irqsave(spinlock_t *l)
{
	bool irq = hal_irq_save();
	spin_lock_at(l, (uintptr_t)__builtin_return_address(0));
	return irq;
}

void spin_unlock_irqrestore(spinlock_t *l, bool irq)
{
	spin_unlock(l);
	hal_irq_restore(irq);
}
#endif

bool spin_held(const spinlock_t *l)
{
	cpu_t *c = this_cpu();
	return c && l->locked && l->owner_cpu == (int)c->id;
}
