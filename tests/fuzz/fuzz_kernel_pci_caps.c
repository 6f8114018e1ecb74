/* libFuzzer entry point for the kernel's PCI capability walk (pci/pci_caps.h, the
 * device objects' one; services/pci has its own): the input is a
 * function's first 256 bytes of configuration space (zero-padded); the
 * walk must end, never read past 0xff, and report only capabilities that
 * lie wholly inside the space past the header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci_caps.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t space[256];
static unsigned reads;

static uint32_t fuzz_read(void *ctx, unsigned offset, unsigned width)
{
	(void)ctx;
	if (offset + width > sizeof(space) || (offset & (width - 1)))
		abort();
	reads++;
	uint32_t v = 0;
	memcpy(&v, space + offset, width);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(space, 0, sizeof(space));
	memcpy(space, data, size < sizeof(space) ? size : sizeof(space));
	reads = 0;
	pci_caps_t c;
	pci_caps_scan(fuzz_read, NULL, &c);
	if (reads > 3 + 2 * PCI_CAPS_MAX)
		abort();
	if (c.msi && (c.msi < PCI_HEADER_END || c.msi + c.msi_length > 256 || c.msi_vectors == 0 ||
		      c.msi_vectors > 32))
		abort();
	if (c.msix && (c.msix < PCI_HEADER_END || c.msix + PCI_MSIX_LENGTH > 256 ||
		       c.msix_entries == 0 || c.msix_entries > 2048 || c.msix_bar > 7))
		abort();
	if (c.pcie && (c.pcie < PCI_HEADER_END || c.pcie + PCI_EXP_DEVSTA + 2 > 256))
		abort();
	/* Whatever the device says, its MSI registers are never writable. */
	if (c.msi && pci_config_write_allowed(&c, c.msi, 1))
		abort();
	if (c.msix && pci_config_write_allowed(&c, c.msix + PCI_MSIX_LENGTH - 1, 1))
		abort();
	if (pci_config_write_allowed(&c, PCI_BAR0, 4))
		abort();
	return 0;
}
