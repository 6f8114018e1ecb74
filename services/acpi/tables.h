/* The kernel's copy of the ACPI tables (ACPI_TABLES_COPY, abi/rae/acpi.h) as
 * the ACPI service reads it: checked once, then searched by physical
 * address when ACPICA maps a table. Pure code, tested on the host. */
#ifndef SERVICES_ACPI_TABLES_H
#define SERVICES_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include <rae/acpi.h>
#include <rae/status.h>

/* The address ACPICA is given for an RSDP whose physical address is
 * unknown (the loader's copy): past the architectural limit, so no real
 * table or device can be there. */
#define ACPI_COPY_RSDP_STAND_IN ((1ull << 52) - 4096)

typedef struct {
	const uint8_t *base; /* the copy; its tables lie inside [base, base + size) */
	size_t size;
	uint32_t count;
	const rae_acpi_table_t *tables;
} acpi_copy_t;

/*
 * Checks the copy of `size` bytes at `base`: the magic, a count of at most
 * RAE_ACPI_TABLES_MAX whose entries fit, a used size within `size`, each
 * table inside it, the first an RSDP ("RSD ") of 36 bytes. Returns
 * RAE_OK with *c filled, RAE_ERR_TRUNCATED when something runs past the end,
 * RAE_ERR_INVALID for anything else wrong.
 */
rae_status_t acpi_copy_open(acpi_copy_t *c, const void *base, size_t size);

/* The address to give ACPICA for the RSDP: its physical address, or
 * ACPI_COPY_RSDP_STAND_IN when the loader handed over only a copy. */
uint64_t acpi_copy_rsdp_address(const acpi_copy_t *c);

/* Where in the copy the physical range [phys, phys + len) lies, when one
 * table holds all of it; NULL otherwise (len 0 is NULL too). */
const void *acpi_copy_find(const acpi_copy_t *c, uint64_t phys, uint64_t len);

#endif
