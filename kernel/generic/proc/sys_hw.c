/* System calls on hardware objects: resources and what they grant (device
 * memory, interrupt lines, I/O ports) (rae/syscalls.def). */
#include <console/kprintf.h>
#include <hal/irq.h>
#include <hal/pci.h>
#include <hal/platform.h>
#include <mm/kmalloc.h>
#include <mm/vm.h>
#include <object/interrupt.h>
#include <object/ioport.h>
#include <object/memory.h>
#include <object/resource.h>
#include <proc/process.h>
#include <proc/syscall.h>
#include <rae/acpi.h>
#include <string.h>

rae_status_t sys_resource_lookup(rae_handle_t h, resource_t **out)
{
	kobject_t *obj;
	rae_status_t st = sys_handle_lookup(h, RAE_OBJ_RESOURCE, RAE_RIGHT_MANAGE, &obj);
	if (st == RAE_OK)
		*out = (resource_t *)obj;
	return st;
}

int64_t sys_resource_create(rae_handle_t parent_h, uint64_t kind, uint64_t base, uint64_t size)
{
	resource_t *parent;
	rae_status_t st = sys_resource_lookup(parent_h, &parent);
	if (st != RAE_OK)
		return st;
	resource_t *r = resource_create(parent, kind > UINT32_MAX ? UINT32_MAX : (uint32_t)kind,
					base, size, &st);
	kobject_unref(&parent->obj);
	return r ? sys_handle_install(&r->obj, RESOURCE_RIGHTS) : st;
}

int64_t sys_mem_create_phys(rae_handle_t resource, uint64_t phys, uint64_t bytes, uint64_t flags)
{
	resource_t *r;
	rae_status_t st = sys_resource_lookup(resource, &r);
	if (st != RAE_OK)
		return st;
	if (flags & ~(uint64_t)RAE_MEM_PHYS_WRITE_COMBINE)
		st = RAE_ERR_INVALID;
	else if ((phys | bytes) & (PAGE_SIZE - 1))
		st = RAE_ERR_INVALID;
	else
		st = resource_range_check(RAE_RESOURCE_MMIO, phys, bytes);
	if (st == RAE_OK && !resource_covers(r, RAE_RESOURCE_MMIO, phys, bytes))
		st = RAE_ERR_RANGE;
	/* Configuration space is reached only through the kernel, under its
	 * locks and its checks (device objects, PCI_CONFIG_READ). */
	if (st == RAE_OK && hal_pci_config_claims(RAE_RESOURCE_MMIO, phys, bytes))
		st = RAE_ERR_ACCESS_DENIED;
	kobject_unref(&r->obj);
	if (st != RAE_OK)
		return st;
	if (bytes / PAGE_SIZE > MEMORY_PHYS_MAX_PAGES)
		return RAE_ERR_RANGE;
	memory_object_t *m = memory_object_create_phys(
	    phys, bytes / PAGE_SIZE,
	    (flags & RAE_MEM_PHYS_WRITE_COMBINE) ? VM_WRITE_COMBINE : VM_UNCACHED, &st);
	if (!m)
		return st;
	return sys_handle_install(&m->obj, RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_MAP |
					       RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER);
}

/* The ISA IRQs: INTERRUPT_CREATE with RAE_IRQ_ISA takes lines 0-15. */
#define ISA_IRQ_LAST 15

int64_t sys_interrupt_create(rae_handle_t resource, uint64_t line, rae_handle_t notification,
			     uint64_t bits, uint64_t flags)
{
	resource_t *r;
	rae_status_t st = sys_resource_lookup(resource, &r);
	if (st != RAE_OK)
		return st;
	kobject_t *n;
	st = sys_handle_lookup(notification, RAE_OBJ_NOTIFICATION, RAE_RIGHT_SIGNAL, &n);
	if (st != RAE_OK) {
		kobject_unref(&r->obj);
		return st;
	}
	uint32_t gsi = 0;
	unsigned hw_flags = 0;
	if (bits == 0 || (flags & ~(uint64_t)(RAE_IRQ_ISA | RAE_IRQ_LEVEL | RAE_IRQ_ACTIVE_LOW)) ||
	    ((flags & RAE_IRQ_ISA) && (flags & (RAE_IRQ_LEVEL | RAE_IRQ_ACTIVE_LOW)))) {
		st = RAE_ERR_INVALID;
	} else if (flags & RAE_IRQ_ISA) {
		st = line > ISA_IRQ_LAST ? RAE_ERR_RANGE
					 : hal_irq_isa_to_gsi((uint32_t)line, &gsi, &hw_flags);
	} else if (line >= RAE_RESOURCE_IRQ_END) {
		st = RAE_ERR_RANGE;
	} else {
		gsi = (uint32_t)line;
		hw_flags = ((flags & RAE_IRQ_LEVEL) ? HAL_IRQ_LEVEL : 0) |
			   ((flags & RAE_IRQ_ACTIVE_LOW) ? HAL_IRQ_ACTIVE_LOW : 0);
	}
	if (st == RAE_OK && !resource_covers(r, RAE_RESOURCE_IRQ, gsi, 1))
		st = RAE_ERR_RANGE;
	interrupt_object_t *io = NULL;
	if (st == RAE_OK)
		io = interrupt_object_create(gsi, hw_flags, (notification_t *)n, bits, &st);
	kobject_unref(n);
	kobject_unref(&r->obj);
	return io ? sys_handle_install(&io->obj, INTERRUPT_RIGHTS) : st;
}

int64_t sys_interrupt_ack(rae_handle_t h)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(interrupt_ack, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	(void)interrupt_object_ack((interrupt_object_t *)obj);
	kobject_unref(obj);
	return RAE_OK;
}

int64_t sys_ioport_create(rae_handle_t resource, uint64_t base, uint64_t count)
{
	resource_t *r;
	rae_status_t st = sys_resource_lookup(resource, &r);
	if (st != RAE_OK)
		return st;
	st = resource_range_check(RAE_RESOURCE_IOPORT, base, count);
	if (st == RAE_OK && !resource_covers(r, RAE_RESOURCE_IOPORT, base, count))
		st = RAE_ERR_RANGE;
	if (st == RAE_OK && hal_pci_config_claims(RAE_RESOURCE_IOPORT, base, count))
		st = RAE_ERR_ACCESS_DENIED;
	kobject_unref(&r->obj);
	if (st != RAE_OK)
		return st;
	ioport_object_t *io = ioport_object_create((uint32_t)base, (uint32_t)count);
	return io ? sys_handle_install(&io->obj, IOPORT_RIGHTS) : RAE_ERR_NO_MEMORY;
}

int64_t sys_ioport_enable(rae_handle_t h)
{
	kobject_t *obj;
	rae_status_t st = SYS_HANDLE_GET(ioport_enable, h, &obj, NULL);
	if (st != RAE_OK)
		return st;
	st = ioport_enable(self_proc(), (ioport_object_t *)obj);
	kobject_unref(obj);
	return st;
}

/* The copy is laid out by abi/rae/acpi.h; each table starts 8-byte aligned. */
#define ACPI_COPY_ALIGN(x) (((x) + 7u) & ~(uint64_t)7u)

int64_t sys_acpi_tables_copy(rae_handle_t resource)
{
	resource_t *r;
	rae_status_t st = sys_resource_lookup(resource, &r);
	if (st != RAE_OK)
		return st;
	hal_acpi_table_t *tables = kmalloc(RAE_ACPI_TABLES_MAX * sizeof(*tables));
	if (!tables) {
		kobject_unref(&r->obj);
		return RAE_ERR_NO_MEMORY;
	}
	unsigned count = hal_acpi_tables(tables, RAE_ACPI_TABLES_MAX);
	uint64_t size = sizeof(rae_acpi_tables_t) + (uint64_t)count * sizeof(rae_acpi_table_t);
	st = count ? RAE_OK : RAE_ERR_NOT_FOUND;
	for (unsigned i = 0; i < count && st == RAE_OK; i++) {
		/* The loader's RSDP copy has no address to check; it only names
		 * the root table, which is checked. */
		if (tables[i].phys &&
		    !resource_covers(r, RAE_RESOURCE_MMIO, tables[i].phys, tables[i].length))
			st = RAE_ERR_RANGE;
		size = ACPI_COPY_ALIGN(size) + tables[i].length;
	}
	kobject_unref(&r->obj);
	if (st == RAE_OK && size > MEMORY_OBJECT_MAX_PAGES * PAGE_SIZE)
		st = RAE_ERR_RANGE;
	memory_object_t *m = NULL;
	if (st == RAE_OK)
		m = memory_object_create(PAGE_ALIGN_UP(size) / PAGE_SIZE, false, self_proc()->job,
					 &st);
	if (!m) {
		kfree(tables);
		return st;
	}
	rae_acpi_tables_t head = {RAE_ACPI_TABLES_MAGIC, count, (uint32_t)size, 0};
	memory_object_write(m, 0, &head, sizeof(head));
	uint64_t at = sizeof(head) + (uint64_t)count * sizeof(rae_acpi_table_t);
	for (unsigned i = 0; i < count; i++) {
		at = ACPI_COPY_ALIGN(at);
		rae_acpi_table_t e = {tables[i].phys, (uint32_t)at, tables[i].length, {0}, 0};
		memcpy(e.signature, tables[i].signature, 4);
		memory_object_write(m, sizeof(head) + i * sizeof(e), &e, sizeof(e));
		memory_object_write(m, at, tables[i].data, tables[i].length);
		at += tables[i].length;
	}
	kfree(tables);
	return sys_handle_install(&m->obj, RAE_RIGHT_READ | RAE_RIGHT_MAP | RAE_RIGHT_DUPLICATE |
					       RAE_RIGHT_TRANSFER);
}

int64_t sys_machine_reset(rae_handle_t resource)
{
	resource_t *r;
	rae_status_t st = sys_resource_lookup(resource, &r);
	if (st != RAE_OK)
		return st;
	bool root = r->kind == RAE_RESOURCE_ROOT;
	kobject_unref(&r->obj);
	if (!root)
		return RAE_ERR_ACCESS_DENIED;
	kprintf("reset: pid %u resets the machine\n", self_proc()->pid);
	hal_machine_reset();
}
