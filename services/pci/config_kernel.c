/* Configuration space through the kernel: PCI_CONFIG_READ for every
 * register and PCI_BARS_PROBE for BAR sizing, both on the root resource.
 * The kernel reaches the space through ECAM where the MCFG table names a
 * window and through the 0xcf8/0xcfc ports under its lock otherwise, so
 * the service's accesses cannot interleave with a driver's through its
 * device object, and user space never touches the mechanism itself. */
#include "pcid.h"

/* The first extended register: the kernel answers RAE_ERR_RANGE for it
 * where it has no ECAM for the bus. */
#define EXTENDED_SPACE 0x100

static rae_handle_t pci_resource;

static uint64_t address_of(pci_address_t at)
{
	return RAE_PCI_ADDRESS(at.segment, at.bus, at.device, at.function);
}

static uint32_t kernel_read(void *context, pci_address_t at, uint16_t offset)
{
	(void)context;
	int64_t v = rae_sys_pci_config_read(pci_resource, address_of(at), offset, 4);
	/* What cannot be read is absent, as the bus answers for nobody. */
	return v < 0 ? 0xffffffffu : (uint32_t)v;
}

static unsigned kernel_bars_probe(void *context, pci_address_t at,
				  rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES])
{
	(void)context;
	int64_t slots = rae_sys_pci_bars_probe(pci_resource, address_of(at), out);
	if (slots < 0) {
		pcid_say("%02x:%02x.%u: BARs not sized: %s", at.bus, at.device, at.function,
			 rae_status_name((rae_status_t)slots));
		return 0;
	}
	return (unsigned)slots;
}

rae_status_t pcid_config_open(rae_handle_t root, pci_config_t *out)
{
	pci_resource = root;
	int64_t v = rae_sys_pci_config_read(root, RAE_PCI_ADDRESS(0, 0, 0, 0), EXTENDED_SPACE, 4);
	if (v < 0 && v != RAE_ERR_RANGE)
		return (rae_status_t)v;
	*out =
	    (pci_config_t){kernel_read, kernel_bars_probe, NULL,
			   v == RAE_ERR_RANGE ? RAE_PCI_CONFIG_LEGACY_SIZE : RAE_PCI_CONFIG_SIZE};
	return RAE_OK;
}
