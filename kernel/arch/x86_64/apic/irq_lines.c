/* Device interrupt lines for interrupt objects (hal/irq.h) on the IOAPICs:
 * which GSIs are claimed, their vectors, and the handler that masks a line
 * before its owner hears of it. Lock order: irq_lines_lock, then the
 * IOAPIC and vector locks (taken one at a time, never nested). A
 * level-triggered line may be shared: each interrupt masks it and calls
 * every sharer, and it is unmasked once each of them acknowledged. */
#include <arch/x86_64/apic/ioapic.h>
#include <arch/x86_64/apic/vectors.h>
#include <arch/x86_64/platform.h>
#include <hal/irq.h>
#include <rae/resource.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

/* Interrupt objects sharing one level-triggered line. */
#define IRQ_LINE_SHARERS 8

typedef struct {
	hal_irq_fn fn; /* NULL: a free slot */
	void *arg;
	bool pending; /* signalled, not yet acknowledged */
} irq_sharer_t;

/* One GSI. Guarded by irq_lines_lock, which the handler takes too. */
typedef struct {
	unsigned owners; /* claims holding it; the route lives while it is not 0 */
	unsigned flags;  /* HAL_IRQ_* of the first claim; sharers must match */
	uint8_t vector;
	uint32_t gsi;
	irq_sharer_t sharers[IRQ_LINE_SHARERS];
} irq_line_t;

static spinlock_t irq_lines_lock = SPINLOCK_INIT("irq lines", LOCK_LEVEL_IRQ_LINES);
static irq_line_t irq_lines[RAE_RESOURCE_IRQ_END];

bool hal_irq_lines_available(void)
{
	return interrupt_lapic_ready && ioapic_count() > 0;
}

rae_status_t hal_irq_isa_to_gsi(uint32_t isa_irq, uint32_t *gsi, unsigned *flags)
{
	if (!hal_irq_lines_available())
		return RAE_ERR_UNSUPPORTED;
	if (isa_irq > 15)
		return RAE_ERR_RANGE;
	uint32_t acpi_flags;
	rae_status_t st = acpi_madt_irq_to_gsi(&platform.madt, (uint8_t)isa_irq, gsi, &acpi_flags);
	if (st != RAE_OK)
		return st;
	*flags = 0;
	if (acpi_flags & ACPI_IRQ_LEVEL)
		*flags |= HAL_IRQ_LEVEL;
	if (acpi_flags & ACPI_IRQ_ACTIVE_LOW)
		*flags |= HAL_IRQ_ACTIVE_LOW;
	return RAE_OK;
}

/* The kernel's boot-time route of `gsi`, or -1. */
static int irq_line_isa_route(uint32_t gsi)
{
	for (unsigned i = 0; i < platform.isa_route_count; i++) {
		if (platform.isa_routes[i].gsi == gsi)
			return (int)i;
	}
	return -1;
}

/* A line the kernel routed for itself at boot and has not lent out. */
static bool irq_line_kernel_owned(uint32_t gsi)
{
	int r = irq_line_isa_route(gsi);
	return r >= 0 && !__atomic_load_n(&platform.isa_routes[r].lent, __ATOMIC_ACQUIRE);
}

void irq_lines_lend_isa(uint8_t irq, bool lent)
{
	for (unsigned i = 0; i < platform.isa_route_count; i++) {
		if (platform.isa_routes[i].irq == irq)
			__atomic_store_n(&platform.isa_routes[i].lent, lent, __ATOMIC_RELEASE);
	}
}

static void irq_line_interrupt(interrupt_frame_t *frame, void *arg)
{
	(void)frame;
	irq_line_t *l = arg;
	/* Masked before the EOI, so a level-triggered device that stays
	 * asserted does not interrupt again until every driver sharing the
	 * line serviced its device. */
	ioapic_set_masked(l->gsi, true);
	/* Called outside the lock (they signal notifications, whose locks
	 * come first); a release waits for this handler to end before its
	 * owner's argument goes (hal_irq_release). */
	irq_sharer_t called[IRQ_LINE_SHARERS];
	unsigned n = 0;
	spin_lock(&irq_lines_lock);
	for (unsigned i = 0; i < IRQ_LINE_SHARERS; i++) {
		if (l->sharers[i].fn) {
			l->sharers[i].pending = true;
			called[n++] = l->sharers[i];
		}
	}
	spin_unlock(&irq_lines_lock);
	for (unsigned i = 0; i < n; i++)
		called[i].fn(called[i].arg);
}

/* The sharer of `l` whose argument is `arg`, or NULL. irq_lines_lock held. */
static irq_sharer_t *irq_line_sharer(irq_line_t *l, void *arg)
{
	for (unsigned i = 0; i < IRQ_LINE_SHARERS; i++) {
		if (l->sharers[i].fn && l->sharers[i].arg == arg)
			return &l->sharers[i];
	}
	return NULL;
}

static bool irq_line_any_pending(const irq_line_t *l)
{
	for (unsigned i = 0; i < IRQ_LINE_SHARERS; i++) {
		if (l->sharers[i].fn && l->sharers[i].pending)
			return true;
	}
	return false;
}

rae_status_t hal_irq_claim(uint32_t gsi, unsigned flags, hal_irq_fn fn, void *arg)
{
	if (!hal_irq_lines_available())
		return RAE_ERR_UNSUPPORTED;
	if (gsi >= RAE_RESOURCE_IRQ_END)
		return RAE_ERR_NOT_FOUND;
	uint64_t entry;
	if (ioapic_read_route(gsi, &entry) != RAE_OK)
		return RAE_ERR_NOT_FOUND;
	if (irq_line_kernel_owned(gsi))
		return RAE_ERR_BUSY;
	/* The vector first, so that the line is whole (owner, vector,
	 * handler's sharer) the moment another claim can see it. */
	uint8_t vector;
	if (vector_alloc(&vector) != RAE_OK)
		return RAE_ERR_NO_MEMORY;
	irq_line_t *l = &irq_lines[gsi];
	bool irq = spin_lock_irqsave(&irq_lines_lock);
	if (l->owners > 0) {
		/* Only level-triggered lines can be shared: a device holds
		 * one asserted until serviced, so no edge is lost. */
		rae_status_t st = RAE_ERR_BUSY;
		if ((flags & HAL_IRQ_LEVEL) && flags == l->flags && !irq_line_sharer(l, arg)) {
			for (unsigned i = 0; i < IRQ_LINE_SHARERS; i++) {
				if (!l->sharers[i].fn) {
					l->sharers[i] = (irq_sharer_t){.fn = fn, .arg = arg};
					l->owners++;
					st = RAE_OK;
					break;
				}
			}
		}
		spin_unlock_irqrestore(&irq_lines_lock, irq);
		vector_free(vector); /* the line has one */
		return st;
	}
	l->owners = 1;
	l->flags = flags;
	l->vector = vector;
	l->gsi = gsi;
	l->sharers[0] = (irq_sharer_t){.fn = fn, .arg = arg};
	spin_unlock_irqrestore(&irq_lines_lock, irq);
	interrupt_set_handler(vector, irq_line_interrupt, l);
	unsigned io_flags = ((flags & HAL_IRQ_LEVEL) ? IOAPIC_LEVEL : 0) |
			    ((flags & HAL_IRQ_ACTIVE_LOW) ? IOAPIC_ACTIVE_LOW : 0);
	/* The boot CPU: never isolated, so the route never needs moving. */
	ioapic_route(gsi, vector, cpus[0].hw_id, io_flags, false);
	return RAE_OK;
}

void hal_irq_unmask(uint32_t gsi, void *arg)
{
	if (gsi >= RAE_RESOURCE_IRQ_END)
		return;
	irq_line_t *l = &irq_lines[gsi];
	bool irq = spin_lock_irqsave(&irq_lines_lock);
	irq_sharer_t *s = irq_line_sharer(l, arg);
	if (s) {
		s->pending = false;
		if (!irq_line_any_pending(l))
			ioapic_set_masked(gsi, false);
	}
	spin_unlock_irqrestore(&irq_lines_lock, irq);
}

static void irq_line_sync(void *arg)
{
	(void)arg; /* running here means the CPU left every handler */
}

void hal_irq_release(uint32_t gsi, void *arg)
{
	if (gsi >= RAE_RESOURCE_IRQ_END)
		return;
	irq_line_t *l = &irq_lines[gsi];
	bool irq = spin_lock_irqsave(&irq_lines_lock);
	irq_sharer_t *s = irq_line_sharer(l, arg);
	if (!s) {
		spin_unlock_irqrestore(&irq_lines_lock, irq);
		return;
	}
	*s = (irq_sharer_t){0};
	bool last = l->owners == 1;
	if (!last) {
		l->owners--;
		/* It may have been the one the others waited for. */
		if (!irq_line_any_pending(l))
			ioapic_set_masked(gsi, false);
	}
	spin_unlock_irqrestore(&irq_lines_lock, irq);
	if (!last) {
		/* The handler runs only on the boot CPU, interrupts off: once
		 * that CPU took a call, nothing still uses the sharer's arg. */
		smp_call_on(0, irq_line_sync, NULL, true);
		return;
	}
	int r = irq_line_isa_route(gsi);
	if (r >= 0) {
		/* A lent line gets the kernel's masked boot route back. */
		ioapic_route(gsi, platform.isa_routes[r].vector, cpus[0].hw_id,
			     platform.isa_routes[r].flags, true);
	} else {
		ioapic_route(gsi, 0, 0, 0, true);
	}
	interrupt_set_handler(l->vector, NULL, NULL);
	/* The handler runs only on the boot CPU, with interrupts off: once it
	 * took a call, nothing still uses the line. */
	smp_call_on(0, irq_line_sync, NULL, true);
	vector_free(l->vector);
	irq = spin_lock_irqsave(&irq_lines_lock);
	l->owners = 0;
	spin_unlock_irqrestore(&irq_lines_lock, irq);
}
