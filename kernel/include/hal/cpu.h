/* What generic kernel code may ask of the CPU; each architecture implements
 * these (kernel/arch/<arch>/cpu/). */
#ifndef HAL_CPU_H
#define HAL_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <compiler.h>

/* Inline, from the architecture (they run on every lock and switch):
 *   bool hal_irq_save(void): disables interrupts on this CPU and returns
 *     whether they were enabled;
 *   void hal_irq_restore(bool enabled): re-enables them if `enabled` says
 *     they were;
 *   void hal_irq_enable(void);
 *   struct cpu *hal_this_cpu(void): this CPU's cpu_t, through the per-CPU
 *     base register; only valid once hal_percpu_init ran on this CPU. */
#if defined(__x86_64__)
#include <arch/x86_64/cpu/hal_inline.h>
#else
#error "no HAL for this architecture"
#endif

/* Waits for the next interrupt; returns after it was handled. */
void hal_cpu_idle(void);
/* Waits for an interrupt (HLT; whoever sets *flag for another CPU also
 * interrupts it); returns at once if *flag is already set. */
void hal_cpu_idle_until(volatile bool *flag);

/* Stops this CPU for good: interrupts off, halted. */
NORETURN void hal_cpu_halt_forever(void);

/* Stops every other CPU (the panic path). Safe to call with one CPU. */
void hal_cpu_stop_others(void);

/* Quits the virtual machine with `code` when running under the test
 * harness's QEMU (isa-debug-exit); returns if there is no such device. */
void hal_machine_exit(uint8_t code);

/* Exit codes given to hal_machine_exit; QEMU exits with (code << 1) | 1. */
#define HAL_EXIT_TESTS_PASSED 0x10
#define HAL_EXIT_TESTS_FAILED 0x11
#define HAL_EXIT_PANIC        0x12

struct cpu;
/* Points this CPU's per-CPU base register at `c`. */
void hal_percpu_init(struct cpu *c);

/* Turns a periodic device interrupt (about 1 kHz, delivered like any
 * device's, through the interrupt controller to a non-isolated CPU) on or
 * off; tests use it to check interrupt shielding. False if there is none. */
bool hal_test_device_interrupts(bool on);

/* Routes every device interrupt aimed at CPU `cpu` to CPU 0 instead. */
void hal_shield_cpu(unsigned cpu);

/* The frame pointer of the caller, for backtraces. */
#define hal_frame_address() ((uintptr_t)__builtin_frame_address(0))

/* True when [addr, addr+len) is mapped and readable in the current address
 * space; lets backtraces stop before they would fault. */
bool hal_vaddr_readable(uintptr_t addr, size_t len);

#endif
