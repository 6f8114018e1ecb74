/* Interrupt objects (object/interrupt.h): the line's handler signals the
 * bound notification from interrupt context. */
#include <hal/irq.h>
#include <mm/kmalloc.h>
#include <object/interrupt.h>

static void interrupt_object_fire(void *arg)
{
	interrupt_object_t *io = arg;
	notification_signal(io->notification, io->bits);
}

static void interrupt_object_destroy(kobject_t *o)
{
	interrupt_object_t *io = (interrupt_object_t *)o;
	hal_irq_release(io->gsi); /* no handler runs on io after this */
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

void interrupt_object_ack(interrupt_object_t *io)
{
	hal_irq_unmask(io->gsi);
}
