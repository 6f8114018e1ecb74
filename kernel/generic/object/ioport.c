/* I/O port objects (object/ioport.h) and the per-process bitmaps they
 * open. A bitmap only ever opens ports while its process lives; every
 * change gets a new sequence number so that a CPU knows when its TSS copy
 * is out of date. ioport_lock guards each process's io_bitmap and io_seq. */
#include <hal/cpu.h>
#include <hal/ioport.h>
#include <mm/kmalloc.h>
#include <object/ioport.h>
#include <proc/process.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <string.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

static spinlock_t ioport_lock = SPINLOCK_INIT("io bitmaps", LOCK_LEVEL_IOPORT);
static uint64_t ioport_seq; /* guarded by ioport_lock; 0 is never used */

static void ioport_object_destroy(kobject_t *o)
{
	kfree(o);
}

ioport_object_t *ioport_object_create(uint32_t base, uint32_t count)
{
	ioport_object_t *io = kzalloc(sizeof(*io));
	if (!io)
		return NULL;
	kobject_init(&io->obj, RAE_OBJ_IOPORT, ioport_object_destroy);
	io->base = base;
	io->count = count;
	return io;
}

static void ioport_reload_here(void *arg)
{
	(void)arg;
	hal_io_bitmap_reload();
}

rae_status_t ioport_enable(process_t *p, const ioport_object_t *io)
{
	uint8_t *fresh = NULL;
	if (!__atomic_load_n(&p->io_bitmap, __ATOMIC_ACQUIRE)) {
		fresh = kmalloc(IOPORT_BITMAP_BYTES);
		if (!fresh)
			return RAE_ERR_NO_MEMORY;
		memset(fresh, 0xff, IOPORT_BITMAP_BYTES);
	}
	bool irq = spin_lock_irqsave(&ioport_lock);
	if (!p->io_bitmap && fresh) {
		__atomic_store_n(&p->io_bitmap, fresh, __ATOMIC_RELEASE);
		fresh = NULL;
	}
	uint8_t *bm = p->io_bitmap;
	for (uint32_t port = io->base; port < io->base + io->count; port++)
		bm[port / 8] &= (uint8_t) ~(1u << (port % 8));
	/* After the bits: a CPU that sees the new number copies them all. */
	__atomic_store_n(&p->io_seq, ++ioport_seq, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&ioport_lock, irq);
	kfree(fresh);

	irq = hal_irq_save();
	hal_io_bitmap_reload();
	hal_irq_restore(irq);
	/* Other threads of p may be running elsewhere right now. */
	if (cpu_online_count > 1)
		smp_call_others(ioport_reload_here, NULL);
	return RAE_OK;
}

void ioport_process_release(process_t *p)
{
	kfree(p->io_bitmap);
	p->io_bitmap = NULL;
}
