/* The MADT ("APIC"): which CPUs and interrupt controllers the machine has, and
 * how ISA IRQs reach global system interrupts (GSIs). */
#ifndef ACPI_MADT_H
#define ACPI_MADT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rae/status.h>

#define ACPI_MADT_MAX_CPUS        64
#define ACPI_MADT_MAX_IOAPICS     8
#define ACPI_MADT_MAX_OVERRIDES   32
#define ACPI_MADT_MAX_NMI_SOURCES 8
#define ACPI_MADT_MAX_LAPIC_NMIS  64

#define ACPI_MADT_HEADER_SIZE 44 /* SDT header, local APIC address, flags */

/* MADT entry types this parser reads. */
#define ACPI_MADT_LAPIC         0
#define ACPI_MADT_IOAPIC        1
#define ACPI_MADT_OVERRIDE      2
#define ACPI_MADT_NMI_SOURCE    3
#define ACPI_MADT_LAPIC_NMI     4
#define ACPI_MADT_LAPIC_ADDRESS 5
#define ACPI_MADT_X2APIC        9
#define ACPI_MADT_X2APIC_NMI    10

/* acpi_uid of a local APIC NMI that applies to every processor. */
#define ACPI_MADT_UID_ALL 0xffffffffu

/* MPS INTI flags as the MADT stores them: polarity in bits 0-1, trigger in 2-3. */
#define ACPI_MPS_POLARITY_MASK 0x3u
#define ACPI_MPS_POLARITY_HIGH 0x1u
#define ACPI_MPS_POLARITY_LOW  0x3u
#define ACPI_MPS_TRIGGER_MASK  0xcu
#define ACPI_MPS_TRIGGER_EDGE  0x4u
#define ACPI_MPS_TRIGGER_LEVEL 0xcu

/* Decoded interrupt flags from acpi_madt_irq_to_gsi; 0 is edge, active high. */
#define ACPI_IRQ_ACTIVE_LOW 0x1u
#define ACPI_IRQ_LEVEL      0x2u
#define ACPI_IRQ_OVERRIDDEN 0x4u /* an interrupt source override applied */

typedef struct {
	uint32_t apic_id;    /* 8-bit xAPIC id (type 0) or x2APIC id (type 9) */
	uint32_t acpi_uid;   /* processor id (type 0, 8 bits) or UID (type 9) */
	bool enabled;        /* usable now */
	bool online_capable; /* not enabled, but firmware says it can be brought up */
	bool x2apic;         /* came from a type 9 entry */
} acpi_madt_cpu_t;

typedef struct {
	uint8_t id;
	uint32_t address; /* physical MMIO base */
	uint32_t gsi_base;
} acpi_madt_ioapic_t;

typedef struct {
	uint8_t bus; /* 0 is ISA, the only bus ACPI defines here */
	uint8_t source_irq;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags */
} acpi_madt_override_t;

typedef struct {
	uint16_t flags; /* MPS INTI flags */
	uint32_t gsi;
} acpi_madt_nmi_source_t;

typedef struct {
	uint32_t acpi_uid; /* ACPI_MADT_UID_ALL for every processor */
	uint16_t flags;    /* MPS INTI flags */
	uint8_t lint;      /* LINT0 or LINT1 */
} acpi_madt_lapic_nmi_t;

typedef struct {
	uint64_t lapic_address; /* the 64-bit override (type 5) when present */
	bool lapic_address_overridden;
	uint32_t flags;
	bool pcat_compat; /* dual 8259s present: they must be masked */

	uint32_t cpu_count;
	acpi_madt_cpu_t cpus[ACPI_MADT_MAX_CPUS];
	uint32_t cpus_dropped;   /* usable CPUs beyond cpus[] */
	uint32_t cpus_unusable;  /* neither enabled nor online-capable, or an invalid id */
	uint32_t cpus_duplicate; /* an APIC id already listed */

	uint32_t ioapic_count;
	acpi_madt_ioapic_t ioapics[ACPI_MADT_MAX_IOAPICS];
	uint32_t ioapics_dropped;

	uint32_t override_count;
	acpi_madt_override_t overrides[ACPI_MADT_MAX_OVERRIDES];
	uint32_t overrides_dropped;

	uint32_t nmi_source_count;
	acpi_madt_nmi_source_t nmi_sources[ACPI_MADT_MAX_NMI_SOURCES];
	uint32_t nmi_sources_dropped;

	uint32_t lapic_nmi_count;
	acpi_madt_lapic_nmi_t lapic_nmis[ACPI_MADT_MAX_LAPIC_NMIS];
	uint32_t lapic_nmis_dropped;

	uint32_t unknown_entries; /* types this parser does not read */
} acpi_madt_t;

/*
 * Parses the MADT at table, of which len bytes are readable, into *out (zeroed
 * first). The header length must fit in len; the checksum is not checked (see
 * acpi_sdt_check). Every entry must be at least 2 bytes, fit in the table and be
 * long enough for its type; unknown types are skipped. Entries beyond the
 * arrays are counted in the *_dropped fields, not fatal.
 * Returns RAE_OK, or RAE_ERR_INVALID / RAE_ERR_TRUNCATED with a message naming
 * the entry ("MADT entry 3 at offset 0x5c: type 1 length 8 < 12"); *out is then
 * partially filled.
 */
rae_status_t acpi_madt_parse(const void *table, size_t len, acpi_madt_t *out, char *err,
			     size_t err_len);

/*
 * Which GSI ISA IRQ isa_irq (0-15) arrives on, and how: an interrupt source
 * override for bus 0 wins (the first one listed, "conforms to bus" meaning ISA's
 * edge/active high), else the identity mapping, edge and active high.
 * *flags gets ACPI_IRQ_* bits. Returns RAE_OK, or RAE_ERR_RANGE for isa_irq > 15.
 */
rae_status_t acpi_madt_irq_to_gsi(const acpi_madt_t *madt, uint8_t isa_irq, uint32_t *gsi,
				  uint32_t *flags);

/*
 * The IOAPIC that serves gsi: the one with the highest GSI base not above it
 * (how many inputs it has is only known from its registers). NULL when there is
 * none, e.g. a MADT with no IOAPIC.
 */
const acpi_madt_ioapic_t *acpi_madt_ioapic_for_gsi(const acpi_madt_t *madt, uint32_t gsi);

/*
 * One line summarising madt into buf ("2 CPUs (0 x2APIC), 1 IOAPIC, 5 overrides,
 * LAPIC 0xfee00000, 8259s"); ksnprintf's return convention.
 */
int acpi_madt_describe(const acpi_madt_t *madt, char *buf, size_t len);

#endif
