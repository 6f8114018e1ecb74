/* The PCI capability walk and the write rules of device objects
 * (pci/pci_caps.h): what a device says about itself is checked at every
 * step, since a broken or hostile one may point anywhere. */
#include <pci/pci_caps.h>

#include <string.h>

#define PCI_HEADER_TYPE_MASK 0x7f

/* The type 0 header's BARs and ROM BAR; a bridge's BARs, bus numbers,
 * windows and ROM BAR (type 1). Byte ranges [start, end). */
#define PCI_ENDPOINT_BARS_START 0x10
#define PCI_ENDPOINT_BARS_END   0x28
#define PCI_ENDPOINT_ROM_START  0x30
#define PCI_ENDPOINT_ROM_END    0x34
#define PCI_BRIDGE_OWNED_START  0x10 /* BARs 0-1, bus numbers, I/O and memory windows */
#define PCI_BRIDGE_SEC_STATUS   0x1e /* secondary status: write 1 to clear, allowed */
#define PCI_BRIDGE_OWNED_END    0x34 /* I/O base and limit upper 16 bits end here */
#define PCI_BRIDGE_ROM_START    0x38
#define PCI_BRIDGE_ROM_END      0x3c

void pci_caps_scan(pci_config_read_fn read, void *ctx, pci_caps_t *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->header_type = (uint8_t)(read(ctx, PCI_HEADER_TYPE, 1) & PCI_HEADER_TYPE_MASK);
	if (!(read(ctx, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return;
	uint64_t seen = 0; /* one bit per dword of the first 256 bytes */
	unsigned at = read(ctx, PCI_CAPABILITY_LIST, 1) & 0xfc;
	for (unsigned n = 0; at != 0; n++) {
		if (at < PCI_HEADER_END || at > 0xfc || n >= PCI_CAPS_MAX ||
		    (seen & (1ull << (at / 4)))) {
			caps->list_broken = true;
			return;
		}
		seen |= 1ull << (at / 4);
		uint32_t head = read(ctx, at, 4);
		uint8_t id = (uint8_t)head;
		uint16_t control = (uint16_t)(head >> 16);
		if (id == PCI_CAP_ID_MSI && !caps->msi) {
			caps->msi_64bit = control & PCI_MSI_64BIT;
			caps->msi_per_vector_mask = control & PCI_MSI_PER_VECTOR;
			unsigned length = caps->msi_64bit ? 14 : 10;
			if (caps->msi_per_vector_mask)
				length += 10; /* mask and pending bits, after a reserved word */
			if (at + length > 0x100) {
				caps->list_broken = true;
				return;
			}
			unsigned mmc = (control >> PCI_MSI_MMC_SHIFT) & 0x7;
			caps->msi = (uint8_t)at;
			caps->msi_length = (uint8_t)length;
			caps->msi_vectors = (uint16_t)(1u << (mmc > 5 ? 5 : mmc));
		} else if (id == PCI_CAP_ID_MSIX && !caps->msix) {
			if (at + PCI_MSIX_LENGTH > 0x100) {
				caps->list_broken = true;
				return;
			}
			uint32_t table = read(ctx, at + PCI_MSIX_TABLE, 4);
			caps->msix = (uint8_t)at;
			caps->msix_entries = (uint16_t)((control & PCI_MSIX_SIZE_MASK) + 1);
			caps->msix_bar = (uint8_t)(table & 0x7);
			caps->msix_table_offset = table & ~7u;
		} else if (id == PCI_CAP_ID_PCIE && !caps->pcie) {
			if (at + PCI_EXP_DEVSTA + 2 > 0x100) {
				caps->list_broken = true;
				return;
			}
			caps->pcie = (uint8_t)at;
			caps->flr = read(ctx, at + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR;
		}
		at = (head >> 8) & 0xfc;
	}
}

/* Whether [offset, offset + width) meets [start, end). */
static bool pci_overlaps(unsigned offset, unsigned width, unsigned start, unsigned end)
{
	return offset < end && start < offset + width;
}

bool pci_config_write_allowed(const pci_caps_t *caps, unsigned offset, unsigned width)
{
	if (caps->header_type > 1) {
		/* CardBus and unknown layouts: the whole type-specific header. */
		if (pci_overlaps(offset, width, PCI_ENDPOINT_BARS_START, PCI_HEADER_END))
			return false;
	} else if (caps->header_type == 1) {
		if (pci_overlaps(offset, width, PCI_BRIDGE_OWNED_START, PCI_BRIDGE_SEC_STATUS) ||
		    pci_overlaps(offset, width, PCI_BRIDGE_SEC_STATUS + 2, PCI_BRIDGE_OWNED_END) ||
		    pci_overlaps(offset, width, PCI_BRIDGE_ROM_START, PCI_BRIDGE_ROM_END))
			return false;
	} else if (pci_overlaps(offset, width, PCI_ENDPOINT_BARS_START, PCI_ENDPOINT_BARS_END) ||
		   pci_overlaps(offset, width, PCI_ENDPOINT_ROM_START, PCI_ENDPOINT_ROM_END)) {
		return false;
	}
	if (caps->msi && pci_overlaps(offset, width, caps->msi, caps->msi + caps->msi_length))
		return false;
	if (caps->msix && pci_overlaps(offset, width, caps->msix, caps->msix + PCI_MSIX_LENGTH))
		return false;
	return true;
}
