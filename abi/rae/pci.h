/* The PCI service's protocol (services/pci, docs/services/pci.md): what
 * it found on the PCI buses, one record per function. Clients find its
 * endpoint with the name service (LOOKUP "pci"). The whole message layout
 * lives here, so the generated contract that replaces it has one source. */
#ifndef RAE_PCI_H
#define RAE_PCI_H

#include <stdint.h>

/* Requests are IPC_CALLs on the service's endpoint; the reply's tag is a
 * rae_status_t (sign-extended). */

/* LIST: word 0 is the index of the first function to report (0 first).
 * Reply: RAE_OK, the buffer holds rae_pci_function_t records in bus order
 * (segment, bus, device, function), word 0 their count, word 1 the number
 * of functions in all, word 2 how the configuration space was reached
 * (RAE_PCI_ACCESS_*), word 3 the enumeration's RAE_PCI_ENUM_* flags. The
 * caller's buffer should have room for RAE_PCI_LIST_MAX records; fewer
 * records come when it has less. RAE_ERR_RANGE: word 0 past the last. */
#define RAE_PCI_LIST 1

/* How the kernel reached configuration space for the service. */
#define RAE_PCI_ACCESS_PORTS 1 /* the 0xcf8/0xcfc ports: 256 bytes per function, segment 0 */
#define RAE_PCI_ACCESS_ECAM  2 /* memory-mapped (PCI Express ECAM): 4096 bytes per function */

/* Enumeration flags (LIST word 3). */
#define RAE_PCI_ENUM_TRUNCATED                                                                     \
	0x1 /* more functions than the service keeps (RAE_PCI_FUNCTIONS_MAX) */

#define RAE_PCI_FUNCTIONS_MAX 256
#define RAE_PCI_BARS          7 /* BAR0..BAR5 and the expansion ROM, at index RAE_PCI_BAR_ROM */
#define RAE_PCI_BAR_ROM       6
#define RAE_PCI_CAPS_MAX      16
#define RAE_PCI_EXT_CAPS_MAX  16

/* rae_pci_bar_t.flags */
#define RAE_PCI_BAR_IO       0x1 /* I/O ports; otherwise memory */
#define RAE_PCI_BAR_64       0x2 /* a 64-bit memory BAR (takes this slot and the next) */
#define RAE_PCI_BAR_PREFETCH 0x4 /* prefetchable memory */
#define RAE_PCI_BAR_UPPER    0x8 /* the upper half of the 64-bit BAR before it */
#define RAE_PCI_BAR_ENABLED                                                                        \
	0x10                      /* the command register decodes it (I/O or memory space on;
				      for the ROM also its enable bit) */
#define RAE_PCI_BAR_BROKEN   0x20 /* a 64-bit BAR in the last slot: not usable */
#define RAE_PCI_BAR_RESOURCE 0x40 /* the service holds a resource for it, for its driver */

typedef struct rae_pci_bar {
	uint64_t base;  /* as the firmware programmed it: a physical address or an I/O port */
	uint64_t size;  /* bytes (ports); 0: the BAR is not implemented */
	uint32_t flags; /* RAE_PCI_BAR_* */
	uint32_t reserved;
} rae_pci_bar_t;

/* rae_pci_function_t.flags */
#define RAE_PCI_FN_MULTIFUNCTION 0x1 /* function 0's header type says more functions follow */
#define RAE_PCI_FN_CAP_LOOP      0x2 /* the capability list loops; the walk stopped at the repeat */
#define RAE_PCI_FN_CAP_OUTSIDE   0x4 /* a capability pointer points outside the space */
#define RAE_PCI_FN_EXT_CAP_BAD   0x8 /* the extended capability list loops or points outside */
#define RAE_PCI_FN_CAPS_MORE     0x10 /* more capabilities than the record keeps */
#define RAE_PCI_FN_UNKNOWN_TYPE  0x20 /* a header type the service does not know: identity only */
#define RAE_PCI_FN_BARS_UNSIZED  0x40 /* the kernel would not size the BARs (a driver holds it) */

/* Capability IDs the record summarises. */
#define RAE_PCI_CAP_PM   0x01
#define RAE_PCI_CAP_MSI  0x05
#define RAE_PCI_CAP_PCIE 0x10
#define RAE_PCI_CAP_MSIX 0x11

/* Header types (the low 7 bits). */
#define RAE_PCI_HEADER_DEVICE 0
#define RAE_PCI_HEADER_BRIDGE 1

typedef struct rae_pci_function {
	uint16_t segment;
	uint8_t bus, device, function;
	uint8_t header_type; /* RAE_PCI_HEADER_* (bit 7, multi-function, cleared) */
	uint8_t irq_pin;     /* 0: none; 1..4: INTA..INTD */
	uint8_t irq_line;    /* what the firmware wrote: the legacy IRQ, 0xff: none */
	uint16_t vendor_id, device_id;
	uint16_t subsystem_vendor, subsystem_id; /* 0 for bridges */
	uint8_t class_code, subclass, prog_if, revision;
	uint16_t command, status;
	uint8_t secondary_bus, subordinate_bus; /* bridges: the buses behind it */
	uint8_t cap_count, ext_cap_count;       /* how many IDs caps[] and ext_caps[] hold */
	uint32_t flags;                         /* RAE_PCI_FN_* */
	rae_pci_bar_t bars[RAE_PCI_BARS];
	/* Capability offsets, 0 when absent. */
	uint16_t pm_offset, msi_offset, msix_offset, pcie_offset;
	uint16_t msi_control;     /* MSI message control: 64-bit, per-vector masking, vectors */
	uint16_t msix_table_size; /* entries */
	uint8_t msix_table_bar, msix_pba_bar;
	uint8_t pcie_type; /* PCI Express device/port type (capability register bits 7:4) */
	uint8_t reserved;
	uint32_t msix_table_offset, msix_pba_offset; /* inside their BARs */
	uint8_t caps[RAE_PCI_CAPS_MAX];              /* capability IDs in list order */
	uint16_t ext_caps[RAE_PCI_EXT_CAPS_MAX];     /* extended capability IDs (ECAM only) */
} rae_pci_function_t;

#define RAE_PCI_LIST_MAX (4096 / sizeof(rae_pci_function_t)) /* records in one reply */

#endif
