/* System calls on endpoints and notifications: message IPC (a kernel
 * message with buffer and handles), register IPC (the fast path, whose
 * message stays in the frame's registers) and signal bits
 * (rae/syscalls.def). */
#include <mm/kmalloc.h>
#include <object/endpoint.h>
#include <proc/syscall.h>

#define user_addr(p) ((uint64_t)(uintptr_t)(p))

int64_t sys_endpoint_create(void)
{
	endpoint_t *ep = endpoint_create();
	return ep ? sys_handle_install(&ep->obj, RAE_RIGHTS_ALL) : RAE_ERR_NO_MEMORY;
}

int64_t sys_ipc_call(rae_handle_t h, rae_msg_t *msg, uint64_t timeout_ns)
{
	kobject_t *obj;
	uint64_t badge;
	rae_status_t st = SYS_HANDLE_GET(ipc_call, h, &obj, &badge);
	if (st != RAE_OK)
		return st;
	ipc_msg_t *m, *reply = NULL;
	st = ipc_msg_from_user(self_proc(), user_addr(msg), &m);
	if (st == RAE_OK && m->tag == RAE_IPC_TAG_CLOSED) {
		ipc_msg_free(m); /* the kernel's own notice: nobody forges one */
		st = RAE_ERR_INVALID;
	} else if (st == RAE_OK) {
		st = ipc_call(endpoint_target((endpoint_t *)obj), m, badge,
			      sys_deadline(timeout_ns), &reply);
	}
	kobject_unref(obj);
	if (st == RAE_OK && reply)
		st = ipc_msg_to_user(self_proc(), reply, user_addr(msg));
	return st;
}

int64_t sys_ipc_send(rae_handle_t h, rae_msg_t *msg, uint64_t timeout_ns)
{
	kobject_t *obj;
	uint64_t badge;
	rae_status_t st = SYS_HANDLE_GET(ipc_send, h, &obj, &badge);
	if (st != RAE_OK)
		return st;
	ipc_msg_t *m;
	st = ipc_msg_from_user(self_proc(), user_addr(msg), &m);
	if (st == RAE_OK && m->tag == RAE_IPC_TAG_CLOSED) {
		ipc_msg_free(m);
		st = RAE_ERR_INVALID;
	} else if (st == RAE_OK) {
		st = ipc_send(endpoint_target((endpoint_t *)obj), m, badge,
			      sys_deadline(timeout_ns));
	}
	kobject_unref(obj);
	return st;
}

/* Receives on endpoint `obj` (a reference the caller gives up) into the
 * user's `msg`. */
static int64_t receive_into(kobject_t *obj, rae_msg_t *msg, uint64_t timeout_ns)
{
	ipc_msg_t *call = NULL;
	rae_status_t st =
	    ipc_receive(endpoint_target((endpoint_t *)obj), sys_deadline(timeout_ns), &call);
	kobject_unref(obj);
	if (st != RAE_OK)
		return st;
	/* The call's message stays with the caller until the reply; deliver a
	 * copy of its contents (or of a register call's words). Its buffer and
	 * handles move now: the buffer is copied once into the kernel at the
	 * call and once out here. */
	ipc_msg_t *copy = kzalloc(sizeof(*copy));
	if (!copy) {
		if (call && call->oneway)
			ipc_msg_free(call); /* nobody else holds it */
		return RAE_ERR_NO_MEMORY;
	}
	ipc_call_view_locked(thread_current(), call, copy);
	if (!call) {
		copy->buf = NULL;
		copy->buf_len = 0;
		copy->handle_count = 0;
		return ipc_msg_to_user(self_proc(), copy, user_addr(msg));
	}
	call->buf = NULL; /* moved to the copy */
	call->buf_len = 0;
	call->handle_count = 0;
	if (call->oneway)
		ipc_msg_free(call); /* sent one way: nobody else holds it */
	return ipc_msg_to_user(self_proc(), copy, user_addr(msg));
}

int64_t sys_ipc_receive(rae_handle_t h, rae_msg_t *msg, uint64_t timeout_ns)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(ipc_receive, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	return receive_into(obj, msg, timeout_ns);
}

int64_t sys_ipc_reply(rae_msg_t *msg)
{
	ipc_msg_t *m;
	rae_status_t st = ipc_msg_from_user(self_proc(), user_addr(msg), &m);
	if (st != RAE_OK)
		return st;
	return ipc_reply(m);
}

int64_t sys_ipc_reply_recv(rae_handle_t h, const rae_msg_t *reply, rae_msg_t *msg,
			   uint64_t timeout_ns)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(ipc_reply_recv, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	if (reply) {
		ipc_msg_t *m;
		st = ipc_msg_from_user(self_proc(), user_addr(reply), &m);
		if (st != RAE_OK) {
			kobject_unref(obj);
			return st;
		}
		/* The answered caller is made runnable; a switch to it waits
		 * for the receive to block or the call to return (or an
		 * interrupt). A caller gone meanwhile drops the reply: not this
		 * call's error, the server just serves the next one. */
		(void)ipc_reply(m);
	}
	return receive_into(obj, msg, timeout_ns);
}

int64_t sys_notify_create(void)
{
	notification_t *n = notification_create();
	return n ? sys_handle_install(&n->obj, RAE_RIGHTS_ALL) : RAE_ERR_NO_MEMORY;
}

int64_t sys_notify_signal(rae_handle_t h, uint64_t bits)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(notify_signal, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	notification_signal((notification_t *)obj, bits);
	kobject_unref(obj);
	return RAE_OK;
}

int64_t sys_notify_wait(rae_handle_t h, uint64_t timeout_ns)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(notify_wait, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint64_t bits = notification_wait((notification_t *)obj, sys_deadline(timeout_ns));
	kobject_unref(obj);
	return bits ? (int64_t)(bits & INT64_MAX) : RAE_ERR_TIMED_OUT;
}

/* --- register IPC: the message is the frame's rsi .. r9 ------------------ */

/* IPC_CALL_REG and IPC_REPLY_RECV_REG run with interrupts off
 * (syscall_dispatch): their lookups do not save and restore the flag. */
int64_t sys_ipc_call_reg(syscall_frame_t *frame, rae_handle_t h)
{
	kobject_t *obj;
	uint64_t badge;
	uint64_t *msg = syscall_frame_msg(frame);
	rae_status_t st = process_handle_get_irqoff(self_proc(), h, SYS_OBJECT(ipc_call_reg),
						    SYS_RIGHTS(ipc_call_reg), &obj, &badge);
	if (st != RAE_OK)
		return st;
	/* The reply is written over the frame's words only on success. */
	if (msg[0] == RAE_IPC_TAG_CLOSED)
		st = RAE_ERR_INVALID; /* the kernel's own notice: nobody forges one */
	else
		st = ipc_call_reg(endpoint_target((endpoint_t *)obj), msg, badge);
	kobject_unref(obj);
	return st;
}

static int64_t ipc_recv_common(syscall_frame_t *frame, rae_handle_t h, bool reply)
{
	kobject_t *obj;
	rae_status_t st =
	    reply ? process_handle_get_irqoff(self_proc(), h, SYS_OBJECT(ipc_reply_recv_reg),
					      SYS_RIGHTS(ipc_reply_recv_reg), &obj, NULL)
		  : SYS_HANDLE_GET(ipc_recv_reg, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint64_t badge = 0;
	st = ipc_reply_recv_reg(endpoint_target((endpoint_t *)obj), syscall_frame_msg(frame),
				&badge, reply);
	kobject_unref(obj);
	if (st == RAE_OK)
		syscall_frame_set_badge(frame, badge);
	return st;
}

int64_t sys_ipc_recv_reg(syscall_frame_t *frame, rae_handle_t h)
{
	return ipc_recv_common(frame, h, false);
}

int64_t sys_ipc_reply_recv_reg(syscall_frame_t *frame, rae_handle_t h)
{
	return ipc_recv_common(frame, h, true);
}

int64_t sys_ipc_set_timeout(uint64_t timeout_ns)
{
	thread_current()->ipc_reg_timeout = timeout_ns;
	return RAE_OK;
}
