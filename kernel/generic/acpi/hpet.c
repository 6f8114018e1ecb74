/* HPET table parser: the timer block's MMIO base and capabilities summary. */
#include <acpi/hpet.h>

#include <string.h>

#include <acpi/acpi.h>
#include <lib/format.h>

#define HPET_BLOCK_ID_OFFSET  36
#define HPET_BASE_GAS_OFFSET  40
#define HPET_NUMBER_OFFSET    52
#define HPET_MIN_TICK_OFFSET  53
#define HPET_PAGE_PROT_OFFSET 55

rae_status_t acpi_hpet_parse(const void *table, size_t len, acpi_hpet_t *out, char *err,
			     size_t err_len)
{
	const uint8_t *t = table;
	uint32_t table_len;
	uint32_t id;
	acpi_gas_t base;
	rae_status_t status;

	memset(out, 0, sizeof(*out));
	status =
	    acpi_sdt_check(table, len, "HPET", "HPET", ACPI_HPET_LENGTH, &table_len, err, err_len);
	if (status != RAE_OK)
		return status;

	id = acpi_read_u32(t + HPET_BLOCK_ID_OFFSET);
	out->event_timer_block_id = id;
	out->hardware_rev_id = (uint8_t)(id & 0xff);
	out->comparator_count = (uint8_t)(((id >> 8) & 0x1f) + 1);
	out->counter_64bit = (id & (1u << 13)) != 0;
	out->legacy_replacement = (id & (1u << 15)) != 0;
	out->pci_vendor_id = (uint16_t)(id >> 16);
	out->hpet_number = t[HPET_NUMBER_OFFSET];
	out->min_tick = acpi_read_u16(t + HPET_MIN_TICK_OFFSET);
	out->page_protection = t[HPET_PAGE_PROT_OFFSET];

	/* The HPET's registers are memory-mapped by definition; anything else is a lie. */
	base = acpi_read_gas(t + HPET_BASE_GAS_OFFSET);
	if (base.space_id != ACPI_GAS_SYSTEM_MEMORY) {
		if (err != NULL && err_len > 0)
			ksnprintf(err, err_len,
				  "HPET: base address in address space %u, not system memory (0)",
				  base.space_id);
		return RAE_ERR_UNSUPPORTED;
	}
	if (base.address == 0) {
		if (err != NULL && err_len > 0)
			ksnprintf(err, err_len, "HPET: base address is 0");
		return RAE_ERR_INVALID;
	}
	out->base_address = base.address;
	return RAE_OK;
}
