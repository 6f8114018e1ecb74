/* The MCFG table ("MCFG"): where PCI Express memory-mapped configuration space
 * (ECAM) lives for each segment and bus range. */
#ifndef ACPI_MCFG_H
#define ACPI_MCFG_H

#include <stddef.h>
#include <stdint.h>

#include <rae/status.h>

#define ACPI_MCFG_HEADER_SIZE     44 /* SDT header and 8 reserved bytes */
#define ACPI_MCFG_ENTRY_SIZE      16
#define ACPI_MCFG_MAX_ALLOCATIONS 16

typedef struct {
	uint64_t base_address; /* physical ECAM address of bus 0 of this segment */
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus; /* inclusive */
} acpi_mcfg_allocation_t;

typedef struct {
	uint32_t count;
	acpi_mcfg_allocation_t allocations[ACPI_MCFG_MAX_ALLOCATIONS];
	uint32_t dropped; /* valid allocations beyond the array */
} acpi_mcfg_t;

/*
 * Parses the MCFG at table (len bytes readable) into *out (zeroed first). The
 * header length must be >= 44, fit in len and leave whole 16-byte entries; each
 * entry needs start_bus <= end_bus and a nonzero base whose ECAM window does not
 * wrap. The checksum is not checked.
 * Returns RAE_OK, or RAE_ERR_TRUNCATED / RAE_ERR_INVALID / RAE_ERR_RANGE with a
 * message in err; *out is then partially filled.
 */
rae_status_t acpi_mcfg_parse(const void *table, size_t len, acpi_mcfg_t *out, char *err,
			     size_t err_len);

/*
 * The physical ECAM address of (segment, bus)'s configuration space, i.e. the
 * allocation's base + bus << 20, or 0 when no allocation covers it.
 */
uint64_t acpi_mcfg_bus_address(const acpi_mcfg_t *mcfg, uint16_t segment, uint8_t bus);

#endif
