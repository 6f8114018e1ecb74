/* I/O port objects: a range of x86 I/O ports. Enabling one grants the
 * calling process those ports through its I/O permission bitmap, which the
 * architecture installs in the CPU's TSS whenever a thread of the process
 * runs (and makes ineffective for every other thread). */
#ifndef OBJECT_IOPORT_H
#define OBJECT_IOPORT_H

#include <object/object.h>
#include <rae/resource.h>
#include <rae/status.h>

struct process;

/* One bit per port, set = denied (the hardware's own format). */
#define IOPORT_BITMAP_BYTES (RAE_RESOURCE_IOPORT_END / 8)

/* Immutable after creation. */
typedef struct ioport_object {
	kobject_t obj;
	uint32_t base, count; /* [base, base+count) inside 0 .. 0xffff */
} ioport_object_t;

/* The rights a new I/O port handle carries: READ and WRITE to enable it. */
#define IOPORT_RIGHTS (RAE_RIGHT_READ | RAE_RIGHT_WRITE | RAE_RIGHT_DUPLICATE | RAE_RIGHT_TRANSFER)

/* A new object over ports [base, base+count), already checked against a
 * resource; NULL when out of memory. */
ioport_object_t *ioport_object_create(uint32_t base, uint32_t count);

/* Grants `p` the object's ports from now until it ends: at once for the
 * calling thread, and for p's threads on other CPUs before this returns.
 * RAE_OK or RAE_ERR_NO_MEMORY. Thread context, interrupts enabled. */
rae_status_t ioport_enable(struct process *p, const ioport_object_t *io);

/* Frees p's bitmap (the process is gone; none of its threads runs). */
void ioport_process_release(struct process *p);

#endif
