/* PCI configuration space access (hal/pci.h) on x86: ECAM windows named by
 * the MCFG table, or the legacy configuration mechanism #1 (an address
 * written to port 0xcf8, the data at 0xcfc), whose two steps must not
 * interleave with another CPU's: pci_port_lock keeps them together. */
#include <arch/x86_64/platform.h>
#include <hal/pci.h>
#include <mm/page.h>
#include <mm/vm.h>
#include <mm/vmm.h>
#include <rae/device.h>
#include <rae/resource.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

#define PCI_CONFIG_ADDRESS  0xcf8
#define PCI_CONFIG_DATA     0xcfc
#define PCI_CONFIG_ENABLE   0x80000000u
#define ECAM_FUNCTION_SHIFT 12 /* 4 KiB per function within a bus's 1 MiB */

#define ECAM_BUS_SIZE     (1ull << 20)
#define ECAM_BUSES_MAPPED 256

static spinlock_t pci_port_lock = SPINLOCK_INIT("pci config ports", LOCK_LEVEL_PCI_CONFIG);

/* The buses whose ECAM window is mapped, by segment << 8 | bus + 1 (0: a
 * free slot). Guarded by pci_ecam_lock; a slot once filled never changes. */
static spinlock_t pci_ecam_lock = SPINLOCK_INIT("pci ecam", LOCK_LEVEL_PCI_CONFIG);
static struct {
	uint32_t key;
	volatile uint8_t *base;
} pci_ecam_buses[ECAM_BUSES_MAPPED];

/* The mapping of bus `key`'s window at `pa`, made at first use. */
static volatile uint8_t *pci_ecam_bus(uint32_t key, paddr_t pa)
{
	bool irq = spin_lock_irqsave(&pci_ecam_lock);
	for (unsigned i = 0; i < ECAM_BUSES_MAPPED && pci_ecam_buses[i].key; i++) {
		if (pci_ecam_buses[i].key == key) {
			volatile uint8_t *base = pci_ecam_buses[i].base;
			spin_unlock_irqrestore(&pci_ecam_lock, irq);
			return base;
		}
	}
	spin_unlock_irqrestore(&pci_ecam_lock, irq);
	volatile uint8_t *mapped =
	    vmm_map_phys(pa, ECAM_BUS_SIZE, VM_READ | VM_WRITE | VM_UNCACHED);
	if (!mapped)
		return NULL;
	volatile uint8_t *base = NULL;
	irq = spin_lock_irqsave(&pci_ecam_lock);
	for (unsigned i = 0; i < ECAM_BUSES_MAPPED; i++) {
		if (pci_ecam_buses[i].key == key) {
			base = pci_ecam_buses[i].base; /* another CPU mapped it meanwhile */
			break;
		}
		if (!pci_ecam_buses[i].key) {
			pci_ecam_buses[i].key = key;
			pci_ecam_buses[i].base = base = mapped;
			mapped = NULL;
			break;
		}
	}
	spin_unlock_irqrestore(&pci_ecam_lock, irq);
	if (mapped)
		vmm_free((uintptr_t)mapped); /* lost the race, or every slot is taken */
	return base;
}

static inline void port_out32(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void port_out16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void port_out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t port_in32(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t port_in16(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint8_t port_in8(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

rae_status_t hal_pci_config_open(uint32_t address, hal_pci_config_t *cfg)
{
	cfg->address = address;
	cfg->ecam = NULL;
	cfg->size = RAE_PCI_CONFIG_LEGACY_SIZE;
	uint64_t bus_base =
	    platform.has_mcfg
		? acpi_mcfg_bus_address(&platform.mcfg, (uint16_t)RAE_PCI_SEGMENT(address),
					(uint8_t)RAE_PCI_BUS(address))
		: 0;
	if (bus_base == 0)
		return RAE_PCI_SEGMENT(address) == 0 ? RAE_OK : RAE_ERR_NOT_FOUND;
	volatile uint8_t *bus = pci_ecam_bus((address >> 8) + 1, bus_base);
	if (!bus)
		return RAE_ERR_NO_MEMORY;
	/* Device and function are the low byte of the address: 256 pages of
	 * 4 KiB in the bus's window. */
	cfg->ecam = bus + ((uint64_t)(address & 0xff) << ECAM_FUNCTION_SHIFT);
	cfg->size = RAE_PCI_CONFIG_SIZE;
	return RAE_OK;
}

static uint32_t pci_port_address(uint32_t address, unsigned offset)
{
	return PCI_CONFIG_ENABLE | (RAE_PCI_BUS(address) << 16) | (RAE_PCI_DEVICE(address) << 11) |
	       (RAE_PCI_FUNCTION(address) << 8) | (offset & 0xfc);
}

uint32_t hal_pci_config_read(const hal_pci_config_t *cfg, unsigned offset, unsigned width)
{
	if (cfg->ecam) {
		volatile uint8_t *r = cfg->ecam + offset;
		switch (width) {
		case 1: return *r;
		case 2: return *(volatile uint16_t *)r;
		default: return *(volatile uint32_t *)r;
		}
	}
	uint32_t v;
	uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (offset & 3));
	bool irq = spin_lock_irqsave(&pci_port_lock);
	port_out32(PCI_CONFIG_ADDRESS, pci_port_address(cfg->address, offset));
	switch (width) {
	case 1: v = port_in8(port); break;
	case 2: v = port_in16(port); break;
	default: v = port_in32(port); break;
	}
	spin_unlock_irqrestore(&pci_port_lock, irq);
	return v;
}

void hal_pci_config_write(const hal_pci_config_t *cfg, unsigned offset, unsigned width,
			  uint32_t value)
{
	if (cfg->ecam) {
		volatile uint8_t *r = cfg->ecam + offset;
		switch (width) {
		case 1: *r = (uint8_t)value; break;
		case 2: *(volatile uint16_t *)r = (uint16_t)value; break;
		default: *(volatile uint32_t *)r = value; break;
		}
		return;
	}
	uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (offset & 3));
	bool irq = spin_lock_irqsave(&pci_port_lock);
	port_out32(PCI_CONFIG_ADDRESS, pci_port_address(cfg->address, offset));
	switch (width) {
	case 1: port_out8(port, (uint8_t)value); break;
	case 2: port_out16(port, (uint16_t)value); break;
	default: port_out32(port, value); break;
	}
	spin_unlock_irqrestore(&pci_port_lock, irq);
}

const char *hal_pci_config_method(void)
{
	return platform.has_mcfg && platform.mcfg.count > 0 ? "ECAM" : "ports";
}

/* Port 0xcf9 alone is no part of mechanism #1: CONFIG_ADDRESS is only
 * ever a dword at 0xcf8, and a byte at 0xcf9 is the chipset's reset
 * control register (PIIX, ICH), which the FADT names as the reset
 * register on QEMU's machines. Every other port of 0xcf8-0xcff is the
 * kernel's. */
#define PCI_RESET_CONTROL 0xcf9
#define PCI_PORTS_END     0xd00

bool hal_pci_config_claims(uint32_t kind, uint64_t base, uint64_t size)
{
	if (size == 0 || base + size < base)
		return false;
	uint64_t end = base + size;
	if (kind == RAE_RESOURCE_IOPORT)
		return base < PCI_PORTS_END && end > PCI_CONFIG_ADDRESS &&
		       !(base == PCI_RESET_CONTROL && size == 1);
	if (kind != RAE_RESOURCE_MMIO || !platform.has_mcfg)
		return false;
	for (uint32_t i = 0; i < platform.mcfg.count; i++) {
		const acpi_mcfg_allocation_t *a = &platform.mcfg.allocations[i];
		uint64_t start = a->base_address + ((uint64_t)a->start_bus << 20);
		uint64_t stop = a->base_address + (((uint64_t)a->end_bus + 1) << 20);
		if (base < stop && end > start)
			return true;
	}
	return false;
}
