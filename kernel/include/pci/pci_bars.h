/* Sizing a PCI function's BARs (PCI_BARS_PROBE): each base address
 * register is written all-ones and read back, with the function's memory
 * and I/O decoding off meanwhile, and everything is put back. Pure logic
 * over read and write callbacks, so the host tests run it on a simulated
 * configuration space; the caller makes the sequence atomic (device.c
 * holds devices_lock, and no device object of the function lives). */
#ifndef PCI_PCI_BARS_H
#define PCI_PCI_BARS_H

#include <stdint.h>
#include <rae/device.h>

/* Reads and writes one aligned dword of the function's configuration
 * space. */
typedef uint32_t (*pci_bars_read_t)(void *ctx, unsigned offset);
typedef void (*pci_bars_write_t)(void *ctx, unsigned offset, uint32_t value);

/* Probes the BARs and the expansion ROM of the function behind read and
 * write into out (zeroed first; rae/device.h says what each slot holds).
 * Returns the number of BAR slots its header type has: 6 for an endpoint,
 * 2 for a PCI-to-PCI bridge, 0 for any other header type (nothing
 * written then). The command register is written back exactly, with a
 * zero status half, so the status's write-one-to-clear bits stay. */
unsigned pci_bars_probe(pci_bars_read_t read, pci_bars_write_t write, void *ctx,
			rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES]);

#endif
