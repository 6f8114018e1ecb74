/* FADT parser: reads only the fields inside the table's length, so ACPI 1.0
 * tables (116 bytes) and every later size parse the same way. */
#include <acpi/fadt.h>

#include <string.h>

#include <acpi/acpi.h>

/* Field offsets from the ACPI specification, table 5.9. */
#define FADT_FIRMWARE_CTRL   36
#define FADT_DSDT            40
#define FADT_SCI_INT         46
#define FADT_SMI_CMD         48
#define FADT_ACPI_ENABLE     52
#define FADT_ACPI_DISABLE    53
#define FADT_PM_TMR_BLK      76
#define FADT_PM_TMR_LEN      91
#define FADT_CENTURY         108
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS           112
#define FADT_RESET_REG       116
#define FADT_RESET_VALUE     128
#define FADT_MINOR_VERSION   131
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT          140
#define FADT_X_PM_TMR_BLK    208

#define FADT_PM_TMR_BLK_LEN 4

/* The first revision whose IA-PC boot architecture field is not reserved. */
#define FADT_BOOT_ARCH_REVISION 2

/* True when the field [off, off + size) lies inside the table. */
static bool fadt_has(uint32_t table_len, uint32_t off, uint32_t size)
{
	return off + size <= table_len;
}

static void fadt_pm_timer_parse(const uint8_t *t, uint32_t table_len, acpi_fadt_t *out)
{
	acpi_gas_t x;

	out->pm_timer_port = acpi_read_u32(t + FADT_PM_TMR_BLK);
	out->pm_timer_32bit = (out->flags & ACPI_FADT_FLAG_TMR_VAL_EXT) != 0;
	if (out->hw_reduced)
		return;
	if (fadt_has(table_len, FADT_X_PM_TMR_BLK, ACPI_GAS_SIZE)) {
		x = acpi_read_gas(t + FADT_X_PM_TMR_BLK);
		if (x.address != 0 &&
		    (x.space_id == ACPI_GAS_SYSTEM_IO || x.space_id == ACPI_GAS_SYSTEM_MEMORY)) {
			out->pm_timer = x;
			out->has_pm_timer = true;
			return;
		}
	}
	/* The legacy block is only real when its length says it is the 4-byte timer. */
	if (out->pm_timer_port != 0 && t[FADT_PM_TMR_LEN] == FADT_PM_TMR_BLK_LEN) {
		out->pm_timer = (acpi_gas_t){.space_id = ACPI_GAS_SYSTEM_IO,
					     .bit_width = 32,
					     .access_size = 3,
					     .address = out->pm_timer_port};
		out->has_pm_timer = true;
	}
}

rae_status_t acpi_fadt_parse(const void *table, size_t len, acpi_fadt_t *out, char *err,
			     size_t err_len)
{
	const uint8_t *t = table;
	uint32_t table_len;
	uint64_t x;
	rae_status_t status;

	memset(out, 0, sizeof(*out));
	status = acpi_sdt_check(table, len, "FACP", "FADT", ACPI_FADT_V1_LENGTH, &table_len, err,
				err_len);
	if (status != RAE_OK)
		return status;

	out->revision = t[ACPI_SDT_REVISION_OFFSET];
	out->length = table_len;
	out->flags = acpi_read_u32(t + FADT_FLAGS);
	out->hw_reduced = (out->flags & ACPI_FADT_FLAG_HW_REDUCED) != 0;
	out->sci_irq = acpi_read_u16(t + FADT_SCI_INT);
	out->smi_cmd = acpi_read_u32(t + FADT_SMI_CMD);
	out->acpi_enable = t[FADT_ACPI_ENABLE];
	out->acpi_disable = t[FADT_ACPI_DISABLE];
	out->century = t[FADT_CENTURY];

	out->facs_phys = acpi_read_u32(t + FADT_FIRMWARE_CTRL);
	if (fadt_has(table_len, FADT_X_FIRMWARE_CTRL, 8)) {
		x = acpi_read_u64(t + FADT_X_FIRMWARE_CTRL);
		if (x != 0)
			out->facs_phys = x;
	}
	out->dsdt_phys = acpi_read_u32(t + FADT_DSDT);
	if (fadt_has(table_len, FADT_X_DSDT, 8)) {
		x = acpi_read_u64(t + FADT_X_DSDT);
		if (x != 0)
			out->dsdt_phys = x;
	}
	if (fadt_has(table_len, FADT_MINOR_VERSION, 1))
		out->minor_revision = t[FADT_MINOR_VERSION];

	fadt_pm_timer_parse(t, table_len, out);

	if (fadt_has(table_len, FADT_RESET_VALUE, 1) &&
	    (out->flags & ACPI_FADT_FLAG_RESET_REG_SUP) != 0) {
		out->reset_reg = acpi_read_gas(t + FADT_RESET_REG);
		out->reset_value = t[FADT_RESET_VALUE];
		out->has_reset_reg = out->reset_reg.address != 0;
	}

	/* In ACPI 1.0 these bytes are reserved, whatever they hold. */
	if (out->revision >= FADT_BOOT_ARCH_REVISION) {
		out->boot_arch_valid = true;
		out->boot_arch = acpi_read_u16(t + FADT_IAPC_BOOT_ARCH);
		out->legacy_devices = (out->boot_arch & ACPI_BOOT_ARCH_LEGACY_DEVICES) != 0;
		out->i8042_present = (out->boot_arch & ACPI_BOOT_ARCH_8042) != 0;
		out->vga_absent = (out->boot_arch & ACPI_BOOT_ARCH_NO_VGA) != 0;
	}
	return RAE_OK;
}
