/* TSC calibration against the HPET (or the PIT when there is none), and
 * the LAPIC timer's rate for one-shot mode. */
#ifndef ARCH_X86_64_TIME_TSC_H
#define ARCH_X86_64_TIME_TSC_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint64_t tsc_hz;
	uint64_t lapic_timer_hz; /* at divide-by-16; 0 in TSC-deadline mode */
	bool deadline_mode;
	const char *reference; /* "HPET" or "PIT" */
	bool invariant;
} tsc_info_t;

extern tsc_info_t tsc_info;

/* Measures the TSC against the HPET at `hpet_phys` (0: use the PIT), then
 * the LAPIC timer against the TSC unless TSC-deadline mode is used (CPUID
 * has it and tsc_deadline=off is not given). Boot CPU, LAPIC enabled. */
void tsc_calibrate(uint64_t hpet_phys, bool allow_deadline);

#endif
