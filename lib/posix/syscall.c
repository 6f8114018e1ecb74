/* The system-call switch of the POSIX runtime: every system call musl makes
 * arrives here with its Linux number (musl's patched syscall layer, see
 * ports/musl). Each number RaeenOS serves goes to its handler; every other
 * one returns -ENOSYS, and nothing here trusts an argument more than the
 * kernel would. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "posix.h"

long rae_posix_errno(int64_t status)
{
	switch (status) {
	case RAE_ERR_INVALID:
	case RAE_ERR_RANGE: return -EINVAL;
	case RAE_ERR_NO_MEMORY:
	case RAE_ERR_LIMIT: return -ENOMEM;
	case RAE_ERR_NOT_FOUND: return -ENOENT;
	case RAE_ERR_UNSUPPORTED: return -ENOSYS;
	case RAE_ERR_FAULT: return -EFAULT;
	case RAE_ERR_BAD_HANDLE:
	case RAE_ERR_WRONG_TYPE: return -EBADF;
	case RAE_ERR_ACCESS_DENIED: return -EACCES;
	case RAE_ERR_PEER_CLOSED: return -EPIPE;
	case RAE_ERR_TIMED_OUT: return -ETIMEDOUT;
	case RAE_ERR_BUSY: return -EBUSY;
	default: return -EIO;
	}
}

static long posix_uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "RaeenOS");
	strcpy(u->nodename, "raeenos");
	strcpy(u->release, "0.1.0");
	strcpy(u->version, "RaeCore");
	strcpy(u->machine, "x86_64");
	strcpy(u->domainname, "(none)");
	return 0;
}

static long posix_getrandom(uint8_t *buf, size_t len, unsigned flags)
{
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM))
		return -EINVAL;
	size_t done = 0;
	while (done < len) {
		size_t n = len - done < RAE_RANDOM_MAX ? len - done : RAE_RANDOM_MAX;
		int64_t r = rae_sys_random((buf + done), n);
		if (r < 0)
			return done ? (long)done : rae_posix_errno(r);
		done += n;
	}
	return (long)done;
}

/* Signal dispositions are kept and reported back. RaeenOS delivers no
 * signals: a handler set here runs only when the runtime calls it (SIGINT
 * from the console's Ctrl-C, on a runtime thread: console.c). The layout is the kernel's
 * (struct k_sigaction in musl's ksigaction.h). */
typedef struct {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
} posix_ksigaction_t;

static posix_ksigaction_t sig_actions[_NSIG];
static volatile int sig_lock;

static long posix_sigaction(int sig, const posix_ksigaction_t *act, posix_ksigaction_t *old,
			    size_t size)
{
	if (sig < 1 || sig >= _NSIG || size != sizeof(uint64_t))
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	while (__atomic_exchange_n(&sig_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
	if (old)
		*old = sig_actions[sig];
	if (act)
		sig_actions[sig] = *act;
	__atomic_store_n(&sig_lock, 0, __ATOMIC_RELEASE);
	return 0;
}

void *rae_posix_sig_handler(int sig, int *restart)
{
	if (sig < 1 || sig >= _NSIG) {
		*restart = 0;
		return NULL;
	}
	while (__atomic_exchange_n(&sig_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
	void *h = sig_actions[sig].handler;
	*restart = (sig_actions[sig].flags & SA_RESTART) != 0;
	__atomic_store_n(&sig_lock, 0, __ATOMIC_RELEASE);
	return h;
}

long __rae_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	switch (n) {
	case SYS_read: return rae_fd_read((int)a, (void *)b, (size_t)c);
	case SYS_write: return rae_fd_write((int)a, (const void *)b, (size_t)c);
	case SYS_readv: return rae_fd_readv((int)a, (const void *)b, (int)c);
	case SYS_writev: return rae_fd_writev((int)a, (const void *)b, (int)c);
	case SYS_close: return rae_fd_close((int)a);
	case SYS_ioctl: return rae_fd_ioctl((int)a, (unsigned long)b, (void *)c);
	case SYS_lseek: return rae_fd_lseek((int)a, b, (int)c);
	case SYS_dup: return rae_fd_dup((int)a);
	case SYS_dup2: return rae_fd_dup3((int)a, (int)b, 0, 1);
	case SYS_dup3: return rae_fd_dup3((int)a, (int)b, (int)c, 0);
	case SYS_fcntl: return rae_fd_fcntl((int)a, (int)b, c);
	case SYS_mmap: return rae_posix_mmap((uintptr_t)a, (size_t)b, (int)c, (int)d, (int)e, f);
	case SYS_munmap: return rae_posix_munmap((uintptr_t)a, (size_t)b);
	case SYS_mprotect: return rae_posix_mprotect((uintptr_t)a, (size_t)b, (int)c);
	case SYS_brk: return rae_posix_brk((uintptr_t)a);
	case SYS_clock_gettime: return rae_posix_clock_gettime((int)a, (void *)b);
	case SYS_clock_getres: return rae_posix_clock_getres((int)a, (void *)b);
	case SYS_nanosleep: return rae_posix_nanosleep((const void *)a, (void *)b);
	case SYS_clock_nanosleep:
		return rae_posix_clock_nanosleep((int)a, (int)b, (const void *)c, (void *)d);
	case SYS_getpid: return rae_sys_getpid();
	case SYS_gettid: return rae_posix_gettid();
	case SYS_set_tid_address: return rae_posix_set_tid_address((int *)a);
	case SYS_exit: return rae_posix_exit_thread((int)a);
	case SYS_exit_group:
		rae_posix_file_fini();
		rae_sys_exit((uint64_t)(a & 0xff));
		__builtin_unreachable();
	case SYS_arch_prctl: return rae_posix_arch_prctl((int)a, (uintptr_t)b);
	case SYS_futex:
		return rae_posix_futex((uint32_t *)a, (int)b, (uint32_t)c, (const void *)d,
				       (uint32_t *)e, (uint32_t)f);
	case SYS_sched_yield: return rae_sys_yield() < 0 ? -EINVAL : 0;
	case SYS_rt_sigprocmask:
		return rae_posix_sigprocmask((int)a, (const uint64_t *)b, (uint64_t *)c, (size_t)d);
	case SYS_rt_sigaction:
		return posix_sigaction((int)a, (const posix_ksigaction_t *)b,
				       (posix_ksigaction_t *)c, (size_t)d);
	case SYS_getrandom: return posix_getrandom((uint8_t *)a, (size_t)b, (unsigned)c);
	case SYS_uname: return posix_uname((struct utsname *)a);
	case SYS_pipe: return rae_posix_pipe2((int *)a, 0);
	case SYS_pipe2: return rae_posix_pipe2((int *)a, (int)b);
	case SYS_wait4: return rae_posix_wait4((int)a, (int *)b, (int)c, (void *)d);
	case SYS_kill: return rae_posix_kill((int)a, (int)b);
	case SYS_tkill: /* raise(): threads share the process's dispositions */
		return rae_posix_kill((int)rae_sys_getpid(), (int)b);
	case SYS_getppid: return rae_posix_getppid();
	default: {
		int handled;
		long r = rae_posix_file_call(n, a, b, c, d, e, &handled);
		return handled ? r : -ENOSYS;
	}
	}
}
