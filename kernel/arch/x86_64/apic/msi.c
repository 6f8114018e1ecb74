/* Message-signalled interrupts on x86 (hal/msi.h): a device raises vector V
 * on the CPU with local APIC ID A by writing V to 0xfee00000 | A << 12
 * (fixed delivery, edge, physical destination). Vectors come from the one
 * device vector pool (vectors.c); each CPU's share of messages is counted
 * here so new ones go where there are fewest. Lock order: msi_lock, then
 * the vector lock. */
#include <arch/x86_64/apic/vectors.h>
#include <hal/msi.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

#define MSI_ADDRESS_BASE 0xfee00000ull
#define MSI_DEST_SHIFT   12
#define MSI_DEST_MAX     0xff /* 8-bit destination without interrupt remapping */

typedef struct {
	hal_irq_fn fn;
	void *arg;
} msi_slot_t;

static spinlock_t msi_lock = SPINLOCK_INIT("msi", LOCK_LEVEL_IRQ_LINES);
static unsigned msi_cpu_load[CPU_MAX];    /* guarded by msi_lock */
static msi_slot_t msi_slots[IDT_VECTORS]; /* set before the device may send, cleared after */

bool hal_msi_available(void)
{
	return interrupt_lapic_ready;
}

unsigned hal_msi_cpu_choose(unsigned count, const bool *eligible, const unsigned *load)
{
	unsigned best = count;
	for (unsigned i = 0; i < count; i++) {
		if (eligible[i] && (best == count || load[i] < load[best]))
			best = i;
	}
	return best;
}

static void msi_interrupt(interrupt_frame_t *frame, void *arg)
{
	(void)frame;
	const msi_slot_t *s = arg;
	if (s->fn)
		s->fn(s->arg);
}

rae_status_t hal_msi_claim(hal_irq_fn fn, void *arg, hal_msi_t *msi)
{
	if (!hal_msi_available())
		return RAE_ERR_UNSUPPORTED;
	bool eligible[CPU_MAX] = {false};
	unsigned count = cpu_possible_count < CPU_MAX ? cpu_possible_count : CPU_MAX;
	for (unsigned i = 0; i < count; i++) {
		/* Isolated CPUs take no device interrupts (sched.h); CPU 0
		 * never is one, so some CPU is always eligible. */
		eligible[i] = cpus[i].online && !cpus[i].isolated && cpus[i].hw_id <= MSI_DEST_MAX;
	}
	bool irq = spin_lock_irqsave(&msi_lock);
	unsigned cpu = hal_msi_cpu_choose(count, eligible, msi_cpu_load);
	if (cpu == count) {
		spin_unlock_irqrestore(&msi_lock, irq);
		return RAE_ERR_UNSUPPORTED;
	}
	uint8_t vector;
	if (vector_alloc(&vector) != RAE_OK) {
		spin_unlock_irqrestore(&msi_lock, irq);
		return RAE_ERR_NO_MEMORY;
	}
	msi_cpu_load[cpu]++;
	spin_unlock_irqrestore(&msi_lock, irq);
	msi_slots[vector].fn = fn;
	msi_slots[vector].arg = arg;
	interrupt_set_handler(vector, msi_interrupt, &msi_slots[vector]);
	msi->vector = vector;
	msi->cpu = cpu;
	msi->address = MSI_ADDRESS_BASE | ((uint64_t)cpus[cpu].hw_id << MSI_DEST_SHIFT);
	msi->data = vector;
	return RAE_OK;
}

static void msi_sync(void *arg)
{
	(void)arg; /* running here means the CPU left every handler */
}

void hal_msi_release(const hal_msi_t *msi)
{
	interrupt_set_handler(msi->vector, NULL, NULL);
	/* The handler runs only on msi->cpu, with interrupts off: once that
	 * CPU took a call, nothing still uses the slot. */
	smp_call_on(msi->cpu, msi_sync, NULL, true);
	msi_slots[msi->vector].fn = NULL;
	msi_slots[msi->vector].arg = NULL;
	bool irq = spin_lock_irqsave(&msi_lock);
	vector_free(msi->vector);
	msi_cpu_load[msi->cpu]--;
	spin_unlock_irqrestore(&msi_lock, irq);
}
