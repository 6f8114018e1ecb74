/* Walks the PCI routing table ACPICA returns for a _PRT
 * (acpi_get_irq_routing_table: struct acpi_pci_routing_table records,
 * each `length` bytes, ended by one of length 0), checking every record
 * before it is believed. Pure code, tested and fuzzed on the host. */
#ifndef SERVICES_ACPI_PRT_H
#define SERVICES_ACPI_PRT_H

#include <stddef.h>
#include <stdint.h>

#include <rae/status.h>

/* The record's layout (ACPICA's acrestyp.h; routes.c checks it). */
#define PRT_OFFSET_LENGTH       0
#define PRT_OFFSET_PIN          4
#define PRT_OFFSET_ADDRESS      8
#define PRT_OFFSET_SOURCE_INDEX 16
#define PRT_OFFSET_SOURCE       20
#define PRT_RECORD_MIN          24

#define PRT_SOURCE_MAX 64 /* a link's path, with its NUL */

typedef struct {
	uint8_t device; /* 0-31 */
	uint8_t pin;    /* 0-3: INTA-INTD */
	uint32_t source_index;
	char source[PRT_SOURCE_MAX]; /* "" when source_index is a GSI */
} prt_entry_t;

/*
 * Decodes the records in the `len` bytes at buf into out[] (at most max;
 * the rest are counted, not stored). Returns how many records there are,
 * or RAE_ERR_TRUNCATED (a record or the end marker runs past len),
 * RAE_ERR_INVALID (a record shorter than PRT_RECORD_MIN, a pin above 3, a
 * device above 31, a source not NUL-terminated inside its record or longer
 * than PRT_SOURCE_MAX - 1).
 */
int64_t prt_decode(const void *buf, size_t len, prt_entry_t *out, unsigned max);

#endif
