/* System calls on the calling thread and its siblings: create, exit, join,
 * sleep, scheduling, thread-local storage and futexes (rae/syscalls.def). */
#include <hal/context.h>
#include <hal/cpu.h>
#include <proc/futex.h>
#include <proc/syscall.h>

/* What a thread handle from THREAD_CREATE allows: join it, pass it on. */
#define THREAD_HANDLE_RIGHTS                                                                       \
	(RAE_RIGHT_READ | RAE_RIGHT_WAIT | RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE |                \
	 RAE_RIGHT_TRANSFER)

int64_t sys_thread_create(rae_thread_entry_t entry, uint64_t arg, uint64_t stack_top)
{
	rae_status_t st;
	kobject_t *obj;
	thread_t *t =
	    process_thread_create(self_proc(), (uintptr_t)entry, arg, stack_top, &obj, &st);
	return t ? sys_handle_install(obj, THREAD_HANDLE_RIGHTS) : st;
}

int64_t sys_thread_exit(int code)
{
	thread_exit(code);
}

int64_t sys_thread_join(rae_handle_t h, int *code)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(thread_join, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	int result = 0;
	st = process_thread_join((thread_object_t *)obj, &result);
	kobject_unref(obj);
	if (st == RAE_OK && code && copy_to_user(code, &result, sizeof(result)) != RAE_OK)
		return RAE_ERR_FAULT;
	return st;
}

int64_t sys_sleep_ns(uint64_t ns)
{
	thread_sleep_ns(ns);
	return RAE_OK;
}

int64_t sys_yield(void)
{
	thread_yield();
	return RAE_OK;
}

int64_t sys_set_rt(uint64_t budget_ns, uint64_t period_ns)
{
	if (budget_ns == 0 && period_ns == 0)
		return thread_set_ts(thread_current(), 0);
	return thread_set_rt(thread_current(), budget_ns, period_ns);
}

int64_t sys_set_affinity(uint64_t cpu_mask)
{
	return thread_set_affinity(thread_current(), cpu_mask);
}

int64_t sys_set_tls_base(uint64_t base)
{
	return hal_user_set_tls_base(base);
}

int64_t sys_futex_wait(const volatile uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	return futex_wait(self_proc()->as, (uintptr_t)addr, expected, sys_deadline(timeout_ns));
}

int64_t sys_futex_wake(const volatile uint32_t *addr, uint64_t count)
{
	return futex_wake(self_proc()->as, (uintptr_t)addr, count);
}
