/* The scheduler: one run queue per CPU (policy in sched/policy.h), timer
 * preemption, wake-up placement and core isolation. */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <rae/status.h>

struct cpu;
struct thread;
struct interrupt_frame;

/* Turns the calling context into this CPU's first thread and creates its
 * idle thread. Boot CPU (the caller becomes the "main" thread) and each
 * application processor (the caller becomes idle). Interrupts off. */
void sched_init_boot_cpu(void);
NORETURN void sched_run_ap(void);

/* Picks the next thread on this CPU and switches to it. Any thread context;
 * returns when the caller runs again. */
void sched_schedule(void);

/* Gives the CPU to another runnable thread of this CPU if there is one
 * (time-sharing: the caller goes behind the others), else returns. */
void sched_yield(void);

/* Scheduling-context donation, the IPC switches (L4's direct switch with
 * seL4's scheduling contexts): sched_donate_check/_to and
 * sched_return_check/_to in sched/sched_cpu.h. A caller hands the CPU to a
 * blocked time-sharing receiver of this CPU together with its scheduling
 * context (the receiver runs charged to the caller, with its class, budget
 * and deadline, so a real-time caller is served at its own priority, and
 * no run-queue or timer work is done); the reply hands both back. */

/* Called at the end of every interrupt: preempts the interrupted thread if
 * the scheduler asked for it and the interrupted code allows it. */
void sched_interrupt_exit(bool interrupts_were_on);

/* On the way back to user mode from a system call: switches when the
 * scheduler asked for it (a wake-up on this CPU, a tick that found the
 * thread holding a lock) and no tick is armed to act on it later. Without
 * it a thread alone on its CPU that woke another there, then ran on in
 * user mode, kept the CPU until it blocked: the woken thread waited with
 * no interrupt to come. With a tick armed the switch waits for the tick, so
 * a server that has just replied to a caller reaches its next receive
 * before the caller's next call (donation then serves that call too). */
void sched_syscall_exit(void);

/* Places a runnable thread on a run queue and preempts if it should. */
void sched_enqueue_thread(struct thread *t, bool wakeup);

/* Core isolation: an isolated CPU runs only threads pinned to it and
 * receives no device interrupts. CPU 0 cannot be isolated (it takes the
 * device interrupts). RAE_ERR_INVALID for CPU 0 or an offline CPU. */
rae_status_t sched_set_isolated(unsigned cpu, bool isolated);

/* Changes `t`'s class (time-sharing with `nice`, or real-time with a CBS
 * budget and period, admitted on its CPU and pinned there). Errors as
 * thread_set_rt / thread_set_ts. */
rae_status_t sched_set_params(struct thread *t, bool rt, int nice, uint64_t budget,
			      uint64_t period);

/* The first thread a new CPU-bound thread runs (from context.S). */
NORETURN void sched_thread_start(struct thread *t);

/* Timestamp ticks the threads of `p` have run since they last got a CPU,
 * summed over the CPUs running one of them now: what process_t.cpu_ticks
 * does not hold yet. Read without locks, for reports (a switch meanwhile
 * may count a slice twice or not at all). Any context. */
struct process;
uint64_t sched_running_ticks(const struct process *p);
/* Stops charging time to `p` on every CPU that still would at its next
 * accounted switch (after a donated call, a CPU's account may name a
 * process whose threads have all ended). Before p's struct is freed; no
 * run-queue lock held. */
void sched_forget_process(const struct process *p);

/* Runnable threads on `cpu` (for placement and reports). */
unsigned sched_nr_running(unsigned cpu);

#endif
