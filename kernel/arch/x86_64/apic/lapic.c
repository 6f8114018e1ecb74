/* Local APIC driver. In xAPIC mode registers are 32-bit MMIO at 16-byte
 * strides; in x2APIC mode the same register n is MSR 0x800 + n/16, the ICR
 * is one 64-bit MSR and IDs are 32 bits. Everything else is shared. */
#include <arch/x86_64/apic/lapic.h>
#include <hal/cpu.h>
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/regs.h>
#include <mm/vmm.h>

#define MSR_APIC_BASE    0x1bu
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define MSR_TSC_DEADLINE 0x6e0u

#define REG_ID            0x20
#define REG_VERSION       0x30
#define REG_TPR           0x80
#define REG_EOI           0xb0
#define REG_SVR           0xf0
#define REG_ESR           0x280
#define REG_ICR_LOW       0x300
#define REG_ICR_HIGH      0x310
#define REG_LVT_TIMER     0x320
#define REG_LVT_LINT0     0x350
#define REG_LVT_LINT1     0x360
#define REG_LVT_ERROR     0x370
#define REG_TIMER_INIT    0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE  0x3e0

#define LVT_MASKED             (1u << 16)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define ICR_PENDING            (1u << 12)

static bool x2apic;
static volatile uint32_t *mmio;
static bool deadline_mode;

static uint32_t reg_read(unsigned reg)
{
	if (x2apic)
		return (uint32_t)cpu_rdmsr(0x800u + reg / 16);
	return mmio[reg / 4];
}

static void reg_write(unsigned reg, uint32_t v)
{
	if (x2apic)
		cpu_wrmsr(0x800u + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

static void lapic_enable_here(void)
{
	uint64_t base = cpu_rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	cpu_wrmsr(MSR_APIC_BASE, base);

	reg_write(REG_TPR, 0);
	reg_write(REG_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	reg_write(REG_LVT_LINT0, LVT_MASKED);
	reg_write(REG_LVT_LINT1, LVT_MASKED);
	reg_write(REG_LVT_ERROR, VEC_LAPIC_ERROR);
	/* The ESR must be written before it is read. */
	reg_write(REG_ESR, 0);
	reg_write(REG_ESR, 0);
	reg_write(REG_SVR, 0x100u | VEC_SPURIOUS); /* software enable */
	reg_write(REG_EOI, 0);
}

rae_status_t lapic_init_boot(uint64_t phys, bool allow_x2apic)
{
	x2apic = allow_x2apic && cpu_features.x2apic;
	if (!x2apic) {
		if (!phys)
			phys = cpu_rdmsr(MSR_APIC_BASE) & 0x000ffffffffff000ull;
		mmio = vmm_map_phys(phys, 4096, VM_READ | VM_WRITE | VM_UNCACHED);
		if (!mmio)
			return RAE_ERR_NO_MEMORY;
	}
	lapic_enable_here();
	return RAE_OK;
}

void lapic_init_ap(void)
{
	lapic_enable_here();
	lapic_timer_use_deadline_mode(deadline_mode);
}

uint32_t lapic_id(void)
{
	uint32_t id = reg_read(REG_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	reg_write(REG_EOI, 0);
}

void lapic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (x2apic) {
		cpu_wrmsr(0x830, ((uint64_t)dest << 32) | icr_low);
		return;
	}
	/* Two writes: an interrupt between them whose handler sent an IPI of
	 * its own would leave its destination in ICR_HIGH, and this IPI would
	 * go there instead (a lost wake-up on three CPUs or more). */
	bool irq = hal_irq_save();
	reg_write(REG_ICR_HIGH, dest << 24);
	reg_write(REG_ICR_LOW, icr_low);
	for (unsigned spin = 0; spin < 1000000 && (reg_read(REG_ICR_LOW) & ICR_PENDING); spin++)
		__asm__ volatile("pause");
	hal_irq_restore(irq);
}

void lapic_timer_use_deadline_mode(bool on)
{
	deadline_mode = on;
	reg_write(REG_LVT_TIMER, (on ? LVT_TIMER_TSC_DEADLINE : 0) | VEC_LAPIC_TIMER);
}

void lapic_timer_oneshot(uint32_t ticks, uint8_t divide_shift)
{
	/* Divide configuration: 0b1011 is 1, otherwise (shift-1) in bits 0,1,3. */
	static const uint32_t divide_bits[8] = {0xb, 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa};
	reg_write(REG_TIMER_DIVIDE, divide_bits[divide_shift & 7]);
	reg_write(REG_TIMER_INIT, ticks);
}

uint32_t lapic_timer_current(void)
{
	return reg_read(REG_TIMER_CURRENT);
}

void lapic_timer_deadline(uint64_t deadline)
{
	cpu_wrmsr(MSR_TSC_DEADLINE, deadline);
}
