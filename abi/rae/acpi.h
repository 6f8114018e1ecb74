/* The copy of the firmware's ACPI tables that RAE_SYS_ACPI_TABLES_COPY hands to
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

/* The ACPI service's protocol (services/acpi, docs/services/acpi.md):
 * IPC_CALLs on its endpoint, looked up as "acpi"; the reply's tag is a
 * rae_status_t (sign-extended). */

/* POWEROFF: no arguments. The service asks the service manager to stop
 * every other service, then enters S5 (ACPI soft-off). Reply: only on
 * failure (the machine is off otherwise), with the status of what failed. */
#define RAE_ACPI_POWEROFF 1

/* REBOOT: no arguments. The services are stopped as for POWEROFF, then the
 * FADT reset register is written, then the 8042 pulses the reset line,
 * then the kernel triple-faults (MACHINE_RESET). Reply: only on failure. */
#define RAE_ACPI_REBOOT 2

/* PCI_ROUTES: word 0 the index of the first route wanted (0 first). Reply:
 * RAE_OK, the buffer holds rae_acpi_route_t records, word 0 their count,
 * word 1 the number of routes in all: the PCI root bridge's _PRT, each
 * link device resolved through its current resources (_CRS) to the GSI. */
#define RAE_ACPI_PCI_ROUTES 3

/* TABLE: the buffer holds a table's 4-character signature ("MCFG"), word 0
 * which one of that signature (0 first). Reply: RAE_OK with handle 0 a
 * new memory object (READ, MAP, TRANSFER: never WRITE) holding a copy of
 * the table, word 0 its length; RAE_ERR_NOT_FOUND when the firmware has
 * no such table; RAE_ERR_INVALID for a buffer that is not 4 bytes. How the
 * PCI service gets the MCFG (later the TPM driver its TPM2). */
#define RAE_ACPI_TABLE 4

/* rae_acpi_route_t.flags */
#define RAE_ACPI_ROUTE_LINK       0x1 /* through a link device (link[] names it) */
#define RAE_ACPI_ROUTE_LEVEL      0x2 /* level-triggered (else edge) */
#define RAE_ACPI_ROUTE_ACTIVE_LOW 0x4 /* active low (else high) */
#define RAE_ACPI_ROUTE_ISA_IRQ                                                                     \
	0x8                      /* gsi is an ISA IRQ the link's legacy descriptor names:
					 claim it with RAE_IRQ_ISA, which applies the MADT */
#define RAE_ACPI_ROUTE_NONE 0x10 /* the link has no interrupt now (gsi is 0) */

/* One PCI interrupt route: device `device` on `bus`, its pin INTA..INTD
 * (pin 0..3), arrives at global system interrupt `gsi`. */
typedef struct {
	uint16_t segment;
	uint8_t bus;
	uint8_t device;
	uint8_t pin;
	uint8_t flags; /* RAE_ACPI_ROUTE_* */
	uint16_t reserved;
	uint32_t gsi;
	char link[8]; /* the link device's last name ("LNKA"), NUL-terminated; "" for none */
} rae_acpi_route_t;

#define RAE_ACPI_ROUTES_MAX 128 /* records that fit one reply (RAE_IPC_BUF_MAX bytes) */

#endif
