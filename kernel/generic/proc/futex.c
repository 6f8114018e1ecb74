/* Futexes (proc/futex.h), keyed by address space and user address: only
 * threads of one process can meet on a word (no futexes in shared memory
 * objects yet). Waiters live on their own kernel stacks, in one of
 * FUTEX_BUCKETS hashed lists; each bucket's lock guards its list and every
 * waiter's `woken` in it. Lock order: a bucket lock, then run-queue locks
 * (thread_wake runs under the bucket lock, so a woken waiter cannot leave
 * and free its node, or end, before its waker is done with it). */
#include <hal/cpu.h>
#include <mm/usercopy.h>
#include <proc/futex.h>
#include <proc/process.h>
#include <rae/syscall.h>
#include <sched/thread.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

#define FUTEX_BUCKETS 64

typedef struct futex_waiter {
	thread_t *thread;
	const struct address_space *as;
	uintptr_t addr;
	bool woken;
	struct futex_waiter *next;
} futex_waiter_t;

typedef struct {
	spinlock_t lock;
	futex_waiter_t *head; /* oldest first */
} futex_bucket_t;

static futex_bucket_t buckets[FUTEX_BUCKETS] = {
    [0 ... FUTEX_BUCKETS - 1] = {.lock = SPINLOCK_INIT("futex", LOCK_LEVEL_FUTEX)},
};

static futex_bucket_t *bucket_of(const struct address_space *as, uintptr_t addr)
{
	uint64_t h = ((uint64_t)(uintptr_t)as >> 6) ^ (addr >> 2);
	h *= 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58]; /* the top 6 bits: FUTEX_BUCKETS is 64 */
}

/* Takes `w` off its bucket's list if it is still there. Bucket lock held. */
static void bucket_remove(futex_bucket_t *b, const futex_waiter_t *w)
{
	for (futex_waiter_t **link = &b->head; *link; link = &(*link)->next) {
		if (*link == w) {
			*link = w->next;
			return;
		}
	}
}

rae_status_t futex_wait(struct address_space *as, uintptr_t addr, uint32_t expected,
			uint64_t deadline_ns)
{
	if (addr & 3)
		return RAE_ERR_INVALID;
	thread_t *self = thread_current();
	futex_bucket_t *b = bucket_of(as, addr);
	futex_waiter_t w = {.thread = self, .as = as, .addr = addr};
	uint32_t now;

	/* Read once with no lock held: a page that comes on first touch (bss,
	 * stack) appears here, as the fault handler maps none under a lock. */
	if (copy_from_user(&now, (const void *)addr, sizeof(now)) != RAE_OK)
		return RAE_ERR_FAULT;
	bool irq = spin_lock_irqsave(&b->lock);
	/* Read under the lock: a waker changes the word before it takes the
	 * lock, so either we see the new value or it sees us queued. */
	if (copy_from_user(&now, (const void *)addr, sizeof(now)) != RAE_OK) {
		spin_unlock_irqrestore(&b->lock, irq);
		return RAE_ERR_FAULT;
	}
	if (now != expected) {
		spin_unlock_irqrestore(&b->lock, irq);
		return RAE_FUTEX_CHANGED;
	}
	futex_waiter_t **tail = &b->head;
	while (*tail)
		tail = &(*tail)->next;
	*tail = &w;
	self->state = THREAD_BLOCKED;
	/* A kill that set `killed` before our state was BLOCKED did not wake
	 * us: look once more after the store. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (self->proc && self->proc->killed)
		self->state = THREAD_RUNNABLE;
	spin_unlock_irqrestore(&b->lock, irq);

	bool timed_out = thread_block_until(deadline_ns);

	irq = spin_lock_irqsave(&b->lock);
	bool woken = w.woken;
	if (!woken)
		bucket_remove(b, &w);
	spin_unlock_irqrestore(&b->lock, irq);
	if (woken)
		return RAE_OK;
	if (self->proc && self->proc->killed)
		return RAE_ERR_PEER_CLOSED;
	return timed_out ? RAE_ERR_TIMED_OUT : RAE_OK;
}

int64_t futex_wake(struct address_space *as, uintptr_t addr, uint64_t count)
{
	if (addr & 3)
		return RAE_ERR_INVALID;
	if (!user_range_ok(addr, sizeof(uint32_t)))
		return RAE_ERR_FAULT; /* as FUTEX_WAIT: no word of the caller's there */
	futex_bucket_t *b = bucket_of(as, addr);
	int64_t n = 0;
	bool irq = spin_lock_irqsave(&b->lock);
	for (futex_waiter_t **link = &b->head; *link && (uint64_t)n < count;) {
		futex_waiter_t *w = *link;
		if (w->as != as || w->addr != addr) {
			link = &w->next;
			continue;
		}
		*link = w->next;
		w->woken = true;
		thread_wake(w->thread);
		n++;
	}
	spin_unlock_irqrestore(&b->lock, irq);
	return n;
}
