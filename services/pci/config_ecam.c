/* Memory-mapped configuration space (PCI Express ECAM): each bus has 1 MiB,
 * 4 KiB per function, at base + (bus - start) << 20 | device << 15 |
 * function << 12. A bus's megabyte is mapped the first time it is touched,
 * so a segment of 256 buses with one in use costs one megabyte of mapping. */
#include "pcid.h"

#define BUS_BYTES (1u << 20)

/* The Q35 MCH's PCIEXBAR (Intel 3 Series datasheet, 5.1.15). */
#define Q35_VENDOR_DEVICE 0x29c08086u
#define Q35_PCIEXBAR      0x60
#define PCIEXBAR_ENABLE   0x1
#define PCIEXBAR_LENGTH   0x6            /* 0: 256 buses, 1: 128, 2: 64 */
#define PCIEXBAR_ADDRESS  0xffc000000ull /* bits 35:26; a longer window uses fewer */

typedef struct {
	pcid_ecam_window_t window;
	volatile uint8_t *bus[256]; /* mapped buses; NULL: not yet */
	bool failed[256];           /* mapping failed once: reads all-ones */
} ecam_t;

static ecam_t ecam[PCID_ECAM_MAX];
static size_t ecam_count;
static rae_handle_t ecam_root;

static rae_status_t bus_map(ecam_t *e, uint8_t bus)
{
	uint64_t phys = e->window.base + ((uint64_t)(bus - e->window.segment.start_bus) << 20);
	rae_handle_t range, memory;
	rae_status_t st =
	    rae_resource_create(ecam_root, RAE_RESOURCE_MMIO, phys, BUS_BYTES, &range);
	if (st != RAE_OK)
		return st;
	st = rae_mem_create_phys(range, phys, BUS_BYTES, RAE_MEM_PHYS_UNCACHED, &memory);
	rae_handle_close(range);
	if (st != RAE_OK)
		return st;
	int64_t va = rae_mem_map(memory, RAE_PROT_READ | RAE_PROT_WRITE);
	/* The mapping holds the object. */
	rae_handle_close(memory);
	if (va < 0)
		return (rae_status_t)va;
	e->bus[bus] = (volatile uint8_t *)(uintptr_t)va;
	return RAE_OK;
}

/* The dword's address, or NULL when the bus is outside every window or
 * cannot be mapped. */
static volatile uint32_t *ecam_dword(pci_address_t at, uint16_t offset)
{
	if (offset > 4096 - 4)
		return NULL;
	for (size_t i = 0; i < ecam_count; i++) {
		ecam_t *e = &ecam[i];
		const pci_segment_t *s = &e->window.segment;
		if (s->segment != at.segment || at.bus < s->start_bus || at.bus > s->end_bus)
			continue;
		if (!e->bus[at.bus] && !e->failed[at.bus]) {
			rae_status_t st = bus_map(e, at.bus);
			if (st != RAE_OK) {
				e->failed[at.bus] = true;
				pcid_say("cannot map ECAM of bus %04x:%02x: %s", at.segment, at.bus,
					 rae_status_name(st));
			}
		}
		if (!e->bus[at.bus])
			return NULL;
		uint32_t within = ((uint32_t)(at.device & 31) << 15) |
				  ((uint32_t)(at.function & 7) << 12) | (offset & 0xffc);
		return (volatile uint32_t *)(e->bus[at.bus] + within);
	}
	return NULL;
}

static uint32_t ecam_read(void *context, pci_address_t at, uint16_t offset)
{
	(void)context;
	volatile uint32_t *p = ecam_dword(at, offset);
	return p ? *p : 0xffffffffu;
}

static void ecam_write(void *context, pci_address_t at, uint16_t offset, uint32_t value)
{
	(void)context;
	volatile uint32_t *p = ecam_dword(at, offset);
	if (p)
		*p = value;
}

rae_status_t pcid_ecam_find_q35(const pci_config_t *ports, pcid_ecam_window_t *out)
{
	pci_address_t host = {0, 0, 0, 0};
	if (ports->read32(ports->context, host, 0) != Q35_VENDOR_DEVICE)
		return RAE_ERR_NOT_FOUND;
	uint64_t bar = ports->read32(ports->context, host, Q35_PCIEXBAR) |
		       ((uint64_t)ports->read32(ports->context, host, Q35_PCIEXBAR + 4) << 32);
	unsigned length = (unsigned)(bar & PCIEXBAR_LENGTH) >> 1;
	if (!(bar & PCIEXBAR_ENABLE) || length > 2)
		return RAE_ERR_NOT_FOUND;
	unsigned buses = 256u >> length;
	uint64_t address_mask = PCIEXBAR_ADDRESS & ~((uint64_t)buses * BUS_BYTES - 1);
	*out = (pcid_ecam_window_t){.segment = {0, 0, (uint8_t)(buses - 1)},
				    .base = bar & address_mask};
	return RAE_OK;
}

rae_status_t pcid_ecam_open(rae_handle_t root, const pcid_ecam_window_t *windows, size_t n,
			    pci_config_t *out)
{
	if (n == 0 || n > PCID_ECAM_MAX)
		return RAE_ERR_INVALID;
	ecam_root = root;
	ecam_count = n;
	for (size_t i = 0; i < n; i++) {
		memset(&ecam[i], 0, sizeof(ecam[i]));
		ecam[i].window = windows[i];
	}
	/* The first bus now: an error here is the window's, not one device's. */
	rae_status_t st = bus_map(&ecam[0], windows[0].segment.start_bus);
	if (st != RAE_OK) {
		ecam_count = 0;
		return st;
	}
	*out = (pci_config_t){ecam_read, ecam_write, NULL, 4096};
	return RAE_OK;
}
