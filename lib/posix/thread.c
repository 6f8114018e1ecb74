/* Threads for musl: clone (as pthread_create uses it), thread exit with the
 * clear-and-wake of the child's tid word that pthread_join waits for,
 * thread ids, the thread pointer (arch_prctl), futexes and the signal mask.
 *
 * A thread is a RaeCore thread (THREAD_CREATE) on the stack musl gives,
 * started by rae_thread_entry, which sets its FS base (SET_TLS_BASE) before
 * any C code runs. RaeCore threads must be joined to free their slot (64
 * per process), so each ended thread's slot is marked EXITED and the next
 * clone joins it. Thread ids are the runtime's: the main thread's is the
 * process id, the others RAE_TID_BASE plus their slot. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include "posix.h"

#define THREADS_MAX  63 /* the kernel's 64 threads per process, less the main thread */
#define RAE_TID_BASE (1 << 29)

#define FUTEX_WAIT           0
#define FUTEX_WAKE           1
#define FUTEX_REQUEUE        3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_ANY     0xffffffffu

#define ARCH_SET_FS 0x1002

enum { SLOT_FREE, SLOT_RUNNING, SLOT_EXITED, SLOT_REAPING };

typedef struct {
	int state;         /* SLOT_*, atomic */
	rae_handle_t ktid; /* the RaeCore thread; 0 until its creator stored it */
	int (*func)(void *);
	void *arg;
	uintptr_t tls;
	int *ctid; /* CLONE_CHILD_CLEARTID / _SETTID */
	unsigned flags;
	uint64_t sigmask; /* inherited from the creator */
} thread_slot_t;

static thread_slot_t slots[THREADS_MAX];

/* Per thread (thread-local storage, valid once the FS base is set). */
static __thread int self_slot = -1;    /* -1: the main thread */
static __thread int *self_ctid;        /* cleared and woken at the end */
static __thread uint64_t self_sigmask; /* kept; no signal is delivered */

/* Ends the calling thread: frees [unmap, unmap + len) if unmap is not 0,
 * stores 0 at *ctid and wakes its waiters if ctid is not 0, then
 * THREAD_EXIT(code). Uses no stack (thread_end.S). */
__attribute__((noreturn)) void rae_thread_end(int *ctid, int code, void *unmap, size_t len);
void rae_thread_entry(uint64_t slot);
void rae_thread_start(long slot);
int __rae_clone(int (*func)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
		int *ctid);
void __rae_unmapself(void *base, size_t size);

/* Joins the RaeCore threads of ended threads, freeing their slots. */
static void reap_exited(void)
{
	for (int i = 0; i < THREADS_MAX; i++) {
		int want = SLOT_EXITED;
		if (!__atomic_compare_exchange_n(&slots[i].state, &want, SLOT_REAPING, 0,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		rae_handle_t k;
		while (!(k = __atomic_load_n(&slots[i].ktid, __ATOMIC_ACQUIRE)))
			rae_sys_yield(); /* its creator is storing it */
		rae_sys_thread_join(k, 0);
		slots[i].ktid = 0;
		__atomic_store_n(&slots[i].state, SLOT_FREE, __ATOMIC_RELEASE);
	}
}

static int slot_alloc(void)
{
	for (int i = 0; i < THREADS_MAX; i++) {
		int want = SLOT_FREE;
		if (__atomic_compare_exchange_n(&slots[i].state, &want, SLOT_RUNNING, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return i;
	}
	return -1;
}

int __rae_clone(int (*func)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
		int *ctid)
{
	/* Only threads: a new process is not made by cloning this one. */
	const int need = CLONE_VM | CLONE_THREAD | CLONE_SETTLS;
	if ((flags & need) != need)
		return -ENOSYS;
	reap_exited();
	int i = slot_alloc();
	if (i < 0)
		return -EAGAIN;
	thread_slot_t *s = &slots[i];
	s->func = func;
	s->arg = arg;
	s->tls = (uintptr_t)tls;
	s->ctid = ctid;
	s->flags = (unsigned)flags;
	s->sigmask = self_sigmask;
	int tid = RAE_TID_BASE + i;
	if (flags & CLONE_PARENT_SETTID)
		*ptid = tid;
	rae_handle_t k;
	rae_status_t st = rae_thread_create(rae_thread_entry, (uint64_t)i, (uintptr_t)stack, &k);
	if (st != RAE_OK) {
		__atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_RELEASE);
		return st == RAE_ERR_NO_MEMORY ? -ENOMEM : -EAGAIN;
	}
	__atomic_store_n(&s->ktid, k, __ATOMIC_RELEASE);
	return tid;
}

/* The new thread's first C code, once rae_thread_entry is on its stack. */
void rae_thread_start(long slot)
{
	thread_slot_t *s = &slots[slot];
	if (rae_sys_set_tls_base(s->tls) != RAE_OK) {
		__atomic_store_n(&s->state, SLOT_EXITED, __ATOMIC_RELEASE);
		rae_thread_end(NULL, 127, NULL, 0); /* no thread pointer: nothing can run */
	}
	self_slot = (int)slot;
	self_sigmask = s->sigmask;
	if (s->flags & CLONE_CHILD_CLEARTID)
		self_ctid = s->ctid;
	if (s->flags & CLONE_CHILD_SETTID)
		*s->ctid = RAE_TID_BASE + (int)slot;
	rae_posix_exit_thread(s->func(s->arg));
}

long rae_posix_exit_thread(int code)
{
	int i = self_slot;
	int *ctid = self_ctid;
	if (i >= 0)
		__atomic_store_n(&slots[i].state, SLOT_EXITED, __ATOMIC_RELEASE);
	rae_thread_end(ctid, code, NULL, 0);
}

void __rae_unmapself(void *base, size_t size)
{
	int i = self_slot;
	int *ctid = self_ctid;
	if (i >= 0)
		__atomic_store_n(&slots[i].state, SLOT_EXITED, __ATOMIC_RELEASE);
	rae_thread_end(ctid, 0, base, size);
}

long rae_posix_gettid(void)
{
	int i = self_slot;
	return i < 0 ? rae_sys_getpid() : RAE_TID_BASE + i;
}

long rae_posix_set_tid_address(int *ctid)
{
	self_ctid = ctid;
	return rae_posix_gettid();
}

long rae_posix_arch_prctl(int code, uintptr_t addr)
{
	if (code != ARCH_SET_FS)
		return -EINVAL;
	return rae_sys_set_tls_base(addr) == RAE_OK ? 0 : -EPERM;
}

static long futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	int64_t st = rae_sys_futex_wait(addr, val, timeout_ns);
	switch (st) {
	case RAE_OK: return 0;
	case RAE_FUTEX_CHANGED: return -EAGAIN;
	case RAE_ERR_TIMED_OUT: return -ETIMEDOUT;
	case RAE_ERR_PEER_CLOSED: return -EINTR;
	default: return rae_posix_errno(st);
	}
}

static long futex_wake(uint32_t *addr, uint64_t count)
{
	int64_t n = rae_sys_futex_wake(addr, count);
	return n < 0 ? rae_posix_errno(n) : (long)n;
}

/* FUTEX_WAIT_BITSET's absolute timeout as a relative one. */
static int64_t futex_deadline_to_timeout(const void *abs, int realtime)
{
	int64_t at = rae_posix_timespec_ns(abs);
	if (at < 0)
		return at;
	struct timespec now;
	rae_posix_clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
	int64_t n = now.tv_sec * 1000000000ll + now.tv_nsec;
	return at > n ? at - n : 0;
}

long rae_posix_futex(uint32_t *addr, int op, uint32_t val, const void *timeout, uint32_t *addr2,
		     uint32_t val3)
{
	(void)addr2;
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	int64_t ns = -1;
	switch (cmd) {
	case FUTEX_WAIT:
		if (timeout && (ns = rae_posix_timespec_ns(timeout)) < 0)
			return ns;
		return futex_wait(addr, val, timeout ? (uint64_t)ns : RAE_TIMEOUT_NEVER);
	case FUTEX_WAIT_BITSET:
		if (val3 != FUTEX_BITSET_ANY)
			return -EINVAL; /* only whole-word waits */
		if (timeout &&
		    (ns = futex_deadline_to_timeout(timeout, op & FUTEX_CLOCK_REALTIME)) < 0)
			return ns;
		return futex_wait(addr, val, timeout ? (uint64_t)ns : RAE_TIMEOUT_NEVER);
	case FUTEX_WAKE: return futex_wake(addr, val);
	case FUTEX_WAKE_BITSET: return val3 == FUTEX_BITSET_ANY ? futex_wake(addr, val) : -EINVAL;
	case FUTEX_CMP_REQUEUE:
		if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != val3)
			return -EAGAIN;
		/* fall through */
	case FUTEX_REQUEUE:
		/* Waking the waiters instead of moving them to addr2 is always
		 * correct (a woken waiter rechecks and waits again), only
		 * slower. The count to requeue comes in the timeout slot. */
		return futex_wake(addr, (uint64_t)val + (uint64_t)(uintptr_t)timeout);
	default: return -ENOSYS;
	}
}

long rae_posix_sigprocmask(int how, const uint64_t *set, uint64_t *old, size_t size)
{
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t mask = self_sigmask;
	if (set) {
		switch (how) {
		case SIG_BLOCK: mask |= *set; break;
		case SIG_UNBLOCK: mask &= ~*set; break;
		case SIG_SETMASK: mask = *set; break;
		default: return -EINVAL;
		}
	}
	if (old)
		*old = self_sigmask;
	/* SIGKILL and SIGSTOP cannot be blocked. */
	self_sigmask = mask & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	return 0;
}
