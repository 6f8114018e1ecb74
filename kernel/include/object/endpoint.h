/* Kernel IPC objects: endpoints (synchronous call / receive / reply) and
 * notifications (64 signal bits, wait with a timeout). */
#ifndef OBJECT_ENDPOINT_H
#define OBJECT_ENDPOINT_H

#include <object/handle_table.h>
#include <rae/ipc.h>
#include <sched/waitq.h>
#include <sync/spinlock.h>

struct thread;
struct process;

/* Where a thread's call stands (thread_t.ipc_state), guarded by the lock of
 * the endpoint it calls: not calling, queued on the endpoint, taken by a
 * receiver that owes it a reply, answered (ipc_status and ipc_reply set). */
enum { IPC_IDLE, IPC_QUEUED, IPC_RECEIVED, IPC_DONE };

/* A register message: the tag, then the RAE_IPC_WORDS words. */
#define IPC_REG_WORDS (1 + RAE_IPC_WORDS)

/* Copies a register message (tag and words), unrolled. */
static inline __attribute__((always_inline)) void ipc_regs_copy(uint64_t *dst, const uint64_t *src)
{
	_Static_assert(IPC_REG_WORDS == 5, "one line per word");
	dst[0] = src[0];
	dst[1] = src[1];
	dst[2] = src[2];
	dst[3] = src[3];
	dst[4] = src[4];
}

/* A message in flight, in kernel memory: it owns the objects of the
 * handles it carries until they are installed in the receiver's table. */
typedef struct ipc_msg {
	uint64_t tag;
	uint64_t words[RAE_IPC_WORDS];
	uint64_t badge;
	uint32_t buf_len;
	uint8_t *buf;
	uint32_t handle_count;
	kobject_t *objs[RAE_IPC_HANDLES_MAX];
	uint32_t rights[RAE_IPC_HANDLES_MAX];
	uint64_t badges[RAE_IPC_HANDLES_MAX];
	bool oneway;          /* sent with ipc_send: no reply; the receiver frees it */
	struct ipc_msg *next; /* in an endpoint's notices; guarded by its lock */
} ipc_msg_t;

typedef struct endpoint {
	kobject_t obj;
	spinlock_t lock;
	struct thread *callers;   /* waiting to be received: real-time ones by deadline, then
				   * time-sharing ones, each first come first served; guarded by lock */
	struct thread *receivers; /* waiting for a call, FIFO; guarded by lock */
	/* Kernel notices (RAE_IPC_TAG_CLOSED) no receiver has taken yet,
	 * oldest first; each goes to the next receiver before any call.
	 * Guarded by lock. */
	ipc_msg_t *notices;
	/* A watched mint (HANDLE_MINT_WATCHED) is an endpoint object of its
	 * own that stands for `target` (a reference): every call goes there,
	 * and when its last reference goes, its `notice` (made at the mint,
	 * so the end cannot fail for memory) is queued there. NULL for a
	 * plain endpoint. Both set at creation, never changed. */
	struct endpoint *target;
	ipc_msg_t *notice;
} endpoint_t;

typedef struct notification {
	kobject_t obj;
	spinlock_t lock;
	uint64_t bits;   /* guarded by lock */
	waitq_t waiters; /* guarded by lock; a signal wakes them all */
} notification_t;

endpoint_t *endpoint_create(void);

/* A watched mint of `ep` (not itself one) for `badge`: an object that
 * stands for ep, whose end (its last reference gone: every handle closed,
 * every holder ended, every message carrying it freed) queues one notice
 * on ep, a one-way message of tag RAE_IPC_TAG_CLOSED with that badge.
 * NULL when out of memory. */
endpoint_t *endpoint_create_watched(endpoint_t *ep, uint64_t badge);

/* The endpoint calls on `ep` go to: ep, or the endpoint a watched mint
 * stands for. */
static inline endpoint_t *endpoint_target(endpoint_t *ep)
{
	return ep->target ? ep->target : ep;
}
notification_t *notification_create(void);

/* Reads a message (and its buffer) from user memory and moves its handles
 * out of `p`'s table (each needs RAE_RIGHT_TRANSFER). On failure nothing
 * moved. */
rae_status_t ipc_msg_from_user(struct process *p, uint64_t user_msg, ipc_msg_t **out);
/* Delivers `m` into user memory and `p`'s table, then frees it. */
rae_status_t ipc_msg_to_user(struct process *p, ipc_msg_t *m, uint64_t user_msg);
void ipc_msg_free(ipc_msg_t *m);

/* The calling thread sends `m` (it gives up ownership) on `ep` with the
 * caller's handle badge, waits to be received (at most until deadline_ns)
 * and then for the reply. Returns RAE_OK with *reply set, RAE_ERR_TIMED_OUT
 * (nobody received it in time), RAE_ERR_PEER_CLOSED (the receiver ended
 * without replying). */
rae_status_t ipc_call(endpoint_t *ep, ipc_msg_t *m, uint64_t badge, uint64_t deadline_ns,
		      ipc_msg_t **reply);

/* Sends `m` one way (it gives up ownership): returns RAE_OK as soon as a
 * receiver has taken it (at once if one waits), RAE_ERR_TIMED_OUT when
 * none did by deadline_ns, RAE_ERR_PEER_CLOSED when the sender is killed
 * while it waits. A message not taken is freed, its handles closed. The
 * receiver owes no reply. */
rae_status_t ipc_send(endpoint_t *ep, ipc_msg_t *m, uint64_t badge, uint64_t deadline_ns);
/* Waits for a call on `ep`; the calling thread then owes its caller a
 * reply. RAE_ERR_TIMED_OUT, or RAE_ERR_INVALID if it still owes one. */
rae_status_t ipc_receive(endpoint_t *ep, uint64_t deadline_ns, ipc_msg_t **call);
/* Answers the call the calling thread received (takes `m`). PEER_CLOSED
 * if the caller is gone, RAE_ERR_INVALID if nothing is owed. */
rae_status_t ipc_reply(ipc_msg_t *m);

void notification_signal(notification_t *n, uint64_t bits);
/* Returns the set bits (and clears them), or 0 at the deadline or when the
 * caller's process is killed meanwhile. With several waiters, a signal
 * wakes them all and the first to look takes the bits. */
uint64_t notification_wait(notification_t *n, uint64_t deadline_ns);

/* Register IPC (the fast path): a call of a tag and four words. When a
 * receiver waits in register mode on this CPU, the CPU goes straight to it
 * and back without the run queue or a message object, the receiver running
 * on the caller's scheduling context (sched_donate_to); otherwise it
 * falls back to the general path, where it waits at most the thread's
 * ipc_reg_timeout (IPC_SET_TIMEOUT) for a receiver to take it. The reply comes back in regs. The caller
 * holds a reference to ep (from its handle) for the whole call. System-call
 * context, with interrupts on or off (the dispatcher leaves them off for
 * the register calls); the general path turns them on. */
rae_status_t ipc_call_reg(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS], uint64_t badge);
/* The rest of a register call that has been handed to a receiver (this
 * thread's ipc_state IPC_RECEIVED, marked blocked or woken since): waits
 * for the reply, or for the call to end otherwise, and returns its status,
 * the reply in regs (this thread's ipc_regs). For the fast path
 * (object/ipc_fast.c) when this thread ran again for anything but the
 * plain register reply. Interrupts off. */
rae_status_t ipc_call_reg_wait(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS]);
/* Replies with regs to the call this thread owes (if `reply`), then waits
 * for the next call, whose tag, words and badge come back in regs and
 * *badge, waiting at most the thread's ipc_reg_timeout (RAE_ERR_TIMED_OUT).
 * RAE_ERR_INVALID for a plain receive while a call is still owed.
 * The caller holds a reference to ep. */
rae_status_t ipc_reply_recv_reg(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS], uint64_t *badge,
				bool reply);
/* A register receiver of `ep` (queued in register mode with no deadline,
 * owing nothing) runs again without the call it expected from its donor:
 * it takes what arrived meanwhile (a call, a one-way message, a notice) or
 * waits again, as ipc_reply_recv_reg's receive. For the fast path.
 * Interrupts off. */
rae_status_t ipc_recv_reg_resume(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS], uint64_t *badge);
/* What the receiver sees of its current call (message or registers). */
void ipc_call_view(struct thread *receiver, ipc_msg_t *call, ipc_msg_t *view);
/* ipc_call_view for a receiver that holds no endpoint lock. */
void ipc_call_view_locked(struct thread *receiver, ipc_msg_t *call, ipc_msg_t *view);

/* A thread with IPC in progress is ending: its caller gets PEER_CLOSED, and
 * its own pending call is withdrawn. */
void ipc_thread_exiting(struct thread *t);

#endif
