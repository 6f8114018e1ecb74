/* Interrupt objects (object/interrupt.h): the line's or message's handler
 * stamps the time and signals the bound notification from interrupt
 * context. */
#include <hal/irq.h>
#include <hal/time.h>
#include <mm/kmalloc.h>
#include <object/device.h>
#include <object/interrupt.h>

static void interrupt_object_fire(void *arg)
{
	interrupt_object_t *io = arg;
	__atomic_store_n(&io->last_tsc, hal_timestamp(), __ATOMIC_RELAXED);
	notification_signal(io->notification, io->bits);
}

static void interrupt_object_destroy(kobject_t *o)
{
	interrupt_object_t *io = (interrupt_object_t *)o;
	if (io->device) {
		pci_function_t *fn = io->device->fn;
		pci_function_msi_stop(fn, io->msix, io->index);
		hal_msi_release(&io->msi); /* no handler runs on io after this */
		pci_function_msi_give(fn, io->msix, io->index);
		kobject_unref(&io->device->obj);
	} else {
		hal_irq_release(io->gsi, io); /* no handler runs on io after this */
	}
	kobject_unref(&io->notification->obj);
	kfree(io);
}

interrupt_object_t *interrupt_object_create(uint32_t gsi, unsigned flags, notification_t *n,
					    uint64_t bits, rae_status_t *status)
{
	interrupt_object_t *io = kzalloc(sizeof(*io));
	if (!io) {
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	io->gsi = gsi;
	io->notification = n;
	io->bits = bits;
	rae_status_t st = hal_irq_claim(gsi, flags, interrupt_object_fire, io);
	if (st != RAE_OK) {
		kfree(io);
		*status = st;
		return NULL;
	}
	kobject_ref(&n->obj);
	kobject_init(&io->obj, RAE_OBJ_INTERRUPT, interrupt_object_destroy);
	*status = RAE_OK;
	return io;
}

interrupt_object_t *interrupt_object_create_msi(device_t *d, bool msix, unsigned index,
						notification_t *n, uint64_t bits,
						rae_status_t *status)
{
	interrupt_object_t *io = kzalloc(sizeof(*io));
	if (!io) {
		*status = RAE_ERR_NO_MEMORY;
		return NULL;
	}
	io->notification = n;
	io->bits = bits;
	io->device = d;
	io->msix = msix;
	io->index = index;
	rae_status_t st = pci_function_msi_take(d->fn, msix, index);
	if (st == RAE_OK) {
		st = hal_msi_claim(interrupt_object_fire, io, &io->msi);
		if (st != RAE_OK)
			pci_function_msi_give(d->fn, msix, index);
	}
	if (st != RAE_OK) {
		kfree(io);
		*status = st;
		return NULL;
	}
	kobject_ref(&d->obj);
	kobject_ref(&n->obj);
	kobject_init(&io->obj, RAE_OBJ_INTERRUPT, interrupt_object_destroy);
	pci_function_msi_start(d->fn, msix, index, &io->msi);
	*status = RAE_OK;
	return io;
}

uint64_t interrupt_object_ack(interrupt_object_t *io)
{
	if (!io->device)
		hal_irq_unmask(io->gsi, io);
	return __atomic_load_n(&io->last_tsc, __ATOMIC_RELAXED);
}
