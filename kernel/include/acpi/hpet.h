/* The HPET table ("HPET"): where the High Precision Event Timer's registers
 * are and what the firmware says about it. */
#ifndef ACPI_HPET_H
#define ACPI_HPET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rae/status.h>

#define ACPI_HPET_LENGTH 56

typedef struct {
	uint32_t event_timer_block_id; /* a copy of the capabilities register's low half */
	uint8_t hardware_rev_id;       /* decoded from event_timer_block_id */
	uint8_t comparator_count;
	bool counter_64bit;
	bool legacy_replacement;
	uint16_t pci_vendor_id;
	uint64_t base_address; /* physical; always system memory */
	uint8_t hpet_number;
	uint16_t min_tick; /* minimum periodic tick in main counter ticks */
	uint8_t page_protection;
} acpi_hpet_t;

/*
 * Parses the HPET table at table (len bytes readable) into *out (zeroed first).
 * The header length must be >= 56 and fit in len; the checksum is not checked.
 * Returns RAE_OK, RAE_ERR_TRUNCATED / RAE_ERR_INVALID (bad header, base address
 * 0) or RAE_ERR_UNSUPPORTED (base not in system memory), with a message in err.
 */
rae_status_t acpi_hpet_parse(const void *table, size_t len, acpi_hpet_t *out, char *err,
			     size_t err_len);

#endif
