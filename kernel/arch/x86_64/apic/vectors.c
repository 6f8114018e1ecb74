/* Device vector allocation and the handler table the dispatcher consults. */
#include <arch/x86_64/apic/vectors.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

static spinlock_t vector_lock = SPINLOCK_INIT("vectors", LOCK_LEVEL_IOAPIC);
static uint64_t vector_used[4]; /* guarded by vector_lock */

typedef struct {
	interrupt_handler_t fn;
	void *arg;
} vector_slot_t;

vector_slot_t vector_handlers[IDT_VECTORS];
bool interrupt_lapic_ready;

rae_status_t vector_alloc(uint8_t *vector)
{
	bool irq = spin_lock_irqsave(&vector_lock);
	for (unsigned v = VEC_DEVICE_FIRST; v <= VEC_DEVICE_LAST; v++) {
		if (!(vector_used[v / 64] & (1ull << (v % 64)))) {
			vector_used[v / 64] |= 1ull << (v % 64);
			spin_unlock_irqrestore(&vector_lock, irq);
			*vector = (uint8_t)v;
			return RAE_OK;
		}
	}
	spin_unlock_irqrestore(&vector_lock, irq);
	return RAE_ERR_NO_MEMORY;
}

void vector_free(uint8_t vector)
{
	bool irq = spin_lock_irqsave(&vector_lock);
	vector_used[vector / 64] &= ~(1ull << (vector % 64));
	vector_handlers[vector].fn = NULL;
	spin_unlock_irqrestore(&vector_lock, irq);
}

void interrupt_set_handler(uint8_t vector, interrupt_handler_t fn, void *arg)
{
	bool irq = spin_lock_irqsave(&vector_lock);
	vector_handlers[vector].arg = arg;
	vector_handlers[vector].fn = fn;
	spin_unlock_irqrestore(&vector_lock, irq);
}
