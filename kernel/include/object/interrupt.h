/* Interrupt objects: one device interrupt bound to a notification. Either a
 * line (an IOAPIC GSI; each interrupt masks the line and sets the
 * notification's bits, and the driver acknowledges once it serviced the
 * device, which unmasks it; level-triggered lines may be shared by several
 * objects, and are unmasked once each has acknowledged), or a message (MSI
 * or an MSI-X table entry of a device object, programmed by the kernel: an
 * edge event, never masked between messages). Every interrupt records the
 * timestamp counter when it arrived. The last reference gives the line or
 * message back (masked, unrouted, vector freed). */
#ifndef OBJECT_INTERRUPT_H
#define OBJECT_INTERRUPT_H

#include <hal/msi.h>
#include <object/endpoint.h>
#include <object/object.h>

struct device;

typedef struct interrupt_object {
	kobject_t obj;
	/* Immutable after creation: */
	uint32_t gsi;                 /* a line's GSI */
	notification_t *notification; /* holds a reference */
	uint64_t bits;
	/* A message: the device (a reference), MSI or MSI-X, the entry, its
	 * vector. NULL for a line. */
	struct device *device;
	bool msix;
	unsigned index;
	hal_msi_t msi;
	/* The timestamp of the latest interrupt (0 before the first); written
	 * by the handler, read by INTERRUPT_ACK_TSC; atomic. */
	uint64_t last_tsc;
} interrupt_object_t;

/* The rights a new interrupt handle carries: WRITE to acknowledge. */
#define INTERRUPT_RIGHTS (RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)

/* Claims line `gsi` (HAL_IRQ_* `flags`) for a new object that sets `bits`
 * (not 0) in `n` on each interrupt; the line starts unmasked. NULL with
 * *status as hal_irq_claim, or RAE_ERR_NO_MEMORY. Thread context. */
interrupt_object_t *interrupt_object_create(uint32_t gsi, unsigned flags, notification_t *n,
					    uint64_t bits, rae_status_t *status);

/* A new object for device `d`'s MSI (msix false, index 0) or MSI-X entry
 * `index`: a vector claimed, the entry programmed and unmasked. NULL with
 * *status as pci_function_msi_take or hal_msi_claim. Thread context. */
interrupt_object_t *interrupt_object_create_msi(struct device *d, bool msix, unsigned index,
						notification_t *n, uint64_t bits,
						rae_status_t *status);

/* Acknowledges the latest interrupt: unmasks a line once the driver
 * serviced the device (nothing to do for a message). Returns the
 * timestamp of the latest interrupt, 0 before the first. */
uint64_t interrupt_object_ack(interrupt_object_t *io);

#endif
