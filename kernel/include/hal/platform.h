/* What generic code may ask about the machine's devices. */
#ifndef HAL_PLATFORM_H
#define HAL_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

/* Whether any of the physical range [base, base+size) holds registers the
 * kernel drives itself (interrupt controllers, its timers): such memory
 * is never handed to user space, whatever resource asks. */
bool hal_phys_range_kernel_device(uint64_t base, uint64_t size);

/* One ACPI table as the kernel found it at boot: its physical address
 * (0 for an RSDP known only from the loader's copy), its length and a
 * readable kernel mapping of it that lasts as long as the kernel. */
typedef struct {
	uint64_t phys;
	uint32_t length;
	char signature[4];
	const void *data;
} hal_acpi_table_t;

/* Fills out[] with at most `max` of the firmware's ACPI tables: the RSDP
 * first, then the root table, the tables it lists that were valid, the
 * DSDT and the FACS. Returns how many, 0 when ACPI is off or unusable. */
unsigned hal_acpi_tables(hal_acpi_table_t *out, unsigned max);

/* Resets the machine by a triple fault: interrupts off, an empty IDT,
 * then an exception the CPU cannot deliver. Any CPU, any context. */
__attribute__((noreturn)) void hal_machine_reset(void);

#endif
