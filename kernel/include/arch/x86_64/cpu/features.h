/* CPU identification and the feature bits the kernel acts on, read once at
 * boot by cpu_features_detect(). */
#ifndef ARCH_X86_64_CPU_FEATURES_H
#define ARCH_X86_64_CPU_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	bool nx, smep, smap, umip, fsgsbase, pcid, x2apic, tsc_deadline, rdrand, rdseed, pku, xsave,
	    pdpe1gb, invariant_tsc, hypervisor, monitor;
} cpu_features_t;

extern cpu_features_t cpu_features;

/* Fills cpu_features from CPUID. Boot CPU, before cpu_protections_enable. */
void cpu_features_detect(void);

/* Turns on NX, WP, SMEP, SMAP and UMIP where CPUID offers them (never
 * FSGSBASE: see features.c). */
void cpu_protections_enable(void);

#endif
