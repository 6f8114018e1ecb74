/* Devices: how a PCI function is named (RAE_RESOURCE_PCI ranges and
 * DEVICE_CREATE), and the flags of the calls on a device object: DMA memory
 * (DMA_CREATE, DMA_ADDRESSES) and message-signalled interrupts
 * (INTERRUPT_CREATE_MSI). Stable ABI; docs/devices.md tells the story. */
#ifndef RAE_DEVICE_H
#define RAE_DEVICE_H

#include <stdint.h>

/*
 * A PCI function as one number, so that a range of them is a span of a
 * RAE_RESOURCE_PCI resource: a whole segment, a bus, one device's eight
 * functions, or one function.
 *
 *   bit 31      16 15     8 7      3 2     0
 *      +----------+--------+--------+-------+
 *      | segment  |  bus   | device | func  |
 *      +----------+--------+--------+-------+
 */
#define RAE_PCI_ADDRESS(segment, bus, device, function)                                            \
	((((uint64_t)(segment)&0xffff) << 16) | (((uint64_t)(bus)&0xff) << 8) |                    \
	 (((uint64_t)(device)&0x1f) << 3) | ((uint64_t)(function)&0x7))
#define RAE_PCI_SEGMENT(a)  (((a) >> 16) & 0xffff)
#define RAE_PCI_BUS(a)      (((a) >> 8) & 0xff)
#define RAE_PCI_DEVICE(a)   (((a) >> 3) & 0x1f)
#define RAE_PCI_FUNCTION(a) ((a)&0x7)

/* Configuration space: 256 bytes through the legacy ports, 4096 through
 * ECAM (PCI Express, where the firmware's MCFG table names a window). */
#define RAE_PCI_CONFIG_LEGACY_SIZE 256
#define RAE_PCI_CONFIG_SIZE        4096

/* RAE_SYS_PCI_BARS_PROBE: each BAR register as the kernel found it and
 * what read back after it wrote all-ones there (the expansion ROM: its
 * address bits), with decoding off, before it put the value back. Slots
 * 0-5 are BAR0-BAR5 (a bridge has two; the rest stay zero), slot 6 the
 * expansion ROM. A register that read all-ones to begin with was not
 * written (the function stopped answering): its mask is all-ones. The
 * caller decodes types, 64-bit pairs and sizes (services/pci/pci_enum.c). */
#define RAE_PCI_BAR_PROBES    7
#define RAE_PCI_BAR_PROBE_ROM 6
typedef struct {
	uint32_t value; /* the register before, and after again */
	uint32_t mask;  /* what read back after all-ones (ROM: 0xfffff800) */
} rae_pci_bar_probe_t;

/* RAE_SYS_DMA_CREATE flags. */
#define RAE_DMA_CONTIGUOUS 0x1 /* one physically contiguous block */
#define RAE_DMA_BELOW_4G   0x2 /* every device address below 4 GiB (32-bit DMA) */

/* RAE_SYS_INTERRUPT_CREATE_MSI flags: MSI-X (an entry of the table) rather
 * than MSI (the capability's one message). */
#define RAE_MSI_X 0x1

/* RAE_SYS_DEVICE_INFO: what the kernel learnt of the function when it made
 * the device object, and the state it keeps. */
typedef struct {
	uint64_t address; /* RAE_PCI_ADDRESS */
	uint16_t vendor, device;
	uint8_t header_type; /* 0 an endpoint, 1 a PCI-to-PCI bridge (multi-function bit cleared) */
	uint8_t msi_offset;  /* of the MSI capability; 0: none */
	uint16_t msi_vectors;  /* messages the MSI capability can send (1-32); 0: none */
	uint16_t msix_offset;  /* of the MSI-X capability; 0: none */
	uint16_t msix_entries; /* its table size; 0: none */
	uint16_t config_size;  /* RAE_PCI_CONFIG_LEGACY_SIZE or RAE_PCI_CONFIG_SIZE */
	uint8_t flr;           /* 1: Function Level Reset offered (DEVICE_RESET works) */
	uint8_t bus_master;    /* 1: bus mastering is on */
	uint8_t reserved[4];
} rae_device_info_t;

#endif
