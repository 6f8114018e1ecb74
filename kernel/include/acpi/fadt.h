/* The FADT ("FACP"): fixed ACPI hardware (SCI, PM timer, reset register),
 * IA-PC boot architecture flags and where the DSDT is. */
#ifndef ACPI_FADT_H
#define ACPI_FADT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <acpi/acpi.h>
#include <rae/status.h>

#define ACPI_FADT_V1_LENGTH 116 /* ACPI 1.0: ends after the Flags field */

/* IA-PC boot architecture flags (ACPI 2.0 and later). */
#define ACPI_BOOT_ARCH_LEGACY_DEVICES 0x01u
#define ACPI_BOOT_ARCH_8042           0x02u
#define ACPI_BOOT_ARCH_NO_VGA         0x04u
#define ACPI_BOOT_ARCH_NO_MSI         0x08u
#define ACPI_BOOT_ARCH_NO_ASPM        0x10u
#define ACPI_BOOT_ARCH_NO_CMOS_RTC    0x20u

/* Fixed feature flags this layer decodes. */
#define ACPI_FADT_FLAG_TMR_VAL_EXT   (1u << 8)
#define ACPI_FADT_FLAG_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_FLAG_HW_REDUCED    (1u << 20)

typedef struct {
	uint8_t revision;       /* the header's */
	uint8_t minor_revision; /* 0 when the table is too short to say */
	uint32_t length;
	uint32_t flags;
	bool hw_reduced; /* no SCI, PM timer or fixed hardware */

	uint16_t sci_irq; /* an ISA IRQ or GSI; see the MADT overrides */
	uint32_t smi_cmd; /* I/O port; 0 when ACPI mode cannot be switched */
	uint8_t acpi_enable;
	uint8_t acpi_disable;

	uint64_t facs_phys; /* X_FIRMWARE_CTRL when present and nonzero */
	uint64_t dsdt_phys; /* X_DSDT when present and nonzero */

	bool has_pm_timer;
	acpi_gas_t pm_timer;    /* X_PM_TMR_BLK, or PM_TMR_BLK as a 32-bit I/O GAS */
	uint32_t pm_timer_port; /* PM_TMR_BLK as the table has it */
	bool pm_timer_32bit;    /* else 24 bits */

	bool has_reset_reg;
	acpi_gas_t reset_reg;
	uint8_t reset_value;

	bool boot_arch_valid; /* false for tables before ACPI 2.0 */
	uint16_t boot_arch;   /* ACPI_BOOT_ARCH_* */
	bool legacy_devices;
	bool i8042_present;
	bool vga_absent;

	uint8_t century; /* CMOS RTC century register index, 0 when none */
} acpi_fadt_t;

/*
 * Parses the FADT at table (len bytes readable) into *out (zeroed first). The
 * header length must be >= 116 (ACPI 1.0) and fit in len; fields past the
 * header length are treated as absent, never read. The checksum is not checked.
 * Returns RAE_OK, or RAE_ERR_TRUNCATED / RAE_ERR_INVALID with a message in err.
 */
rae_status_t acpi_fadt_parse(const void *table, size_t len, acpi_fadt_t *out, char *err,
			     size_t err_len);

#endif
