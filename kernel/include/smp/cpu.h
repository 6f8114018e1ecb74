/* Per-CPU data. Each CPU reaches its own cpu_t through this_cpu(), which
 * the architecture implements with a per-CPU base register (GS on x86). */
#ifndef SMP_CPU_H
#define SMP_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/cpu.h>

#define CPU_MAX            64
#define CPU_MAX_HELD_LOCKS 8

struct spinlock;

typedef struct cpu {
	struct cpu *self; /* must stay first: this_cpu() reads it at offset 0 */
	/* The kernel stack top for the next entry from user mode, and where the
	 * entry parks the user stack pointer. syscall.S reads them at %gs:8 and
	 * %gs:16 (CPU_OFFSET_* below). */
	uintptr_t syscall_stack;
	uintptr_t user_rsp_scratch;
	unsigned id;    /* logical number; 0 is the boot CPU */
	uint32_t hw_id; /* the interrupt controller's id (APIC ID) */
	volatile bool online;
	void *arch; /* the architecture's per-CPU state */
	/* Spinlocks this CPU holds, innermost last (lock-order checks). Only
	 * this CPU touches these. */
	const struct spinlock *held[CPU_MAX_HELD_LOCKS];
	unsigned held_count;
	/* Counters for tests and reports. */
	volatile uint64_t ipis_received;
	volatile uint64_t timer_interrupts;
	volatile uint64_t device_interrupts; /* IOAPIC/PIC vectors handled here */
	/* Scheduling: what runs here now, the idle thread, and whether the
	 * scheduler must run at the next chance. Only this CPU writes them,
	 * with interrupts off. */
	struct thread *current;
	struct thread *idle;
	volatile bool need_resched;
	/* Non-zero while this CPU holds a spinlock (no preemption then). */
	unsigned preempt_off;
	bool isolated; /* isolcpus: runs only threads pinned to it */
} cpu_t;

#define CPU_OFFSET_SYSCALL_STACK 8
#define CPU_OFFSET_USER_RSP      16
_Static_assert(__builtin_offsetof(cpu_t, syscall_stack) == CPU_OFFSET_SYSCALL_STACK, "syscall.S");
_Static_assert(__builtin_offsetof(cpu_t, user_rsp_scratch) == CPU_OFFSET_USER_RSP, "syscall.S");

extern cpu_t cpus[CPU_MAX];
/* CPUs the firmware lists (possible), and how many are running. */
extern unsigned cpu_possible_count;
extern volatile unsigned cpu_online_count;
/* Set once the boot CPU's per-CPU base is loaded. */
extern bool cpu_percpu_ready;

/* This CPU's data; NULL before cpu_percpu_ready. Stable only while
 * preemption is impossible (interrupts off or no scheduler yet). */
static inline cpu_t *this_cpu(void)
{
	return cpu_percpu_ready ? (cpu_t *)hal_this_cpu() : NULL;
}

/* The cpu_t whose hw_id is `hw_id`, or NULL. */
cpu_t *cpu_by_hw_id(uint32_t hw_id);

#endif
