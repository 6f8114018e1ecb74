/* Children and signals between processes: the program's table of the
 * children posix_spawn started (a process handle each), wait4 over
 * RAE_SYS_WAIT (RAE_WAIT_NOHANG for WNOHANG; RAE_SYS_PROCESS_WATCH to
 * sleep until any of several children ends), kill over RAE_SYS_KILL for
 * a child and RAE_SYS_JOB_PROCESS for any other process in the program's
 * job tree (authority over a job is authority over its processes).
 *
 * Statuses are Linux's: an exit code c is (c & 0xff) << 8; a process the
 * kernel ended (RAE_EXIT_KILLED) reads as killed by SIGKILL, one ended for
 * a fault (RAE_EXIT_KILLED_FAULT) as killed by SIGSEGV. Every signal that
 * terminates by default ends the target at once (RaeCore has one way to
 * end a process), so a child killed with SIGTERM reports SIGKILL; signals
 * ignored by default do nothing, and there are no stopped processes
 * (SIGSTOP and SIGTSTP are ENOSYS). Process groups do not exist: waitpid
 * with 0 or -pgid waits for any child, kill of a group is ENOSYS. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <rae.h>
#include <rae_startup.h>
#include "posix.h"

#define CHILDREN_MAX 64 /* one notification bit each for waitpid(-1) */

typedef struct {
	rae_handle_t h; /* 0: free */
	int pid;
	int foreground;
	int watched; /* PROCESS_WATCH set on watch_notify's bit for this slot */
} child_t;

static child_t children[CHILDREN_MAX];
static rae_handle_t watch_notify;
/* Guards children and watch_notify; never held across a wait. */
static volatile int child_lock;

rae_startup_t *rae_posix_startup(void);

static void lock_take(void)
{
	while (__atomic_exchange_n(&child_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
}

static void lock_drop(void)
{
	__atomic_store_n(&child_lock, 0, __ATOMIC_RELEASE);
}

long rae_posix_child_add(rae_handle_t process, int foreground)
{
	int64_t pid = rae_sys_process_id(process);
	if (pid < 0)
		return rae_posix_errno(pid);
	lock_take();
	for (int i = 0; i < CHILDREN_MAX; i++) {
		if (!children[i].h) {
			children[i] =
			    (child_t){.h = process, .pid = (int)pid, .foreground = foreground};
			lock_drop();
			return pid;
		}
	}
	lock_drop();
	return -EAGAIN;
}

long rae_posix_getppid(void)
{
	return rae_posix_parent_pid;
}

static int status_linux(int st)
{
	if (st == RAE_EXIT_KILLED)
		return SIGKILL;
	if (st == RAE_EXIT_KILLED_FAULT)
		return SIGSEGV;
	return (st & 0xff) << 8;
}

/* Child slot i ended with kernel status st: frees the slot and, when it
 * held the console's foreground, takes it back. Returns its pid. */
static int child_reap(int i, int st, int *status)
{
	lock_take();
	child_t c = children[i];
	children[i].h = 0;
	lock_drop();
	rae_sys_handle_close(c.h);
	if (c.foreground)
		rae_posix_console_take_foreground();
	if (status)
		*status = status_linux(st);
	return c.pid;
}

/* 1 and the status when child i has ended, 0 when it runs, or an errno. */
static long child_poll(int i, int *st)
{
	lock_take();
	rae_handle_t h = children[i].h;
	lock_drop();
	if (!h)
		return 0;
	int64_t r = rae_sys_wait_flags(h, st, RAE_WAIT_NOHANG);
	if (r == RAE_OK)
		return 1;
	if (r == RAE_ERR_TIMED_OUT)
		return 0;
	return rae_posix_errno(r);
}

/* Sets a watch on every child without one; 0, or an errno when the kernel
 * cannot watch (the caller then polls). */
static long children_watch(void)
{
	lock_take();
	if (!watch_notify) {
		rae_status_t st = rae_notify_create(&watch_notify);
		if (st != RAE_OK) {
			lock_drop();
			return rae_posix_errno(st);
		}
	}
	long r = 0;
	for (int i = 0; i < CHILDREN_MAX && !r; i++) {
		if (!children[i].h || children[i].watched)
			continue;
		int64_t st = rae_sys_process_watch(children[i].h, watch_notify, 1ull << i);
		if (st == RAE_OK)
			children[i].watched = 1;
		else
			r = rae_posix_errno(st);
	}
	lock_drop();
	return r;
}

static long wait_one(int i, int *status, int nohang)
{
	lock_take();
	rae_handle_t h = children[i].h;
	lock_drop();
	int st = 0;
	int64_t r = rae_sys_wait_flags(h, &st, nohang ? RAE_WAIT_NOHANG : 0);
	if (r == RAE_ERR_TIMED_OUT && nohang)
		return 0;
	if (r != RAE_OK)
		return r == RAE_ERR_PEER_CLOSED ? -EINTR : rae_posix_errno(r);
	return child_reap(i, st, status);
}

static long wait_any(int *status, int nohang)
{
	for (;;) {
		int any = 0;
		for (int i = 0; i < CHILDREN_MAX; i++) {
			int st = 0;
			long r = child_poll(i, &st);
			if (r < 0)
				return r;
			if (r == 1)
				return child_reap(i, st, status);
			any |= children[i].h != 0;
		}
		if (!any)
			return -ECHILD;
		if (nohang)
			return 0;
		if (children_watch() == 0) {
			int64_t bits = rae_sys_notify_wait(watch_notify, RAE_TIMEOUT_NEVER);
			if (bits < 0 && bits != RAE_ERR_TIMED_OUT)
				return rae_posix_errno(bits);
		} else {
			rae_sys_sleep_ns(10000000); /* no watches: poll */
		}
	}
}

long rae_posix_wait4(int pid, int *status, int options, void *rusage)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED))
		return -EINVAL;
	if (rusage)
		memset(rusage, 0, sizeof(struct rusage));
	int nohang = (options & WNOHANG) != 0;
	if (pid <= 0)
		return wait_any(status, nohang);
	int slot = -1;
	lock_take();
	for (int i = 0; i < CHILDREN_MAX && slot < 0; i++) {
		if (children[i].h && children[i].pid == pid)
			slot = i;
	}
	lock_drop();
	return slot < 0 ? -ECHILD : wait_one(slot, status, nohang);
}

/* What a signal does by default: 0 nothing, 1 end the process. */
static int sig_terminates(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT: return 0;
	default: return 1;
	}
}

/* A signal to this process itself (kill(getpid()), raise): a handler
 * runs now on the calling thread, the default ends the process with
 * 128 + sig. */
static long kill_self(int sig)
{
	int restart;
	void *h = rae_posix_sig_handler(sig, &restart);
	if (sig == SIGKILL || (h == SIG_DFL && sig_terminates(sig))) {
		rae_posix_file_fini();
		rae_sys_exit(128 + (uint64_t)sig);
	}
	if (h != SIG_DFL && h != SIG_IGN)
		((void (*)(int))h)(sig);
	return 0;
}

long rae_posix_kill(int pid, int sig)
{
	if (sig < 0 || sig >= _NSIG)
		return -EINVAL;
	if (pid <= 0)
		return -ENOSYS; /* no process groups */
	if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return -ENOSYS; /* no stopped processes */
	if (pid == rae_sys_getpid())
		return sig ? kill_self(sig) : 0;
	rae_handle_t h = 0;
	int owned = 0;
	lock_take();
	for (int i = 0; i < CHILDREN_MAX; i++) {
		if (children[i].h && children[i].pid == pid)
			h = children[i].h;
	}
	lock_drop();
	if (!h) {
		rae_handle_t job = rae_startup_handle(rae_posix_startup(), RAE_ROLE_JOB);
		if (!job)
			return -ESRCH; /* no authority over any process but children */
		rae_status_t st = rae_job_process(job, (uint64_t)pid, &h);
		if (st == RAE_ERR_NOT_FOUND)
			return -ESRCH;
		if (st != RAE_OK)
			return st == RAE_ERR_ACCESS_DENIED ? -EPERM : rae_posix_errno(st);
		owned = 1;
	}
	long r = 0;
	if (sig && sig_terminates(sig)) {
		int64_t st = rae_sys_kill(h);
		r = st == RAE_OK ? 0 : st == RAE_ERR_ACCESS_DENIED ? -EPERM : rae_posix_errno(st);
	}
	if (owned)
		rae_sys_handle_close(h);
	return r;
}
