/* System calls on device objects and what they make: configuration space,
 * bus mastering, reset, DMA memory and message-signalled interrupts
 * (rae/syscalls.def; docs/devices.md), and the PCI service's reads of any
 * function's configuration space and its BAR sizing. */
#include <object/device.h>
#include <object/dma.h>
#include <object/interrupt.h>
#include <object/memory.h>
#include <object/resource.h>
#include <proc/syscall.h>

/* The PCI resource check of the calls that name a function by address. */
static rae_status_t sys_pci_resource_check(rae_handle_t resource, uint64_t address)
{
	resource_t *r;
	rae_status_t st = sys_resource_lookup(resource, &r);
	if (st != RAE_OK)
		return st;
	if (address >= RAE_RESOURCE_PCI_END || !resource_covers(r, RAE_RESOURCE_PCI, address, 1))
		st = RAE_ERR_RANGE;
	kobject_unref(&r->obj);
	return st;
}

int64_t sys_device_create(rae_handle_t resource, uint64_t address)
{
	rae_status_t st = sys_pci_resource_check(resource, address);
	if (st != RAE_OK)
		return st;
	device_t *d = device_create(address, &st);
	return d ? sys_handle_install(&d->obj, DEVICE_RIGHTS) : st;
}

int64_t sys_device_info(rae_handle_t device, rae_device_info_t *info)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(device_info, device, &obj, NULL);
	if (st != RAE_OK)
		return st;
	rae_device_info_t kinfo;
	device_info((device_t *)obj, &kinfo);
	kobject_unref(obj);
	return copy_to_user(info, &kinfo, sizeof(kinfo)) == RAE_OK ? RAE_OK : RAE_ERR_FAULT;
}

int64_t sys_device_config_read(rae_handle_t device, uint64_t offset, uint64_t width)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(device_config_read, device, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint32_t value = 0;
	st = device_config_read((device_t *)obj, offset, width, &value);
	kobject_unref(obj);
	return st == RAE_OK ? (int64_t)value : st;
}

int64_t sys_device_config_write(rae_handle_t device, uint64_t offset, uint64_t width,
				uint64_t value)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(device_config_write, device, &obj, NULL);
	if (st != RAE_OK)
		return st;
	st = device_config_write((device_t *)obj, offset, width, value);
	kobject_unref(obj);
	return st;
}

int64_t sys_device_bus_master(rae_handle_t device, uint64_t enable)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(device_bus_master, device, &obj, NULL);
	if (st != RAE_OK)
		return st;
	if (enable > 1)
		st = RAE_ERR_INVALID;
	else
		pci_function_set_bus_master(((device_t *)obj)->fn, enable);
	kobject_unref(obj);
	return st;
}

int64_t sys_device_reset(rae_handle_t device)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(device_reset, device, &obj, NULL);
	if (st != RAE_OK)
		return st;
	st = device_reset((device_t *)obj);
	kobject_unref(obj);
	return st;
}

int64_t sys_dma_create(rae_handle_t device, uint64_t bytes, uint64_t flags)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(dma_create, device, &obj, NULL);
	if (st != RAE_OK)
		return st;
	memory_object_t *m = NULL;
	if (flags & ~(uint64_t)(RAE_DMA_CONTIGUOUS | RAE_DMA_BELOW_4G))
		st = RAE_ERR_INVALID;
	else if (bytes == 0 || bytes > MEMORY_OBJECT_MAX_PAGES * PAGE_SIZE)
		st = RAE_ERR_RANGE;
	else
		m = dma_memory_create(((device_t *)obj)->fn, PAGE_ALIGN_UP(bytes) / PAGE_SIZE,
				      flags & RAE_DMA_CONTIGUOUS, flags & RAE_DMA_BELOW_4G,
				      self_proc()->job, self_proc()->pid, &st);
	kobject_unref(obj);
	if (!m)
		return st;
	return sys_handle_install(&m->obj, RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MAP |
					       RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER);
}

int64_t sys_dma_addresses(rae_handle_t memory, uint64_t first, uint64_t *addresses, uint64_t count)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(dma_addresses, memory, &obj, NULL);
	if (st != RAE_OK)
		return st;
	memory_object_t *m = (memory_object_t *)obj;
	uint64_t n = 0;
	if (!m->dma_function)
		st = RAE_ERR_INVALID;
	else if (first >= m->pages || count == 0 || count > DMA_ADDRESSES_MAX)
		st = RAE_ERR_RANGE;
	if (st == RAE_OK) {
		n = m->pages - first < count ? m->pages - first : count;
		/* In chunks on the stack: DMA_ADDRESSES_MAX words at once would
		 * be 4 KiB of it. */
		uint64_t chunk[64];
		for (uint64_t done = 0; done < n && st == RAE_OK;) {
			uint64_t k = n - done < 64 ? n - done : 64;
			for (uint64_t i = 0; i < k; i++)
				chunk[i] = dma_device_address(m, first + done + i);
			if (copy_to_user(addresses + done, chunk, k * sizeof(uint64_t)) != RAE_OK)
				st = RAE_ERR_FAULT;
			done += k;
		}
	}
	kobject_unref(obj);
	return st == RAE_OK ? (int64_t)n : st;
}

int64_t sys_interrupt_create_msi(rae_handle_t device, uint64_t index, rae_handle_t notification,
				 uint64_t bits, uint64_t flags)
{
	kobject_t *d;
	rae_status_t st = SYS_HANDLE_GET(interrupt_create_msi, device, &d, NULL);
	if (st != RAE_OK)
		return st;
	kobject_t *n;
	st = sys_handle_lookup(notification, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &n);
	if (st != RAE_OK) {
		kobject_unref(d);
		return st;
	}
	interrupt_object_t *io = NULL;
	if (bits == 0 || (flags & ~(uint64_t)RAE_MSI_X))
		st = RAE_ERR_INVALID;
	else if (index >= PCI_MSIX_MAX_ENTRIES)
		st = RAE_ERR_RANGE;
	else
		io = interrupt_object_create_msi((device_t *)d, flags & RAE_MSI_X, (unsigned)index,
						 (notification_t *)n, bits, &st);
	kobject_unref(n);
	kobject_unref(d);
	return io ? sys_handle_install(&io->obj, INTERRUPT_RIGHTS) : st;
}

int64_t sys_interrupt_ack_tsc(rae_handle_t h, uint64_t *tsc)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(interrupt_ack_tsc, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	uint64_t stamp = interrupt_object_ack((interrupt_object_t *)obj);
	kobject_unref(obj);
	if (tsc && copy_to_user(tsc, &stamp, sizeof(stamp)) != RAE_OK)
		return RAE_ERR_FAULT;
	return RAE_OK;
}

int64_t sys_pci_config_read(rae_handle_t resource, uint64_t address, uint64_t offset,
			    uint64_t width)
{
	rae_status_t st = sys_pci_resource_check(resource, address);
	if (st != RAE_OK)
		return st;
	uint32_t value = 0;
	st = pci_config_read_any(address, offset, width, &value);
	return st == RAE_OK ? (int64_t)value : st;
}

int64_t sys_pci_bars_probe(rae_handle_t resource, uint64_t address, rae_pci_bar_probe_t *probes)
{
	rae_status_t st = sys_pci_resource_check(resource, address);
	if (st != RAE_OK)
		return st;
	rae_pci_bar_probe_t kprobes[RAE_PCI_BAR_PROBES];
	unsigned slots = 0;
	st = pci_bars_size(address, kprobes, &slots);
	if (st != RAE_OK)
		return st;
	if (copy_to_user(probes, kprobes, sizeof(kprobes)) != RAE_OK)
		return RAE_ERR_FAULT;
	return slots;
}
