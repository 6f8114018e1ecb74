/* Threads: a kernel stack, saved registers and extended state, a
 * scheduling entity, CPU affinity, and (for user threads) a process. */
#ifndef SCHED_THREAD_H
#define SCHED_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>
#include <rae/ipc.h>
#include <rae/status.h>
#include <sched/policy.h>
#include <smp/cpu.h>
#include <time/timer.h>

#define THREAD_NAME_MAX     24
#define THREAD_AFFINITY_ALL (~0ull)
/* The finest real-time server RaeenOS accepts: 10 us of budget, 100 us
 * periods (also bounded above by the policy: at most 10 s). */
#define THREAD_RT_MIN_BUDGET_NS 10000ull
#define THREAD_RT_MIN_PERIOD_NS 100000ull

typedef enum {
	THREAD_RUNNABLE, /* on a run queue (running or waiting to) */
	THREAD_BLOCKED,  /* sleeping or waiting; off the run queue */
	THREAD_DEAD,     /* exited; waits for thread_join to free it */
	THREAD_STOPPED,  /* created, not started: only thread_start runs it */
} thread_state_t;

struct process;

typedef struct thread {
	uintptr_t ctx_sp; /* saved kernel stack pointer while switched out */
	uintptr_t kstack_top;
	void *fpu; /* extended state area, aligned */
	void *fpu_alloc;
	unsigned id;
	char name[THREAD_NAME_MAX];
	/* Written only under the lock of the run queue it belongs to (t->cpu's),
	 * by the scheduler and the calls below (thread_block_prepare,
	 * thread_block_cancel, thread_wake, thread_mark_dead); debug builds
	 * assert it. Read anywhere: a reader without that lock sees a value
	 * that may already be changing. */
	volatile thread_state_t state;
	volatile bool on_cpu; /* still running or switching out somewhere */
	sched_entity_t se;
	/* The scheduling context it runs on: &se, or during an IPC call the
	 * caller's (lent by sched_donate_to, given back at the reply or
	 * when this thread blocks). sc_donor is who lent it; a thread whose own
	 * se is lent out (se.owner != this thread) is blocked in its call, and
	 * a wake-up meanwhile only sets wake_pending. Guarded by the run queue
	 * lock of the CPU the lent context is queued on. */
	sched_entity_t *sc;
	struct thread *sc_donor;
	bool wake_pending;
	uint64_t affinity;    /* bit n: may run on CPU n */
	unsigned cpu;         /* the run queue it belongs to */
	struct process *proc; /* NULL for kernel threads */
	void (*entry)(void *arg);
	void *arg;
	ktimer_t sleep_timer;
	uint64_t run_start; /* ns when it last got the CPU */
	int exit_code;
	struct thread *joiner; /* blocked in thread_join on this thread */
	bool is_idle;
	/* Where each CPU it ran on is recorded (tests of affinity/isolation). */
	volatile uint64_t ran_on;
	struct thread *all_next; /* every thread, for ps and lookups */
	/* User threads: the user-mode entry state for the first return. */
	uint64_t user_rip, user_rsp, user_arg;
	/* The user's FS base (x86-64), set only by hal_user_set_tls_base and
	 * loaded when the thread switches in, so a base one thread set never
	 * shows in another. */
	uint64_t user_fs_base;
	/* Objects whose last reference a destroy running on this thread
	 * dropped, waiting for theirs (kobject_release); `releasing` while
	 * that loop runs. Touched only by this thread, interrupts off. */
	struct kobject *dead_objects;
	bool releasing;
	/* Set by the timer when thread_block_until's deadline ended a wait. */
	volatile bool timed_out;
	/* IPC (generic/object/endpoint.c); guarded by the endpoint's lock. */
	struct endpoint *ipc_ep;   /* the endpoint of this thread's call */
	struct ipc_msg *ipc_out;   /* this thread's outgoing call message */
	struct ipc_msg *ipc_in;    /* a call handed to this waiting receiver */
	struct ipc_msg *ipc_reply; /* the reply handed back to this caller */
	struct thread *ipc_caller; /* whose call this thread received */
	/* The endpoint of the call this thread received (a reference), set
	 * with ipc_caller and kept after a killed caller clears that, so the
	 * reply finds the lock without reading the caller, which may be gone.
	 * Dropped by the reply, the next receive or the thread's end. */
	struct endpoint *ipc_reply_ep;
	struct thread *ipc_server; /* who received this thread's call */
	struct thread *ipc_next;   /* link in an endpoint's queue */
	volatile int ipc_state;    /* IPC_* in object/endpoint.h */
	int ipc_status;            /* result of the call for the caller */
	/* Register IPC: the tag and four words of this thread's register call,
	 * in place in its system-call frame (IPC_REG_WORDS of them: its
	 * request until the reply is written over them), valid while the call
	 * lasts; the badge it arrived with; and whether the thread's call is
	 * register-only (no kernel message object). */
	uint64_t *ipc_regs;
	uint64_t ipc_badge;
	/* How long the register IPC calls wait (IPC_SET_TIMEOUT): for a
	 * receiver to take a call, or for a call to arrive. UINT64_MAX: ever. */
	uint64_t ipc_reg_timeout;
	bool ipc_reg;
} thread_t;

/* Creates a kernel thread running fn(arg) and makes it runnable on a CPU in
 * `affinity` (0 means all). Returns NULL when out of memory. */
thread_t *thread_create(const char *name, void (*fn)(void *), void *arg, uint64_t affinity);
/* As thread_create, but does not start it (thread_start does). */
thread_t *thread_create_stopped(const char *name, void (*fn)(void *), void *arg, uint64_t affinity);
void thread_start(thread_t *t);
/* Frees a thread from thread_create_stopped that was never started. */
void thread_discard(thread_t *t);

static inline thread_t *thread_current(void)
{
	/* Only once per-CPU data is up (this_cpu() would be NULL before). */
	return ((cpu_t *)hal_this_cpu())->current;
}

/* Ends the calling thread with `code`; a joiner is woken. */
NORETURN void thread_exit(int code);
/* Waits for `t` to exit, stores its code, and frees it. RAE_ERR_INVALID for
 * joining oneself or a thread someone else joins. */
rae_status_t thread_join(thread_t *t, int *code);
/* The two halves of thread_join. thread_wait_dead makes the caller t's
 * joiner and waits for t to end: RAE_OK (t is dead and still the caller's
 * to reap), RAE_ERR_INVALID as thread_join, or with `killable`
 * RAE_ERR_PEER_CLOSED when the caller's process is killed meanwhile (the
 * caller is t's joiner no more). thread_reap frees a dead t the caller
 * joined, storing its code. */
rae_status_t thread_wait_dead(thread_t *t, bool killable);
void thread_reap(thread_t *t, int *code);

/* Blocks until the monotonic clock reaches `deadline_ns`. */
void thread_sleep_until(uint64_t deadline_ns);
void thread_sleep_ns(uint64_t ns);
void thread_yield(void);

/* Makes a blocked thread runnable (no-op otherwise). Any context. */
void thread_wake(thread_t *t);

/* How a thread goes to sleep (sched/waitq.h builds the usual wait on
 * these). First the caller registers itself where its waker will find it,
 * under that object's lock, and calls thread_block_prepare, still under
 * it: the thread is marked BLOCKED, unless its process was killed, which
 * is checked under the run-queue lock that process_kill's
 * thread_kill_wake takes, so no kill is lost between the check and the
 * sleep (false then: the caller does not wait). Then, with the object's
 * lock dropped, thread_block_until sleeps until thread_wake or the
 * monotonic clock reaches deadline_ns (UINT64_MAX: no deadline); it
 * returns at once if a wake-up already came. It returns true when the
 * deadline ended the wait. The caller rechecks its condition (and the
 * kill) either way. thread_block_cancel takes back a prepare that will
 * not be followed by thread_block_until. A wait that a kill must not end
 * (reaping the threads of a process, which a killed thread may do) uses
 * thread_block_prepare_unkillable, and loops on its condition. */
bool thread_block_prepare(void);
void thread_block_prepare_unkillable(void);
bool thread_block_until(uint64_t deadline_ns);
void thread_block_cancel(void);

/* process_kill's wake-up: a blocked thread is woken (it sees the kill in
 * its wait and returns), a thread running on another CPU is interrupted
 * (it ends at its kernel exit). The caller set `killed` first. */
void thread_kill_wake(thread_t *t);

/* thread_exit's last state change: the caller is DEAD once it switches out. */
void thread_mark_dead(void);

/* Scheduling parameters. set_rt applies admission control on the thread's
 * CPU (RAE_ERR_LIMIT when refused) and pins it there; RAE_ERR_INVALID for
 * a budget or period below the minimums or a budget above the period. */
rae_status_t thread_set_rt(thread_t *t, uint64_t budget_ns, uint64_t period_ns);
rae_status_t thread_set_ts(thread_t *t, int nice);
/* Restricts the CPUs a thread may run on; it moves at its next switch.
 * RAE_ERR_INVALID for a mask with no online CPU. */
rae_status_t thread_set_affinity(thread_t *t, uint64_t mask);

#endif
