/* I/O APICs: route global system interrupts (GSIs) to vectors on CPUs,
 * with the MADT's ISA overrides applied for trigger mode and polarity. */
#ifndef ARCH_X86_64_APIC_IOAPIC_H
#define ARCH_X86_64_APIC_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <rae/status.h>

#define IOAPIC_MAX 8

/* Trigger/polarity flags for ioapic_route. */
#define IOAPIC_LEVEL      0x1u
#define IOAPIC_ACTIVE_LOW 0x2u

/* Maps the IOAPIC at `phys` serving GSIs from `gsi_base`, masks all its
 * inputs. RAE_ERR_NO_MEMORY when the table is full or mapping fails. */
rae_status_t ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base);
unsigned ioapic_count(void);

/* Routes `gsi` to `vector` on the CPU with APIC ID `dest`, masked or not.
 * RAE_ERR_NOT_FOUND when no IOAPIC serves it. */
rae_status_t ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, unsigned flags, bool masked);
rae_status_t ioapic_set_masked(uint32_t gsi, bool masked);
/* Points every entry aimed at APIC ID `from` at `to` (core isolation). */
void ioapic_retarget(uint32_t from, uint32_t to);
/* Reads back a redirection entry (tests). */
rae_status_t ioapic_read_route(uint32_t gsi, uint64_t *entry);

#endif
