/* Each function's share of the hardware: the root resource narrowed to the
 * ranges its BARs decode, which is what its driver will be handed. */
#include "pcid.h"

#define PAGE_BYTES 4096ull

static rae_status_t bar_resource(rae_handle_t root, const rae_pci_bar_t *bar, rae_handle_t *out)
{
	if (bar->flags & RAE_PCI_BAR_IO) {
		if (bar->base + bar->size > RAE_RESOURCE_IOPORT_END)
			return RAE_ERR_RANGE;
		return rae_resource_create(root, RAE_RESOURCE_IOPORT, bar->base, bar->size, out);
	}
	/* MMIO resources are whole pages; a BAR smaller than a page shares
	 * its page with nothing else the firmware placed (PCI asks for 4 KiB
	 * alignment of memory BARs for exactly this). */
	uint64_t start = bar->base & ~(PAGE_BYTES - 1);
	uint64_t end = (bar->base + bar->size + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
	if (end <= start)
		return RAE_ERR_RANGE;
	return rae_resource_create(root, RAE_RESOURCE_MMIO, start, end - start, out);
}

int64_t pcid_function_resources(rae_handle_t root, const rae_pci_function_t *f,
				rae_handle_t out[RAE_PCI_BARS])
{
	int64_t made = 0;
	for (unsigned i = 0; i < RAE_PCI_BARS; i++)
		out[i] = RAE_HANDLE_INVALID;
	for (unsigned i = 0; i < RAE_PCI_BAR_ROM; i++) {
		const rae_pci_bar_t *bar = &f->bars[i];
		if (!bar->size || !bar->base ||
		    (bar->flags & (RAE_PCI_BAR_UPPER | RAE_PCI_BAR_BROKEN)))
			continue;
		rae_status_t st = bar_resource(root, bar, &out[i]);
		if (st != RAE_OK) {
			for (unsigned k = 0; k < i; k++) {
				if (out[k] != RAE_HANDLE_INVALID)
					rae_handle_close(out[k]);
				out[k] = RAE_HANDLE_INVALID;
			}
			out[i] = RAE_HANDLE_INVALID;
			return st;
		}
		made++;
	}
	return made;
}
