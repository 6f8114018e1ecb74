/* Host tests for the PCI capability walk and the write rules of device
 * objects (kernel/generic/pci/pci_caps.c), on simulated configuration
 * spaces: QEMU-like functions, 64-bit MSI with per-vector masks, MSI-X,
 * PCI Express with and without FLR, bridges, and broken lists (loops,
 * pointers into the header or past the end, capabilities running off). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <pci/pci_caps.h>

static uint8_t space[256];
static unsigned reads_past_end;

static uint32_t read_space(void *ctx, unsigned offset, unsigned width)
{
	(void)ctx;
	if (offset + width > sizeof(space)) {
		reads_past_end++;
		return 0xffffffffu;
	}
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)space[offset + i] << (8 * i);
	return v;
}

static void put16(unsigned at, uint16_t v)
{
	space[at] = (uint8_t)v;
	space[at + 1] = (uint8_t)(v >> 8);
}

static void put32(unsigned at, uint32_t v)
{
	put16(at, (uint16_t)v);
	put16(at + 2, (uint16_t)(v >> 16));
}

/* An empty function of `header_type` with a capability list from `first`. */
static void function(uint8_t header_type, uint8_t first)
{
	memset(space, 0, sizeof(space));
	reads_past_end = 0;
	put16(PCI_VENDOR_ID, 0x1234);
	put16(PCI_DEVICE_ID, 0x11e8);
	space[PCI_HEADER_TYPE] = header_type;
	if (first) {
		put16(PCI_STATUS, PCI_STATUS_CAP_LIST);
		space[PCI_CAPABILITY_LIST] = first;
	}
}

static void cap(unsigned at, uint8_t id, uint8_t next, uint16_t control)
{
	space[at] = id;
	space[at + 1] = next;
	put16(at + 2, control);
}

static pci_caps_t scan(void)
{
	pci_caps_t caps;
	pci_caps_scan(read_space, NULL, &caps);
	assert_int_equal(reads_past_end, 0);
	return caps;
}

static void test_no_list(void **state)
{
	(void)state;
	function(0, 0);
	space[PCI_CAPABILITY_LIST] = 0x40; /* ignored: the status bit is clear */
	pci_caps_t c = scan();
	assert_int_equal(c.msi, 0);
	assert_int_equal(c.msix, 0);
	assert_int_equal(c.pcie, 0);
	assert_false(c.list_broken);
}

static void test_edu_like_msi(void **state)
{
	(void)state;
	function(0x80, 0x40); /* the multi-function bit is dropped */
	cap(0x40, PCI_CAP_ID_MSI, 0, PCI_MSI_64BIT);
	pci_caps_t c = scan();
	assert_int_equal(c.header_type, 0);
	assert_int_equal(c.msi, 0x40);
	assert_int_equal(c.msi_length, 14);
	assert_int_equal(c.msi_vectors, 1);
	assert_true(c.msi_64bit);
	assert_false(c.msi_per_vector_mask);
	assert_false(c.list_broken);
}

static void test_msi_masks_msix_pcie(void **state)
{
	(void)state;
	function(0, 0x50);
	cap(0x50, PCI_CAP_ID_MSI, 0x70, PCI_MSI_64BIT | PCI_MSI_PER_VECTOR | (5u << 1));
	cap(0x70, PCI_CAP_ID_MSIX, 0x80, 63);
	put32(0x70 + PCI_MSIX_TABLE, 0x2000 | 2);
	cap(0x80, PCI_CAP_ID_PCIE, 0, 0);
	put32(0x80 + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR);
	pci_caps_t c = scan();
	assert_int_equal(c.msi, 0x50);
	assert_int_equal(c.msi_length, 24);
	assert_int_equal(c.msi_vectors, 32);
	assert_int_equal(c.msix, 0x70);
	assert_int_equal(c.msix_entries, 64);
	assert_int_equal(c.msix_bar, 2);
	assert_int_equal(c.msix_table_offset, 0x2000);
	assert_int_equal(c.pcie, 0x80);
	assert_true(c.flr);
	assert_false(c.list_broken);
}

static void test_pcie_without_flr(void **state)
{
	(void)state;
	function(0, 0x40);
	cap(0x40, PCI_CAP_ID_PCIE, 0, 0);
	pci_caps_t c = scan();
	assert_int_equal(c.pcie, 0x40);
	assert_false(c.flr);
}

static void test_loop(void **state)
{
	(void)state;
	function(0, 0x40);
	cap(0x40, 0x09, 0x60, 0);
	cap(0x60, PCI_CAP_ID_MSI, 0x40, 0); /* back to the first */
	pci_caps_t c = scan();
	assert_true(c.list_broken);
	assert_int_equal(c.msi, 0x60); /* what came before the loop is kept */
	function(0, 0x40);
	cap(0x40, 0x09, 0x40, 0); /* points at itself */
	assert_true(scan().list_broken);
}

static void test_pointer_into_header(void **state)
{
	(void)state;
	function(0, 0x40);
	cap(0x40, 0x09, 0x10, 0); /* onto the BARs */
	assert_true(scan().list_broken);
	function(0, 0x3c);
	assert_true(scan().list_broken);
}

static void test_capabilities_running_off(void **state)
{
	(void)state;
	/* The low two bits of a pointer are reserved: 0xff is 0xfc. */
	function(0, 0xff);
	cap(0xfc, PCI_CAP_ID_MSI, 0, PCI_MSI_64BIT);
	pci_caps_t c = scan();
	assert_true(c.list_broken);
	assert_int_equal(c.msi, 0);
	function(0, 0xf8);
	cap(0xf8, PCI_CAP_ID_MSIX, 0, 0);
	c = scan();
	assert_true(c.list_broken);
	assert_int_equal(c.msix, 0);
	function(0, 0xf8);
	cap(0xf8, PCI_CAP_ID_PCIE, 0, 0);
	assert_true(scan().list_broken);
}

static void test_longest_list(void **state)
{
	(void)state;
	/* 48 capabilities fill the space past the header; every one is
	 * walked, and the list ends cleanly. */
	function(0, 0x40);
	for (unsigned at = 0x40; at <= 0xfc; at += 4)
		cap(at, 0x09, at == 0xfc ? 0 : (uint8_t)(at + 4), 0);
	assert_false(scan().list_broken);
	/* One more (the last pointing back to the first) is a loop. */
	space[0xfd] = 0x40;
	assert_true(scan().list_broken);
}

static void test_writes_endpoint(void **state)
{
	(void)state;
	function(0, 0x40);
	cap(0x40, PCI_CAP_ID_MSI, 0x60, PCI_MSI_64BIT);
	cap(0x60, PCI_CAP_ID_MSIX, 0, 7);
	pci_caps_t c = scan();
	assert_true(pci_config_write_allowed(&c, PCI_COMMAND, 2));
	assert_true(pci_config_write_allowed(&c, 0x0c, 1));
	assert_true(pci_config_write_allowed(&c, 0x3c, 1));
	assert_true(pci_config_write_allowed(&c, 0x28, 4)); /* CardBus CIS pointer */
	for (unsigned bar = 0x10; bar < 0x28; bar++)
		assert_false(pci_config_write_allowed(&c, bar, 1));
	assert_false(pci_config_write_allowed(&c, 0x30, 4));
	assert_false(pci_config_write_allowed(&c, 0x33, 1));
	/* The MSI capability (14 bytes) and the MSI-X one (12 bytes). */
	assert_false(pci_config_write_allowed(&c, 0x40, 2));
	assert_false(pci_config_write_allowed(&c, 0x4c, 2));
	assert_true(pci_config_write_allowed(&c, 0x4e, 2));
	assert_false(pci_config_write_allowed(&c, 0x60, 4));
	assert_false(pci_config_write_allowed(&c, 0x6b, 1));
	assert_true(pci_config_write_allowed(&c, 0x6c, 4));
	assert_true(pci_config_write_allowed(&c, 0x100, 4));
}

static void test_writes_bridge(void **state)
{
	(void)state;
	function(1, 0);
	pci_caps_t c = scan();
	assert_false(pci_config_write_allowed(&c, 0x18, 4)); /* bus numbers */
	assert_false(pci_config_write_allowed(&c, 0x19, 1));
	assert_false(pci_config_write_allowed(&c, 0x1c, 2)); /* I/O window */
	assert_true(pci_config_write_allowed(&c, 0x1e, 2));  /* secondary status */
	assert_false(pci_config_write_allowed(&c, 0x1c, 4)); /* window and status together */
	assert_false(pci_config_write_allowed(&c, 0x20, 4)); /* memory window */
	assert_false(pci_config_write_allowed(&c, 0x30, 4)); /* I/O window upper */
	assert_true(pci_config_write_allowed(&c, 0x34, 1));
	assert_false(pci_config_write_allowed(&c, 0x38, 4)); /* the bridge's ROM BAR */
	assert_true(pci_config_write_allowed(&c, 0x3c, 2));  /* interrupt line, pin */
	assert_true(pci_config_write_allowed(&c, 0x3e, 2));  /* bridge control */
	function(2, 0);
	c = scan();
	assert_false(pci_config_write_allowed(&c, 0x3c, 1)); /* CardBus: the whole header */
	assert_true(pci_config_write_allowed(&c, PCI_COMMAND, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_list),
	    cmocka_unit_test(test_edu_like_msi),
	    cmocka_unit_test(test_msi_masks_msix_pcie),
	    cmocka_unit_test(test_pcie_without_flr),
	    cmocka_unit_test(test_loop),
	    cmocka_unit_test(test_pointer_into_header),
	    cmocka_unit_test(test_capabilities_running_off),
	    cmocka_unit_test(test_longest_list),
	    cmocka_unit_test(test_writes_endpoint),
	    cmocka_unit_test(test_writes_bridge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
