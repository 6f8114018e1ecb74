/* Interrupt objects: one device interrupt line bound to a notification.
 * Each interrupt masks the line and sets the notification's bits; the
 * driver services the device and acknowledges, which unmasks the line. The
 * last reference gives the line back (masked, unrouted, vector freed). */
#ifndef OBJECT_INTERRUPT_H
#define OBJECT_INTERRUPT_H

#include <object/endpoint.h>
#include <object/object.h>

/* Immutable after creation. */
typedef struct interrupt_object {
	kobject_t obj;
	uint32_t gsi;
	notification_t *notification; /* holds a reference */
	uint64_t bits;
} interrupt_object_t;

/* The rights a new interrupt handle carries: WRITE to acknowledge. */
#define INTERRUPT_RIGHTS (RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)

/* Claims line `gsi` (HAL_IRQ_* `flags`) for a new object that sets `bits`
 * (not 0) in `n` on each interrupt; the line starts unmasked. NULL with
 * *status as hal_irq_claim, or RAE_ERR_NO_MEMORY. Thread context. */
interrupt_object_t *interrupt_object_create(uint32_t gsi, unsigned flags, notification_t *n,
					    uint64_t bits, rae_status_t *status);

/* Unmasks the line once the driver serviced the device. */
void interrupt_object_ack(interrupt_object_t *io);

#endif
