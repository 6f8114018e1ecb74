/* Cross-CPU calls built on inter-processor interrupts: run a function on
 * another CPU, flush TLBs everywhere (shootdown), poke a CPU to reschedule. */
#ifndef SMP_SMP_H
#define SMP_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/phys.h>

typedef void (*smp_call_fn)(void *arg);

/* Runs fn(arg) on CPU `cpu` in interrupt context; with `wait`, returns
 * after it finished. Call with interrupts enabled (a CPU waiting with
 * interrupts off could deadlock against a call aimed at it). Calling it
 * for this CPU runs fn directly. Returns false for an offline CPU. */
bool smp_call_on(unsigned cpu, smp_call_fn fn, void *arg, bool wait);

/* Runs fn(arg) on every other online CPU and waits for all of them. */
void smp_call_others(smp_call_fn fn, void *arg);

/* Runs fn(arg) on this CPU while every other online CPU waits in its call
 * IPI with interrupts off, touching no device: for a change that no other
 * CPU's access may meet halfway (a PCI function's decoding turned off and
 * its BARs moved to be sized, under which QEMU's TCG crashes when another
 * CPU's device access races the memory map change, and a real CPU's access
 * would go astray). fn runs with interrupts off; it may take spinlocks of a
 * level above LOCK_LEVEL_SMP_CALL, which no waiting CPU can hold (they were
 * interrupted with interrupts on). Interrupts on, no spinlock held. */
void smp_run_alone(smp_call_fn fn, void *arg);

/* Invalidates [va, va+size) in every CPU's TLB: this one directly, the
 * others by IPI, returning once all have done it. Interrupts enabled. */
void tlb_shootdown(uintptr_t va, uint64_t size);

/* Invalidates [va, va+size) in the TLB of every CPU that has the page
 * tables `root` loaded (hal_pt_root_on), this one included, and returns
 * once all have done it. The caller changed the entries first; a CPU that
 * loads `root` later sees them. Interrupts enabled. */
void tlb_shootdown_space(paddr_t root, uintptr_t va, uint64_t size);

/* Asks `cpu` to reschedule (for now: counts the IPI). */
void smp_send_reschedule(unsigned cpu);

/* The handlers the architecture's IPI vectors call. Interrupts off. */
void smp_handle_call_ipi(void);
void smp_handle_reschedule_ipi(void);

/* Largest TSC skew seen by the warp test across all CPUs (ticks). */
uint64_t smp_tsc_warp_test(unsigned iterations);

#endif
