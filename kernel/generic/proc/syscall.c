/* The system call table and its handlers. Every argument comes from user
 * mode and is checked here: pointers only through the user-copy helpers,
 * numbers against their ranges. An unknown number is RAE_ERR_UNSUPPORTED. */
#include <console/kprintf.h>
#include <hal/cpu.h>
#include <mm/usercopy.h>
#include <proc/process.h>
#include <rae/syscall.h>
#include <sched/thread.h>
#include <smp/cpu.h>
#include <time/clock.h>

typedef struct syscall_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx, r9, r8, r10, rdx, rsi, rdi, nr;
	uint64_t rip, cs, rflags, rsp, ss;
} syscall_frame_t;

#define DEBUG_WRITE_MAX 4096
#define SPAWN_PATH_MAX  128

typedef int64_t (*syscall_fn)(syscall_frame_t *f);

static process_t *self_proc(void)
{
	return thread_current()->proc;
}

static int64_t sys_debug_write(syscall_frame_t *f)
{
	char buf[256];
	uint64_t len = f->rsi, done = 0;
	if (len > DEBUG_WRITE_MAX)
		return RAE_ERR_RANGE;
	while (done < len) {
		uint64_t chunk = len - done > sizeof(buf) ? sizeof(buf) : len - done;
		if (copy_from_user(buf, (const void *)(f->rdi + done), chunk) != RAE_OK)
			return RAE_ERR_FAULT;
		kputs_n(buf, chunk);
		done += chunk;
	}
	return (int64_t)len;
}

static int64_t sys_process_exit(syscall_frame_t *f)
{
	process_kill(self_proc(), (int)f->rdi);
	thread_exit((int)f->rdi);
}

static int64_t sys_thread_create(syscall_frame_t *f)
{
	rae_status_t st;
	thread_t *t = process_thread_create(self_proc(), f->rdi, f->rsi, f->rdx, &st);
	return t ? (int64_t)t->id : st;
}

static int64_t sys_thread_exit(syscall_frame_t *f)
{
	thread_exit((int)f->rdi);
}

static int64_t sys_thread_join(syscall_frame_t *f)
{
	int code = 0;
	rae_status_t st = process_thread_join(self_proc(), (unsigned)f->rdi, &code);
	if (st == RAE_OK && f->rsi && copy_to_user((void *)f->rsi, &code, sizeof(code)) != RAE_OK)
		return RAE_ERR_FAULT;
	return st;
}

static int64_t sys_sleep(syscall_frame_t *f)
{
	thread_sleep_ns(f->rdi);
	return RAE_OK;
}

static int64_t sys_yield(syscall_frame_t *f)
{
	(void)f;
	thread_yield();
	return RAE_OK;
}

static int64_t sys_clock(syscall_frame_t *f)
{
	(void)f;
	return (int64_t)clock_monotonic_ns();
}

static int64_t sys_set_rt(syscall_frame_t *f)
{
	if (f->rdi == 0 && f->rsi == 0)
		return thread_set_ts(thread_current(), 0);
	return thread_set_rt(thread_current(), f->rdi, f->rsi);
}

static int64_t sys_set_affinity(syscall_frame_t *f)
{
	return thread_set_affinity(thread_current(), f->rdi);
}

static int64_t sys_spawn(syscall_frame_t *f)
{
	char path[SPAWN_PATH_MAX];
	long n = strncpy_from_user(path, (const char *)f->rdi, sizeof(path));
	if (n < 0)
		return n;
	rae_status_t st;
	process_t *p = process_spawn(path, self_proc(), &st);
	return p ? (int64_t)p->pid : st;
}

static int64_t sys_wait(syscall_frame_t *f)
{
	process_t *child = process_find_child(self_proc(), (unsigned)f->rdi);
	if (!child)
		return RAE_ERR_NOT_FOUND;
	int status = 0;
	rae_status_t st = process_wait(child, &status);
	if (st == RAE_OK && f->rsi &&
	    copy_to_user((void *)f->rsi, &status, sizeof(status)) != RAE_OK)
		return RAE_ERR_FAULT;
	return st;
}

static int64_t sys_kill(syscall_frame_t *f)
{
	process_t *child = process_find_child(self_proc(), (unsigned)f->rdi);
	if (!child)
		return RAE_ERR_NOT_FOUND;
	process_kill(child, RAE_EXIT_KILLED);
	return RAE_OK;
}

static int64_t sys_getpid(syscall_frame_t *f)
{
	(void)f;
	return self_proc()->pid;
}

static int64_t sys_cpu(syscall_frame_t *f)
{
	(void)f;
	return this_cpu()->id;
}

static const syscall_fn syscall_table[RAE_SYS_COUNT] = {
    [RAE_SYS_DEBUG_WRITE] = sys_debug_write,
    [RAE_SYS_PROCESS_EXIT] = sys_process_exit,
    [RAE_SYS_THREAD_CREATE] = sys_thread_create,
    [RAE_SYS_THREAD_EXIT] = sys_thread_exit,
    [RAE_SYS_THREAD_JOIN] = sys_thread_join,
    [RAE_SYS_SLEEP] = sys_sleep,
    [RAE_SYS_YIELD] = sys_yield,
    [RAE_SYS_CLOCK] = sys_clock,
    [RAE_SYS_SET_RT] = sys_set_rt,
    [RAE_SYS_SET_AFFINITY] = sys_set_affinity,
    [RAE_SYS_SPAWN] = sys_spawn,
    [RAE_SYS_WAIT] = sys_wait,
    [RAE_SYS_KILL] = sys_kill,
    [RAE_SYS_GETPID] = sys_getpid,
    [RAE_SYS_CPU] = sys_cpu,
};

int64_t syscall_dispatch(syscall_frame_t *f);

/* Called from syscall_entry with interrupts off, on the thread's kernel
 * stack. Returns the value for rax. */
int64_t syscall_dispatch(syscall_frame_t *f)
{
	hal_irq_enable();
	process_check_killed();
	int64_t ret = RAE_ERR_UNSUPPORTED;
	if (f->nr < RAE_SYS_COUNT && syscall_table[f->nr])
		ret = syscall_table[f->nr](f);
	process_check_killed();
	return ret;
}
