/* Per-CPU timer queues: a deadline-sorted list per CPU, its head programmed
 * into the CPU's one-shot timer. Lock: each queue's own, taken with
 * interrupts off (the timer interrupt takes it too). */
#include <hal/cpu.h>
#include <hal/time.h>
#include <smp/cpu.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>
#include <time/timer.h>

typedef struct {
	spinlock_t lock;
	ktimer_t *head;             /* sorted by deadline; guarded by lock */
	ktimer_t *volatile running; /* whose callback runs now; guarded by lock */
} timer_queue_t;

static timer_queue_t queues[CPU_MAX];

void timer_cpu_init(void)
{
	cpu_t *c = this_cpu();
	spinlock_init(&queues[c->id].lock, "timer queue", LOCK_LEVEL_TIMER);
	queues[c->id].head = NULL;
}

void timer_start(ktimer_t *t, uint64_t deadline, ktimer_fn fn, void *arg)
{
	bool irq = hal_irq_save();
	cpu_t *c = this_cpu();
	timer_queue_t *q = &queues[c->id];

	spin_lock(&q->lock);
	t->deadline = deadline;
	t->fn = fn;
	t->arg = arg;
	t->cpu = c->id;
	t->fired_at = 0;
	t->armed = true;
	ktimer_t **link = &q->head;
	while (*link && (*link)->deadline <= deadline)
		link = &(*link)->next;
	t->next = *link;
	*link = t;
	bool new_head = q->head == t;
	spin_unlock(&q->lock);
	if (new_head)
		hal_timer_arm(deadline);
	hal_irq_restore(irq);
}

bool timer_cancel(ktimer_t *t)
{
	bool irq = hal_irq_save(), found = false;
	timer_queue_t *q = &queues[t->cpu];
	spin_lock(&q->lock);
	for (ktimer_t **link = &q->head; *link; link = &(*link)->next) {
		if (*link == t) {
			*link = t->next;
			t->armed = false;
			found = true;
			break;
		}
	}
	/* An early interrupt for a cancelled head is harmless: the handler
	 * finds nothing expired and re-arms for the new head. */
	spin_unlock(&q->lock);
	hal_irq_restore(irq);
	return found;
}

void timer_cancel_sync(ktimer_t *t)
{
	timer_cancel(t);
	/* Its callback may have started on its CPU just before: let it end
	 * before the caller frees what it touches. */
	timer_queue_t *q = &queues[t->cpu];
	while (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE) == t)
		__builtin_ia32_pause();
}

void timer_interrupt(void)
{
	cpu_t *c = this_cpu();
	timer_queue_t *q = &queues[c->id];
	c->timer_interrupts++;

	for (;;) {
		spin_lock(&q->lock);
		ktimer_t *t = q->head;
		uint64_t now = hal_timestamp();
		if (!t || t->deadline > now) {
			/* Nothing due (a one-shot can fire a little early after
			 * rounding): arm for the head, or stay quiet. */
			uint64_t next = t ? t->deadline : 0;
			spin_unlock(&q->lock);
			hal_timer_arm(next);
			return;
		}
		q->head = t->next;
		t->armed = false;
		t->fired_at = now;
		q->running = t;
		spin_unlock(&q->lock);
		t->fn(t, t->arg);
		__atomic_store_n(&q->running, NULL, __ATOMIC_RELEASE);
	}
}
