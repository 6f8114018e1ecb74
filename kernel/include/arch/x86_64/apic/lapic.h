/* The local APIC, in x2APIC (MSR) mode when the CPU offers it, else xAPIC
 * (MMIO): identification, EOI, IPIs and the timer. */
#ifndef ARCH_X86_64_APIC_LAPIC_H
#define ARCH_X86_64_APIC_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <rae/status.h>

/* Fixed vectors. Device vectors come from the allocator (vectors.h). */
#define VEC_LAPIC_TIMER    0xf0
#define VEC_IPI_RESCHEDULE 0xf1
#define VEC_IPI_CALL       0xf2
#define VEC_IPI_TLB        0xf3
#define VEC_LAPIC_ERROR    0xfe
#define VEC_SPURIOUS       0xff

#define LAPIC_ICR_FIXED         0x000u
#define LAPIC_ICR_NMI           0x400u
#define LAPIC_ICR_INIT          0x500u
#define LAPIC_ICR_STARTUP       0x600u
#define LAPIC_ICR_LEVEL_ASSERT  0x4000u
#define LAPIC_ICR_LEVEL_TRIGGER 0x8000u
#define LAPIC_ICR_ALL_BUT_SELF  0xc0000u

/* Maps and enables this CPU's local APIC (x2APIC if available and not
 * disabled with x2apic=off). The boot CPU calls it first; `phys` is the
 * MADT's address (0: use the MSR's). */
rae_status_t lapic_init_boot(uint64_t phys, bool allow_x2apic);
/* The same on an application processor (mode and mapping already known). */
void lapic_init_ap(void);

uint32_t lapic_id(void);
bool lapic_x2apic_mode(void);
void lapic_eoi(void);

/* Sends an IPI: `icr_low` holds the delivery mode, vector and shorthand;
 * `dest` the destination APIC ID (ignored with a shorthand). Waits until a
 * xAPIC reports it delivered. */
void lapic_send_ipi(uint32_t dest, uint32_t icr_low);

/* One-shot timer: fires VEC_LAPIC_TIMER once `ticks` of the timer's clock
 * have passed (0 stops it). Used by the timer code, which picks the mode. */
void lapic_timer_oneshot(uint32_t ticks, uint8_t divide_shift);
uint32_t lapic_timer_current(void);
/* TSC-deadline mode: fires when the TSC reaches `deadline` (0 stops it). */
void lapic_timer_deadline(uint64_t deadline);
void lapic_timer_use_deadline_mode(bool on);

#endif
