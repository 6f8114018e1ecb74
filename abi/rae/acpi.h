/* The copy of the firmware's ACPI tables that RAE_SYS_ACPI_TABLES hands to
 * the ACPI service (services/acpi), which runs ACPICA on it. Stable ABI. */
#ifndef RAE_ACPI_H
#define RAE_ACPI_H

#include <stdint.h>

#define RAE_ACPI_TABLES_MAGIC 0x53495041u /* "APIS", little-endian */

/* At most this many tables are copied: the RSDP, the root table, every
 * table it lists that the kernel found valid, the DSDT and the FACS. */
#define RAE_ACPI_TABLES_MAX 72

/* One table: its bytes lie at `offset` from the start of the object. */
typedef struct {
	uint64_t phys;     /* where the firmware put it; 0 for an RSDP the loader copied */
	uint32_t offset;   /* 8-byte aligned */
	uint32_t length;   /* as its header says (the RSDP: 20 or 36) */
	char signature[4]; /* "RSD " for the RSDP, else the table's own */
	uint32_t reserved;
} rae_acpi_table_t;

/* The object starts with this header; tables[0] is the RSDP, tables[1] the
 * RSDT or XSDT it names. */
typedef struct {
	uint32_t magic; /* RAE_ACPI_TABLES_MAGIC */
	uint32_t count; /* entries in tables[] */
	uint32_t size;  /* bytes of the object in use (header and tables) */
	uint32_t reserved;
	rae_acpi_table_t tables[];
} rae_acpi_tables_t;

#endif
