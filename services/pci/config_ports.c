/* Configuration mechanism #1: CONFIG_ADDRESS at 0xcf8 selects a dword of
 * one function's 256 bytes, CONFIG_DATA at 0xcfc reads or writes it. The
 * service is the only user of these ports (the kernel has no PCI code),
 * and it is single-threaded, so an address and its data access are never
 * split by another. */
#include "pcid.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA    0xcfc
#define CONFIG_ENABLE  0x80000000u

static inline void port_out32(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t port_in32(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint32_t config_address(pci_address_t at, uint16_t offset)
{
	return CONFIG_ENABLE | ((uint32_t)at.bus << 16) | ((uint32_t)(at.device & 31) << 11) |
	       ((uint32_t)(at.function & 7) << 8) | (offset & 0xfc);
}

static uint32_t ports_read(void *context, pci_address_t at, uint16_t offset)
{
	(void)context;
	if (at.segment != 0 || offset > 0xfc)
		return 0xffffffffu;
	port_out32(CONFIG_ADDRESS, config_address(at, offset));
	return port_in32(CONFIG_DATA);
}

static void ports_write(void *context, pci_address_t at, uint16_t offset, uint32_t value)
{
	(void)context;
	if (at.segment != 0 || offset > 0xfc)
		return;
	port_out32(CONFIG_ADDRESS, config_address(at, offset));
	port_out32(CONFIG_DATA, value);
}

static rae_status_t ports_enable(rae_handle_t root, uint16_t base, uint16_t count)
{
	rae_handle_t range, ports;
	rae_status_t st = rae_resource_create(root, RAE_RESOURCE_IOPORT, base, count, &range);
	if (st != RAE_OK)
		return st;
	st = rae_ioport_create(range, base, count, &ports);
	rae_handle_close(range);
	if (st != RAE_OK)
		return st;
	st = rae_ioport_enable(ports);
	/* Access stays with the process once enabled. */
	rae_handle_close(ports);
	return st;
}

rae_status_t pcid_ports_open(rae_handle_t root, pci_config_t *out)
{
	rae_status_t st = ports_enable(root, CONFIG_ADDRESS, 4);
	if (st == RAE_OK)
		st = ports_enable(root, CONFIG_DATA, 4);
	if (st != RAE_OK)
		return st;
	/* Mechanism #1 latches CONFIG_ADDRESS; an absent one floats to all-ones. */
	port_out32(CONFIG_ADDRESS, CONFIG_ENABLE);
	uint32_t back = port_in32(CONFIG_ADDRESS);
	port_out32(CONFIG_ADDRESS, 0);
	if (back != CONFIG_ENABLE)
		return RAE_ERR_UNSUPPORTED;
	*out = (pci_config_t){ports_read, ports_write, NULL, 256};
	return RAE_OK;
}
