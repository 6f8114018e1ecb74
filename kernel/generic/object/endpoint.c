/* Endpoints and notifications: synchronous IPC by call / receive / reply,
 * and signal bits. Messages are copied through a kernel buffer (ipc_msg_t)
 * and the handles they carry move with them. Lock order: an object's lock
 * (LOCK_LEVEL_IPC) is never held while allocating, and wake-ups that need
 * the run queue happen with it held only where unavoidable (rq is higher). */
#include <hal/cpu.h>
#include <mm/kmalloc.h>
#include <mm/usercopy.h>
#include <object/endpoint.h>
#include <object/ipc_fast.h>
#include <panic.h>
#include <proc/handles.h>
#include <proc/process.h>
#include <sched/sched.h>
#include <sched/sched_cpu.h>
#include <sched/thread.h>
#include <string.h>
#include <sync/lock_levels.h>
#include <time/clock.h>

static thread_t *ipc_complete(thread_t *caller, int status, ipc_msg_t *reply);

static thread_t *queue_pop(thread_t **head);

/* Hands kernel notice `m` to a waiting receiver of `ep`, or queues it. */
static void endpoint_post_notice(endpoint_t *ep, ipc_msg_t *m)
{
	bool irq = spin_lock_irqsave(&ep->lock);
	thread_t *r = queue_pop(&ep->receivers);
	if (r) {
		r->ipc_in = m;
	} else {
		ipc_msg_t **link = &ep->notices;
		while (*link)
			link = &(*link)->next;
		m->next = NULL;
		*link = m;
	}
	/* Woken under the lock: see ipc_reply. */
	if (r)
		thread_wake(r);
	spin_unlock_irqrestore(&ep->lock, irq);
}

/* The oldest notice waiting on `ep`, taken off; NULL if none. Lock held. */
static ipc_msg_t *endpoint_take_notice(endpoint_t *ep)
{
	ASSERT(spin_held(&ep->lock));
	ipc_msg_t *m = ep->notices;
	if (m) {
		ep->notices = m->next;
		m->next = NULL;
	}
	return m;
}

static void endpoint_destroy(kobject_t *o)
{
	endpoint_t *ep = (endpoint_t *)o;
	endpoint_t *target = ep->target;
	ipc_msg_t *notice = ep->notice;
	/* Nobody can reach ep any more: no lock needed for its notices. */
	while (ep->notices) {
		ipc_msg_t *m = ep->notices;
		ep->notices = m->next;
		ipc_msg_free(m);
	}
	kfree(ep);
	if (target) {
		/* A watched mint ended: its server hears of it. */
		endpoint_post_notice(target, notice);
		kobject_unref(&target->obj);
	}
}

endpoint_t *endpoint_create(void)
{
	endpoint_t *ep = kzalloc(sizeof(*ep));
	if (!ep)
		return NULL;
	kobject_init(&ep->obj, RAE_OBJ_ENDPOINT, endpoint_destroy);
	spinlock_init(&ep->lock, "endpoint", LOCK_LEVEL_IPC);
	return ep;
}

endpoint_t *endpoint_create_watched(endpoint_t *ep, uint64_t badge)
{
	endpoint_t *w = kzalloc(sizeof(*w));
	ipc_msg_t *m = kzalloc(sizeof(*m));
	if (!w || !m) {
		kfree(w);
		kfree(m);
		return NULL;
	}
	m->tag = RAE_IPC_TAG_CLOSED;
	m->badge = badge;
	m->oneway = true;
	kobject_init(&w->obj, RAE_OBJ_ENDPOINT, endpoint_destroy);
	spinlock_init(&w->lock, "endpoint", LOCK_LEVEL_IPC);
	kobject_ref(&ep->obj);
	w->target = ep;
	w->notice = m;
	return w;
}

static void notification_destroy(kobject_t *o)
{
	kfree(o);
}

notification_t *notification_create(void)
{
	notification_t *n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	kobject_init(&n->obj, RAE_OBJ_NOTIFICATION, notification_destroy);
	spinlock_init(&n->lock, "notification", LOCK_LEVEL_IPC);
	return n;
}

void ipc_msg_free(ipc_msg_t *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->handle_count; i++) {
		if (m->objs[i])
			kobject_unref(m->objs[i]);
	}
	kfree(m->buf);
	kfree(m);
}

rae_status_t ipc_msg_from_user(process_t *p, uint64_t user_msg, ipc_msg_t **out)
{
	rae_msg_t um;
	if (copy_from_user(&um, (const void *)user_msg, sizeof(um)) != RAE_OK)
		return RAE_ERR_FAULT;
	if (um.buf_len > RAE_IPC_BUF_MAX || um.handle_count > RAE_IPC_HANDLES_MAX)
		return RAE_ERR_RANGE;
	ipc_msg_t *m = kzalloc(sizeof(*m));
	if (!m)
		return RAE_ERR_NO_MEMORY;
	m->tag = um.tag;
	memcpy(m->words, um.words, sizeof(m->words));
	m->buf_len = um.buf_len;
	if (um.buf_len) {
		m->buf = kmalloc(um.buf_len);
		if (!m->buf) {
			kfree(m);
			return RAE_ERR_NO_MEMORY;
		}
		if (copy_from_user(m->buf, (const void *)um.buf, um.buf_len) != RAE_OK) {
			ipc_msg_free(m);
			return RAE_ERR_FAULT;
		}
	}
	rae_status_t st = process_handle_take_n(p, um.handles, um.handle_count, RAE_RIGHT_TRANSFER,
						m->objs, m->rights, m->badges);
	if (st != RAE_OK) {
		ipc_msg_free(m);
		return st;
	}
	m->handle_count = um.handle_count;
	*out = m;
	return RAE_OK;
}

rae_status_t ipc_msg_to_user(process_t *p, ipc_msg_t *m, uint64_t user_msg)
{
	rae_msg_t um;
	rae_status_t st = RAE_OK;
	if (copy_from_user(&um, (const void *)user_msg, sizeof(um)) != RAE_OK) {
		ipc_msg_free(m);
		return RAE_ERR_FAULT;
	}
	um.tag = m->tag;
	memcpy(um.words, m->words, sizeof(um.words));
	um.badge = m->badge;
	um.flags = m->oneway ? RAE_MSG_ONEWAY : 0;
	uint32_t n = m->buf_len < um.buf_cap ? m->buf_len : um.buf_cap;
	if (n && copy_to_user((void *)um.buf, m->buf, n) != RAE_OK)
		st = RAE_ERR_FAULT;
	um.buf_len = n;
	um.handle_count = 0;
	for (uint32_t i = 0; i < m->handle_count; i++) {
		rae_handle_t h;
		if (process_handle_add(p, m->objs[i], m->rights[i], m->badges[i], &h) == RAE_OK)
			um.handles[um.handle_count++] = h;
		else
			st = RAE_ERR_LIMIT;
	}
	if (copy_to_user((void *)user_msg, &um, sizeof(um)) != RAE_OK)
		st = RAE_ERR_FAULT;
	ipc_msg_free(m); /* drops the message's own references */
	return st;
}

/* Removes `t` from a singly linked FIFO. Lock held. */
static bool queue_remove(thread_t **head, thread_t *t)
{
	for (thread_t **link = head; *link; link = &(*link)->ipc_next) {
		if (*link == t) {
			*link = t->ipc_next;
			t->ipc_next = NULL;
			return true;
		}
	}
	return false;
}

static void queue_append(thread_t **head, thread_t *t)
{
	t->ipc_next = NULL;
	while (*head)
		head = &(*head)->ipc_next;
	*head = t;
}

/* How soon a queued caller should be served: a real-time caller (running
 * on its own context or a lent one) by its deadline, every time-sharing
 * caller after all of them. Read without the run queue's lock: a snapshot
 * at the moment of queueing, which is all an order needs. */
static uint64_t caller_urgency(const thread_t *t)
{
	const sched_entity_t *sc = t->sc;
	return sc->cls == SCHED_RT ? sc->deadline : UINT64_MAX;
}

/* Callers wait in order of urgency, first come first served among equals:
 * a real-time caller queued behind time-sharing ones is taken next, so the
 * inversion it can meet on a busy server is the one call in service
 * (donation then runs that server on the real-time caller's context when
 * it next waits on this CPU). Lock held. */
static void queue_insert_caller(thread_t **head, thread_t *t)
{
	uint64_t key = caller_urgency(t);
	t->ipc_next = NULL;
	while (*head && caller_urgency(*head) <= key)
		head = &(*head)->ipc_next;
	t->ipc_next = *head;
	*head = t;
}

static thread_t *queue_pop(thread_t **head)
{
	thread_t *t = *head;
	if (t) {
		*head = t->ipc_next;
		t->ipc_next = NULL;
	}
	return t;
}

/* Receiver r takes caller c's call on ep and owes it a reply. ep's lock
 * held; r owes nothing (its previous reply endpoint was let go). */
static void owe_reply(thread_t *r, thread_t *c, endpoint_t *ep)
{
	r->ipc_caller = c;
	r->ipc_reply_ep = ep;
	kobject_ref(&ep->obj);
}

/* Lets go of the endpoint of a call this thread no longer owes (its caller
 * was killed): before it receives again. No lock held. */
static void reply_ep_release(thread_t *self)
{
	endpoint_t *ep = self->ipc_reply_ep;
	if (ep && !self->ipc_caller) {
		self->ipc_reply_ep = NULL;
		kobject_unref(&ep->obj);
	}
}

/* The caller `self` has just given receiver `r` its call, under ep's lock
 * (interrupts off). A receiver on this CPU runs on the caller's scheduling
 * context until it replies: decided and committed under ep's lock, which
 * keeps r from going meanwhile (it must take the lock to leave its
 * receive), and switched to with only the run-queue lock held, under which
 * r stays blocked (sched_cpu.h). Otherwise r is woken under ep's lock and
 * the caller marked blocked (or sees its kill). Returns with ep's lock
 * dropped, interrupts still off, the caller running again after a switch
 * or about to block. */
static void ipc_hand_over(endpoint_t *ep, thread_t *self, thread_t *r)
{
	cpu_t *c = hal_this_cpu();
	if (sched_donate_check(c, self, r)) {
		spin_unlock_irqoff(&ep->lock);
		sched_donate_to(c, self, r);
		return;
	}
	/* Woken under the lock: see ipc_reply. Killed already: r has the call
	 * and learns at its reply. */
	thread_wake(r);
	thread_block_prepare(); /* killed: the caller's wait sees it */
	spin_unlock_irqoff(&ep->lock);
}

rae_status_t ipc_call(endpoint_t *ep, ipc_msg_t *m, uint64_t badge, uint64_t deadline_ns,
		      ipc_msg_t **reply)
{
	thread_t *self = thread_current();
	m->badge = badge;
	kobject_ref(&ep->obj);
	/* The irqoff lock: ipc_hand_over drops it as the register path does. */
	bool irq = hal_irq_save();
	spin_lock_irqoff(&ep->lock);
	self->ipc_ep = ep;
	self->ipc_out = m;
	self->ipc_reply = NULL;
	self->ipc_status = RAE_OK;
	thread_t *r = queue_pop(&ep->receivers);
	if (r) {
		/* A receiver is waiting: hand the call straight to it. */
		r->ipc_in = m;
		owe_reply(r, self, ep);
		self->ipc_server = r;
		self->ipc_state = IPC_RECEIVED;
		ipc_hand_over(ep, self, r);
	} else {
		self->ipc_state = IPC_QUEUED;
		queue_insert_caller(&ep->callers, self);
		thread_block_prepare(); /* killed: the loop sees it */
		spin_unlock_irqoff(&ep->lock);
	}
	hal_irq_restore(irq);

	rae_status_t st;
	ipc_msg_t *to_free = NULL;
	for (;;) {
		bool queued = self->ipc_state == IPC_QUEUED;
		bool timed_out = thread_block_until(queued ? deadline_ns : UINT64_MAX);
		irq = spin_lock_irqsave(&ep->lock);
		if (self->ipc_state == IPC_DONE) {
			st = self->ipc_status;
			*reply = self->ipc_reply;
			break;
		}
		bool killed = self->proc && self->proc->killed;
		if (self->ipc_state == IPC_QUEUED && (timed_out || killed)) {
			queue_remove(&ep->callers, self);
			to_free = self->ipc_out; /* never delivered: its handles close */
			st = killed ? RAE_ERR_PEER_CLOSED : RAE_ERR_TIMED_OUT;
			*reply = NULL;
			break;
		}
		if (self->ipc_state == IPC_RECEIVED && killed) {
			/* The receiver owns the message now; it learns on reply. */
			if (self->ipc_server)
				self->ipc_server->ipc_caller = NULL;
			st = RAE_ERR_PEER_CLOSED;
			*reply = NULL;
			break;
		}
		thread_block_prepare(); /* killed: the loop sees it */
		spin_unlock_irqrestore(&ep->lock, irq);
	}
	self->ipc_state = IPC_IDLE;
	self->ipc_ep = NULL;
	self->ipc_out = NULL;
	self->ipc_server = NULL;
	spin_unlock_irqrestore(&ep->lock, irq);
	ipc_msg_free(to_free);
	kobject_unref(&ep->obj);
	return st;
}

rae_status_t ipc_send(endpoint_t *ep, ipc_msg_t *m, uint64_t badge, uint64_t deadline_ns)
{
	thread_t *self = thread_current();
	m->badge = badge;
	m->oneway = true;
	bool irq = spin_lock_irqsave(&ep->lock);
	thread_t *r = queue_pop(&ep->receivers);
	if (r) {
		/* A receiver waits: the message is its now; nothing to wait for. */
		r->ipc_in = m;
		thread_wake(r); /* under the lock: see ipc_reply */
		spin_unlock_irqrestore(&ep->lock, irq);
		return RAE_OK;
	}
	self->ipc_ep = ep;
	self->ipc_out = m;
	self->ipc_reply = NULL;
	self->ipc_status = RAE_OK;
	self->ipc_state = IPC_QUEUED;
	queue_insert_caller(&ep->callers, self);
	thread_block_prepare(); /* killed: the loop sees it */
	spin_unlock_irqrestore(&ep->lock, irq);

	rae_status_t st;
	ipc_msg_t *to_free = NULL;
	for (;;) {
		bool timed_out = thread_block_until(deadline_ns);
		irq = spin_lock_irqsave(&ep->lock);
		if (self->ipc_state == IPC_DONE) {
			st = self->ipc_status; /* taken: the receiver owns the message */
			break;
		}
		bool killed = self->proc && self->proc->killed;
		if (timed_out || killed) {
			queue_remove(&ep->callers, self);
			to_free = self->ipc_out; /* never taken: its handles close */
			st = killed ? RAE_ERR_PEER_CLOSED : RAE_ERR_TIMED_OUT;
			break;
		}
		thread_block_prepare(); /* killed: the loop sees it */
		spin_unlock_irqrestore(&ep->lock, irq);
	}
	self->ipc_state = IPC_IDLE;
	self->ipc_ep = NULL;
	self->ipc_out = NULL;
	spin_unlock_irqrestore(&ep->lock, irq);
	ipc_msg_free(to_free);
	return st;
}

/* A receiver takes queued sender `c`'s one-way message: the sender is done.
 * Lock held; returns the message (now the receiver's) and the thread to
 * wake in *wake. */
static ipc_msg_t *ipc_take_oneway(thread_t *c, thread_t **wake)
{
	ipc_msg_t *m = c->ipc_out;
	c->ipc_out = NULL;
	*wake = ipc_complete(c, RAE_OK, NULL);
	return m;
}

rae_status_t ipc_receive(endpoint_t *ep, uint64_t deadline_ns, ipc_msg_t **call)
{
	thread_t *self = thread_current();
	if (self->ipc_caller)
		return RAE_ERR_INVALID; /* reply first */
	reply_ep_release(self);
	kobject_ref(&ep->obj);
	bool irq = spin_lock_irqsave(&ep->lock);
	self->ipc_in = NULL;
	rae_status_t st = RAE_OK;
	thread_t *sent = NULL;
	for (;;) {
		ipc_msg_t *notice = endpoint_take_notice(ep);
		if (notice) {
			*call = notice;
			break;
		}
		thread_t *c = queue_pop(&ep->callers);
		if (c && c->ipc_out && c->ipc_out->oneway) {
			*call = ipc_take_oneway(c, &sent);
			break;
		}
		if (c) {
			c->ipc_state = IPC_RECEIVED;
			c->ipc_server = self;
			owe_reply(self, c, ep);
			*call = c->ipc_out; /* NULL for a register call: see ipc_call_view */
			break;
		}
		if (self->ipc_in) {
			*call = self->ipc_in; /* a caller handed it over while we waited */
			break;
		}
		if (self->proc && self->proc->killed) {
			st = RAE_ERR_PEER_CLOSED;
			break;
		}
		queue_append(&ep->receivers, self);
		thread_block_prepare(); /* killed: the loop sees it */
		spin_unlock_irqrestore(&ep->lock, irq);
		bool timed_out = thread_block_until(deadline_ns);
		irq = spin_lock_irqsave(&ep->lock);
		if (self->ipc_in) {
			*call = self->ipc_in;
			break;
		}
		queue_remove(&ep->receivers, self);
		if (timed_out) {
			st = RAE_ERR_TIMED_OUT;
			break;
		}
	}
	self->ipc_in = NULL;
	/* Under the lock: a sender woken meanwhile for another reason (a kill)
	 * sees its send done under it and may be gone once it is dropped. */
	if (sent)
		thread_wake(sent);
	spin_unlock_irqrestore(&ep->lock, irq);
	kobject_unref(&ep->obj);
	return st;
}

/* Completes `caller`'s call with `status` and `reply`. Caller's endpoint
 * lock held. Returns the thread to wake. */
static thread_t *ipc_complete(thread_t *caller, int status, ipc_msg_t *reply)
{
	ASSERT(!caller->ipc_ep || spin_held(&caller->ipc_ep->lock));
	caller->ipc_reply = reply;
	caller->ipc_status = status;
	caller->ipc_state = IPC_DONE;
	caller->ipc_server = NULL;
	return caller;
}

rae_status_t ipc_reply(ipc_msg_t *m)
{
	thread_t *self = thread_current();
	endpoint_t *ep = self->ipc_reply_ep;
	if (!ep) {
		ipc_msg_free(m);
		return RAE_ERR_PEER_CLOSED;
	}
	/* The caller is read under its endpoint's lock: a killed caller
	 * clears ipc_caller under it before it goes. */
	bool irq = spin_lock_irqsave(&ep->lock);
	thread_t *c = self->ipc_caller, *wake = NULL;
	ipc_msg_t *call = NULL;
	if (c) { /* still there: not killed meanwhile */
		self->ipc_caller = NULL;
		call = c->ipc_out;
		c->ipc_out = NULL;
		wake = ipc_complete(c, RAE_OK, m);
		m = NULL;
		/* Woken under the lock (IPC before RQ in lock_levels.h): the
		 * caller reads its state under it, so once it is dropped the
		 * caller may see its call done, return, exit and be freed, and
		 * a wake after that would touch a freed thread. */
		if (wake)
			thread_wake(wake);
	}
	self->ipc_reply_ep = NULL;
	spin_unlock_irqrestore(&ep->lock, irq);
	kobject_unref(&ep->obj);
	ipc_msg_free(call);
	if (wake)
		return RAE_OK;
	ipc_msg_free(m);
	return RAE_ERR_PEER_CLOSED;
}

void ipc_thread_exiting(thread_t *t)
{
	endpoint_t *ep = t->ipc_reply_ep;
	if (!ep)
		return;
	bool irq = spin_lock_irqsave(&ep->lock);
	thread_t *c = t->ipc_caller, *wake = NULL;
	ipc_msg_t *call = NULL;
	if (c) {
		t->ipc_caller = NULL;
		call = c->ipc_out;
		c->ipc_out = NULL;
		wake = ipc_complete(c, RAE_ERR_PEER_CLOSED, NULL);
		if (wake)
			thread_wake(wake); /* under the lock: see ipc_reply */
	}
	t->ipc_reply_ep = NULL;
	spin_unlock_irqrestore(&ep->lock, irq);
	kobject_unref(&ep->obj);
	ipc_msg_free(call);
}

void notification_signal(notification_t *n, uint64_t bits)
{
	bool irq = spin_lock_irqsave(&n->lock);
	n->bits |= bits;
	waitq_wake_all(&n->waiters);
	spin_unlock_irqrestore(&n->lock, irq);
}

uint64_t notification_wait(notification_t *n, uint64_t deadline_ns)
{
	bool irq = spin_lock_irqsave(&n->lock);
	rae_status_t st = RAE_OK;
	while (!n->bits && st == RAE_OK) {
		wait_node_t w;
		st = waitq_block(&n->waiters, &w, &n->lock, &irq, deadline_ns);
	}
	uint64_t bits = n->bits;
	n->bits = 0;
	spin_unlock_irqrestore(&n->lock, irq);
	return bits;
}

/* --- register IPC (the fast path) ----------------------------------------- */

void ipc_call_view_locked(thread_t *receiver, ipc_msg_t *call, ipc_msg_t *view)
{
	endpoint_t *ep = receiver->ipc_reply_ep;
	if (call || !ep) {
		ipc_call_view(receiver, call, view);
		return;
	}
	/* A register call: its caller's registers, read while it cannot go. */
	bool irq = spin_lock_irqsave(&ep->lock);
	ipc_call_view(receiver, NULL, view);
	spin_unlock_irqrestore(&ep->lock, irq);
}

void ipc_call_view(thread_t *receiver, ipc_msg_t *call, ipc_msg_t *view)
{
	/* What a receiver sees of its current call: the message, or for a
	 * register call the caller's registers. */
	if (call) {
		*view = *call;
		return;
	}
	thread_t *c = receiver->ipc_caller;
	*view = (ipc_msg_t){0};
	if (!c)
		return;
	view->tag = c->ipc_regs[0];
	for (int i = 0; i < RAE_IPC_WORDS; i++)
		view->words[i] = c->ipc_regs[1 + i];
	view->badge = c->ipc_badge;
}

/* Completes a register call with registers, or a message call with a
 * message built from them. Endpoint lock not held. */
static rae_status_t ipc_reply_regs(const uint64_t regs[IPC_REG_WORDS], thread_t **caller_out)
{
	thread_t *self = thread_current();
	endpoint_t *rep = self->ipc_reply_ep;
	*caller_out = NULL;
	if (!rep)
		return RAE_ERR_PEER_CLOSED;
	bool reg_irq = spin_lock_irqsave(&rep->lock);
	thread_t *c = self->ipc_caller;
	bool reg_call = c && c->ipc_reg;
	spin_unlock_irqrestore(&rep->lock, reg_irq);
	if (!c) {
		reply_ep_release(self);
		return RAE_ERR_PEER_CLOSED;
	}
	if (!reg_call) {
		ipc_msg_t *m = kzalloc(sizeof(*m));
		if (!m)
			return RAE_ERR_NO_MEMORY;
		m->tag = regs[0];
		for (int i = 0; i < RAE_IPC_WORDS; i++)
			m->words[i] = regs[1 + i];
		return ipc_reply(m);
	}
	endpoint_t *ep = self->ipc_reply_ep;
	bool irq = spin_lock_irqsave(&ep->lock);
	rae_status_t st = RAE_ERR_PEER_CLOSED;
	if (self->ipc_caller == c) {
		self->ipc_caller = NULL;
		ipc_regs_copy(c->ipc_regs, regs);
		ipc_complete(c, RAE_OK, NULL);
		*caller_out = c;
		st = RAE_OK;
	}
	self->ipc_reply_ep = NULL;
	spin_unlock_irqrestore(&ep->lock, irq);
	kobject_unref(&ep->obj);
	return st;
}

rae_status_t ipc_call_reg(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS], uint64_t badge)
{
	thread_t *self = thread_current();
	bool irq = hal_irq_save();
	spin_lock_irqoff(&ep->lock);
	thread_t *r = ep->receivers;
	if (!r || !r->ipc_reg) {
		/* Nobody waits in register mode: the general path, which may
		 * allocate, with interrupts on (this is a system call). */
		spin_unlock_irqoff(&ep->lock);
		hal_irq_enable();
		ipc_msg_t *m = kzalloc(sizeof(*m)), *reply = NULL;
		if (!m)
			return RAE_ERR_NO_MEMORY;
		m->tag = regs[0];
		for (int i = 0; i < RAE_IPC_WORDS; i++)
			m->words[i] = regs[1 + i];
		self->ipc_reg = false;
		rae_status_t st =
		    ipc_call(ep, m, badge, clock_deadline(self->ipc_reg_timeout), &reply);
		if (st == RAE_OK && reply) {
			regs[0] = reply->tag;
			for (int i = 0; i < RAE_IPC_WORDS; i++)
				regs[1 + i] = reply->words[i];
			ipc_msg_free(reply);
		}
		return st;
	}
	queue_pop(&ep->receivers);
	ipc_reg_call_taken(self, r, ep, regs, badge);
	/* Interrupts stay off until the switch: blocked, this thread must not
	 * be preempted before the receiver has been given the CPU. */
	ipc_hand_over(ep, self, r);
	if (self->ipc_state == IPC_DONE && !self->ipc_reply && self->ipc_status == RAE_OK) {
		/* Answered by the register reply that switched back here: the
		 * replier wrote the reply into regs and let go before the
		 * switch, and nobody else touches a finished call, so no lock
		 * is needed. */
		self->ipc_state = IPC_IDLE;
		self->ipc_ep = NULL;
		self->ipc_reg = false;
		hal_irq_restore(irq);
		return RAE_OK;
	}
	hal_irq_restore(irq);
	return ipc_call_reg_wait(ep, regs);
}

rae_status_t ipc_call_reg_wait(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS])
{
	thread_t *self = thread_current();
	bool irq;
	rae_status_t st;
	for (;;) {
		irq = spin_lock_irqsave(&ep->lock);
		if (self->ipc_state == IPC_DONE) {
			st = self->ipc_status;
			if (st == RAE_OK && self->ipc_reply) {
				/* A message reply from a general-path receiver. */
				ipc_msg_t *m = self->ipc_reply;
				regs[0] = m->tag;
				for (int i = 0; i < RAE_IPC_WORDS; i++)
					regs[1 + i] = m->words[i];
				self->ipc_reply = NULL;
				spin_unlock_irqrestore(&ep->lock, irq);
				ipc_msg_free(m);
				irq = spin_lock_irqsave(&ep->lock);
			}
			/* A register reply is in regs already. */
			break;
		}
		if (self->proc && self->proc->killed) {
			if (self->ipc_server)
				self->ipc_server->ipc_caller = NULL;
			st = RAE_ERR_PEER_CLOSED;
			break;
		}
		thread_block_prepare(); /* killed: the loop sees it */
		spin_unlock_irqrestore(&ep->lock, irq);
		thread_block_until(UINT64_MAX);
	}
	self->ipc_state = IPC_IDLE;
	self->ipc_ep = NULL;
	self->ipc_server = NULL;
	self->ipc_reg = false;
	spin_unlock_irqrestore(&ep->lock, irq);
	return st;
}

/* ipc_reply_recv_reg, and with `resumed` ipc_recv_reg_resume. */
static rae_status_t recv_reg(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS], uint64_t *badge,
			     bool reply, bool resumed)
{
	thread_t *self = thread_current(), *caller = NULL;
	uint64_t deadline_ns = self->ipc_reg_timeout == UINT64_MAX
				   ? UINT64_MAX
				   : clock_deadline(self->ipc_reg_timeout);
	rae_status_t st = RAE_OK;
	if (!reply && !resumed && self->ipc_caller)
		return RAE_ERR_INVALID; /* reply first */
	reply_ep_release(self);
	/* Interrupts off from the reply to the switch: see ipc_call_reg. */
	bool irq = hal_irq_save();
	spin_lock_irqoff(&ep->lock);
	thread_t *c = self->ipc_caller;
	if (resumed) {
		/* Still queued unless a sender took it off with what it sent. */
		queue_remove(&ep->receivers, self);
		self->ipc_reg = false;
	} else if (reply && c && self->ipc_reply_ep == ep && c->ipc_reg) {
		/* The usual case, a register call on this endpoint: answered
		 * under the lock taken anyway for the next receive (which also
		 * keeps the caller from leaving meanwhile). The syscall's own
		 * reference keeps ep, so this one is not the last. */
		self->ipc_caller = NULL;
		self->ipc_reply_ep = NULL;
		__atomic_fetch_sub(&ep->obj.refcount, 1, __ATOMIC_RELEASE);
		ipc_regs_copy(c->ipc_regs, regs);
		ipc_complete(c, RAE_OK, NULL);
		caller = c;
	} else if (reply) {
		/* The general reply may allocate: interrupts on meanwhile. */
		spin_unlock_irqoff(&ep->lock);
		hal_irq_enable();
		st = ipc_reply_regs(regs, &caller);
		if (st != RAE_OK && st != RAE_ERR_PEER_CLOSED)
			return st;
		irq = hal_irq_save();
		spin_lock_irqoff(&ep->lock);
	}
	if (!resumed)
		self->ipc_in = NULL;
	ipc_msg_t *oneway = NULL; /* a one-way message taken: words only */
	thread_t *sent = NULL;
	for (;;) {
		/* A call handed over while this thread waited comes first. */
		c = self->ipc_caller;
		if (!c && self->ipc_in) {
			oneway = self->ipc_in; /* handed over by ipc_send */
			self->ipc_in = NULL;
		} else if (!c && (oneway = endpoint_take_notice(ep))) {
			/* a kernel notice, before any call */
		} else if (!c && (c = queue_pop(&ep->callers))) {
			if (c->ipc_out && c->ipc_out->oneway) {
				oneway = ipc_take_oneway(c, &sent);
				c = NULL;
			} else {
				c->ipc_state = IPC_RECEIVED;
				c->ipc_server = self;
				owe_reply(self, c, ep);
			}
		}
		if (oneway) {
			regs[0] = oneway->tag;
			for (int i = 0; i < RAE_IPC_WORDS; i++)
				regs[1 + i] = oneway->words[i];
			*badge = oneway->badge;
			st = RAE_OK;
			break;
		}
		if (c) {
			ipc_msg_t view;
			ipc_call_view(
			    self, c->ipc_reg ? NULL : (self->ipc_in ? self->ipc_in : c->ipc_out),
			    &view);
			regs[0] = view.tag;
			for (int i = 0; i < RAE_IPC_WORDS; i++)
				regs[1 + i] = view.words[i];
			*badge = view.badge;
			st = RAE_OK;
			break;
		}
		if (self->proc && self->proc->killed) {
			st = RAE_ERR_PEER_CLOSED;
			break;
		}
		self->ipc_reg = true;
		queue_append(&ep->receivers, self);
		bool timed_out = false;
		cpu_t *cpu = hal_this_cpu();
		/* The caller just answered runs here next, on the context it
		 * lent this thread: checked under ep's lock, which it needs to
		 * leave its call (as in ipc_hand_over). With a timeout this
		 * thread must sleep with its timer armed, so the caller is
		 * woken instead. */
		if (caller && deadline_ns == UINT64_MAX && sched_return_check(cpu, self, caller)) {
			spin_unlock_irqoff(&ep->lock);
			sched_return_to(cpu, self, caller);
		} else {
			if (caller)
				thread_wake(caller); /* under the lock: see ipc_reply */
			/* A kill after the check above: not blocked, and
			 * thread_block_until returns at once. */
			thread_block_prepare();
			spin_unlock_irqoff(&ep->lock);
			timed_out = thread_block_until(deadline_ns);
		}
		caller = NULL;
		c = self->ipc_caller;
		if (c && c == self->sc_donor && c->ipc_reg) {
			/* Handed a register call by a caller that lent this thread
			 * its context: that caller cannot run (nor be killed off)
			 * until the context comes back, so its registers are read
			 * without the lock; it took this thread off the queue. */
			ipc_regs_copy(regs, c->ipc_regs);
			*badge = c->ipc_badge;
			self->ipc_reg = false;
			hal_irq_restore(irq);
			return RAE_OK;
		}
		spin_lock_irqoff(&ep->lock);
		if (self->ipc_caller || self->ipc_in)
			continue; /* a call or a one-way message arrived */
		/* Woken without a call: a timeout, a kill, or a switch back. */
		if (self->state == THREAD_BLOCKED) {
			spin_unlock_irqoff(&ep->lock);
			timed_out = thread_block_until(deadline_ns);
			spin_lock_irqoff(&ep->lock);
			if (self->ipc_caller || self->ipc_in)
				continue;
		}
		queue_remove(&ep->receivers, self);
		if (timed_out) {
			st = RAE_ERR_TIMED_OUT;
			break;
		}
	}
	self->ipc_reg = false;
	self->ipc_in = NULL;
	/* Answered, then found the next call at once: the caller runs when
	 * the scheduler picks it (its context comes back here). Both woken
	 * under the lock, as in ipc_reply. */
	if (caller)
		thread_wake(caller);
	if (sent)
		thread_wake(sent);
	spin_unlock_irqoff(&ep->lock);
	hal_irq_restore(irq);
	ipc_msg_free(oneway); /* a register receiver takes only the words */
	return st;
}

rae_status_t ipc_reply_recv_reg(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS], uint64_t *badge,
				bool reply)
{
	return recv_reg(ep, regs, badge, reply, false);
}

rae_status_t ipc_recv_reg_resume(endpoint_t *ep, uint64_t regs[IPC_REG_WORDS], uint64_t *badge)
{
	return recv_reg(ep, regs, badge, false, true);
}
