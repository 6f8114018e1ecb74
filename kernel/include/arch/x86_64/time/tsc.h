/* TSC calibration against the HPET (or the PIT when there is none), and
 * the LAPIC timer's rate for one-shot mode. */
#ifndef ARCH_X86_64_TIME_TSC_H
#define ARCH_X86_64_TIME_TSC_H

#include <stdbool.h>
#include <stdint.h>

/* What raises the per-CPU timer interrupt. */
typedef enum {
	TIMER_LAPIC_ONESHOT, /* the LAPIC timer counting down */
	TIMER_TSC_DEADLINE,  /* the LAPIC timer in TSC-deadline mode */
	TIMER_PIT_LEGACY,    /* PIT channel 0 through the 8259 (no MADT: one CPU) */
} timer_source_t;

typedef struct {
	uint64_t tsc_hz;
	uint64_t lapic_timer_hz; /* at divide-by-16; 0 unless TIMER_LAPIC_ONESHOT */
	bool deadline_mode;
	timer_source_t source;
	const char *reference; /* "HPET" or "PIT" */
	bool invariant;
} tsc_info_t;

extern tsc_info_t tsc_info;

/* Measures the TSC against the HPET at `hpet_phys` (0: use the PIT), then
 * the LAPIC timer against the TSC unless TSC-deadline mode is used (CPUID
 * has it and tsc_deadline=off is not given). Boot CPU, LAPIC enabled. */
void tsc_calibrate(uint64_t hpet_phys, bool allow_deadline);

/* Calibrates the TSC against the PIT and drives timers with PIT channel 0
 * in one-shot mode through the 8259's IRQ 0: the path for machines without
 * a usable MADT. The caller routes vector `pic_vector` to timer_interrupt. */
void tsc_calibrate_legacy(void);

/* A name for the timer source ("TSC-deadline", ...). */
const char *tsc_timer_source_name(void);

#endif
