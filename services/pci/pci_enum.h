/* PCI enumeration in pure C: walks the buses, decodes BARs and reads the
 * capability lists through a table of configuration-space accessors, so
 * the same code runs in the PCI service (through the kernel) and in host
 * tests (a simulated configuration space). No system calls in here. */
#ifndef SERVICES_PCI_PCI_ENUM_H
#define SERVICES_PCI_PCI_ENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rae/device.h>
#include <rae/pci.h>

/* One function's address. */
typedef struct {
	uint16_t segment;
	uint8_t bus, device, function;
} pci_address_t;

/* How configuration space is reached. read32 takes a dword offset below
 * space_bytes (256 through the ports, 4096 through ECAM), always 4-byte
 * aligned; a function that is not there reads all-ones. Nothing here
 * writes: the one sequence that must, BAR sizing, is bars_probe's
 * (the kernel's PCI_BARS_PROBE in the service, pci/pci_bars.c over the
 * simulated space in the host tests). It fills out as rae/device.h says
 * and returns the number of BAR slots (6 or 2), or 0 when the BARs could
 * not be sized. */
typedef struct {
	uint32_t (*read32)(void *context, pci_address_t at, uint16_t offset);
	unsigned (*bars_probe)(void *context, pci_address_t at,
			       rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES]);
	void *context;
	uint16_t space_bytes;
} pci_config_t;

/* A segment's bus range, as MCFG gives it (the ports: segment 0, 0..255). */
typedef struct {
	uint16_t segment;
	uint8_t start_bus, end_bus;
} pci_segment_t;

typedef struct {
	rae_pci_function_t *functions; /* room for max records */
	size_t max;
	size_t count;   /* records filled */
	bool truncated; /* more functions were there than max */
	unsigned buses; /* buses scanned */
} pci_enum_result_t;

/* Walks each segment from its start bus, following PCI-to-PCI bridges to
 * the secondary buses the firmware programmed (never renumbering; a bus
 * outside the segment's range or seen before is not scanned again), and
 * fills out->functions in the order found. Each function's BARs are sized
 * with decoding off and restored. Never fails: what cannot be read is
 * flagged in the record (RAE_PCI_FN_*, RAE_PCI_BAR_BROKEN). */
void pci_enumerate(const pci_config_t *config, const pci_segment_t *segments, size_t nsegments,
		   pci_enum_result_t *out);

/* Reads one function at `at` into *f (zeroed first): identity, class,
 * interrupt, bridge buses, BARs (sized) and capabilities. Returns false,
 * touching nothing, when no function answers there (vendor ID all-ones
 * or zero). */
bool pci_function_read(const pci_config_t *config, pci_address_t at, rae_pci_function_t *f);

/* Walks the capability list (and, when config->space_bytes is 4096, the
 * extended list) of the function at `at` into f: the IDs in order, the
 * MSI, MSI-X, PCI Express and power-management details. A pointer below
 * 0x40 or past the space, or one seen before, ends the walk with
 * RAE_PCI_FN_CAP_OUTSIDE or _LOOP set. f's status must be filled first. */
void pci_capabilities_read(const pci_config_t *config, pci_address_t at, rae_pci_function_t *f);

/* Sizes the BARs (and the expansion ROM) of the function at `at` into f
 * through config->bars_probe, and decodes them: I/O or memory, 64-bit
 * pairs, prefetchable, base and size. f's header_type and command must
 * be filled first. When the probe fails, f gets RAE_PCI_FN_BARS_UNSIZED
 * and no BARs. */
void pci_bars_read(const pci_config_t *config, pci_address_t at, rae_pci_function_t *f);

#endif
