/* Wait queues (sched/waitq.h): FIFO lists of nodes on the waiters' own
 * stacks, guarded by the lock of the object that owns them. */
#include <panic.h>
#include <proc/process.h>
#include <sched/thread.h>
#include <sched/waitq.h>
#include <sync/spinlock.h>

bool waitq_empty(const waitq_t *wq)
{
	return wq->head == NULL;
}

/* Unlinks `node`, whose link from the previous node (or head) is *link. */
static void waitq_unlink(waitq_t *wq, wait_node_t **link, wait_node_t *node)
{
	*link = node->next;
	if (wq->tail == &node->next)
		wq->tail = link == &wq->head ? NULL : link;
	node->next = NULL;
}

static void waitq_remove(waitq_t *wq, wait_node_t *node)
{
	for (wait_node_t **link = &wq->head; *link; link = &(*link)->next) {
		if (*link == node) {
			waitq_unlink(wq, link, node);
			return;
		}
	}
}

rae_status_t waitq_block(waitq_t *wq, wait_node_t *node, spinlock_t *lock, bool *irq,
			 uint64_t deadline_ns)
{
	ASSERT(spin_held(lock));
	thread_t *self = thread_current();
	node->thread = self;
	node->next = NULL;
	node->woken = false;
	if (!thread_block_prepare())
		return RAE_ERR_PEER_CLOSED; /* killed: not queued at all */
	*(wq->tail ? wq->tail : &wq->head) = node;
	wq->tail = &node->next;
	spin_unlock_irqrestore(lock, *irq);
	bool timed_out = thread_block_until(deadline_ns);
	*irq = spin_lock_irqsave(lock);
	if (node->woken)
		return RAE_OK;
	waitq_remove(wq, node);
	if (self->proc && __atomic_load_n(&self->proc->killed, __ATOMIC_ACQUIRE))
		return RAE_ERR_PEER_CLOSED;
	return timed_out ? RAE_ERR_TIMED_OUT : RAE_OK;
}

/* Takes `node` off and wakes its thread. Lock held. */
static void waitq_wake_node(waitq_t *wq, wait_node_t **link, wait_node_t *node)
{
	waitq_unlink(wq, link, node);
	node->woken = true;
	thread_wake(node->thread);
}

unsigned waitq_wake_one(waitq_t *wq)
{
	if (!wq->head)
		return 0;
	waitq_wake_node(wq, &wq->head, wq->head);
	return 1;
}

unsigned waitq_wake_all(waitq_t *wq)
{
	unsigned n = 0;
	while (wq->head) {
		waitq_wake_node(wq, &wq->head, wq->head);
		n++;
	}
	return n;
}

unsigned waitq_wake_match(waitq_t *wq, const void *space, uintptr_t key, uint64_t max)
{
	unsigned n = 0;
	for (wait_node_t **link = &wq->head; *link && n < max;) {
		wait_node_t *w = *link;
		if (w->key_space != space || w->key != key) {
			link = &w->next;
			continue;
		}
		waitq_wake_node(wq, link, w);
		n++;
	}
	return n;
}
