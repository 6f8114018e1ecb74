/* Futexes (proc/futex.h), keyed by address space and user address: only
 * threads of one process can meet on a word (no futexes in shared memory
 * objects yet). Waiters wait in one of FUTEX_BUCKETS hashed wait queues
 * (sched/waitq.h), keyed by their word; each bucket's lock guards its
 * queue. Lock order: a bucket lock, then run-queue locks. */
#include <hal/cpu.h>
#include <mm/usercopy.h>
#include <proc/futex.h>
#include <proc/process.h>
#include <rae/syscall.h>
#include <sched/thread.h>
#include <sched/waitq.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

#define FUTEX_BUCKETS 64

typedef struct {
	spinlock_t lock;
	waitq_t waiters;
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

rae_status_t futex_wait(struct address_space *as, uintptr_t addr, uint32_t expected,
			uint64_t deadline_ns)
{
	if (addr & 3)
		return RAE_ERR_INVALID;
	futex_bucket_t *b = bucket_of(as, addr);
	wait_node_t w = {.key_space = as, .key = addr};
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
	rae_status_t st = waitq_block(&b->waiters, &w, &b->lock, &irq, deadline_ns);
	spin_unlock_irqrestore(&b->lock, irq);
	return st;
}

int64_t futex_wake(struct address_space *as, uintptr_t addr, uint64_t count)
{
	if (addr & 3)
		return RAE_ERR_INVALID;
	if (!user_range_ok(addr, sizeof(uint32_t)))
		return RAE_ERR_FAULT; /* as FUTEX_WAIT: no word of the caller's there */
	futex_bucket_t *b = bucket_of(as, addr);
	bool irq = spin_lock_irqsave(&b->lock);
	int64_t n = waitq_wake_match(&b->waiters, as, addr, count);
	spin_unlock_irqrestore(&b->lock, irq);
	return n;
}
