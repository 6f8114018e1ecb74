/* Device objects, DMA memory and MSI from user mode, as a PCI driver uses
 * them, on QEMU's `edu` device (-device edu,dma_mask=0xffffffff; its
 * registers: QEMU's docs/specs/edu.rst). Started by the kernel test
 * user_pci_devices with an endpoint on which it receives the root
 * resource. It finds the edu function, checks device objects (containment,
 * one per function, configuration reads and refused writes, bus mastering,
 * reset), DMA memory (page count, alignment, below 4 GiB, contiguity), then
 * has the device copy a buffer into DMA memory and back with an MSI for
 * each copy, stamped with the TSC; a copy with bus mastering off must not
 * land. Last, a child started against the device is killed while its copy
 * into its DMA memory is pending: the kernel must turn bus mastering off
 * before that page is free for anyone else, so the page, taken again, stays
 * as it was. With a virtio device (-device virtio-rng-pci; on q35 behind a
 * PCI Express root port, where it offers Function Level Reset) it checks
 * that the kernel programs, enables and masks MSI-X table entries, refuses
 * a bridge's bus-number writes, and resets the function with its BARs
 * restored. Exits with the number of failed checks. The child is this
 * program too, told apart by its first message. */
#include <rae.h>

#define EDU_VENDOR      0x1234
#define EDU_DEVICE      0x11e8
#define EDU_IDENT       0x00
#define EDU_LIVENESS    0x04
#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_COUNT   0x90
#define EDU_DMA_CMD     0x98
#define EDU_DMA_RUN     0x1
#define EDU_DMA_TO_RAM  0x2
#define EDU_DMA_IRQ     0x4
#define EDU_DMA_IRQ_BIT 0x100
#define EDU_BUFFER      0x40000 /* the device's 4 KiB DMA buffer, in its own address space */
/* Bytes per copy: QEMU 7.2's edu refuses (aborts on) a copy reaching the
 * buffer's last byte. */
#define EDU_COPY      2048
#define EDU_BAR_SIZE  0x100000
#define PAGE          4096
#define MSI_BIT       0x1
#define SECOND        1000000000ull
#define CHILD_MAGIC   0xdeadc0de00000001ull
#define KILL_ATTEMPTS 8
#define REUSE_PAGES   512

#define CMD_BUS_MASTER 0x4
#define VIRTIO_VENDOR  0x1af4
#define MSIX_ENABLE    0x8000
#define MSIX_FUNC_MASK 0x4000

static int failures;
static rae_handle_t root;
static uint64_t edu_address;
static uint64_t empty_address; /* a slot on bus 0 where nothing answers */

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("devtest: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

static void check_eq(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		check(0, what);
		rae_puts("devtest:   got ");
		rae_put_dec(got);
		rae_puts(", want ");
		rae_put_dec(want);
		rae_puts("\n");
	}
}

static void note(const char *what, uint64_t v)
{
	rae_puts("devtest: ");
	rae_puts(what);
	rae_put_hex(v);
	rae_puts("\n");
}

static uint32_t mmio_read32(volatile uint8_t *bar, unsigned reg)
{
	return *(volatile uint32_t *)(bar + reg);
}

static void mmio_write32(volatile uint8_t *bar, unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(bar + reg) = v;
}

static void mmio_write64(volatile uint8_t *bar, unsigned reg, uint64_t v)
{
	*(volatile uint64_t *)(bar + reg) = v;
}

/* Finds the edu function on bus 0 of segment 0; every other function met
 * is let go. Checks that empty slots answer NOT_FOUND. */
static int64_t find_edu(void)
{
	int64_t edu = 0;
	int empty = 0;
	for (unsigned dev = 0; dev < 32; dev++) {
		int64_t d = rae_sys_device_create(root, RAE_PCI_ADDRESS(0, 0, dev, 0));
		if (d == RAE_ERR_NOT_FOUND) {
			empty++;
			empty_address = RAE_PCI_ADDRESS(0, 0, dev, 0);
			continue;
		}
		check(d > 0, "a device object for a present function");
		if (d <= 0)
			continue;
		int64_t ids = rae_sys_device_config_read((rae_handle_t)d, 0, 4);
		if (!edu && ids == ((EDU_DEVICE << 16) | EDU_VENDOR)) {
			edu = d;
			edu_address = RAE_PCI_ADDRESS(0, 0, dev, 0);
		} else {
			rae_handle_close((rae_handle_t)d);
		}
	}
	check(empty > 0, "empty slots answer RAE_ERR_NOT_FOUND");
	return edu;
}

static void check_device_objects(rae_handle_t d)
{
	check_eq(rae_sys_device_create(root, edu_address), RAE_ERR_BUSY,
		 "one device object per function");
	int64_t only = rae_sys_resource_create(root, RAE_RESOURCE_PCI, edu_address, 1);
	check(only > 0, "a PCI resource of one function");
	check_eq(rae_sys_device_create((rae_handle_t)only, RAE_PCI_ADDRESS(0, 0, 0, 0)),
		 RAE_ERR_RANGE, "a function outside a narrowed resource");
	check_eq(rae_sys_device_create((rae_handle_t)only, edu_address), RAE_ERR_BUSY,
		 "the function inside it (taken)");
	check_eq(rae_sys_device_create(root, 1ull << 32), RAE_ERR_RANGE, "an address past 32 bits");
	check_eq(rae_sys_device_create(root, RAE_PCI_ADDRESS(7, 0, 0, 0)), RAE_ERR_NOT_FOUND,
		 "a segment nobody has");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_PCI, 0xffff0000ull, 0x20000),
		 RAE_ERR_RANGE, "a PCI range past 32 bits");
	int64_t mmio = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0, PAGE);
	check_eq(rae_sys_device_create((rae_handle_t)mmio, edu_address), RAE_ERR_RANGE,
		 "an MMIO resource grants no function");
	rae_handle_close((rae_handle_t)mmio);
	rae_handle_close((rae_handle_t)only);

	rae_device_info_t info;
	check_eq(rae_sys_device_info(d, &info), RAE_OK, "device info");
	check_eq((int64_t)info.address, (int64_t)edu_address, "info: the address");
	check_eq(info.vendor, EDU_VENDOR, "info: vendor");
	check_eq(info.device, EDU_DEVICE, "info: device");
	check_eq(info.header_type, 0, "info: an endpoint");
	check(info.msi_offset >= 0x40, "info: edu has an MSI capability");
	check_eq(info.msix_entries, 0, "info: and no MSI-X");
	check(info.config_size == 256 || info.config_size == 4096, "info: configuration size");
	check_eq(rae_sys_device_info(d, (rae_device_info_t *)8), RAE_ERR_FAULT, "info to page 0");

	/* Reads. */
	check_eq(rae_sys_device_config_read(d, 0, 2), EDU_VENDOR, "vendor ID, 16 bits");
	check_eq(rae_sys_device_config_read(d, 2, 2), EDU_DEVICE, "device ID, 16 bits");
	check_eq(rae_sys_device_config_read(d, 0, 1), EDU_VENDOR & 0xff, "vendor ID, low byte");
	check_eq(rae_sys_device_config_read(d, 0, 3), RAE_ERR_INVALID, "width 3");
	check_eq(rae_sys_device_config_read(d, 2, 4), RAE_ERR_INVALID, "unaligned offset");
	check_eq(rae_sys_device_config_read(d, info.config_size, 4), RAE_ERR_RANGE,
		 "past the configuration space");
	check_eq(rae_sys_device_config_read(d, 4096, 1), RAE_ERR_RANGE, "past 4 KiB");
	int64_t bar0 = rae_sys_device_config_read(d, 0x10, 4);
	check(bar0 > 0, "BAR0 reads");
	int64_t msi_head = rae_sys_device_config_read(d, info.msi_offset, 4);
	check_eq(msi_head & 0xff, 0x05, "the MSI capability's ID");

	/* Writes: the BARs, the ROM BAR and the MSI capability are refused. */
	check_eq(rae_sys_device_config_write(d, 0x10, 4, 0xffffffffu), RAE_ERR_ACCESS_DENIED,
		 "BAR0 write refused");
	check_eq(rae_sys_device_config_write(d, 0x24, 1, 0), RAE_ERR_ACCESS_DENIED,
		 "BAR5 byte write refused");
	check_eq(rae_sys_device_config_write(d, 0x30, 4, 0), RAE_ERR_ACCESS_DENIED,
		 "ROM BAR write refused");
	check_eq(rae_sys_device_config_write(d, info.msi_offset + 4, 4, 0xfee00000u),
		 RAE_ERR_ACCESS_DENIED, "MSI address write refused");
	check_eq(rae_sys_device_config_write(d, info.msi_offset, 2, 0x5), RAE_ERR_ACCESS_DENIED,
		 "MSI header write refused");
	check_eq(rae_sys_device_config_read(d, 0x10, 4), bar0, "BAR0 unchanged");
	check_eq(rae_sys_device_config_write(d, 0x3c, 1, 0x100), RAE_ERR_INVALID,
		 "a value wider than the width");
	check_eq(rae_sys_device_config_write(d, 0x3c, 1, 0x5a), RAE_OK, "interrupt line write");
	check_eq(rae_sys_device_config_read(d, 0x3c, 1), 0x5a, "interrupt line reads back");
	/* The command register: the bus-master bit stays the kernel's. */
	int64_t cmd = rae_sys_device_config_read(d, 4, 2);
	check_eq(cmd & CMD_BUS_MASTER, 0, "bus mastering starts off");
	check_eq(rae_sys_device_config_write(d, 4, 2, (uint64_t)cmd | CMD_BUS_MASTER | 0x2), RAE_OK,
		 "command write");
	cmd = rae_sys_device_config_read(d, 4, 2);
	check_eq(cmd & CMD_BUS_MASTER, 0, "a command write does not turn bus mastering on");
	check_eq(cmd & 0x2, 0x2, "memory decoding on");
	check_eq(rae_sys_device_bus_master(d, 1), RAE_OK, "bus mastering on");
	check_eq(rae_sys_device_config_read(d, 4, 2) & CMD_BUS_MASTER, CMD_BUS_MASTER,
		 "the command register shows it");
	check_eq(rae_sys_device_config_write(d, 4, 2, (uint64_t)cmd & ~CMD_BUS_MASTER), RAE_OK,
		 "command write without the bit");
	check_eq(rae_sys_device_config_read(d, 4, 2) & CMD_BUS_MASTER, CMD_BUS_MASTER,
		 "a command write does not turn it off either");
	check_eq(rae_sys_device_info(d, &info), RAE_OK, "device info again");
	check_eq(info.bus_master, 1, "info: bus master");
	check_eq(rae_sys_device_bus_master(d, 2), RAE_ERR_INVALID, "bus master 2");
	check_eq(rae_sys_device_bus_master(d, 0), RAE_OK, "bus mastering off");
	check_eq(rae_sys_device_config_read(d, 4, 2) & CMD_BUS_MASTER, 0, "off in the register");
	/* edu is plain PCI: no PCI Express capability, so no FLR. */
	check_eq(rae_sys_device_reset(d), info.flr ? RAE_OK : RAE_ERR_UNSUPPORTED,
		 "reset without FLR");

	/* Handles and rights. */
	int64_t n = rae_sys_notify_create();
	check_eq(rae_sys_device_config_read((rae_handle_t)n, 0, 2), RAE_ERR_WRONG_TYPE,
		 "a notification is no device");
	check_eq(rae_sys_device_config_read(0, 0, 2), RAE_ERR_BAD_HANDLE, "no handle");
	check_eq(rae_sys_device_create((rae_handle_t)n, edu_address), RAE_ERR_WRONG_TYPE,
		 "a notification is no resource");
	int64_t reader = rae_sys_handle_dup(d, RAE_RIGHT_READ);
	check_eq(rae_sys_device_config_read((rae_handle_t)reader, 0, 2), EDU_VENDOR, "READ reads");
	check_eq(rae_sys_device_config_write((rae_handle_t)reader, 0x3c, 1, 0),
		 RAE_ERR_ACCESS_DENIED, "writing needs WRITE");
	check_eq(rae_sys_device_bus_master((rae_handle_t)reader, 1), RAE_ERR_ACCESS_DENIED,
		 "bus mastering needs MANAGE");
	check_eq(rae_sys_dma_create((rae_handle_t)reader, PAGE, 0), RAE_ERR_ACCESS_DENIED,
		 "DMA memory needs MANAGE");
	check_eq(rae_sys_interrupt_create_msi((rae_handle_t)reader, 0, (rae_handle_t)n, 1, 0),
		 RAE_ERR_ACCESS_DENIED, "MSI needs MANAGE");
	rae_handle_close((rae_handle_t)reader);
	rae_handle_close((rae_handle_t)n);
}

/* The PCI service's calls, which name a function through a PCI resource
 * rather than a device object: reads of any function's configuration
 * space, and BAR sizing, refused while a device object holds the
 * function. `d` is the edu's device object, alive. */
static void check_pci_service_calls(rae_handle_t d)
{
	rae_device_info_t info;
	check_eq(rae_sys_device_info(d, &info), RAE_OK, "device info for the PCI calls");
	check_eq(rae_sys_pci_config_read(root, edu_address, 0, 4),
		 rae_sys_device_config_read(d, 0, 4),
		 "PCI_CONFIG_READ: the IDs, as the device reads");
	check_eq(rae_sys_pci_config_read(root, edu_address, 0x10, 4),
		 rae_sys_device_config_read(d, 0x10, 4), "PCI_CONFIG_READ: BAR0");
	check_eq(rae_sys_pci_config_read(root, edu_address, 2, 2), EDU_DEVICE,
		 "PCI_CONFIG_READ: 16 bits");
	check_eq(rae_sys_pci_config_read(root, edu_address, 0, 3), RAE_ERR_INVALID,
		 "PCI_CONFIG_READ: width 3");
	check_eq(rae_sys_pci_config_read(root, edu_address, 2, 4), RAE_ERR_INVALID,
		 "PCI_CONFIG_READ: unaligned");
	check_eq(rae_sys_pci_config_read(root, edu_address, info.config_size, 4), RAE_ERR_RANGE,
		 "PCI_CONFIG_READ: past the configuration space");
	check_eq(rae_sys_pci_config_read(root, 1ull << 32, 0, 4), RAE_ERR_RANGE,
		 "PCI_CONFIG_READ: an address past 32 bits");
	check_eq(rae_sys_pci_config_read(root, RAE_PCI_ADDRESS(7, 0, 0, 0), 0, 4),
		 RAE_ERR_NOT_FOUND, "PCI_CONFIG_READ: a segment nobody has");
	if (empty_address)
		check_eq(rae_sys_pci_config_read(root, empty_address, 0, 4), 0xffffffffll,
			 "PCI_CONFIG_READ: an empty slot reads all-ones");
	int64_t only = rae_sys_resource_create(root, RAE_RESOURCE_PCI, edu_address, 1);
	check_eq(rae_sys_pci_config_read((rae_handle_t)only, edu_address, 0, 2), EDU_VENDOR,
		 "PCI_CONFIG_READ through a resource of that one function");
	check_eq(rae_sys_pci_config_read((rae_handle_t)only, RAE_PCI_ADDRESS(0, 0, 0, 0), 0, 2),
		 RAE_ERR_RANGE, "PCI_CONFIG_READ: a function outside the resource");
	rae_pci_bar_probe_t probes[RAE_PCI_BAR_PROBES];
	check_eq(rae_sys_pci_bars_probe((rae_handle_t)only, RAE_PCI_ADDRESS(0, 0, 0, 0), probes),
		 RAE_ERR_RANGE, "PCI_BARS_PROBE: a function outside the resource");
	rae_handle_close((rae_handle_t)only);
	int64_t mmio = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0, PAGE);
	check_eq(rae_sys_pci_config_read((rae_handle_t)mmio, edu_address, 0, 2), RAE_ERR_RANGE,
		 "PCI_CONFIG_READ: an MMIO resource grants no function");
	rae_handle_close((rae_handle_t)mmio);
	int64_t bar0 = rae_sys_device_config_read(d, 0x10, 4);
	check_eq(rae_sys_pci_bars_probe(root, edu_address, probes), RAE_ERR_BUSY,
		 "PCI_BARS_PROBE: refused while a device object holds the function");
	check_eq(rae_sys_device_config_read(d, 0x10, 4), bar0, "and BAR0 was not touched");
	if (empty_address)
		check_eq(rae_sys_pci_bars_probe(root, empty_address, probes), RAE_ERR_NOT_FOUND,
			 "PCI_BARS_PROBE: an empty slot");
}

/* BAR sizing of the edu once no device object holds it: BAR0 is 1 MiB
 * of 32-bit memory, and everything is as it was afterwards. */
static void check_bars_probe(void)
{
	int64_t bar0 = rae_sys_pci_config_read(root, edu_address, 0x10, 4);
	int64_t command = rae_sys_pci_config_read(root, edu_address, 4, 2);
	rae_pci_bar_probe_t probes[RAE_PCI_BAR_PROBES];
	check_eq(rae_sys_pci_bars_probe(root, edu_address, probes), 6,
		 "PCI_BARS_PROBE: six BARs on an endpoint");
	check_eq(probes[0].value, bar0, "probe: BAR0's value");
	check_eq(probes[0].mask & ~0xfu, ~(EDU_BAR_SIZE - 1) & 0xffffffffu,
		 "probe: BAR0's mask gives 1 MiB");
	check_eq(probes[1].mask, 0, "probe: BAR1 is not implemented");
	check_eq(rae_sys_pci_config_read(root, edu_address, 0x10, 4), bar0, "BAR0 put back");
	check_eq(rae_sys_pci_config_read(root, edu_address, 4, 2), command,
		 "the command register put back");
	check_eq(rae_sys_pci_bars_probe(root, edu_address, (rae_pci_bar_probe_t *)8), RAE_ERR_FAULT,
		 "PCI_BARS_PROBE into page 0");
	check_eq(rae_sys_pci_config_read(root, edu_address, 0x10, 4), bar0,
		 "BAR0 put back after the fault too");
}

/* The device addresses of DMA memory `m`, `pages` of them, into `out`. */
static int64_t dma_list(int64_t m, uint64_t *out, uint64_t pages)
{
	return rae_sys_dma_addresses((rae_handle_t)m, 0, out, pages);
}

static void check_dma_memory(rae_handle_t d)
{
	uint64_t addr[64];
	int64_t m = rae_sys_dma_create(d, 3 * PAGE + 1, 0);
	check(m > 0, "DMA memory, 4 pages");
	check_eq(rae_sys_mem_size((rae_handle_t)m), 4 * PAGE, "its size is whole pages");
	check_eq(dma_list(m, addr, 64), 4, "four device addresses");
	int aligned = 1;
	for (int i = 0; i < 4; i++)
		aligned &= addr[i] != 0 && (addr[i] & (PAGE - 1)) == 0;
	check(aligned, "page-aligned device addresses");
	check_eq(rae_sys_dma_addresses((rae_handle_t)m, 2, addr, 64), 2, "from page 2: two");
	check_eq(rae_sys_dma_addresses((rae_handle_t)m, 4, addr, 1), RAE_ERR_RANGE, "past the end");
	check_eq(rae_sys_dma_addresses((rae_handle_t)m, 0, addr, 0), RAE_ERR_RANGE, "count 0");
	check_eq(rae_sys_dma_addresses((rae_handle_t)m, 0, addr, 513), RAE_ERR_RANGE, "count 513");
	check_eq(rae_sys_dma_addresses((rae_handle_t)m, 0, (uint64_t *)16, 4), RAE_ERR_FAULT,
		 "a list into page 0");
	int64_t va = rae_mem_map((rae_handle_t)m, RAE_PROT_READ | RAE_PROT_WRITE);
	check(va > 0, "DMA memory maps");
	if (va > 0) {
		volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
		int zero = 1;
		for (int i = 0; i < 4 * PAGE / 4; i++)
			zero &= p[i] == 0;
		check(zero, "DMA memory starts zeroed");
		p[0] = 0x12345678;
		check_eq(p[0], 0x12345678, "and holds what is written");
		check_eq(rae_mem_unmap((uint64_t)va), RAE_OK, "unmap");
	}
	rae_handle_close((rae_handle_t)m);

	int64_t low = rae_sys_dma_create(d, 32 * PAGE, RAE_DMA_BELOW_4G);
	check_eq(dma_list(low, addr, 64), 32, "32 pages below 4 GiB");
	int below = 1;
	for (int i = 0; i < 32; i++)
		below &= addr[i] < (1ull << 32);
	check(below, "every page below 4 GiB");
	rae_handle_close((rae_handle_t)low);

	int64_t contiguous =
	    rae_sys_dma_create(d, 16 * PAGE, RAE_DMA_CONTIGUOUS | RAE_DMA_BELOW_4G);
	check_eq(dma_list(contiguous, addr, 64), 16, "16 contiguous pages");
	int runs = 1;
	for (int i = 1; i < 16; i++)
		runs &= addr[i] == addr[0] + (uint64_t)i * PAGE;
	check(runs && addr[15] < (1ull << 32), "one block below 4 GiB");
	rae_handle_close((rae_handle_t)contiguous);

	check_eq(rae_sys_dma_create(d, 0, 0), RAE_ERR_RANGE, "0 bytes");
	check_eq(rae_sys_dma_create(d, 17ull << 20, 0), RAE_ERR_RANGE, "17 MiB");
	check_eq(rae_sys_dma_create(d, PAGE, 0x8), RAE_ERR_INVALID, "unknown flags");
	check_eq(rae_sys_dma_create(root, PAGE, 0), RAE_ERR_WRONG_TYPE, "a resource is no device");
	int64_t plain = rae_sys_mem_create(PAGE, 0);
	check_eq(rae_sys_dma_addresses((rae_handle_t)plain, 0, addr, 1), RAE_ERR_INVALID,
		 "plain memory has no device address to learn");
	rae_handle_close((rae_handle_t)plain);
}

/* Waits for the MSI, acknowledges it at the device and the kernel, and
 * returns its TSC stamp (0: none came). */
static uint64_t wait_msi(volatile uint8_t *bar, rae_handle_t n, rae_handle_t irq, uint32_t bit)
{
	int64_t bits = rae_notify_wait(n, SECOND * 5);
	uint64_t woke = rae_rdtsc();
	if (bits != MSI_BIT)
		return 0;
	check_eq(mmio_read32(bar, EDU_IRQ_STATUS) & bit, bit, "the device says why");
	mmio_write32(bar, EDU_IRQ_ACK, bit);
	uint64_t stamp = 0;
	check_eq(rae_sys_interrupt_ack_tsc(irq, &stamp), RAE_OK, "ack with the TSC");
	check(stamp != 0 && stamp <= woke, "the stamp is before the thread woke");
	return stamp;
}

/* Starts a copy of `count` bytes between DMA memory and the device. */
static void edu_dma(volatile uint8_t *bar, uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd)
{
	mmio_write64(bar, EDU_DMA_SRC, src);
	mmio_write64(bar, EDU_DMA_DST, dst);
	mmio_write64(bar, EDU_DMA_COUNT, count);
	mmio_write64(bar, EDU_DMA_CMD, EDU_DMA_RUN | cmd);
}

static int edu_dma_running(volatile uint8_t *bar)
{
	return mmio_read32(bar, EDU_DMA_CMD) & EDU_DMA_RUN;
}

/* The edu's registers, mapped through an MMIO resource of BAR0. */
static volatile uint8_t *map_edu_bar(rae_handle_t d)
{
	uint64_t bar = (uint64_t)rae_sys_device_config_read(d, 0x10, 4) & ~0xfull;
	int64_t res = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, bar, EDU_BAR_SIZE);
	int64_t m =
	    res > 0 ? rae_sys_mem_create_phys((rae_handle_t)res, bar, EDU_BAR_SIZE, 0) : res;
	int64_t va = m > 0 ? rae_mem_map((rae_handle_t)m, RAE_PROT_READ | RAE_PROT_WRITE) : m;
	check(va > 0, "edu's BAR0 maps");
	if (res > 0)
		rae_handle_close((rae_handle_t)res);
	if (m > 0)
		rae_handle_close((rae_handle_t)m); /* the mapping keeps it */
	return va > 0 ? (volatile uint8_t *)(uintptr_t)va : NULL;
}

static void check_dma_and_msi(rae_handle_t d, volatile uint8_t *bar)
{
	check_eq(mmio_read32(bar, EDU_IDENT) & 0xff, 0xed, "edu's identification");
	mmio_write32(bar, EDU_LIVENESS, 0x13572468);
	check_eq(mmio_read32(bar, EDU_LIVENESS), (uint32_t)~0x13572468u, "edu is alive");

	int64_t n = rae_sys_notify_create();
	check_eq(rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, 0, 0), RAE_ERR_INVALID,
		 "bits 0");
	check_eq(rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, 1, 0x80), RAE_ERR_INVALID,
		 "unknown flags");
	check_eq(rae_sys_interrupt_create_msi(d, 1, (rae_handle_t)n, 1, 0), RAE_ERR_RANGE,
		 "MSI index 1");
	check_eq(rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, 1, RAE_MSI_X),
		 RAE_ERR_UNSUPPORTED, "no MSI-X on edu");
	check_eq(rae_sys_interrupt_create_msi(d, 0, d, 1, 0), RAE_ERR_WRONG_TYPE,
		 "a device is no notification");
	int64_t irq = rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, MSI_BIT, 0);
	check(irq > 0, "an MSI interrupt object");
	check_eq(rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, MSI_BIT, 0), RAE_ERR_BUSY,
		 "the MSI is taken");
	uint64_t stamp = 1;
	check_eq(rae_sys_interrupt_ack_tsc((rae_handle_t)irq, &stamp), RAE_OK, "ack before any");
	check_eq(stamp, 0, "no stamp before the first interrupt");
	check_eq(rae_sys_interrupt_ack_tsc((rae_handle_t)irq, (uint64_t *)8), RAE_ERR_FAULT,
		 "a stamp to page 0");
	check_eq(rae_sys_device_reset(d), RAE_ERR_UNSUPPORTED, "still no FLR");
	check_eq(rae_sys_device_bus_master(d, 1), RAE_OK, "bus mastering on for DMA and MSI");

	/* Interrupts the driver raises at the device: each an MSI. */
	uint64_t last = 0;
	int rising = 1, came = 0;
	for (int i = 0; i < 8; i++) {
		mmio_write32(bar, EDU_IRQ_RAISE, 0x1);
		uint64_t s = wait_msi(bar, (rae_handle_t)n, (rae_handle_t)irq, 0x1);
		came += s != 0;
		rising &= s > last;
		last = s;
	}
	check_eq(came, 8, "eight MSIs");
	check(rising, "their stamps rise");

	/* The device copies a page of DMA memory into its buffer and back
	 * into another page, an MSI after each copy. */
	int64_t m = rae_sys_dma_create(d, 3 * PAGE, RAE_DMA_BELOW_4G);
	uint64_t addr[3];
	check_eq(dma_list(m, addr, 3), 3, "three pages for the device");
	int64_t va = rae_mem_map((rae_handle_t)m, RAE_PROT_READ | RAE_PROT_WRITE);
	check(va > 0, "mapped");
	if (va <= 0)
		return;
	volatile uint32_t *from = (volatile uint32_t *)(uintptr_t)va;
	volatile uint32_t *to = from + PAGE / 4;
	volatile uint32_t *off = to + PAGE / 4;
	for (int i = 0; i < PAGE / 4; i++)
		from[i] = 0xa5000000u | (uint32_t)i;
	edu_dma(bar, addr[0], EDU_BUFFER, EDU_COPY, EDU_DMA_IRQ);
	check(wait_msi(bar, (rae_handle_t)n, (rae_handle_t)irq, EDU_DMA_IRQ_BIT) != 0,
	      "the MSI after the copy into the device");
	edu_dma(bar, EDU_BUFFER, addr[1], EDU_COPY, EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	check(wait_msi(bar, (rae_handle_t)n, (rae_handle_t)irq, EDU_DMA_IRQ_BIT) != 0,
	      "the MSI after the copy back");
	int same = 1;
	for (int i = 0; i < EDU_COPY / 4; i++)
		same &= to[i] == (0xa5000000u | (uint32_t)i);
	for (int i = EDU_COPY / 4; i < PAGE / 4; i++)
		same &= to[i] == 0;
	check(same, "the device copied the page through its buffer into DMA memory");

	/* Bus mastering off: the device can neither write memory nor send
	 * its MSI (a memory write too). */
	check_eq(rae_sys_device_bus_master(d, 0), RAE_OK, "bus mastering off");
	edu_dma(bar, EDU_BUFFER, addr[2], EDU_COPY, EDU_DMA_TO_RAM | EDU_DMA_IRQ);
	for (int i = 0; i < 100 && edu_dma_running(bar); i++)
		rae_sleep_ns(10000000);
	check_eq(edu_dma_running(bar), 0, "the device finished its copy");
	int untouched = 1;
	for (int i = 0; i < PAGE / 4; i++)
		untouched &= off[i] == 0;
	check(untouched, "with bus mastering off nothing landed");
	check_eq(rae_notify_wait((rae_handle_t)n, SECOND / 5), RAE_ERR_TIMED_OUT,
		 "and no MSI came");
	mmio_write32(bar, EDU_IRQ_ACK, EDU_DMA_IRQ_BIT);

	rae_mem_unmap((uint64_t)va);
	rae_handle_close((rae_handle_t)m);
	check_eq(rae_handle_close((rae_handle_t)irq), RAE_OK, "close the MSI");
	int64_t again = rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, MSI_BIT, 0);
	check(again > 0, "closing gave the MSI back");
	rae_handle_close((rae_handle_t)again);
	rae_handle_close((rae_handle_t)n);
}

/* The first function of bus `bus` whose vendor is `vendor` and which has
 * MSI-X, as a device object (0: none). Bridges met on bus 0 are checked
 * and their secondary bus is searched too. */
static int64_t find_msix_function(unsigned bus, uint16_t vendor, unsigned depth)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		int64_t d = rae_sys_device_create(root, RAE_PCI_ADDRESS(0, bus, dev, 0));
		if (d <= 0)
			continue;
		rae_device_info_t info;
		rae_sys_device_info((rae_handle_t)d, &info);
		if (info.vendor == vendor && info.msix_entries > 0)
			return d;
		if (info.header_type == 1 && depth == 0) {
			int64_t buses = rae_sys_device_config_read((rae_handle_t)d, 0x18, 4);
			check_eq(rae_sys_device_config_write((rae_handle_t)d, 0x18, 4, 0),
				 RAE_ERR_ACCESS_DENIED, "a bridge's bus numbers are refused");
			check_eq(rae_sys_device_config_write((rae_handle_t)d, 0x19, 1, 0x7f),
				 RAE_ERR_ACCESS_DENIED, "its secondary bus alone too");
			check_eq(rae_sys_device_config_write((rae_handle_t)d, 0x20, 4, 0),
				 RAE_ERR_ACCESS_DENIED, "and its memory window");
			check_eq(rae_sys_device_config_read((rae_handle_t)d, 0x18, 4), buses,
				 "the bus numbers stay");
			unsigned secondary = (unsigned)(buses >> 8) & 0xff;
			rae_handle_close((rae_handle_t)d);
			if (secondary != 0) {
				int64_t found = find_msix_function(secondary, vendor, depth + 1);
				if (found > 0)
					return found;
			}
			continue;
		}
		rae_handle_close((rae_handle_t)d);
	}
	return 0;
}

/* The physical address of BAR `bar` of `d` (memory BARs only). */
static uint64_t bar_address(rae_handle_t d, unsigned bar)
{
	uint64_t lo = (uint64_t)rae_sys_device_config_read(d, 0x10 + bar * 4, 4);
	uint64_t base = lo & ~0xfull;
	if ((lo & 0x6) == 0x4)
		base |= (uint64_t)rae_sys_device_config_read(d, 0x14 + bar * 4, 4) << 32;
	return base;
}

/* MSI-X on a virtio function: the kernel writes the table entry (read
 * here through a mapping of the driver's own), enables MSI-X, masks the
 * entry when the object goes; then a Function Level Reset where offered. */
static void check_msix(rae_handle_t d)
{
	rae_device_info_t info;
	check_eq(rae_sys_device_info(d, &info), RAE_OK, "MSI-X function's info");
	note("MSI-X function at ", info.address);
	note("  Function Level Reset offered: ", info.flr);
	unsigned cap = info.msix_offset;
	uint32_t table = (uint32_t)rae_sys_device_config_read(d, cap + 4, 4);
	uint64_t entry0 = bar_address(d, table & 7) + (table & ~7u);
	uint64_t page = entry0 & ~(uint64_t)(PAGE - 1);
	uint64_t bytes =
	    ((entry0 + info.msix_entries * 16ull + PAGE - 1) & ~(uint64_t)(PAGE - 1)) - page;
	int64_t res = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, page, bytes);
	int64_t m = res > 0 ? rae_sys_mem_create_phys((rae_handle_t)res, page, bytes, 0) : res;
	int64_t va = m > 0 ? rae_mem_map((rae_handle_t)m, RAE_PROT_READ) : m;
	check(va > 0, "the MSI-X table maps for reading");
	if (va <= 0)
		return;
	const volatile uint32_t *t =
	    (const volatile uint32_t *)(uintptr_t)(va + (int64_t)(entry0 - page));
	unsigned last = info.msix_entries - 1u;

	int64_t n = rae_sys_notify_create();
	check_eq(rae_sys_interrupt_create_msi(d, info.msix_entries, (rae_handle_t)n, 1, RAE_MSI_X),
		 RAE_ERR_RANGE, "an MSI-X index past the table");
	if (!info.msi_offset)
		check_eq(rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, 1, 0),
			 RAE_ERR_UNSUPPORTED, "no MSI capability");
	check_eq(rae_sys_device_config_write(d, cap + 2, 2, MSIX_ENABLE), RAE_ERR_ACCESS_DENIED,
		 "the MSI-X capability is the kernel's");
	int64_t irq = rae_sys_interrupt_create_msi(d, last, (rae_handle_t)n, 1, RAE_MSI_X);
	check(irq > 0, "an MSI-X interrupt object for the last entry");
	check_eq(rae_sys_interrupt_create_msi(d, last, (rae_handle_t)n, 1, RAE_MSI_X), RAE_ERR_BUSY,
		 "the entry is taken");
	const volatile uint32_t *e = t + last * 4;
	check_eq(e[0] & 0xfff00000u, 0xfee00000u, "the entry's address is a local APIC's");
	check_eq(e[1], 0, "and its upper half 0");
	check(e[2] >= 0x30 && e[2] <= 0xef, "its data a device vector");
	check_eq(e[3] & 1, 0, "it is unmasked");
	int64_t control = rae_sys_device_config_read(d, cap + 2, 2);
	check_eq(control & (MSIX_ENABLE | MSIX_FUNC_MASK), MSIX_ENABLE, "MSI-X enabled, unmasked");
	if (info.flr)
		check_eq(rae_sys_device_reset(d), RAE_ERR_BUSY, "no reset while MSI-X is set up");
	check_eq(rae_handle_close((rae_handle_t)irq), RAE_OK, "close it");
	check_eq(e[3] & 1, 1, "the entry is masked again");
	check_eq(rae_sys_device_config_read(d, cap + 2, 2) & MSIX_ENABLE, 0,
		 "MSI-X off with the last entry");
	irq = rae_sys_interrupt_create_msi(d, 0, (rae_handle_t)n, 1, RAE_MSI_X);
	check(irq > 0, "entry 0 after it");
	check_eq(t[3] & 1, 0, "entry 0 unmasked");
	rae_handle_close((rae_handle_t)irq);
	rae_handle_close((rae_handle_t)n);
	rae_mem_unmap((uint64_t)va);
	rae_handle_close((rae_handle_t)m);
	rae_handle_close((rae_handle_t)res);

	if (!info.flr) {
		check_eq(rae_sys_device_reset(d), RAE_ERR_UNSUPPORTED, "no FLR, no reset");
		return;
	}
	uint32_t header[16];
	for (unsigned i = 0; i < 16; i++)
		header[i] = (uint32_t)rae_sys_device_config_read(d, i * 4, 4);
	check_eq(rae_sys_device_bus_master(d, 1), RAE_OK, "bus mastering on before the reset");
	check_eq(rae_sys_device_reset(d), RAE_OK, "Function Level Reset");
	check_eq(rae_sys_device_config_read(d, 0, 4), header[0], "the function answers after it");
	int same = 1;
	for (unsigned i = 4; i < 10; i++)
		same &= (uint32_t)rae_sys_device_config_read(d, i * 4, 4) == header[i];
	check(same, "its BARs are restored");
	check_eq(rae_sys_device_config_read(d, 4, 2) & CMD_BUS_MASTER, 0,
		 "bus mastering off after the reset");
	check_eq(rae_sys_device_info(d, &info), RAE_OK, "info after the reset");
	check_eq(info.bus_master, 0, "info: bus mastering off");
}

/* The child: a device object and a page of DMA memory, a copy from the
 * device into it started, its address sent back in the reply; then it
 * waits to be killed. */
static void child_main(void)
{
	int64_t d = rae_sys_device_create(root, edu_address);
	volatile uint8_t *bar = d > 0 ? map_edu_bar((rae_handle_t)d) : NULL;
	int64_t m = d > 0 ? rae_sys_dma_create((rae_handle_t)d, PAGE, RAE_DMA_BELOW_4G) : d;
	uint64_t addr = 0;
	int64_t va = m > 0 ? rae_mem_map((rae_handle_t)m, RAE_PROT_READ | RAE_PROT_WRITE) : m;
	rae_msg_t reply = {0};
	if (bar && va > 0 && dma_list(m, &addr, 1) == 1 &&
	    rae_sys_device_bus_master((rae_handle_t)d, 1) == RAE_OK) {
		edu_dma(bar, EDU_BUFFER, addr, EDU_COPY, EDU_DMA_TO_RAM);
		reply.words[0] = addr;
		reply.words[1] = (uint64_t)edu_dma_running(bar);
	}
	rae_ipc_reply(&reply);
	for (;;)
		rae_sleep_ns(SECOND);
}

/*
 * One round: the child starts the device copying its buffer (the
 * pattern the copy above left there) into the child's DMA page, and is
 * killed at once. Once it is reaped, the page is free; this process takes
 * pages until it gets that one, while the copy is still pending (edu
 * starts a copy 100 ms after it is asked). The kernel turned bus mastering
 * off before it freed the page, so when the copy runs the page stays
 * zeroed. Returns 1 when the round was conclusive (the page came back to
 * us before the copy ran), 0 otherwise, and counts failures.
 */
static int kill_round(volatile uint8_t *bar)
{
	int64_t ep = rae_sys_endpoint_create();
	int64_t give = rae_sys_handle_dup((rae_handle_t)ep, RAE_RIGHTS_ALL);
	int64_t child = rae_sys_spawn_with("bin/devtest", (rae_handle_t)give, 0);
	check(child > 0, "the child starts");
	if (child <= 0)
		return 0;
	rae_msg_t m = {0};
	m.words[3] = CHILD_MAGIC;
	m.words[0] = edu_address;
	m.handles[0] = (rae_handle_t)rae_sys_handle_dup(
	    root, RAE_RIGHT_MANAGE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER);
	m.handle_count = 1;
	check_eq(rae_ipc_call((rae_handle_t)ep, &m, SECOND * 10), RAE_OK, "the child answers");
	uint64_t page = m.words[0];
	check_eq(rae_kill((rae_handle_t)child), RAE_OK, "kill the child mid-DMA");
	int status = 0;
	check_eq(rae_wait((rae_handle_t)child, &status), RAE_OK, "reap it");
	check_eq(status, RAE_EXIT_KILLED, "it was killed");
	rae_handle_close((rae_handle_t)child);
	rae_handle_close((rae_handle_t)ep);
	check(page != 0 && m.words[1] == 1, "the child's copy was pending when it answered");
	if (page == 0)
		return 0;

	/* Its device object and DMA memory are gone: a new device object is
	 * possible, and bus mastering was turned off. */
	int64_t d = rae_sys_device_create(root, edu_address);
	check(d > 0, "the function is free again");
	if (d <= 0)
		return 0;
	check_eq(rae_sys_device_config_read((rae_handle_t)d, 4, 2) & CMD_BUS_MASTER, 0,
		 "the kernel turned bus mastering off");
	int64_t mem = rae_sys_dma_create((rae_handle_t)d, REUSE_PAGES * PAGE, RAE_DMA_BELOW_4G);
	static uint64_t addr[REUSE_PAGES];
	int64_t got = 0;
	for (int64_t first = 0; mem > 0 && first < REUSE_PAGES; first += got) {
		got = rae_sys_dma_addresses((rae_handle_t)mem, (uint64_t)first, addr + first, 512);
		if (got <= 0)
			break;
	}
	int index = -1;
	for (int i = 0; i < REUSE_PAGES; i++) {
		if (addr[i] == page)
			index = i;
	}
	int pending = edu_dma_running(bar);
	for (int i = 0; i < 100 && edu_dma_running(bar); i++)
		rae_sleep_ns(10000000);
	check_eq(edu_dma_running(bar), 0, "the child's copy ran");
	int conclusive = index >= 0 && pending;
	if (index >= 0) {
		int64_t va = rae_mem_map((rae_handle_t)mem, RAE_PROT_READ);
		if (va > 0) {
			const volatile uint32_t *p =
			    (const volatile uint32_t *)(uintptr_t)(va + (int64_t)index * PAGE);
			int zero = 1;
			for (int i = 0; i < PAGE / 4; i++)
				zero &= p[i] == 0;
			check(zero, "the killed child's DMA page was not written once free");
			rae_mem_unmap((uint64_t)va);
		}
	}
	rae_handle_close((rae_handle_t)mem);
	rae_handle_close((rae_handle_t)d);
	return conclusive;
}

int main(uint64_t arg)
{
	rae_msg_t m = {0};
	if (rae_ipc_receive((rae_handle_t)arg, &m, 10000000000ull) != RAE_OK ||
	    m.handle_count != 1) {
		rae_puts("devtest: no root resource came\n");
		return 100;
	}
	root = m.handles[0];
	if (m.words[3] == CHILD_MAGIC) {
		edu_address = m.words[0];
		child_main();
		return 0;
	}
	rae_msg_t reply = {0};
	rae_ipc_reply(&reply);

	int64_t d = find_edu();
	check(d > 0, "an edu device (run QEMU with -device edu,dma_mask=0xffffffff)");
	if (d <= 0)
		return failures;
	note("edu at ", edu_address);
	check_device_objects((rae_handle_t)d);
	check_pci_service_calls((rae_handle_t)d);
	check_dma_memory((rae_handle_t)d);
	volatile uint8_t *bar = map_edu_bar((rae_handle_t)d);
	if (bar)
		check_dma_and_msi((rae_handle_t)d, bar);
	int64_t virtio = find_msix_function(0, VIRTIO_VENDOR, 0);
	check(virtio > 0, "a virtio function with MSI-X (run QEMU with -device virtio-rng-pci)");
	if (virtio > 0) {
		check_msix((rae_handle_t)virtio);
		rae_handle_close((rae_handle_t)virtio);
	}
	/* The function must be free for the child. */
	check_eq(rae_handle_close((rae_handle_t)d), RAE_OK, "close the device");
	check_bars_probe();
	if (bar) {
		int conclusive = 0;
		int rounds = 0;
		while (rounds < KILL_ATTEMPTS && !conclusive) {
			conclusive = kill_round(bar);
			rounds++;
		}
		note("kill rounds until a conclusive one: ", (uint64_t)rounds);
		check(conclusive, "a killed child's DMA page came back while its copy was pending");
	}
	rae_puts(failures ? "devtest: some checks failed\n" : "devtest: all checks passed\n");
	return failures;
}
