/* A simulated PCI configuration space for the enumeration's host tests and
 * fuzzer: functions with 4 KiB of registers each, BARs that keep only
 * their address bits (so writing all-ones reads back the size mask), and
 * a record of every rule the enumeration and the kernel's BAR prober must
 * keep (aligned, in-range accesses; decoding off while a BAR holds
 * all-ones). */
#ifndef TESTS_SERVICES_PCI_PCI_SIM_H
#define TESTS_SERVICES_PCI_PCI_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pci/pci_bars.h>
#include <pci/pci_enum.h>

#define SIM_FUNCTIONS_MAX 32

typedef struct {
	pci_address_t at;
	uint8_t space[4096];
	/* Writable bits of BAR0..5 and the ROM register (0: not implemented). */
	uint32_t bar_writable[7];
	bool all_ones; /* answers all-ones everywhere, like a function being removed */
} sim_function_t;

typedef struct {
	sim_function_t functions[SIM_FUNCTIONS_MAX];
	unsigned count;
	uint16_t space_bytes;
	unsigned bad_accesses;  /* unaligned or past the space */
	unsigned decode_probes; /* all-ones written to a BAR while decoding was on */
	unsigned reads, writes;
} sim_t;

static inline sim_function_t *sim_find(sim_t *s, pci_address_t at)
{
	for (unsigned i = 0; i < s->count; i++) {
		pci_address_t a = s->functions[i].at;
		if (a.segment == at.segment && a.bus == at.bus && a.device == at.device &&
		    a.function == at.function)
			return &s->functions[i];
	}
	return NULL;
}

static inline uint32_t sim_get(const sim_function_t *f, uint16_t offset)
{
	uint32_t v;
	memcpy(&v, f->space + offset, 4);
	return v;
}

static inline void sim_put(sim_function_t *f, uint16_t offset, uint32_t v)
{
	memcpy(f->space + offset, &v, 4);
}

/* The BAR index of a register offset for f's header type, or -1. */
static inline int sim_bar_index(const sim_function_t *f, uint16_t offset)
{
	unsigned type = f->space[0x0e] & 0x7f;
	unsigned slots = type == 0 ? 6 : type == 1 ? 2 : 0;
	if (offset >= 0x10 && offset < 0x10 + 4 * slots)
		return (offset - 0x10) / 4;
	if ((type == 0 && offset == 0x30) || (type == 1 && offset == 0x38))
		return 6;
	return -1;
}

static inline uint32_t sim_read(void *context, pci_address_t at, uint16_t offset)
{
	sim_t *s = context;
	s->reads++;
	if ((offset & 3) || offset > s->space_bytes - 4) {
		s->bad_accesses++;
		return 0xffffffffu;
	}
	sim_function_t *f = sim_find(s, at);
	if (!f || f->all_ones)
		return 0xffffffffu;
	return sim_get(f, offset);
}

static inline void sim_write(void *context, pci_address_t at, uint16_t offset, uint32_t v)
{
	sim_t *s = context;
	s->writes++;
	if ((offset & 3) || offset > s->space_bytes - 4) {
		s->bad_accesses++;
		return;
	}
	sim_function_t *f = sim_find(s, at);
	if (!f || f->all_ones)
		return;
	int bar = sim_bar_index(f, offset);
	if (bar >= 0) {
		uint32_t writable = f->bar_writable[bar];
		uint32_t old = sim_get(f, offset);
		uint32_t address = writable & ~1u; /* not the ROM's enable bit */
		if (address && (v & address) == address && (sim_get(f, 0x04) & 3))
			s->decode_probes++;
		sim_put(f, offset, (old & ~writable) | (v & writable));
		return;
	}
	if (offset == 0x04) { /* status bits are write-one-to-clear: keep them */
		sim_put(f, offset, (sim_get(f, offset) & 0xffff0000u) | (v & 0xffffu));
		return;
	}
	if (offset < 0x40 && offset != 0x18 && offset != 0x3c)
		return; /* the rest of the header is read-only here */
	sim_put(f, offset, v);
}

static inline void sim_init(sim_t *s, uint16_t space_bytes)
{
	memset(s, 0, sizeof(*s));
	s->space_bytes = space_bytes;
}

/* BAR sizing the way the service gets it: the kernel's prober
 * (kernel/generic/pci/pci_bars.c, linked in) over the simulated
 * function, as PCI_BARS_PROBE runs it over the real one. */
typedef struct {
	sim_t *sim;
	pci_address_t at;
} sim_probe_t;

static inline uint32_t sim_probe_read(void *ctx, unsigned offset)
{
	sim_probe_t *p = ctx;
	return sim_read(p->sim, p->at, (uint16_t)offset);
}

static inline void sim_probe_write(void *ctx, unsigned offset, uint32_t value)
{
	sim_probe_t *p = ctx;
	sim_write(p->sim, p->at, (uint16_t)offset, value);
}

static inline unsigned sim_bars_probe(void *context, pci_address_t at,
				      rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES])
{
	sim_probe_t p = {context, at};
	return pci_bars_probe(sim_probe_read, sim_probe_write, &p, out);
}

static inline pci_config_t sim_config(sim_t *s)
{
	pci_config_t c = {sim_read, sim_bars_probe, s, s->space_bytes};
	return c;
}

/* Adds a function: IDs, class (class << 16 | subclass << 8 | prog-if),
 * header type (with bit 7 for multi-function), command. */
static inline sim_function_t *sim_add(sim_t *s, uint8_t bus, uint8_t device, uint8_t function,
				      uint16_t vendor, uint16_t device_id, uint32_t class,
				      uint8_t header, uint16_t command)
{
	sim_function_t *f = &s->functions[s->count++];
	memset(f, 0, sizeof(*f));
	f->at = (pci_address_t){0, bus, device, function};
	sim_put(f, 0x00, vendor | ((uint32_t)device_id << 16));
	sim_put(f, 0x04, command);
	sim_put(f, 0x08, (class << 8) | 0x01);
	f->space[0x0e] = header;
	return f;
}

/* A BAR: its programmed value (address and type bits) and size. */
static inline void sim_bar(sim_function_t *f, unsigned index, uint32_t value, uint32_t size)
{
	uint16_t offset = (uint16_t)(index == 6 ? ((f->space[0x0e] & 0x7f) == 1 ? 0x38 : 0x30)
						: 0x10 + 4 * index);
	uint32_t low_bits = index == 6 ? 0x7ff : (value & 1) ? 0x3 : 0xf;
	f->bar_writable[index] = size ? ~(size - 1) & ~low_bits : 0;
	if (index == 6)
		f->bar_writable[index] |= 1; /* the enable bit */
	sim_put(f, offset, value);
}

/* The upper half of a 64-bit BAR whose size is `size` (>= 4 GiB sizes set upper bits). */
static inline void sim_bar_upper(sim_function_t *f, unsigned index, uint32_t value, uint64_t size)
{
	f->bar_writable[index] = (uint32_t)(~(size - 1) >> 32);
	sim_put(f, (uint16_t)(0x10 + 4 * index), value);
}

/* A capability at offset: ID, next pointer, then the rest of its first dword. */
static inline void sim_cap(sim_function_t *f, uint8_t offset, uint8_t id, uint8_t next,
			   uint16_t upper)
{
	if (f->space[0x34] == 0)
		f->space[0x34] = offset;
	f->space[0x06] |= 0x10; /* status: capabilities list */
	sim_put(f, offset, id | ((uint32_t)next << 8) | ((uint32_t)upper << 16));
}

#endif
