/* Wait queues: the one way a kernel object makes threads wait for it.
 *
 * An object embeds a waitq_t next to the spinlock that guards its state
 * and the queue. A waiter calls waitq_block with that lock held; it is
 * queued, sleeps with the lock dropped, and returns with it held again.
 * A waker, under the same lock, takes waiters off with waitq_wake_one,
 * waitq_wake_all or waitq_wake_match. Each waiter's node lives on its own
 * kernel stack; the waker wakes it before dropping the lock, so the node
 * cannot go away under it. A kill wakes every blocked thread of the
 * process (process_kill); waitq_block sees the kill and returns
 * RAE_ERR_PEER_CLOSED, and checks for it under the same run-queue lock the
 * killer takes (thread_block_prepare), so a kill is never lost.
 *
 * Lock order: the object's lock, then run-queue locks (thread_wake). */
#ifndef SCHED_WAITQ_H
#define SCHED_WAITQ_H

#include <stdbool.h>
#include <stdint.h>
#include <rae/status.h>

struct thread;
struct spinlock;

typedef struct wait_node {
	struct thread *thread;
	struct wait_node *next;
	/* What the waiter waits for, for waitq_wake_match (the futex's
	 * address space and address); unused by the other wake-ups. */
	const void *key_space;
	uintptr_t key;
	bool woken; /* taken off by a waker */
} wait_node_t;

/* All zeros is an empty queue (objects from kzalloc need no set-up). */
typedef struct waitq {
	wait_node_t *head;  /* oldest first */
	wait_node_t **tail; /* the last node's next, or NULL for &head */
} waitq_t;

bool waitq_empty(const waitq_t *wq);

/* Queues the calling thread on `wq` as `node` (its own stack: the fields
 * it fills are set here, the keys by the caller) and waits until a waker
 * takes it, deadline_ns passes (UINT64_MAX: never) or its process is
 * killed. `lock` guards wq and is held (taken with irqsave into *irq); it
 * is dropped while the thread sleeps and held again on return. Returns
 * RAE_OK when woken (or woken for no reason: the caller rechecks its
 * condition), RAE_ERR_TIMED_OUT, or RAE_ERR_PEER_CLOSED when killed. The
 * node is off the queue on return. */
rae_status_t waitq_block(waitq_t *wq, wait_node_t *node, struct spinlock *lock, bool *irq,
			 uint64_t deadline_ns);

/* Wake-ups, with the queue's lock held. They return how many they woke. */
unsigned waitq_wake_one(waitq_t *wq);
unsigned waitq_wake_all(waitq_t *wq);
/* At most `max` of the waiters whose keys are (space, key), oldest first. */
unsigned waitq_wake_match(waitq_t *wq, const void *space, uintptr_t key, uint64_t max);

#endif
