/* The x86 platform as ACPI describes it, and its bring-up: interrupt
 * controllers, time, and the other CPUs. */
#ifndef ARCH_X86_64_PLATFORM_H
#define ARCH_X86_64_PLATFORM_H

#include <acpi/acpi.h>
#include <acpi/fadt.h>
#include <acpi/hpet.h>
#include <acpi/madt.h>
#include <acpi/mcfg.h>

typedef struct {
	bool acpi_ok;
	acpi_rsdp_info_t rsdp;
	acpi_tables_t tables;
	bool has_madt, has_hpet, has_mcfg, has_fadt;
	acpi_madt_t madt;
	acpi_hpet_t hpet;
	acpi_mcfg_t mcfg;
	acpi_fadt_t fadt;
	/* The ISA IRQs routed through the IOAPIC at boot (masked until a
	 * driver claims them): IRQ, GSI, vector, flags; lent while the
	 * kernel lets interrupt objects claim the line (the console's, during
	 * a console hand-over). */
	struct {
		uint8_t irq;
		uint32_t gsi;
		uint8_t vector;
		unsigned flags;
		bool lent; /* atomic */
	} isa_routes[4];
	unsigned isa_route_count;
} platform_t;

extern platform_t platform;

/* Per-CPU data, ACPI, local APIC, IOAPICs, TSC and timers, then the other
 * CPUs. Boot CPU, phase 2 of boot, after the heap and kernel area exist. */
void platform_init(void);

/* Lends ISA IRQ `irq`, routed for the kernel at boot, to interrupt
 * objects (lent) or takes it back for claims from then on (an object that
 * holds it keeps it until it goes; the kernel's route comes back then). */
void irq_lines_lend_isa(uint8_t irq, bool lent);

/* Starts the other CPUs (after the scheduler runs on the boot CPU). */
void platform_start_aps(void);

#endif
