/* What the kernel must know of a PCI function's configuration space to own
 * parts of it: where its MSI, MSI-X and PCI Express capabilities are (found
 * by walking a list the device itself provides, so every step is checked)
 * and which registers a driver may not write. Pure logic over a read
 * callback: the host tests run it on simulated configuration spaces. */
#ifndef PCI_PCI_CAPS_H
#define PCI_PCI_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Registers of the common header and of the capabilities we use. */
#define PCI_VENDOR_ID        0x00
#define PCI_DEVICE_ID        0x02
#define PCI_COMMAND          0x04
#define PCI_STATUS           0x06
#define PCI_CACHE_LINE_SIZE  0x0c
#define PCI_HEADER_TYPE      0x0e
#define PCI_BAR0             0x10
#define PCI_CAPABILITY_LIST  0x34
#define PCI_HEADER_END       0x40 /* capabilities live at or past it */
#define PCI_COMMAND_IO       0x1
#define PCI_COMMAND_MEMORY   0x2
#define PCI_COMMAND_MASTER   0x4
#define PCI_COMMAND_INTX_OFF 0x400
#define PCI_STATUS_CAP_LIST  0x10

#define PCI_CAP_ID_MSI  0x05
#define PCI_CAP_ID_PCIE 0x10
#define PCI_CAP_ID_MSIX 0x11

/* The MSI capability's message control bits and layout. */
#define PCI_MSI_CONTROL    2
#define PCI_MSI_ENABLE     0x1
#define PCI_MSI_MMC_SHIFT  1 /* log2 of the messages it can send */
#define PCI_MSI_MME_SHIFT  4 /* log2 of the messages enabled */
#define PCI_MSI_64BIT      0x80
#define PCI_MSI_PER_VECTOR 0x100
#define PCI_MSI_ADDRESS_LO 4
#define PCI_MSI_ADDRESS_HI 8
#define PCI_MSI_DATA_32    8
#define PCI_MSI_DATA_64    12

/* The MSI-X capability and its table entries. */
#define PCI_MSIX_CONTROL      2
#define PCI_MSIX_ENABLE       0x8000
#define PCI_MSIX_FUNC_MASK    0x4000
#define PCI_MSIX_SIZE_MASK    0x7ff /* table size - 1 */
#define PCI_MSIX_TABLE        4     /* BAR indicator (bits 0-2) and offset */
#define PCI_MSIX_LENGTH       12
#define PCI_MSIX_ENTRY_SIZE   16
#define PCI_MSIX_ENTRY_ADDR   0
#define PCI_MSIX_ENTRY_DATA   8
#define PCI_MSIX_ENTRY_CTRL   12
#define PCI_MSIX_ENTRY_MASKED 0x1

/* The PCI Express capability: device capabilities and control. */
#define PCI_EXP_DEVCAP         4
#define PCI_EXP_DEVCAP_FLR     (1u << 28)
#define PCI_EXP_DEVCTL         8
#define PCI_EXP_DEVCTL_FLR     (1u << 15)
#define PCI_EXP_DEVSTA         10
#define PCI_EXP_DEVSTA_PENDING (1u << 5)

/* Longest capability list walked: 48 capabilities of 4 bytes fill the 192
 * bytes past the header, so a longer walk is a loop. */
#define PCI_CAPS_MAX 48

typedef uint32_t (*pci_config_read_fn)(void *ctx, unsigned offset, unsigned width);

typedef struct {
	uint8_t header_type;  /* 0 endpoint, 1 bridge, 2 CardBus (multi-function bit cleared) */
	uint8_t msi;          /* offset of the MSI capability; 0: none */
	uint8_t msi_length;   /* its bytes: 10, 14, 20 or 24 */
	uint16_t msi_vectors; /* messages it can send, 1-32 */
	bool msi_64bit;
	bool msi_per_vector_mask;
	uint8_t msix; /* offset of the MSI-X capability; 0: none */
	uint16_t msix_entries;
	uint8_t msix_bar; /* BAR indicator of the table, 0-5 */
	uint32_t msix_table_offset;
	uint8_t pcie; /* offset of the PCI Express capability; 0: none */
	bool flr;     /* its device capabilities offer Function Level Reset */
	/* The walk stopped at a pointer into the header, an unaligned one, a
	 * loop or a malformed capability: what was found before is kept. */
	bool list_broken;
} pci_caps_t;

/* Walks the capability list of the function `read` reads (header type,
 * status, then the list from 0x34) into *caps, zeroed first. Stops at the
 * end of the list, at PCI_CAPS_MAX entries, or at a pointer below 0x40 or
 * past 0xfc (list_broken then); an MSI-X table offset and BAR are taken
 * as the device gives them (the caller checks the BAR). Never reads past
 * 0xff. */
void pci_caps_scan(pci_config_read_fn read, void *ctx, pci_caps_t *caps);

/* Whether a driver may write `width` bytes at `offset`: not when they
 * touch the BARs or the expansion ROM BAR, a bridge's bus numbers and
 * forwarding windows, or the MSI or MSI-X capability (the kernel programs
 * those). The caller has checked width and alignment. */
bool pci_config_write_allowed(const pci_caps_t *caps, unsigned offset, unsigned width);

#endif
