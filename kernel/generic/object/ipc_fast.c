/* The register IPC fast path (seL4's fastpath, L4's direct switch): a
 * register call to a thread waiting in register mode on the same CPU, and
 * the reply-and-receive that answers it, each done in one pass from the
 * system-call entry (syscall.S calls these before the dispatcher) with
 * interrupts off throughout: one handle lookup, the endpoint's lock, the
 * run-queue lock, the words copied once from frame to frame, and a switch
 * that lends the caller's scheduling context to the receiver or gives it
 * back. Anything unusual (no such receiver, another CPU, a timeout, a
 * notice or a queued caller waiting, a kill) leaves the fast path before
 * anything changed: to the general path (object/endpoint.c) with the
 * handle already looked up, or before the lookup to the dispatcher
 * (IPC_FAST_FALLBACK), which then reports what is wrong. A thread that
 * runs again for anything but the expected answer finishes on the general
 * path too (ipc_call_reg_wait, ipc_recv_reg_resume). The thread fields are
 * the general path's, so either side may use either.
 *
 * Locks, in this order: the process's handle table (released before the
 * next), the endpoint's, this CPU's run queue (handed to the next thread
 * by the switch, as every switch does). */
#include <compiler.h>
#include <hal/cpu.h>
#include <object/endpoint.h>
#include <object/handle_table.h>
#include <object/ipc_fast.h>
#include <proc/handles.h>
#include <proc/process.h>
#include <sched/sched.h>
#include <sched/sched_cpu.h>
#include <sched/thread.h>
#include <smp/cpu.h>

_Static_assert(IPC_FAST_FALLBACK > 0, "never a status");

/* The endpoint handle h names in p's table, with `right`: the handle's
 * object in *obj (a watched mint, or the endpoint) with a new reference,
 * the endpoint its calls go to returned, the badge in *badge. NULL when
 * the handle does not qualify (the dispatcher then reports why). With
 * `borrow` (an object the caller already holds a reference to), no new
 * reference is taken when the handle names exactly that object, and
 * *borrowed says so. */
static ALWAYS_INLINE endpoint_t *fast_lookup(process_t *p, uint64_t h, uint32_t right,
					     const kobject_t *borrow, kobject_t **obj,
					     uint64_t *badge, bool *borrowed)
{
	*obj = process_handle_find_irqoff(p, (rae_handle_t)h, RAE_OBJ_ENDPOINT, right, borrow,
					  badge, borrowed);
	/* Where a watched mint's calls go is set at its creation: no lock. */
	return *obj ? endpoint_target((endpoint_t *)*obj) : NULL;
}

int64_t ipc_fast_call(uint64_t h, uint64_t *msg)
{
	cpu_t *c = hal_this_cpu();
	thread_t *self = c->current;
	process_t *p = self->proc;
	if (unlikely(p->killed || msg[0] == RAE_IPC_TAG_CLOSED))
		return IPC_FAST_FALLBACK;
	kobject_t *obj;
	uint64_t badge;
	bool borrowed;
	endpoint_t *ep = fast_lookup(p, h, RAE_RIGHT_WRITE, NULL, &obj, &badge, &borrowed);
	if (unlikely(!ep))
		return IPC_FAST_FALLBACK;
	spin_lock_irqoff(&ep->lock);
	thread_t *r = ep->receivers;
	if (unlikely(!r || !r->ipc_reg))
		goto fallback;
	/* Marks this thread blocked, or sees a kill (sched_cpu.h). */
	if (unlikely(!sched_donate_check(c, self, r)))
		goto fallback;
	/* r takes the call and owes this thread a reply. */
	ep->receivers = r->ipc_next;
	r->ipc_next = NULL;
	ipc_reg_call_taken(self, r, ep, msg, badge);
	spin_unlock_irqoff(&ep->lock);
	sched_donate_to(c, self, r);

	/* Running again: normally answered by a register reply, which wrote
	 * it into msg and let go of the call before switching back, so no
	 * lock is needed to read it. */
	rae_status_t st;
	if (likely(self->ipc_state == IPC_DONE && !self->ipc_reply && self->ipc_status == RAE_OK)) {
		self->ipc_state = IPC_IDLE;
		self->ipc_ep = NULL;
		self->ipc_reg = false;
		st = RAE_OK;
	} else {
		st = ipc_call_reg_wait(ep, msg);
	}
	goto out;

fallback:
	spin_unlock_irqoff(&ep->lock);
	st = ipc_call_reg(ep, msg, badge); /* the reply in msg only on success */
out:
	kobject_unref(obj);
	if (unlikely(p->killed))
		process_check_killed();
	return st;
}

int64_t ipc_fast_reply_recv(uint64_t h, uint64_t *msg, uint64_t *badge)
{
	cpu_t *cpu = hal_this_cpu();
	thread_t *self = cpu->current;
	process_t *p = self->proc;
	/* A deadline needs the general path's timer. The caller owed must
	 * have lent this thread its context: read without the locks that
	 * guard them here, as a hint (a call from another CPU lends none),
	 * and again under them below. */
	thread_t *c = self->ipc_caller;
	if (unlikely(p->killed || self->ipc_reg_timeout != UINT64_MAX || !c || c != self->sc_donor))
		return IPC_FAST_FALLBACK;
	kobject_t *obj;
	uint64_t unused;
	rae_status_t st;
	/* Usually the handle names the endpoint of the call owed, whose
	 * reference (ipc_reply_ep, which only this thread changes while it
	 * runs) then serves: the reply hands it to this system call instead of
	 * dropping it. */
	bool borrowed;
	endpoint_t *ep = fast_lookup(p, h, RAE_RIGHT_READ, (const kobject_t *)self->ipc_reply_ep,
				     &obj, &unused, &borrowed);
	if (unlikely(!ep))
		return IPC_FAST_FALLBACK;
	spin_lock_irqoff(&ep->lock);
	/* A register call on this endpoint from the thread that lent this one
	 * its context, and nothing else to receive first. */
	c = self->ipc_caller;
	if (unlikely(!c || self->ipc_reply_ep != ep || !c->ipc_reg || c != self->sc_donor ||
		     ep->notices || ep->callers || self->ipc_in))
		goto fallback;
	if (unlikely(!sched_return_check(cpu, self, c)))
		goto fallback;
	/* The reply, into the caller's frame. The reference for the call owed
	 * becomes obj's when borrowed, else goes: obj's own keeps ep (obj is
	 * ep or holds it). */
	self->ipc_caller = NULL;
	self->ipc_reply_ep = NULL;
	if (!borrowed)
		__atomic_fetch_sub(&ep->obj.refcount, 1, __ATOMIC_RELEASE);
	ipc_regs_copy(c->ipc_regs, msg);
	c->ipc_reply = NULL;
	c->ipc_status = RAE_OK;
	c->ipc_server = NULL;
	c->ipc_state = IPC_DONE;
	/* Then a register receiver of ep, last in its queue. */
	self->ipc_reg = true;
	self->ipc_next = NULL;
	thread_t **link = &ep->receivers;
	while (*link)
		link = &(*link)->ipc_next;
	*link = self;
	spin_unlock_irqoff(&ep->lock);
	sched_return_to(cpu, self, c);

	/* Running again: normally handed a register call by a caller that
	 * lent this thread its context, which cannot run (nor be killed off)
	 * until the context comes back, so no lock is needed to read it; it
	 * took this thread off the queue. */
	c = self->ipc_caller;
	if (likely(c && c == self->sc_donor && c->ipc_reg)) {
		ipc_regs_copy(msg, c->ipc_regs);
		*badge = c->ipc_badge;
		self->ipc_reg = false;
		st = RAE_OK;
		goto out;
	}
	st = ipc_recv_reg_resume(ep, msg, &unused);
	goto done;

fallback:
	spin_unlock_irqoff(&ep->lock);
	/* The general reply drops the reference owed: one of our own first
	 * (that one still counts, so ep is alive). */
	if (borrowed)
		kobject_ref(obj);
	st = ipc_reply_recv_reg(ep, msg, &unused, true);
done:
	if (st == RAE_OK)
		*badge = unused;
out:
	kobject_unref(obj);
	if (unlikely(p->killed))
		process_check_killed();
	return st;
}
