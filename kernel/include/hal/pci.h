/* PCI configuration space access for device objects (object/device.h):
 * one function's registers, read and written by the kernel. Implemented by
 * the architecture (x86: ECAM windows from the MCFG table, else the legacy
 * ports 0xcf8/0xcfc). */
#ifndef HAL_PCI_H
#define HAL_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <rae/status.h>

/* One function's configuration space. Set by hal_pci_config_open, then
 * immutable until hal_pci_config_close; accesses need no lock of the
 * caller's. */
typedef struct {
	uint32_t address;       /* RAE_PCI_ADDRESS */
	volatile uint8_t *ecam; /* its 4 KiB of ECAM, mapped uncached for good; NULL: the ports */
	uint16_t size;          /* bytes reachable: 4096 through ECAM, 256 through ports */
} hal_pci_config_t;

/* Opens function `address` (RAE_PCI_ADDRESS): through ECAM where an MCFG
 * window covers its segment and bus (the bus's 1 MiB is mapped at its
 * first use and stays mapped, so nothing is ever unmapped and a config
 * needs no closing), else through the legacy ports (segment 0 only). Does
 * not check that a function answers. RAE_OK; RAE_ERR_NOT_FOUND for another
 * segment without ECAM; RAE_ERR_NO_MEMORY when the mapping fails or more
 * than 256 buses were mapped. Thread context, interrupts enabled. */
rae_status_t hal_pci_config_open(uint32_t address, hal_pci_config_t *cfg);

/* Reads `width` (1, 2 or 4) bytes at `offset` (a multiple of width, below
 * cfg->size). Any context. */
uint32_t hal_pci_config_read(const hal_pci_config_t *cfg, unsigned offset, unsigned width);

/* Writes `width` bytes of `value` at `offset`, as for the read. Any
 * context. */
void hal_pci_config_write(const hal_pci_config_t *cfg, unsigned offset, unsigned width,
			  uint32_t value);

/* Whether a range of `kind` (RAE_RESOURCE_IOPORT or _MMIO) reaches
 * configuration space, which is the kernel's alone (IOPORT_CREATE and
 * MEM_CREATE_PHYS refuse it): the legacy ports' CONFIG_ADDRESS and
 * CONFIG_DATA, or an ECAM window of the MCFG table. */
bool hal_pci_config_claims(uint32_t kind, uint64_t base, uint64_t size);

/* Whether the kernel reaches configuration space through ECAM ("ECAM") or
 * the legacy ports ("ports"), for the boot log. */
const char *hal_pci_config_method(void);

#endif
