/* The register IPC fast path (object/ipc_fast.c), entered from the
 * system-call entry (arch syscall.S) for IPC_CALL_REG and
 * IPC_REPLY_RECV_REG before the general dispatcher. */
#ifndef OBJECT_IPC_FAST_H
#define OBJECT_IPC_FAST_H

/* What the fast path returns when its handle does not qualify: it changed
 * nothing, and the system call goes through the dispatcher instead (which
 * reports the error). Never a status (those are <= 0) nor a value these
 * calls return. */
#define IPC_FAST_FALLBACK 1

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <object/endpoint.h>
#include <sched/thread.h>

/* A register call of the current thread `self` (its tag and words in place
 * at regs, where the reply will be written) taken by receiver r, which the
 * caller has just taken off ep's queue: r owes self a reply and holds a
 * reference to ep for it. The fast path and ipc_call_reg both hand a call
 * over this way. ep's lock held. */
static inline __attribute__((always_inline)) void
ipc_reg_call_taken(thread_t *self, thread_t *r, endpoint_t *ep, uint64_t *regs, uint64_t badge)
{
	self->ipc_regs = regs;
	self->ipc_badge = badge;
	self->ipc_reg = true;
	self->ipc_ep = ep;
	self->ipc_out = NULL;
	self->ipc_reply = NULL;
	self->ipc_server = r;
	self->ipc_state = IPC_RECEIVED;
	r->ipc_caller = self;
	r->ipc_reply_ep = ep;
	kobject_ref(&ep->obj);
	r->ipc_in = NULL;
}

/* IPC_CALL_REG on handle h with the tag and words in msg (the caller's
 * system-call frame, where the reply is written), the whole system call
 * (a killed caller ends here). Interrupts off (the system-call entry).
 * Returns the call's status, or IPC_FAST_FALLBACK. */
int64_t ipc_fast_call(uint64_t h, uint64_t *msg);

/* IPC_REPLY_RECV_REG on handle h: the reply in msg, then the next call's
 * tag and words in msg and its badge in *badge. As ipc_fast_call. */
int64_t ipc_fast_reply_recv(uint64_t h, uint64_t *msg, uint64_t *badge);
#endif

#endif
