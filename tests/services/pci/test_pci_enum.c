/* Host tests for the PCI enumeration (services/pci/pci_enum.c) against a
 * simulated configuration space (pci_sim.h): BAR sizing of every kind with
 * the registers restored, bridges followed as the firmware numbered them,
 * multi-function devices, absent and all-ones functions, and capability
 * lists that loop or point outside the space. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pci_sim.h"

static sim_t sim;
static rae_pci_function_t found[64];

static pci_enum_result_t enumerate(uint16_t space, size_t max)
{
	pci_config_t c = sim_config(&sim);
	c.space_bytes = space;
	pci_segment_t seg = {0, 0, 255};
	pci_enum_result_t r = {.functions = found, .max = max};
	pci_enumerate(&c, &seg, 1, &r);
	assert_int_equal(sim.bad_accesses, 0);
	assert_int_equal(sim.decode_probes, 0);
	return r;
}

static const rae_pci_function_t *at(const pci_enum_result_t *r, uint8_t bus, uint8_t device,
				    uint8_t function)
{
	for (size_t i = 0; i < r->count; i++) {
		const rae_pci_function_t *f = &r->functions[i];
		if (f->bus == bus && f->device == device && f->function == function)
			return f;
	}
	return NULL;
}

static void test_bars_sized_and_restored(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_add(&sim, 0, 0, 0, 0x8086, 0x29c0, 0x060000, 0, 0);
	sim_function_t *d = sim_add(&sim, 0, 2, 0, 0x8086, 0x10d3, 0x020000, 0, 0x0007);
	sim_bar(d, 0, 0xfeb80000, 0x20000);      /* 32-bit memory, 128 KiB */
	sim_bar(d, 1, 0xfeba0000 | 0x8, 0x4000); /* 32-bit prefetchable */
	sim_bar(d, 2, 0xc001, 0x20);             /* I/O, 32 ports */
	sim_bar(d, 3, 0x0000000c, 0x4000);       /* 64-bit prefetchable ... */
	sim_bar_upper(d, 4, 0x00000008, 0x4000); /* ... at 0x8_0000_0000 */
	sim_bar(d, 6, 0xfeb00000, 0x40000);      /* ROM, 256 KiB, disabled */
	d->space[0x3c] = 11;
	d->space[0x3d] = 1;
	uint8_t before[256];
	memcpy(before, d->space, sizeof(before));

	pci_enum_result_t r = enumerate(256, 64);
	assert_int_equal(r.count, 2);
	const rae_pci_function_t *f = at(&r, 0, 2, 0);
	assert_non_null(f);
	assert_int_equal(f->vendor_id, 0x8086);
	assert_int_equal(f->device_id, 0x10d3);
	assert_int_equal(f->class_code, 0x02);
	assert_int_equal(f->irq_line, 11);
	assert_int_equal(f->irq_pin, 1);
	assert_int_equal(f->bars[0].base, 0xfeb80000);
	assert_int_equal(f->bars[0].size, 0x20000);
	assert_int_equal(f->bars[0].flags, RAE_PCI_BAR_ENABLED);
	assert_int_equal(f->bars[1].size, 0x4000);
	assert_int_equal(f->bars[1].flags, RAE_PCI_BAR_ENABLED | RAE_PCI_BAR_PREFETCH);
	assert_int_equal(f->bars[2].base, 0xc000);
	assert_int_equal(f->bars[2].size, 0x20);
	assert_int_equal(f->bars[2].flags, RAE_PCI_BAR_ENABLED | RAE_PCI_BAR_IO);
	assert_int_equal(f->bars[3].base, 0x800000000ull);
	assert_int_equal(f->bars[3].size, 0x4000);
	assert_int_equal(f->bars[3].flags,
			 RAE_PCI_BAR_ENABLED | RAE_PCI_BAR_PREFETCH | RAE_PCI_BAR_64);
	assert_int_equal(f->bars[4].flags, RAE_PCI_BAR_UPPER);
	assert_int_equal(f->bars[4].size, 0);
	assert_int_equal(f->bars[5].size, 0);
	assert_int_equal(f->bars[6].base, 0xfeb00000);
	assert_int_equal(f->bars[6].size, 0x40000);
	assert_int_equal(f->bars[6].flags, 0);
	/* Every register as it was, the command register included. */
	assert_memory_equal(before, d->space, sizeof(before));
}

static void test_64bit_bar_above_4g_size(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_function_t *d = sim_add(&sim, 0, 3, 0, 0x1af4, 0x1041, 0x020000, 0, 0x0002);
	sim_bar(d, 4, 0x0000000c, 0); /* low half: every address bit fixed at 0 */
	d->bar_writable[4] = 0;       /* a 16 GiB BAR: the low half is all size */
	sim_bar_upper(d, 5, 0x00000004, 0x400000000ull);
	sim_bar(d, 0, 0x0000000c, 0); /* absent BAR typed as 64-bit: ignored */
	pci_enum_result_t r = enumerate(256, 64);
	const rae_pci_function_t *f = at(&r, 0, 3, 0);
	assert_non_null(f);
	assert_int_equal(f->bars[4].base, 0x400000000ull);
	assert_int_equal(f->bars[4].size, 0x400000000ull);
	assert_int_equal(f->bars[5].flags, RAE_PCI_BAR_UPPER);
	assert_int_equal(f->bars[0].size, 0);
}

static void test_64bit_bar_in_last_slot_is_broken(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_function_t *d = sim_add(&sim, 0, 4, 0, 0x1234, 0x5678, 0x010000, 0, 0x0002);
	sim_bar(d, 5, 0xfe000004, 0x1000);
	pci_enum_result_t r = enumerate(256, 64);
	const rae_pci_function_t *f = at(&r, 0, 4, 0);
	assert_non_null(f);
	assert_true(f->bars[5].flags & RAE_PCI_BAR_BROKEN);
	assert_int_equal(sim_get(d, 0x24), 0xfe000004);
}

static void test_bridges_followed_as_numbered(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_add(&sim, 0, 0, 0, 0x8086, 0x29c0, 0x060000, 0, 0);
	sim_function_t *b1 = sim_add(&sim, 0, 0x1c, 0, 0x1b36, 0x000c, 0x060400, 1, 0x0007);
	sim_put(b1, 0x18, 0x00030200); /* primary 0, secondary 2, subordinate 3 */
	sim_bar(b1, 0, 0xfe800000, 0x1000);
	sim_function_t *b2 = sim_add(&sim, 2, 0, 0, 0x1b36, 0x000e, 0x060400, 1, 0x0007);
	sim_put(b2, 0x18, 0x00030302);
	sim_add(&sim, 3, 5, 0, 0x1af4, 0x1005, 0x00ff00, 0, 0x0003);
	/* A bridge that claims bus 0 again, and one pointing past the segment: not rescanned. */
	sim_function_t *b3 = sim_add(&sim, 3, 6, 0, 0x1b36, 0x000e, 0x060400, 1, 0);
	sim_put(b3, 0x18, 0x00000003);
	/* A device behind no bridge: firmware never numbered its bus. */
	sim_add(&sim, 7, 0, 0, 0x1af4, 0x1001, 0x010000, 0, 0);

	pci_enum_result_t r = enumerate(256, 64);
	assert_int_equal(r.count, 5);
	assert_int_equal(r.buses, 3);
	const rae_pci_function_t *f = at(&r, 0, 0x1c, 0);
	assert_non_null(f);
	assert_int_equal(f->header_type, RAE_PCI_HEADER_BRIDGE);
	assert_int_equal(f->secondary_bus, 2);
	assert_int_equal(f->subordinate_bus, 3);
	assert_int_equal(f->bars[0].size, 0x1000);
	assert_non_null(at(&r, 2, 0, 0));
	assert_non_null(at(&r, 3, 5, 0));
	assert_null(at(&r, 7, 0, 0));
	/* The bus numbers are untouched. */
	assert_int_equal(sim_get(b1, 0x18), 0x00030200);
	/* In bus order. */
	for (size_t i = 1; i < r.count; i++)
		assert_true(r.functions[i - 1].bus <= r.functions[i].bus);
}

static void test_bridge_outside_segment_not_followed(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_function_t *b = sim_add(&sim, 0, 1, 0, 0x1b36, 0x000c, 0x060400, 1, 0);
	sim_put(b, 0x18, 0x00090900);
	sim_add(&sim, 9, 0, 0, 0x1af4, 0x1001, 0x010000, 0, 0);
	pci_config_t c = sim_config(&sim);
	pci_segment_t seg = {0, 0, 7};
	pci_enum_result_t r = {.functions = found, .max = 64};
	pci_enumerate(&c, &seg, 1, &r);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.buses, 1);
}

static void test_multifunction_and_absent(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_add(&sim, 0, 0x1f, 0, 0x8086, 0x2918, 0x060100, 0x80, 0x0007);
	sim_add(&sim, 0, 0x1f, 2, 0x8086, 0x2922, 0x010601, 0, 0x0007);
	sim_add(&sim, 0, 0x1f, 3, 0x8086, 0x2930, 0x0c0500, 0, 0x0003);
	/* A single-function device that answers at every function number. */
	for (uint8_t fn = 0; fn < 8; fn++)
		sim_add(&sim, 0, 5, fn, 0x1234, 0x1111, 0x030000, 0, 0);
	/* Function 1 without function 0: not scanned. */
	sim_add(&sim, 0, 6, 1, 0x1234, 0x2222, 0x030000, 0, 0);
	/* Vendor 0 and all-ones: nobody there. */
	sim_add(&sim, 0, 7, 0, 0x0000, 0x0000, 0, 0, 0);
	sim_function_t *gone = sim_add(&sim, 0, 8, 0, 0x1234, 0x3333, 0x030000, 0, 0);
	gone->all_ones = true;

	pci_enum_result_t r = enumerate(256, 64);
	assert_int_equal(r.count, 4);
	assert_true(at(&r, 0, 0x1f, 0)->flags & RAE_PCI_FN_MULTIFUNCTION);
	assert_non_null(at(&r, 0, 0x1f, 2));
	assert_non_null(at(&r, 0, 0x1f, 3));
	assert_null(at(&r, 0, 0x1f, 1));
	assert_non_null(at(&r, 0, 5, 0));
	assert_null(at(&r, 0, 5, 1));
	assert_null(at(&r, 0, 6, 1));
	assert_null(at(&r, 0, 8, 0));
}

static void test_truncated(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	for (uint8_t d = 0; d < 5; d++)
		sim_add(&sim, 0, d, 0, 0x1234, d, 0x030000, 0, 0);
	pci_enum_result_t r = enumerate(256, 3);
	assert_int_equal(r.count, 3);
	assert_true(r.truncated);
}

static void test_capabilities(void **state)
{
	(void)state;
	sim_init(&sim, 4096);
	sim_function_t *d = sim_add(&sim, 0, 3, 0, 0x1af4, 0x1044, 0x00ff00, 0, 0x0002);
	sim_bar(d, 1, 0xfea00000, 0x1000);
	sim_cap(d, 0x98, RAE_PCI_CAP_MSIX, 0x84, 0x0003); /* 4 vectors */
	sim_put(d, 0x9c, 0x00000001);                     /* table in BAR1 at 0 */
	sim_put(d, 0xa0, 0x00000801);                     /* PBA in BAR1 at 0x800 */
	sim_cap(d, 0x84, 0x09, 0x70, 0);                  /* vendor-specific */
	sim_cap(d, 0x70, RAE_PCI_CAP_PCIE, 0x60, 0x0002); /* version 2, endpoint */
	sim_cap(d, 0x60, RAE_PCI_CAP_MSI, 0x50, 0x0080);  /* 64-bit */
	sim_cap(d, 0x50, RAE_PCI_CAP_PM, 0x00, 0x0003);
	sim_put(d, 0x100, 0x14010001); /* AER, next 0x140 */
	sim_put(d, 0x140, 0x00010003); /* serial number, last */
	pci_enum_result_t r = enumerate(4096, 64);
	const rae_pci_function_t *f = at(&r, 0, 3, 0);
	assert_non_null(f);
	assert_int_equal(f->flags, 0);
	assert_int_equal(f->cap_count, 5);
	static const uint8_t ids[] = {0x11, 0x09, 0x10, 0x05, 0x01};
	assert_memory_equal(f->caps, ids, sizeof(ids));
	assert_int_equal(f->msix_offset, 0x98);
	assert_int_equal(f->msix_table_size, 4);
	assert_int_equal(f->msix_table_bar, 1);
	assert_int_equal(f->msix_table_offset, 0);
	assert_int_equal(f->msix_pba_bar, 1);
	assert_int_equal(f->msix_pba_offset, 0x800);
	assert_int_equal(f->pcie_offset, 0x70);
	assert_int_equal(f->pcie_type, 0);
	assert_int_equal(f->msi_offset, 0x60);
	assert_int_equal(f->msi_control, 0x0080);
	assert_int_equal(f->pm_offset, 0x50);
	assert_int_equal(f->ext_cap_count, 2);
	assert_int_equal(f->ext_caps[0], 0x0001);
	assert_int_equal(f->ext_caps[1], 0x0003);

	/* Through the ports (256 bytes) the extended list is not read. */
	sim.space_bytes = 256;
	sim.reads = 0;
	r = enumerate(256, 64);
	assert_int_equal(at(&r, 0, 3, 0)->ext_cap_count, 0);
}

static void test_capability_loop(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_function_t *d = sim_add(&sim, 0, 3, 0, 0x1af4, 0x1000, 0x020000, 0, 0);
	sim_cap(d, 0x40, RAE_PCI_CAP_MSI, 0x50, 0);
	sim_cap(d, 0x50, RAE_PCI_CAP_PM, 0x40, 0);
	/* A list that points at itself. */
	sim_function_t *e = sim_add(&sim, 0, 4, 0, 0x1af4, 0x1000, 0x020000, 0, 0);
	sim_cap(e, 0x80, 0x09, 0x80, 0);
	pci_enum_result_t r = enumerate(256, 64);
	const rae_pci_function_t *f = at(&r, 0, 3, 0);
	assert_true(f->flags & RAE_PCI_FN_CAP_LOOP);
	assert_int_equal(f->cap_count, 2);
	assert_int_equal(f->msi_offset, 0x40);
	assert_int_equal(f->pm_offset, 0x50);
	f = at(&r, 0, 4, 0);
	assert_true(f->flags & RAE_PCI_FN_CAP_LOOP);
	assert_int_equal(f->cap_count, 1);
}

static void test_capability_outside(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	/* Into the header. */
	sim_function_t *d = sim_add(&sim, 0, 3, 0, 0x1af4, 0x1000, 0x020000, 0, 0);
	sim_cap(d, 0x40, RAE_PCI_CAP_PM, 0x10, 0);
	/* An MSI-X capability whose table words would lie past byte 255. */
	sim_function_t *e = sim_add(&sim, 0, 4, 0, 0x1af4, 0x1000, 0x020000, 0, 0);
	sim_cap(e, 0xfc, RAE_PCI_CAP_MSIX, 0x00, 0x0007);
	/* A first pointer into the header. */
	sim_function_t *g = sim_add(&sim, 0, 5, 0, 0x1af4, 0x1000, 0x020000, 0, 0);
	g->space[0x06] |= 0x10;
	g->space[0x34] = 0x3c;
	pci_enum_result_t r = enumerate(256, 64);
	const rae_pci_function_t *f = at(&r, 0, 3, 0);
	assert_true(f->flags & RAE_PCI_FN_CAP_OUTSIDE);
	assert_int_equal(f->cap_count, 1);
	f = at(&r, 0, 4, 0);
	assert_true(f->flags & RAE_PCI_FN_CAP_OUTSIDE);
	assert_int_equal(f->msix_offset, 0);
	f = at(&r, 0, 5, 0);
	assert_true(f->flags & RAE_PCI_FN_CAP_OUTSIDE);
	assert_int_equal(f->cap_count, 0);
}

static void test_extended_capability_loop_and_outside(void **state)
{
	(void)state;
	sim_init(&sim, 4096);
	sim_function_t *d = sim_add(&sim, 0, 3, 0, 0x8086, 0x10d3, 0x020000, 0, 0);
	sim_cap(d, 0x40, RAE_PCI_CAP_PCIE, 0, 0x0002);
	sim_put(d, 0x100, 0x20010001); /* -> 0x200 */
	sim_put(d, 0x200, 0x10010002); /* -> 0x100: a loop */
	sim_function_t *e = sim_add(&sim, 0, 4, 0, 0x8086, 0x10d3, 0x020000, 0, 0);
	sim_cap(e, 0x40, RAE_PCI_CAP_PCIE, 0, 0x0002);
	sim_put(e, 0x100, 0x0f010001); /* -> 0xf0: below the extended space */
	pci_enum_result_t r = enumerate(4096, 64);
	const rae_pci_function_t *f = at(&r, 0, 3, 0);
	assert_true(f->flags & RAE_PCI_FN_EXT_CAP_BAD);
	assert_int_equal(f->ext_cap_count, 2);
	f = at(&r, 0, 4, 0);
	assert_true(f->flags & RAE_PCI_FN_EXT_CAP_BAD);
	assert_int_equal(f->ext_cap_count, 1);
}

/* A function that answers its ID and then all-ones (being pulled out): the
 * walk ends, and nothing is sized from garbage as if it were real. */
static void test_all_ones_registers(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_function_t *d = sim_add(&sim, 0, 3, 0, 0x8086, 0x100e, 0xffffff, 0x7f, 0xffff);
	memset(d->space + 4, 0xff, 256 - 4);
	pci_enum_result_t r = enumerate(256, 64);
	const rae_pci_function_t *f = at(&r, 0, 3, 0);
	assert_non_null(f);
	assert_true(f->flags & RAE_PCI_FN_UNKNOWN_TYPE);
	assert_int_equal(f->cap_count, 0);
	for (unsigned i = 0; i < RAE_PCI_BARS; i++)
		assert_int_equal(f->bars[i].size, 0);
	/* Header type 0 with all-ones everywhere else: the list loops at 0xfc. */
	d->space[0x0e] = 0;
	r = enumerate(256, 64);
	f = at(&r, 0, 3, 0);
	assert_true(f->flags & (RAE_PCI_FN_CAP_LOOP | RAE_PCI_FN_CAP_OUTSIDE));
	assert_true(f->cap_count <= 1);
	for (unsigned i = 0; i < RAE_PCI_BARS; i++)
		assert_int_equal(f->bars[i].size, 0);
}

/* A prober that cannot size (the kernel's RAE_ERR_BUSY while a driver
 * holds the function): the function is listed, flagged, without BARs. */
static unsigned probe_refused(void *context, pci_address_t at,
			      rae_pci_bar_probe_t out[RAE_PCI_BAR_PROBES])
{
	(void)context;
	(void)at;
	(void)out;
	return 0;
}

static void test_bars_not_sized(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_function_t *d = sim_add(&sim, 0, 3, 0, 0x1234, 0x11e8, 0x00ff00, 0, 0x0002);
	sim_bar(d, 0, 0xfea00000, 0x100000);
	pci_config_t c = sim_config(&sim);
	c.bars_probe = probe_refused;
	pci_segment_t seg = {0, 0, 255};
	pci_enum_result_t r = {.functions = found, .max = 64};
	pci_enumerate(&c, &seg, 1, &r);
	assert_int_equal(r.count, 1);
	assert_true(found[0].flags & RAE_PCI_FN_BARS_UNSIZED);
	assert_int_equal(found[0].bars[0].size, 0);
	assert_int_equal(sim.writes, 0);
}

/* The kernel's prober on its own: decoding off while a BAR holds
 * all-ones, the status's write-one-to-clear bits never written as ones,
 * every register back, and a header type it does not know left alone. */
static void test_kernel_prober(void **state)
{
	(void)state;
	sim_init(&sim, 256);
	sim_function_t *d = sim_add(&sim, 0, 4, 0, 0x1af4, 0x1044, 0x00ff00, 0, 0x0003);
	sim_put(d, 0x04, 0xf8000003u); /* error bits set in the status half */
	sim_bar(d, 0, 0xc041, 0x20);
	sim_bar(d, 1, 0xfeb00000, 0x1000);
	sim_bar(d, 4, 0x0000000c, 0x4000);
	sim_bar_upper(d, 5, 0x00000001, 0x4000);
	uint8_t before[256];
	memcpy(before, d->space, sizeof(before));
	rae_pci_bar_probe_t probes[RAE_PCI_BAR_PROBES];
	sim_probe_t p = {&sim, d->at};
	assert_int_equal(pci_bars_probe(sim_probe_read, sim_probe_write, &p, probes), 6);
	assert_int_equal(sim.decode_probes, 0);
	assert_memory_equal(before, d->space, sizeof(before));
	assert_int_equal(probes[0].value, 0xc041);
	assert_int_equal(probes[0].mask & ~3u, 0xffffffe0u);
	assert_int_equal(probes[1].mask, 0xfffff000u);
	assert_int_equal(probes[2].mask, 0);
	assert_int_equal(probes[4].mask & ~0xfu, 0xffffc000u);
	assert_int_equal(probes[5].value, 1);
	assert_int_equal(probes[5].mask, 0xffffffffu);

	sim_function_t *cardbus = sim_add(&sim, 0, 5, 0, 0x104c, 0xac55, 0x060700, 2, 0x0003);
	unsigned writes = sim.writes;
	p.at = cardbus->at;
	assert_int_equal(pci_bars_probe(sim_probe_read, sim_probe_write, &p, probes), 0);
	assert_int_equal(sim.writes, writes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bars_sized_and_restored),
	    cmocka_unit_test(test_64bit_bar_above_4g_size),
	    cmocka_unit_test(test_64bit_bar_in_last_slot_is_broken),
	    cmocka_unit_test(test_bridges_followed_as_numbered),
	    cmocka_unit_test(test_bridge_outside_segment_not_followed),
	    cmocka_unit_test(test_multifunction_and_absent),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_capabilities),
	    cmocka_unit_test(test_capability_loop),
	    cmocka_unit_test(test_capability_outside),
	    cmocka_unit_test(test_extended_capability_loop_and_outside),
	    cmocka_unit_test(test_all_ones_registers),
	    cmocka_unit_test(test_bars_not_sized),
	    cmocka_unit_test(test_kernel_prober),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
