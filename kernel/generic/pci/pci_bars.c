/* BAR sizing (pci/pci_bars.h). A BAR holding all-ones claims, for as long
 * as it does, whatever addresses that decodes to, which belong to someone
 * else: decoding is off around the probe. */
#include <pci/pci_bars.h>
#include <pci/pci_caps.h>

#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_ENDPOINT  0
#define PCI_HEADER_BRIDGE    1
#define PCI_ROM_ENDPOINT     0x30
#define PCI_ROM_BRIDGE       0x38
#define PCI_ROM_ADDRESS_MASK 0xfffff800u /* writing the enable bit would turn the ROM on */
#define PCI_ALL_ONES         0xffffffffu

static void probe_one(pci_bars_read_t read, pci_bars_write_t write, void *ctx, unsigned offset,
		      uint32_t ones, rae_pci_bar_probe_t *out)
{
	out->value = read(ctx, offset);
	/* All-ones, the type bits included, is no BAR: the function has
	 * stopped answering, and writing to it would achieve nothing. */
	if (out->value == PCI_ALL_ONES) {
		out->mask = PCI_ALL_ONES;
		return;
	}
	write(ctx, offset, ones);
	out->mask = read(ctx, offset);
	write(ctx, offset, out->value);
}

unsigned pci_bars_probe(pci_bars_read_t read, pci_bars_write_t write, void *ctx,
			rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES])
{
	for (unsigned i = 0; i < RAE_PCI_BAR_PROBES; i++)
		out[i] = (rae_pci_bar_probe_t){0, 0};
	unsigned type = (read(ctx, PCI_CACHE_LINE_SIZE) >> 16) & PCI_HEADER_TYPE_MASK;
	unsigned slots, rom;
	if (type == PCI_HEADER_ENDPOINT) {
		slots = 6;
		rom = PCI_ROM_ENDPOINT;
	} else if (type == PCI_HEADER_BRIDGE) {
		slots = 2;
		rom = PCI_ROM_BRIDGE;
	} else {
		return 0;
	}
	uint32_t command = read(ctx, PCI_COMMAND) & 0xffffu;
	uint32_t decoding = command & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	if (decoding)
		write(ctx, PCI_COMMAND, command & ~decoding);
	/* Each half of a 64-bit BAR is its own register: probing them one
	 * after the other gives the same mask as both at once. */
	for (unsigned i = 0; i < slots; i++)
		probe_one(read, write, ctx, PCI_BAR0 + 4 * i, PCI_ALL_ONES, &out[i]);
	probe_one(read, write, ctx, rom, PCI_ROM_ADDRESS_MASK, &out[RAE_PCI_BAR_PROBE_ROM]);
	if (decoding)
		write(ctx, PCI_COMMAND, command);
	return slots;
}
