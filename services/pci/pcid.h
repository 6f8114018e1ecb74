/* rae-pcid, the PCI service: what its parts share. config_ports.c and
 * config_ecam.c reach configuration space, resources.c narrows the root
 * resource to each function's BARs, main.c enumerates and answers the
 * protocol of abi/rae/pci.h. */
#ifndef SERVICES_PCI_PCID_H
#define SERVICES_PCI_PCID_H

#include <rae.h>

#include "pci_enum.h"

/* One console line: "pcid: " and the formatted text. */
#define pcid_say(fmt, ...) rae_printf("pcid: " fmt "\n", ##__VA_ARGS__)

/* The ECAM windows the service uses: at most one per segment. */
#define PCID_ECAM_MAX 4

typedef struct {
	pci_segment_t segment;
	uint64_t base; /* physical address of the start bus's configuration space */
} pcid_ecam_window_t;

/*
 * Configuration mechanism #1 (ports 0xcf8/0xcfc): takes the two port
 * ranges from `root` and enables them for this process, then checks that
 * the mechanism answers (CONFIG_ADDRESS reads back what was written).
 * Returns RAE_OK with *out filled (segment 0, 256 bytes per function),
 * RAE_ERR_UNSUPPORTED when nothing answers, or the kernel's error.
 */
rae_status_t pcid_ports_open(rae_handle_t root, pci_config_t *out);

/*
 * Where the ECAM window is when no MCFG is at hand: the Intel Q35 host
 * bridge (8086:29c0, QEMU's q35) holds it in its PCIEXBAR register; read
 * through `ports`. Returns RAE_OK with *out, RAE_ERR_NOT_FOUND for another
 * chipset or a disabled window.
 */
rae_status_t pcid_ecam_find_q35(const pci_config_t *ports, pcid_ecam_window_t *out);

/*
 * Memory-mapped configuration space over `windows` (n of them): each bus's
 * 1 MiB is mapped uncached from `root` the first time it is read. Returns
 * RAE_OK with *out filled (4096 bytes per function), or the kernel's error
 * for the first bus of the first window (nothing is kept then).
 */
rae_status_t pcid_ecam_open(rae_handle_t root, const pcid_ecam_window_t *windows, size_t n,
			    pci_config_t *out);

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
