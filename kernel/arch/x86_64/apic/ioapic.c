/* I/O APIC driver: index/data register pair, 64-bit redirection entries. */
#include <arch/x86_64/apic/ioapic.h>
#include <mm/vmm.h>
#include <sync/lock_levels.h>
#include <sync/spinlock.h>

#define IOREGSEL     0x00
#define IOWIN        0x10
#define REG_VERSION  0x01
#define REG_REDIR(n) (0x10 + 2 * (n))

#define REDIR_MASKED     (1ull << 16)
#define REDIR_LEVEL      (1ull << 15)
#define REDIR_ACTIVE_LOW (1ull << 13)

typedef struct {
	uint8_t id;
	volatile uint32_t *regs;
	uint32_t gsi_base;
	uint32_t inputs;
} ioapic_t;

static spinlock_t ioapic_lock = SPINLOCK_INIT("ioapic", LOCK_LEVEL_IOAPIC);
static ioapic_t ioapics[IOAPIC_MAX]; /* guarded by ioapic_lock */
static unsigned ioapic_n;

static uint32_t ioapic_read(ioapic_t *a, uint32_t reg)
{
	a->regs[IOREGSEL / 4] = reg;
	return a->regs[IOWIN / 4];
}

static void ioapic_write(ioapic_t *a, uint32_t reg, uint32_t v)
{
	a->regs[IOREGSEL / 4] = reg;
	a->regs[IOWIN / 4] = v;
}

rae_status_t ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base)
{
	if (ioapic_n >= IOAPIC_MAX)
		return RAE_ERR_NO_MEMORY;
	volatile uint32_t *regs = vmm_map_phys(phys, 0x20, VM_READ | VM_WRITE | VM_UNCACHED);
	if (!regs)
		return RAE_ERR_NO_MEMORY;
	bool irq = spin_lock_irqsave(&ioapic_lock);
	ioapic_t *a = &ioapics[ioapic_n++];
	*a = (ioapic_t){.id = id, .regs = regs, .gsi_base = gsi_base};
	a->inputs = ((ioapic_read(a, REG_VERSION) >> 16) & 0xff) + 1;
	for (uint32_t i = 0; i < a->inputs; i++) {
		ioapic_write(a, REG_REDIR(i), (uint32_t)REDIR_MASKED);
		ioapic_write(a, REG_REDIR(i) + 1, 0);
	}
	spin_unlock_irqrestore(&ioapic_lock, irq);
	return RAE_OK;
}

unsigned ioapic_count(void)
{
	return ioapic_n;
}

static ioapic_t *ioapic_for(uint32_t gsi)
{
	for (unsigned i = 0; i < ioapic_n; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].inputs)
			return &ioapics[i];
	}
	return NULL;
}

rae_status_t ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, unsigned flags, bool masked)
{
	bool irq = spin_lock_irqsave(&ioapic_lock);
	ioapic_t *a = ioapic_for(gsi);
	if (!a) {
		spin_unlock_irqrestore(&ioapic_lock, irq);
		return RAE_ERR_NOT_FOUND;
	}
	uint64_t e = vector; /* fixed delivery, physical destination */
	if (flags & IOAPIC_LEVEL)
		e |= REDIR_LEVEL;
	if (flags & IOAPIC_ACTIVE_LOW)
		e |= REDIR_ACTIVE_LOW;
	if (masked)
		e |= REDIR_MASKED;
	e |= (uint64_t)(dest & 0xff) << 56;
	uint32_t pin = gsi - a->gsi_base;
	/* Mask first so the entry is never live half-written. */
	ioapic_write(a, REG_REDIR(pin), (uint32_t)REDIR_MASKED);
	ioapic_write(a, REG_REDIR(pin) + 1, (uint32_t)(e >> 32));
	ioapic_write(a, REG_REDIR(pin), (uint32_t)e);
	spin_unlock_irqrestore(&ioapic_lock, irq);
	return RAE_OK;
}

rae_status_t ioapic_set_masked(uint32_t gsi, bool masked)
{
	bool irq = spin_lock_irqsave(&ioapic_lock);
	ioapic_t *a = ioapic_for(gsi);
	if (!a) {
		spin_unlock_irqrestore(&ioapic_lock, irq);
		return RAE_ERR_NOT_FOUND;
	}
	uint32_t pin = gsi - a->gsi_base;
	uint32_t low = ioapic_read(a, REG_REDIR(pin));
	low = masked ? (low | (uint32_t)REDIR_MASKED) : (low & ~(uint32_t)REDIR_MASKED);
	ioapic_write(a, REG_REDIR(pin), low);
	spin_unlock_irqrestore(&ioapic_lock, irq);
	return RAE_OK;
}

rae_status_t ioapic_read_route(uint32_t gsi, uint64_t *entry)
{
	bool irq = spin_lock_irqsave(&ioapic_lock);
	ioapic_t *a = ioapic_for(gsi);
	if (!a) {
		spin_unlock_irqrestore(&ioapic_lock, irq);
		return RAE_ERR_NOT_FOUND;
	}
	uint32_t pin = gsi - a->gsi_base;
	*entry = ioapic_read(a, REG_REDIR(pin)) | (uint64_t)ioapic_read(a, REG_REDIR(pin) + 1)
						      << 32;
	spin_unlock_irqrestore(&ioapic_lock, irq);
	return RAE_OK;
}

void ioapic_retarget(uint32_t from, uint32_t to)
{
	bool irq = spin_lock_irqsave(&ioapic_lock);
	for (unsigned i = 0; i < ioapic_n; i++) {
		ioapic_t *a = &ioapics[i];
		for (uint32_t pin = 0; pin < a->inputs; pin++) {
			uint32_t high = ioapic_read(a, REG_REDIR(pin) + 1);
			if ((high >> 24) == (from & 0xff))
				ioapic_write(a, REG_REDIR(pin) + 1, (to & 0xff) << 24);
		}
	}
	spin_unlock_irqrestore(&ioapic_lock, irq);
}
