/* Hardware objects from user mode, as a driver would use them. Started by
 * the kernel test user_hardware_objects with an endpoint on which it
 * receives the root resource and the platform's facts (words[0] bit 0:
 * interrupt lines can be claimed; words[1], words[2]: the framebuffer's
 * physical address and visible bytes, 0 without one; words[3]: a page of
 * RAM). It derives resources and checks their containment, maps device
 * memory and checks RAM is refused, unmaps, uses the CMOS RTC's ports and
 * its periodic interrupt, and checks that ports it did not grant kill a
 * child, takes the copy of the ACPI tables and refuses a reset to anything
 * but the root resource. Exits with the number of failed checks. */
#include <rae.h>
#include <rae/acpi.h>

#define HWTEST_HAS_IRQ_LINES 0x1
#define FB_PATTERN           0x5a17c0deu
#define RTC_INDEX            0x70
#define RTC_DATA             0x71
#define RTC_BIT              0x10 /* the notification bit for the RTC */
#define LOOPS                16

static int failures;
static rae_handle_t root;
static uint64_t platform_flags, fb_phys, fb_bytes, ram_phys;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("hwtest: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

static void check_eq(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		check(0, what);
		rae_puts("hwtest:   got ");
		rae_put_dec(got);
		rae_puts(", want ");
		rae_put_dec(want);
		rae_puts("\n");
	}
}

static uint8_t cmos_read(uint8_t reg)
{
	rae_outb(RTC_INDEX, reg);
	return rae_inb(RTC_DATA);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	rae_outb(RTC_INDEX, reg);
	rae_outb(RTC_DATA, v);
}

static void check_resources(void)
{
	int64_t mmio = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0xb8000, 0x8000);
	check(mmio > 0, "an MMIO resource from the root");
	int64_t sub =
	    rae_sys_resource_create((rae_handle_t)mmio, RAE_RESOURCE_MMIO, 0xb9000, 0x1000);
	check(sub > 0, "a sub-resource inside it");
	check_eq(rae_sys_resource_create((rae_handle_t)sub, RAE_RESOURCE_MMIO, 0xb9000, 0x1000) > 0,
		 1, "the same range again from the sub-resource");
	check_eq(rae_sys_resource_create((rae_handle_t)mmio, RAE_RESOURCE_MMIO, 0xb0000, 0x1000),
		 RAE_ERR_RANGE, "a range below the parent");
	check_eq(rae_sys_resource_create((rae_handle_t)mmio, RAE_RESOURCE_MMIO, 0xbf000, 0x2000),
		 RAE_ERR_RANGE, "a range running past the parent's end");
	check_eq(rae_sys_resource_create((rae_handle_t)sub, RAE_RESOURCE_MMIO, 0xb8000, 0x2000),
		 RAE_ERR_RANGE, "a sub-resource cannot widen");
	check_eq(rae_sys_resource_create((rae_handle_t)mmio, RAE_RESOURCE_IOPORT, 0x70, 2),
		 RAE_ERR_RANGE, "another kind than the parent's");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_ROOT, 0, 1), RAE_ERR_INVALID,
		 "nobody makes another root");
	check_eq(rae_sys_resource_create(root, 77, 0, 1), RAE_ERR_INVALID, "an unknown kind");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_IOPORT, 0x70, 0), RAE_ERR_INVALID,
		 "size 0");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0xfffffffffffff000ull, 0x2000),
		 RAE_ERR_INVALID, "a range that wraps");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0xb8001, 0x1000), RAE_ERR_INVALID,
		 "an unaligned MMIO range");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_IOPORT, 0xffff, 2), RAE_ERR_RANGE,
		 "ports past 0xffff");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_IRQ, 255, 2), RAE_ERR_RANGE,
		 "GSIs past the last");
	check_eq(rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 1ull << 52, 0x1000),
		 RAE_ERR_RANGE, "addresses past the physical limit");
	check_eq(rae_sys_resource_create(0, RAE_RESOURCE_IOPORT, 0x70, 2), RAE_ERR_BAD_HANDLE,
		 "no handle");
	int64_t n = rae_sys_notify_create();
	check_eq(rae_sys_resource_create((rae_handle_t)n, RAE_RESOURCE_IOPORT, 0x70, 2),
		 RAE_ERR_WRONG_TYPE, "a notification is no resource");
	int64_t weak = rae_sys_handle_dup((rae_handle_t)mmio, RAE_RIGHT_DUPLICATE);
	check_eq(rae_sys_resource_create((rae_handle_t)weak, RAE_RESOURCE_MMIO, 0xb9000, 0x1000),
		 RAE_ERR_ACCESS_DENIED, "deriving needs MANAGE");
	rae_handle_close((rae_handle_t)weak);
	rae_handle_close((rae_handle_t)n);
	rae_handle_close((rae_handle_t)sub);
	rae_handle_close((rae_handle_t)mmio);
}

/* Writes a pattern through a mapping of [phys, phys + 4 KiB) and reads it
 * back; the kernel test reads it once more through its own mapping. */
static void check_device_page(uint64_t phys, uint64_t flags, const char *what)
{
	int64_t res = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, phys, 0x1000);
	int64_t m = res > 0 ? rae_sys_mem_create_phys((rae_handle_t)res, phys, 0x1000, flags) : res;
	int64_t va = m > 0 ? rae_mem_map((rae_handle_t)m, RAE_PROT_READ | RAE_PROT_WRITE) : m;
	check(va > 0, what);
	if (va <= 0)
		return;
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	for (uint32_t i = 0; i < 1024; i++)
		p[i] = FB_PATTERN ^ i;
	__asm__ volatile("sfence" ::: "memory");
	int bad = 0;
	for (uint32_t i = 0; i < 1024; i++)
		bad += p[i] != (FB_PATTERN ^ i);
	check_eq(bad, 0, "device memory reads back what was written");
	check_eq(rae_mem_unmap((uint64_t)va), RAE_OK, "unmap the device page");
	rae_handle_close((rae_handle_t)m);
	rae_handle_close((rae_handle_t)res);
}

static void check_phys_memory(void)
{
	int64_t vga_res = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0xb8000, 0x8000);
	int64_t vga = rae_sys_mem_create_phys((rae_handle_t)vga_res, 0xb8000, 0x8000, 0);
	check(vga > 0, "a memory object over the VGA text buffer");
	int64_t va = rae_mem_map((rae_handle_t)vga, RAE_PROT_READ | RAE_PROT_WRITE);
	check(va > 0, "map it read-write (uncached)");
	if (va > 0) {
		volatile uint16_t *cell = (volatile uint16_t *)(uintptr_t)va;
		(void)cell[0]; /* mapped: this does not fault */
	}
	check_eq(rae_mem_map((rae_handle_t)vga, RAE_PROT_READ | RAE_PROT_WRITE | RAE_PROT_EXEC),
		 RAE_ERR_INVALID, "W+X refused");
	check_eq(rae_mem_map((rae_handle_t)vga, RAE_PROT_READ | RAE_PROT_EXEC),
		 RAE_ERR_ACCESS_DENIED, "device memory has no EXECUTE right");
	check_eq(rae_mem_unmap((uint64_t)va), RAE_OK, "unmap it");
	check_eq(rae_mem_unmap((uint64_t)va), RAE_ERR_NOT_FOUND, "unmapping it again fails");
	check_eq(rae_mem_unmap((uint64_t)va + 1), RAE_ERR_INVALID, "an unaligned address");
	check_eq(rae_mem_unmap(0xffff800000000000ull), RAE_ERR_INVALID, "a kernel address");
	check_eq(rae_mem_unmap(0), RAE_ERR_INVALID, "address 0");
	check_eq(rae_mem_unmap((uint64_t)(uintptr_t)&failures & ~0xfffull), RAE_ERR_NOT_FOUND,
		 "our own data is no MEM_MAP mapping");

	/* The mapping holds the object: close the handle first, then unmap. */
	va = rae_mem_map((rae_handle_t)vga, RAE_PROT_READ);
	rae_handle_close((rae_handle_t)vga);
	if (va > 0)
		(void)*(volatile uint16_t *)(uintptr_t)va;
	check_eq(rae_mem_unmap((uint64_t)va), RAE_OK, "unmap after the handle closed");

	check_eq(rae_sys_mem_create_phys((rae_handle_t)vga_res, 0xb0000, 0x1000, 0), RAE_ERR_RANGE,
		 "outside the resource");
	check_eq(rae_sys_mem_create_phys((rae_handle_t)vga_res, 0xb8000, 0x9000, 0), RAE_ERR_RANGE,
		 "past the resource's end");
	check_eq(rae_sys_mem_create_phys((rae_handle_t)vga_res, 0xb8800, 0x1000, 0),
		 RAE_ERR_INVALID, "unaligned base");
	check_eq(rae_sys_mem_create_phys((rae_handle_t)vga_res, 0xb8000, 0x800, 0), RAE_ERR_INVALID,
		 "unaligned size");
	check_eq(rae_sys_mem_create_phys((rae_handle_t)vga_res, 0xb8000, 0, 0), RAE_ERR_INVALID,
		 "size 0");
	check_eq(rae_sys_mem_create_phys((rae_handle_t)vga_res, 0xb8000, 0x1000, 2),
		 RAE_ERR_INVALID, "unknown cache flags");
	int64_t io = rae_sys_resource_create(root, RAE_RESOURCE_IOPORT, 0x70, 2);
	check_eq(rae_sys_mem_create_phys((rae_handle_t)io, 0xb8000, 0x1000, 0), RAE_ERR_RANGE,
		 "an I/O port resource grants no memory");
	rae_handle_close((rae_handle_t)io);
	rae_handle_close((rae_handle_t)vga_res);

	/* RAM is never handed out, not even to the root resource. */
	check_eq(rae_sys_mem_create_phys(root, ram_phys, 0x1000, 0), RAE_ERR_ACCESS_DENIED,
		 "a page of RAM is refused");
	check_eq(rae_sys_mem_create_phys(root, ram_phys - 0x1000, 0x3000, 0), RAE_ERR_ACCESS_DENIED,
		 "a range overlapping RAM is refused");
	check_eq(rae_sys_mem_create_phys(root, 0xfee00000, 0x1000, 0), RAE_ERR_ACCESS_DENIED,
		 "the kernel's local APIC registers are refused");

	/* Memory that really is the device's: past the visible framebuffer
	 * (its VRAM), mapped write-combining; or the VGA text buffer when the
	 * machine boots in text mode. */
	if (fb_phys)
		check_device_page((fb_phys + fb_bytes + 0xfff) & ~0xfffull,
				  RAE_MEM_PHYS_WRITE_COMBINE, "map VRAM past the framebuffer");
	else
		check_device_page(0xb8000, 0, "map the VGA text buffer");
}

static void check_ioports(void)
{
	int64_t res = rae_sys_resource_create(root, RAE_RESOURCE_IOPORT, 0x70, 2);
	check(res > 0, "an I/O port resource for the RTC");
	check_eq(rae_sys_ioport_create((rae_handle_t)res, 0x72, 1), RAE_ERR_RANGE, "port past it");
	check_eq(rae_sys_ioport_create((rae_handle_t)res, 0x6f, 2), RAE_ERR_RANGE,
		 "port before it");
	check_eq(rae_sys_ioport_create((rae_handle_t)res, 0x70, 0), RAE_ERR_INVALID, "no ports");
	check_eq(rae_sys_ioport_create(root, 0xffff, 2), RAE_ERR_RANGE, "ports past 0xffff");
	int64_t io = rae_sys_ioport_create((rae_handle_t)res, 0x70, 2);
	check(io > 0, "an I/O port object for 0x70-0x71");
	int64_t n = rae_sys_notify_create();
	check_eq(rae_ioport_enable((rae_handle_t)n), RAE_ERR_WRONG_TYPE, "enable a notification");
	check_eq(rae_ioport_enable((rae_handle_t)io), RAE_OK, "enable the ports");
	rae_handle_close((rae_handle_t)n);
	/* Status register D: bit 7 says the CMOS has power; always so here. */
	check((cmos_read(0x0d) & 0x80) != 0, "read the CMOS through the ports");

	/* A child with no ports is killed for using one, while ours work. */
	int status = -1;
	int64_t pid = rae_sys_spawn("bin/hwport");
	check(pid > 0 && rae_wait(pid, &status) == RAE_OK, "run a child without ports");
	check_eq(status, RAE_EXIT_KILLED_FAULT, "in without access kills the child");
	/* A child given port 0x71 through IPC-transferable handles uses it. */
	int64_t only71 = rae_sys_ioport_create((rae_handle_t)res, 0x71, 1);
	pid = rae_sys_spawn_with("bin/hwport", (rae_handle_t)only71, 0);
	status = -1;
	check(pid > 0 && rae_wait(pid, &status) == RAE_OK, "run a child with port 0x71");
	check_eq(status, 0, "the child enables its handle and reads 0x71");
	/* Port 0x70 shares 0x71's bitmap byte but grants only itself. */
	int64_t only70 = rae_sys_ioport_create((rae_handle_t)res, 0x70, 1);
	pid = rae_sys_spawn_with("bin/hwport", (rae_handle_t)only70, 0);
	status = -1;
	check(pid > 0 && rae_wait(pid, &status) == RAE_OK, "run a child with port 0x70");
	check_eq(status, RAE_EXIT_KILLED_FAULT, "port 0x70 does not open 0x71");
	check((cmos_read(0x0d) & 0x80) != 0, "our ports still work after the children");
	rae_handle_close((rae_handle_t)io);
	rae_handle_close((rae_handle_t)res);
}

/* Configuration space is the kernel's: no program gets the ports of
 * mechanism #1, nor a mapping of an ECAM window, whatever its resource.
 * Where the window is comes from the Q35 host bridge's PCIEXBAR (QEMU's
 * q35 puts the MCFG window there), read through PCI_CONFIG_READ. */
#define Q35_HOST_BRIDGE 0x29c08086
#define Q35_PCIEXBAR    0x60

static void check_config_space_is_the_kernels(void)
{
	check_eq(rae_sys_ioport_create(root, 0xcf8, 4), RAE_ERR_ACCESS_DENIED,
		 "CONFIG_ADDRESS (0xcf8) refused");
	check_eq(rae_sys_ioport_create(root, 0xcfc, 4), RAE_ERR_ACCESS_DENIED,
		 "CONFIG_DATA (0xcfc) refused");
	check_eq(rae_sys_ioport_create(root, 0xcff, 1), RAE_ERR_ACCESS_DENIED,
		 "CONFIG_DATA's last byte refused");
	check_eq(rae_sys_ioport_create(root, 0xc00, 0x200), RAE_ERR_ACCESS_DENIED,
		 "a range around them refused");
	check_eq(rae_sys_ioport_create(root, 0xcf9, 2), RAE_ERR_ACCESS_DENIED,
		 "0xcf9 with 0xcfa refused");
	int64_t reset = rae_sys_ioport_create(root, 0xcf9, 1);
	check(reset > 0, "0xcf9 alone (the reset control register) is allowed");
	rae_handle_close((rae_handle_t)reset);
	int64_t before = rae_sys_ioport_create(root, 0xcf0, 8);
	check(before > 0, "the ports just below are allowed");
	rae_handle_close((rae_handle_t)before);

	int64_t ids = rae_sys_pci_config_read(root, RAE_PCI_ADDRESS(0, 0, 0, 0), 0, 4);
	int64_t extended = rae_sys_pci_config_read(root, RAE_PCI_ADDRESS(0, 0, 0, 0), 0x100, 4);
	if (ids != Q35_HOST_BRIDGE || extended == RAE_ERR_RANGE) {
		rae_puts("hwtest: no Q35 ECAM in use by the kernel; window refusal not checked\n");
		return;
	}
	int64_t low = rae_sys_pci_config_read(root, RAE_PCI_ADDRESS(0, 0, 0, 0), Q35_PCIEXBAR, 4);
	int64_t high =
	    rae_sys_pci_config_read(root, RAE_PCI_ADDRESS(0, 0, 0, 0), Q35_PCIEXBAR + 4, 4);
	check(low >= 0 && high >= 0 && (low & 1), "PCIEXBAR reads, enabled");
	uint64_t base = ((uint64_t)high << 32 | (uint64_t)low) & 0xffc000000ull;
	check_eq(rae_sys_mem_create_phys(root, base, 0x1000, 0), RAE_ERR_ACCESS_DENIED,
		 "bus 0's ECAM refused");
	check_eq(rae_sys_mem_create_phys(root, base + (3ull << 20), 0x2000, 0),
		 RAE_ERR_ACCESS_DENIED, "bus 3's ECAM refused");
	check_eq(rae_sys_mem_create_phys(root, base - 0x1000, 0x2000, 0), RAE_ERR_ACCESS_DENIED,
		 "a range reaching into the window refused");
}

static void check_interrupts(void)
{
	int64_t n = rae_sys_notify_create();
	int64_t irqs = rae_sys_resource_create(root, RAE_RESOURCE_IRQ, 0, 24);
	check(irqs > 0, "an interrupt resource for GSIs 0-23");
	if (!(platform_flags & HWTEST_HAS_IRQ_LINES)) {
		/* No IOAPIC (acpi=off): the kernel keeps the 8259 to itself. */
		check_eq(rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)n, RTC_BIT,
						  RAE_IRQ_ISA),
			 RAE_ERR_UNSUPPORTED, "no interrupt lines without an IOAPIC");
		rae_handle_close((rae_handle_t)irqs);
		rae_handle_close((rae_handle_t)n);
		return;
	}
	check_eq(rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)n, RTC_BIT,
					  RAE_IRQ_ISA | RAE_IRQ_LEVEL),
		 RAE_ERR_INVALID, "ISA lines take the firmware's trigger");
	check_eq(rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)n, 0, RAE_IRQ_ISA),
		 RAE_ERR_INVALID, "no bits");
	check_eq(rae_sys_interrupt_create((rae_handle_t)irqs, 16, (rae_handle_t)n, 1, RAE_IRQ_ISA),
		 RAE_ERR_RANGE, "ISA IRQ 16");
	check_eq(rae_sys_interrupt_create(root, 300, (rae_handle_t)n, 1, 0), RAE_ERR_RANGE,
		 "GSI 300");
	check_eq(rae_sys_interrupt_create((rae_handle_t)irqs, 30, (rae_handle_t)n, 1, 0),
		 RAE_ERR_RANGE, "a GSI outside the resource");
	check_eq(rae_sys_interrupt_create((rae_handle_t)irqs, 1, (rae_handle_t)n, 1, RAE_IRQ_ISA),
		 RAE_ERR_BUSY, "the kernel's keyboard line is taken");
	check_eq(
	    rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)irqs, 1, RAE_IRQ_ISA),
	    RAE_ERR_WRONG_TYPE, "a resource is no notification");
	int64_t nosig = rae_sys_handle_dup((rae_handle_t)n, RAE_RIGHT_WAIT | RAE_RIGHT_DUPLICATE);
	check_eq(
	    rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)nosig, 1, RAE_IRQ_ISA),
	    RAE_ERR_ACCESS_DENIED, "the notification needs SIGNAL");
	rae_handle_close((rae_handle_t)nosig);

	int64_t irq =
	    rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)n, RTC_BIT, RAE_IRQ_ISA);
	check(irq > 0, "bind the RTC's ISA IRQ 8 to the notification");
	check_eq(rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)n, 1, RAE_IRQ_ISA),
		 RAE_ERR_BUSY, "a second owner of the line");
	check_eq(rae_interrupt_ack((rae_handle_t)n), RAE_ERR_WRONG_TYPE, "ack a notification");
	if (irq <= 0) {
		rae_handle_close((rae_handle_t)irqs);
		rae_handle_close((rae_handle_t)n);
		return;
	}

	/* The RTC's periodic interrupt at 64 Hz (rate 10). Register C is read
	 * first, so that no old flag holds the line. */
	(void)cmos_read(0x0c);
	cmos_write(0x0a, (uint8_t)((cmos_read(0x0a) & 0xf0) | 0x0a));
	cmos_write(0x0b, (uint8_t)(cmos_read(0x0b) | 0x40));
	int got = 0;
	for (int i = 0; i < 3; i++) {
		int64_t bits = rae_notify_wait((rae_handle_t)n, 2000000000ull);
		if (bits == RAE_ERR_TIMED_OUT) {
			check(0, "an RTC interrupt within 2 s");
			break;
		}
		check(bits > 0 && (bits & RTC_BIT), "the interrupt sets our bit");
		uint8_t c = cmos_read(0x0c); /* acknowledges the RTC */
		check((c & 0x40) != 0, "register C names the periodic interrupt");
		check_eq(rae_interrupt_ack((rae_handle_t)irq), RAE_OK, "acknowledge the line");
		got++;
	}
	cmos_write(0x0b, (uint8_t)(cmos_read(0x0b) & ~0x40));
	(void)cmos_read(0x0c);
	check_eq(got, 3, "three RTC interrupts");

	check_eq(rae_handle_close((rae_handle_t)irq), RAE_OK, "close the interrupt");
	check_eq(rae_interrupt_ack((rae_handle_t)irq), RAE_ERR_BAD_HANDLE, "ack a closed handle");
	int64_t again =
	    rae_sys_interrupt_create((rae_handle_t)irqs, 8, (rae_handle_t)n, RTC_BIT, RAE_IRQ_ISA);
	check(again > 0, "closing gave the line back");
	rae_handle_close((rae_handle_t)again);
	rae_handle_close((rae_handle_t)irqs);
	rae_handle_close((rae_handle_t)n);
}

/* Everything made and destroyed many times; the kernel test checks that
 * free memory comes back to where it was. */
static void check_lifecycle(void)
{
	int64_t n = rae_sys_notify_create();
	int ok = 0;
	for (int i = 0; i < LOOPS; i++) {
		int64_t res = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0xb8000, 0x8000);
		int64_t m = rae_sys_mem_create_phys((rae_handle_t)res, 0xb8000, 0x8000, 0);
		int64_t va = rae_mem_map((rae_handle_t)m, RAE_PROT_READ);
		int64_t io = rae_sys_ioport_create(root, 0x70, 2);
		int64_t irq = RAE_OK;
		if (platform_flags & HWTEST_HAS_IRQ_LINES)
			irq = rae_sys_interrupt_create(root, 8, (rae_handle_t)n, 1, RAE_IRQ_ISA);
		ok += res > 0 && m > 0 && va > 0 && io > 0 && irq >= 0 &&
		      rae_mem_unmap((uint64_t)va) == RAE_OK &&
		      rae_handle_close((rae_handle_t)m) == RAE_OK &&
		      rae_handle_close((rae_handle_t)res) == RAE_OK &&
		      rae_handle_close((rae_handle_t)io) == RAE_OK &&
		      (irq == RAE_OK || rae_handle_close((rae_handle_t)irq) == RAE_OK);
	}
	check_eq(ok, LOOPS, "create, map, unmap and close, many times");
	rae_handle_close((rae_handle_t)n);
}

/* ACPI_TABLES_COPY: the root resource gets a read-only copy whose tables
 * are what their entries say; a narrower resource, another object and a
 * reset by anything but the root resource are refused. */
static void check_acpi(void)
{
	int64_t h = rae_sys_acpi_tables_copy(root);
	/* acpi=off: no tables (and no IOAPIC either). */
	bool none = h == RAE_ERR_NOT_FOUND && !(platform_flags & HWTEST_HAS_IRQ_LINES);
	int64_t vga = rae_sys_resource_create(root, RAE_RESOURCE_MMIO, 0xb8000, 0x8000);
	check_eq(rae_sys_acpi_tables_copy((rae_handle_t)vga),
		 none ? RAE_ERR_NOT_FOUND : RAE_ERR_RANGE,
		 "no ACPI tables for a resource that does not cover them");
	int64_t io = rae_sys_ioport_create(root, 0x70, 2);
	check_eq(rae_sys_acpi_tables_copy((rae_handle_t)io), RAE_ERR_WRONG_TYPE,
		 "no ACPI tables for an I/O port object");
	check_eq(rae_sys_machine_reset((rae_handle_t)vga), RAE_ERR_ACCESS_DENIED,
		 "no reset for a resource narrower than the root");
	rae_handle_close((rae_handle_t)io);
	rae_handle_close((rae_handle_t)vga);

	if (none)
		return;
	check(h > 0, "a copy of the ACPI tables for the root resource");
	if (h <= 0)
		return;
	check_eq(rae_mem_map((rae_handle_t)h, RAE_PROT_READ | RAE_PROT_WRITE),
		 RAE_ERR_ACCESS_DENIED, "the copy cannot be mapped writable");
	int64_t size = rae_mem_size((rae_handle_t)h);
	int64_t va = rae_mem_map((rae_handle_t)h, RAE_PROT_READ);
	check(size > 0 && va > 0, "map the copy read-only");
	if (size > 0 && va > 0) {
		const rae_acpi_tables_t *t = (const rae_acpi_tables_t *)(uintptr_t)va;
		const uint8_t *base = (const uint8_t *)(uintptr_t)va;
		check(t->magic == RAE_ACPI_TABLES_MAGIC && t->count >= 4 && t->size <= size,
		      "the copy's header");
		int dsdt = 0, facp = 0, good = 1;
		for (uint32_t i = 0; i < t->count && t->size <= size; i++) {
			const rae_acpi_table_t *e = &t->tables[i];
			const uint8_t *bytes = base + e->offset;
			good &= e->offset + (uint64_t)e->length <= t->size;
			if (i == 0)
				good &= memcmp(e->signature, "RSD ", 4) == 0 &&
					memcmp(bytes, "RSD PTR ", 8) == 0;
			else
				good &= memcmp(bytes, e->signature, 4) == 0;
			dsdt += memcmp(e->signature, "DSDT", 4) == 0;
			facp += memcmp(e->signature, "FACP", 4) == 0;
		}
		check(good, "every copied table starts with its signature");
		check(dsdt == 1 && facp == 1, "the FADT and the DSDT are in the copy");
		rae_mem_unmap((uint64_t)va);
	}
	rae_handle_close((rae_handle_t)h);
}

int main(uint64_t arg)
{
	rae_msg_t m = {0};
	if (rae_ipc_receive((rae_handle_t)arg, &m, 10000000000ull) != RAE_OK ||
	    m.handle_count != 1) {
		rae_puts("hwtest: no root resource came\n");
		return 100;
	}
	root = m.handles[0];
	platform_flags = m.words[0];
	fb_phys = m.words[1];
	fb_bytes = m.words[2];
	ram_phys = m.words[3];
	rae_msg_t reply = {0};
	rae_ipc_reply(&reply);

	check_resources();
	check_phys_memory();
	check_ioports();
	check_config_space_is_the_kernels();
	check_interrupts();
	check_lifecycle();
	check_acpi();

	rae_puts(failures ? "hwtest: some checks failed\n" : "hwtest: all checks passed\n");
	return failures;
}
