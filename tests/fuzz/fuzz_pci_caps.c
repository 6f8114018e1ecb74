/* libFuzzer entry point for the PCI enumeration's capability walk and BAR
 * sizing (services/pci/pci_enum.c): the input is one function's
 * configuration space (its first byte's low bit picks 256 bytes, through
 * the ports, or 4096, through ECAM). Whatever the registers say, every
 * access must stay aligned and inside the space, the walk must end within
 * a bounded number of reads, and the record must stay consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pci_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sim_t sim;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint16_t space = (data[0] & 1) ? 4096 : 256;
	sim_init(&sim, space);
	sim_function_t *f = &sim.functions[sim.count++];
	f->at = (pci_address_t){0, 0, 0, 0};
	size_t n = size - 1 < space ? size - 1 : space;
	memcpy(f->space, data + 1, n);
	memset(f->space + n, 0xff, sizeof(f->space) - n);
	for (unsigned i = 0; i < 7; i++) /* some BARs writable, as the input says */
		f->bar_writable[i] = (data[0] & (2u << (i % 7))) ? 0xfffff000u : 0;
	pci_config_t c = sim_config(&sim);
	rae_pci_function_t r;
	if (!pci_function_read(&c, f->at, &r))
		return 0;
	if (sim.bad_accesses || sim.decode_probes)
		abort();
	/* 48 standard and 960 extended capabilities at most, a few reads each. */
	if (sim.reads > 64 + 48 * 4 + 960 + 64)
		abort();
	if (r.cap_count > RAE_PCI_CAPS_MAX || r.ext_cap_count > RAE_PCI_EXT_CAPS_MAX)
		abort();
	if ((r.msi_offset && (r.msi_offset < 0x40 || r.msi_offset > 256 - 10)) ||
	    (r.msix_offset && (r.msix_offset < 0x40 || r.msix_offset > 256 - 12)) ||
	    (r.pm_offset && r.pm_offset < 0x40) || (r.pcie_offset && r.pcie_offset < 0x40))
		abort();
	if (r.ext_cap_count && space != 4096)
		abort();
	for (unsigned i = 0; i < RAE_PCI_BARS; i++) {
		const rae_pci_bar_t *b = &r.bars[i];
		if (b->size && (b->size & (b->size - 1)))
			abort(); /* sizes are powers of two */
		if ((b->flags & RAE_PCI_BAR_64) && i + 1 < 6 && b->size &&
		    !(r.bars[i + 1].flags & RAE_PCI_BAR_UPPER))
			abort();
	}
	/* The registers it wrote are back as they were. */
	if (memcmp(f->space, data + 1, n) != 0 && r.header_type <= 1) {
		/* Only read-only bits may differ: none in this simulation. */
		abort();
	}
	return 0;
}
