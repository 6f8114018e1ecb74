/* The kernel's side of the system call table (rae/syscalls.def): a typed
 * prototype for every handler, sys_NAME(args as declared), implemented in
 * proc/sys_*.c by object; the object type and rights each call's first
 * handle needs; and what every handler shares. Calls the table marks FRAME
 * take the register frame and their first argument: the rest of their
 * arguments are a register message, read in place (syscall_frame_msg).
 * Handlers run with interrupts on, except the register IPC calls
 * (syscall_dispatch); each returns the value for rax. */
#ifndef PROC_SYSCALL_H
#define PROC_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#include <hal/syscall.h>
#include <mm/usercopy.h>
#include <object/job.h>
#include <object/resource.h>
#include <proc/handles.h>
#include <proc/process.h>
#include <rae/console.h>
#include <rae/device.h>
#include <rae/ipc.h>
#include <rae/process.h>
#include <rae/syscall.h>
#include <rae/syscall_args.h>
#include <sched/thread.h>
#include <time/clock.h>

/* A FRAME call's handler: the frame and the first argument. */
#define SYS_PARAMS_FRAME(t1, a1, ...) syscall_frame_t *frame, t1 a1

#define SYS_ATTR_STATUS
#define SYS_ATTR_VALUE
#define SYS_ATTR_HANDLE
#define SYS_ATTR_ADDR
#define SYS_ATTR_TIME
#define SYS_ATTR_NORETURN __attribute__((noreturn))

#define SYS_PROTO_TYPED(name, n, ...) int64_t sys_##name(RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))
#define SYS_PROTO_FRAME(name, n, ...) int64_t sys_##name(SYS_PARAMS_FRAME(__VA_ARGS__))

#define RAE_SYSCALL(NAME, name, RET, ENTRY, OBJECT, RIGHTS, n, ...)                                \
	SYS_ATTR_##RET SYS_PROTO_##ENTRY(name, n, __VA_ARGS__);                                    \
	enum { sys_object_##name = RAE_OBJ_##OBJECT, sys_rights_##name = (RIGHTS) };
#include <rae/syscalls.def>
#undef RAE_SYSCALL

/* The object type and rights the table gives call `name`'s first handle. */
#define SYS_OBJECT(name) ((uint32_t)sys_object_##name)
#define SYS_RIGHTS(name) ((uint32_t)sys_rights_##name)

/* The calling thread's process. */
static inline process_t *self_proc(void)
{
	return thread_current()->proc;
}

/* Looks up h, the first handle of call `name`, in the caller's table with
 * the type and rights the table declares: a referenced object in *obj and
 * its badge in *badge (may be NULL), or the distinct error. */
#define SYS_HANDLE_GET(name, h, obj, badge)                                                        \
	process_handle_get(self_proc(), (h), SYS_OBJECT(name), SYS_RIGHTS(name), (obj), NULL,      \
			   (badge))

/* Any handle of the caller's with a type and rights of its own (a call's
 * further handles): as SYS_HANDLE_GET. */
static inline rae_status_t sys_handle_lookup(rae_handle_t h, uint32_t type, uint32_t rights,
					     kobject_t **obj)
{
	return process_handle_get(self_proc(), h, type, rights, obj, NULL, NULL);
}

/* Installs a new object in the caller's table, taking over the creator's
 * reference (dropped either way). Returns the handle, or the error. */
int64_t sys_handle_install(kobject_t *obj, uint32_t rights);

/* The job a call names: 0 for the caller's own, else a job handle with
 * MANAGE. Returns a referenced job. */
rae_status_t sys_job_from(rae_handle_t h, job_t **out);

/* A referenced resource from a handle with MANAGE. */
rae_status_t sys_resource_lookup(rae_handle_t h, resource_t **out);

/* An absolute deadline for a timeout in nanoseconds from now. */
static inline uint64_t sys_deadline(uint64_t timeout_ns)
{
	return clock_deadline(timeout_ns);
}

/* What a process handle from SPAWN and its kind allows: wait for it,
 * kill it, pass it on. */
#define PROCESS_HANDLE_RIGHTS                                                                      \
	(RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |                \
	 RAE_RIGHT_TRANSFER)

/* Called from syscall_entry on the thread's kernel stack (proc/syscall.c):
 * every call but the two register IPC calls, with interrupts on, and
 * those two, whose fast path did not apply, with interrupts off. Return
 * the value for rax. */
int64_t syscall_dispatch(syscall_frame_t *f);
int64_t syscall_dispatch_reg_ipc(syscall_frame_t *f);

#endif
