/* rae-pcid, the PCI service: what its parts share. config_kernel.c
 * reaches configuration space through the kernel, resources.c narrows the
 * root resource to each function's BARs, main.c enumerates and answers the
 * protocol of abi/rae/pci.h. */
#ifndef SERVICES_PCI_PCID_H
#define SERVICES_PCI_PCID_H

#include <rae.h>

#include "pci_enum.h"

/* One console line: "pcid: " and the formatted text. */
#define pcid_say(fmt, ...) rae_printf("pcid: " fmt "\n", ##__VA_ARGS__)

/*
 * Configuration space through the kernel (PCI_CONFIG_READ and
 * PCI_BARS_PROBE on `root`): RAE_OK with *out filled, 4096 bytes per
 * function where the kernel has ECAM for bus 0 and 256 where it uses the
 * ports; the kernel's error otherwise.
 */
rae_status_t pcid_config_open(rae_handle_t root, pci_config_t *out);

/*
 * Narrows `root` to the ranges f's BARs decode: an MMIO resource over
 * each memory BAR (rounded out to whole pages) and an I/O port resource
 * over each I/O BAR, into out[i] for BAR i (RAE_HANDLE_INVALID where
 * there is none: not implemented, not programmed, the upper half of a
 * 64-bit BAR, the expansion ROM). These are what a driver for f is given.
 * Returns how many were made, or the first error (none kept then).
 */
int64_t pcid_function_resources(rae_handle_t root, const rae_pci_function_t *f,
				rae_handle_t out[RAE_PCI_BARS]);

#endif
