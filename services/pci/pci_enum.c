/* PCI enumeration over an abstract configuration space: the bus walk,
 * BAR sizing and capability lists (pci_enum.h). Everything read from the
 * hardware is distrusted: pointers are bounded and checked for loops, and
 * a function that reads all-ones is absent. */
#include <string.h>

#include "pci_enum.h"

/* Configuration-space registers (PCI Local Bus 3.0, 6.1). */
#define REG_ID          0x00
#define REG_COMMAND     0x04 /* command (low half), status (high half) */
#define REG_CLASS       0x08 /* revision, prog-if, subclass, class */
#define REG_HEADER      0x0c /* header type in byte 2 */
#define REG_BUSES       0x18 /* bridges: primary, secondary, subordinate */
#define REG_SUBSYSTEM   0x2c /* type 0 */
#define REG_CAP_POINTER 0x34
#define REG_INTERRUPT   0x3c /* line in byte 0, pin in byte 1 */

#define COMMAND_IO        0x1
#define COMMAND_MEMORY    0x2
#define STATUS_CAP_LIST   0x10
#define HEADER_MULTI      0x80
#define HEADER_TYPE_MASK  0x7f
#define HEADER_CAPS_START 0x40 /* capabilities live after the 64-byte header */
#define EXT_CAPS_START    0x100
#define ROM_ENABLE        0x1
#define ROM_ADDRESS_MASK  0xfffff800u
#define BAR_IO            0x1
#define BAR_MEM_TYPE_MASK 0x6
#define BAR_MEM_TYPE_64   0x4
#define BAR_MEM_PREFETCH  0x8
#define BAR_IO_ADDRESS    0xfffffffcu
#define BAR_MEM_ADDRESS   0xfffffff0u

/* The bytes each summarised capability spans from its header: details are
 * read only when all of it lies inside the space. */
#define CAP_PM_BYTES   8
#define CAP_MSI_BYTES  10
#define CAP_MSIX_BYTES 12
#define CAP_PCIE_BYTES 4

static uint32_t config_read(const pci_config_t *c, pci_address_t at, uint16_t offset)
{
	return c->read32(c->context, at, offset);
}

static uint16_t config_read16(const pci_config_t *c, pci_address_t at, uint16_t offset)
{
	return (uint16_t)(config_read(c, at, offset & ~3u) >> ((offset & 2) * 8));
}

static uint8_t config_read8(const pci_config_t *c, pci_address_t at, uint16_t offset)
{
	return (uint8_t)(config_read(c, at, offset & ~3u) >> ((offset & 3) * 8));
}

/* A BAR's size is its lowest writable address bit. Taking that bit alone
 * (not ~mask + 1) stays a power of two when a device wrongly returns
 * address bits below it as ones. */
static uint64_t lowest_bit(uint64_t mask)
{
	return mask & (~mask + 1);
}

/* Decodes the BAR at slot i from its probe; returns how many slots it
 * took (2 for 64-bit). */
static unsigned bar_decode(const rae_pci_bar_probe_t *probes, rae_pci_function_t *f, unsigned i,
			   unsigned slots)
{
	rae_pci_bar_t *bar = &f->bars[i];
	uint32_t low = probes[i].value;
	/* A register that is all-ones before and after (its type bits
	 * included, which no BAR can have) belongs to a function that has
	 * stopped answering: nothing to size. */
	if (low == 0xffffffffu)
		return 1;
	if (low & BAR_IO) {
		uint32_t mask = probes[i].mask;
		if (mask == 0xffffffffu)
			return 1;
		mask &= BAR_IO_ADDRESS;
		if (mask == 0)
			return 1;
		/* Devices that decode 16 port bits leave the upper half zero. */
		if ((mask & 0xffff0000u) == 0)
			mask |= 0xffff0000u;
		bar->flags = RAE_PCI_BAR_IO | ((f->command & COMMAND_IO) ? RAE_PCI_BAR_ENABLED : 0);
		bar->base = low & BAR_IO_ADDRESS;
		bar->size = lowest_bit(mask);
		return 1;
	}
	uint32_t flags = (low & BAR_MEM_PREFETCH) ? RAE_PCI_BAR_PREFETCH : 0;
	flags |= (f->command & COMMAND_MEMORY) ? RAE_PCI_BAR_ENABLED : 0;
	if ((low & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64) {
		if (i + 1 >= slots) { /* no upper half to pair with */
			bar->flags = flags | RAE_PCI_BAR_64 | RAE_PCI_BAR_BROKEN;
			bar->base = low & BAR_MEM_ADDRESS;
			return 1;
		}
		uint32_t high = probes[i + 1].value;
		uint64_t mask = probes[i].mask | ((uint64_t)probes[i + 1].mask << 32);
		mask &= ~(uint64_t)0xf;
		f->bars[i + 1].flags = RAE_PCI_BAR_UPPER;
		if (mask == 0)
			return 2;
		bar->flags = flags | RAE_PCI_BAR_64;
		bar->base = (low & BAR_MEM_ADDRESS) | ((uint64_t)high << 32);
		bar->size = lowest_bit(mask);
		return 2;
	}
	uint32_t mask = probes[i].mask;
	if (mask == 0xffffffffu)
		return 1;
	mask &= BAR_MEM_ADDRESS;
	if (mask == 0)
		return 1;
	bar->flags = flags;
	bar->base = low & BAR_MEM_ADDRESS;
	bar->size = lowest_bit(mask);
	return 1;
}

static void rom_decode(const rae_pci_bar_probe_t *probe, rae_pci_function_t *f)
{
	uint32_t original = probe->value;
	if (original == 0xffffffffu)
		return;
	uint32_t mask = probe->mask & ROM_ADDRESS_MASK;
	if (mask == 0)
		return;
	rae_pci_bar_t *rom = &f->bars[RAE_PCI_BAR_ROM];
	rom->base = original & ROM_ADDRESS_MASK;
	rom->size = lowest_bit(mask);
	rom->flags =
	    ((original & ROM_ENABLE) && (f->command & COMMAND_MEMORY)) ? RAE_PCI_BAR_ENABLED : 0;
}

void pci_bars_read(const pci_config_t *config, pci_address_t at, rae_pci_function_t *f)
{
	unsigned expected;
	if (f->header_type == RAE_PCI_HEADER_DEVICE)
		expected = 6;
	else if (f->header_type == RAE_PCI_HEADER_BRIDGE)
		expected = 2;
	else
		return;
	/* Writing all-ones to each BAR with decoding off, and putting
	 * everything back, is the prober's: the kernel does it under its
	 * configuration lock. */
	rae_pci_bar_probe_t probes[RAE_PCI_BAR_PROBES];
	memset(probes, 0, sizeof(probes));
	unsigned slots = config->bars_probe(config->context, at, probes);
	/* A header that changed between the two reads is not decoded. */
	if (slots != expected) {
		f->flags |= RAE_PCI_FN_BARS_UNSIZED;
		return;
	}
	for (unsigned i = 0; i < slots;)
		i += bar_decode(probes, f, i, slots);
	rom_decode(&probes[RAE_PCI_BAR_PROBE_ROM], f);
}

static void cap_record(rae_pci_function_t *f, uint8_t id)
{
	if (f->cap_count < RAE_PCI_CAPS_MAX)
		f->caps[f->cap_count++] = id;
	else
		f->flags |= RAE_PCI_FN_CAPS_MORE;
}

/* The details of the capability `id` at offset, when it fits the space. */
static void cap_details(const pci_config_t *c, pci_address_t at, rae_pci_function_t *f, uint8_t id,
			uint16_t offset)
{
	unsigned need = id == RAE_PCI_CAP_PM     ? CAP_PM_BYTES
			: id == RAE_PCI_CAP_MSI  ? CAP_MSI_BYTES
			: id == RAE_PCI_CAP_MSIX ? CAP_MSIX_BYTES
			: id == RAE_PCI_CAP_PCIE ? CAP_PCIE_BYTES
						 : 0;
	if (!need)
		return;
	if ((unsigned)offset + need > 256) {
		f->flags |= RAE_PCI_FN_CAP_OUTSIDE;
		return;
	}
	switch (id) {
	case RAE_PCI_CAP_PM:
		if (!f->pm_offset)
			f->pm_offset = offset;
		break;
	case RAE_PCI_CAP_MSI:
		if (!f->msi_offset) {
			f->msi_offset = offset;
			f->msi_control = config_read16(c, at, (uint16_t)(offset + 2));
		}
		break;
	case RAE_PCI_CAP_MSIX:
		if (!f->msix_offset) {
			uint16_t control = config_read16(c, at, (uint16_t)(offset + 2));
			uint32_t table = config_read(c, at, (uint16_t)(offset + 4));
			uint32_t pba = config_read(c, at, (uint16_t)(offset + 8));
			f->msix_offset = offset;
			f->msix_table_size = (uint16_t)((control & 0x7ff) + 1);
			f->msix_table_bar = table & 7;
			f->msix_table_offset = table & ~7u;
			f->msix_pba_bar = pba & 7;
			f->msix_pba_offset = pba & ~7u;
		}
		break;
	case RAE_PCI_CAP_PCIE:
		if (!f->pcie_offset) {
			f->pcie_offset = offset;
			f->pcie_type = (config_read16(c, at, (uint16_t)(offset + 2)) >> 4) & 0xf;
		}
		break;
	}
}

/* The extended list, from 0x100: 12-bit next pointers, dword aligned. */
static void ext_caps_read(const pci_config_t *c, pci_address_t at, rae_pci_function_t *f)
{
	uint8_t seen[4096 / 4 / 8] = {0};
	uint16_t offset = EXT_CAPS_START;
	while (offset) {
		if (offset < EXT_CAPS_START || offset > c->space_bytes - 4) {
			f->flags |= RAE_PCI_FN_EXT_CAP_BAD;
			return;
		}
		unsigned dword = offset / 4u;
		if (seen[dword / 8] & (1u << (dword % 8))) {
			f->flags |= RAE_PCI_FN_EXT_CAP_BAD;
			return;
		}
		seen[dword / 8] |= (uint8_t)(1u << (dword % 8));
		uint32_t header = config_read(c, at, offset);
		/* No extended capabilities: 0 (or all-ones) where the first would be. */
		if (header == 0 || header == 0xffffffffu)
			return;
		if (f->ext_cap_count < RAE_PCI_EXT_CAPS_MAX)
			f->ext_caps[f->ext_cap_count++] = (uint16_t)header;
		else
			f->flags |= RAE_PCI_FN_CAPS_MORE;
		offset = (uint16_t)((header >> 20) & 0xffc);
	}
}

void pci_capabilities_read(const pci_config_t *config, pci_address_t at, rae_pci_function_t *f)
{
	if (!(f->status & STATUS_CAP_LIST) || f->header_type > RAE_PCI_HEADER_BRIDGE)
		return;
	uint8_t seen[256 / 4 / 8] = {0};
	uint16_t offset = config_read8(config, at, REG_CAP_POINTER) & 0xfc;
	while (offset) {
		if (offset < HEADER_CAPS_START) {
			f->flags |= RAE_PCI_FN_CAP_OUTSIDE;
			break;
		}
		unsigned dword = offset / 4u;
		if (seen[dword / 8] & (1u << (dword % 8))) {
			f->flags |= RAE_PCI_FN_CAP_LOOP;
			break;
		}
		seen[dword / 8] |= (uint8_t)(1u << (dword % 8));
		uint32_t header = config_read(config, at, offset);
		uint8_t id = (uint8_t)header;
		cap_record(f, id);
		cap_details(config, at, f, id, offset);
		offset = (header >> 8) & 0xfc;
	}
	if (config->space_bytes == 4096 && f->pcie_offset)
		ext_caps_read(config, at, f);
}

bool pci_function_read(const pci_config_t *config, pci_address_t at, rae_pci_function_t *f)
{
	uint32_t id = config_read(config, at, REG_ID);
	uint16_t vendor = (uint16_t)id;
	if (vendor == 0xffff || vendor == 0)
		return false;
	memset(f, 0, sizeof(*f));
	f->segment = at.segment;
	f->bus = at.bus;
	f->device = at.device;
	f->function = at.function;
	f->vendor_id = vendor;
	f->device_id = (uint16_t)(id >> 16);
	uint32_t command = config_read(config, at, REG_COMMAND);
	f->command = (uint16_t)command;
	f->status = (uint16_t)(command >> 16);
	uint32_t class = config_read(config, at, REG_CLASS);
	f->revision = (uint8_t) class;
	f->prog_if = (uint8_t)(class >> 8);
	f->subclass = (uint8_t)(class >> 16);
	f->class_code = (uint8_t)(class >> 24);
	uint8_t header = config_read8(config, at, REG_HEADER + 2);
	f->header_type = header & HEADER_TYPE_MASK;
	if (header & HEADER_MULTI)
		f->flags |= RAE_PCI_FN_MULTIFUNCTION;
	if (f->header_type > RAE_PCI_HEADER_BRIDGE) {
		f->flags |= RAE_PCI_FN_UNKNOWN_TYPE;
		return true;
	}
	uint32_t interrupt = config_read(config, at, REG_INTERRUPT);
	f->irq_line = (uint8_t)interrupt;
	f->irq_pin = (uint8_t)(interrupt >> 8);
	if (f->header_type == RAE_PCI_HEADER_DEVICE) {
		uint32_t subsystem = config_read(config, at, REG_SUBSYSTEM);
		f->subsystem_vendor = (uint16_t)subsystem;
		f->subsystem_id = (uint16_t)(subsystem >> 16);
	} else {
		uint32_t buses = config_read(config, at, REG_BUSES);
		f->secondary_bus = (uint8_t)(buses >> 8);
		f->subordinate_bus = (uint8_t)(buses >> 16);
	}
	pci_bars_read(config, at, f);
	pci_capabilities_read(config, at, f);
	return true;
}

static bool address_before(const rae_pci_function_t *a, const rae_pci_function_t *b)
{
	uint64_t ka = ((uint64_t)a->segment << 16) | ((uint32_t)a->bus << 8) |
		      ((uint32_t)a->device << 3) | a->function;
	uint64_t kb = ((uint64_t)b->segment << 16) | ((uint32_t)b->bus << 8) |
		      ((uint32_t)b->device << 3) | b->function;
	return ka < kb;
}

static void result_add(pci_enum_result_t *out, const rae_pci_function_t *f)
{
	if (out->count == out->max) {
		out->truncated = true;
		return;
	}
	out->functions[out->count++] = *f;
}

/* Scans the buses of one segment reachable from its start bus. */
static void segment_walk(const pci_config_t *config, const pci_segment_t *s, pci_enum_result_t *out)
{
	uint8_t pending[256];
	uint8_t seen[256 / 8] = {0};
	unsigned head = 0, tail = 0;
	pending[tail++] = s->start_bus;
	seen[s->start_bus / 8] |= (uint8_t)(1u << (s->start_bus % 8));
	while (head < tail) {
		uint8_t bus = pending[head++];
		out->buses++;
		for (uint8_t device = 0; device < 32; device++) {
			unsigned functions = 1;
			for (uint8_t function = 0; function < functions; function++) {
				pci_address_t at = {s->segment, bus, device, function};
				rae_pci_function_t f;
				if (!pci_function_read(config, at, &f))
					continue;
				/* Only function 0 says whether 1..7 exist; some
				 * single-function devices answer at every number. */
				if (function == 0 && (f.flags & RAE_PCI_FN_MULTIFUNCTION))
					functions = 8;
				result_add(out, &f);
				uint8_t next = f.secondary_bus;
				if (f.header_type != RAE_PCI_HEADER_BRIDGE || next < s->start_bus ||
				    next > s->end_bus || (seen[next / 8] & (1u << (next % 8))))
					continue;
				seen[next / 8] |= (uint8_t)(1u << (next % 8));
				pending[tail++] = next;
			}
		}
	}
}

void pci_enumerate(const pci_config_t *config, const pci_segment_t *segments, size_t nsegments,
		   pci_enum_result_t *out)
{
	out->count = 0;
	out->truncated = false;
	out->buses = 0;
	for (size_t i = 0; i < nsegments; i++) {
		if (segments[i].start_bus <= segments[i].end_bus)
			segment_walk(config, &segments[i], out);
	}
	/* Bus order, as lspci prints: bridges were followed breadth first. */
	for (size_t i = 1; i < out->count; i++) {
		rae_pci_function_t f = out->functions[i];
		size_t j = i;
		for (; j > 0 && address_before(&f, &out->functions[j - 1]); j--)
			out->functions[j] = out->functions[j - 1];
		out->functions[j] = f;
	}
}
