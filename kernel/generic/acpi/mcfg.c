/* MCFG parser: the PCI Express ECAM windows, one per segment and bus range. */
#include <acpi/mcfg.h>

#include <string.h>

#include <acpi/acpi.h>
#include <lib/format.h>

#define ECAM_BUS_SHIFT 20 /* 32 devices x 8 functions x 4 KiB per bus */

rae_status_t acpi_mcfg_parse(const void *table, size_t len, acpi_mcfg_t *out, char *err,
			     size_t err_len)
{
	const uint8_t *t = table;
	uint32_t table_len;
	uint32_t entries;
	rae_status_t status;

	memset(out, 0, sizeof(*out));
	status = acpi_sdt_check(table, len, "MCFG", "MCFG", ACPI_MCFG_HEADER_SIZE, &table_len, err,
				err_len);
	if (status != RAE_OK)
		return status;
	if ((table_len - ACPI_MCFG_HEADER_SIZE) % ACPI_MCFG_ENTRY_SIZE != 0) {
		if (err != NULL && err_len > 0)
			ksnprintf(err, err_len,
				  "MCFG: length %u leaves a partial entry of %u bytes", table_len,
				  (table_len - ACPI_MCFG_HEADER_SIZE) % ACPI_MCFG_ENTRY_SIZE);
		return RAE_ERR_INVALID;
	}

	entries = (table_len - ACPI_MCFG_HEADER_SIZE) / ACPI_MCFG_ENTRY_SIZE;
	for (uint32_t i = 0; i < entries; i++) {
		size_t off = ACPI_MCFG_HEADER_SIZE + (size_t)i * ACPI_MCFG_ENTRY_SIZE;
		const uint8_t *e = t + off;
		acpi_mcfg_allocation_t a = {
		    .base_address = acpi_read_u64(e),
		    .segment = acpi_read_u16(e + 8),
		    .start_bus = e[10],
		    .end_bus = e[11],
		};

		if (a.start_bus > a.end_bus) {
			if (err != NULL && err_len > 0)
				ksnprintf(
				    err, err_len,
				    "MCFG entry %u at offset 0x%zx: start bus %u > end bus %u", i,
				    off, a.start_bus, a.end_bus);
			return RAE_ERR_INVALID;
		}
		/* The window runs from base to the end of end_bus's space. */
		if (a.base_address == 0 ||
		    a.base_address > UINT64_MAX - ((uint64_t)(a.end_bus + 1) << ECAM_BUS_SHIFT)) {
			if (err != NULL && err_len > 0)
				ksnprintf(err, err_len,
					  "MCFG entry %u at offset 0x%zx: base 0x%llx unusable for "
					  "buses up to %u",
					  i, off, (unsigned long long)a.base_address, a.end_bus);
			return RAE_ERR_RANGE;
		}
		if (out->count >= ACPI_MCFG_MAX_ALLOCATIONS) {
			out->dropped++;
			continue;
		}
		out->allocations[out->count++] = a;
	}
	return RAE_OK;
}

uint64_t acpi_mcfg_bus_address(const acpi_mcfg_t *mcfg, uint16_t segment, uint8_t bus)
{
	for (uint32_t i = 0; i < mcfg->count; i++) {
		const acpi_mcfg_allocation_t *a = &mcfg->allocations[i];

		if (a->segment == segment && a->start_bus <= bus && bus <= a->end_bus)
			return a->base_address + ((uint64_t)bus << ECAM_BUS_SHIFT);
	}
	return 0;
}
