/* The TSC as the kernel's timestamp: calibrated once against the HPET's
 * main counter (femtosecond period from its capabilities) or, without an
 * HPET, PIT channel 2; plus the per-CPU one-shot timer (TSC-deadline mode
 * where CPUID has it, else the LAPIC timer counting down). */
#include <arch/x86_64/apic/lapic.h>
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/regs.h>
#include <arch/x86_64/time/tsc.h>
#include <hal/time.h>
#include <mm/vmm.h>
#include <time/clock.h>

#define CALIBRATION_NS     10000000ull /* 10 ms */
#define LAPIC_DIVIDE_SHIFT 4           /* divide by 16 */

#define HPET_CAPS    0x00
#define HPET_CONFIG  0x10
#define HPET_COUNTER 0xf0

#define PIT_HZ 1193182ull

tsc_info_t tsc_info;
static uint64_t lapic_per_tsc_q32; /* LAPIC timer ticks per TSC tick, 32.32 */

uint64_t hal_timestamp_hz(void)
{
	return tsc_info.tsc_hz;
}

static uint64_t tsc_against_hpet(uint64_t phys)
{
	volatile uint64_t *hpet = vmm_map_phys(phys, 1024, VM_READ | VM_WRITE | VM_UNCACHED);
	if (!hpet)
		return 0;
	uint64_t period_fs = hpet[HPET_CAPS / 8] >> 32;
	if (period_fs == 0 || period_fs > 100000000ull) { /* spec: at most 100 ns */
		vmm_free((uintptr_t)hpet & ~0xfffull);
		return 0;
	}
	hpet[HPET_CONFIG / 8] |= 1; /* ENABLE_CNF: the main counter runs */
	uint64_t ticks = CALIBRATION_NS * 1000000ull / period_fs;
	uint64_t h0 = hpet[HPET_COUNTER / 8], t0 = hal_timestamp();
	while (hpet[HPET_COUNTER / 8] - h0 < ticks)
		__asm__ volatile("pause");
	uint64_t h1 = hpet[HPET_COUNTER / 8], t1 = hal_timestamp();
	/* The HPET stays mapped and running: later code may use it. */
	uint64_t elapsed_ns = (h1 - h0) * period_fs / 1000000ull;
	return elapsed_ns ? (t1 - t0) * 1000000000ull / elapsed_ns : 0;
}

static uint64_t tsc_against_pit(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATION_NS / 1000000000ull);
	/* Channel 2, gate on, speaker off; mode 0 (interrupt on terminal count). */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	uint64_t t0 = hal_timestamp();
	while (!(inb(0x61) & 0x20))
		__asm__ volatile("pause");
	uint64_t t1 = hal_timestamp();
	return (t1 - t0) * 1000000000ull / CALIBRATION_NS;
}

void tsc_calibrate(uint64_t hpet_phys, bool allow_deadline)
{
	tsc_info.invariant = cpu_features.invariant_tsc;
	/* The LAPIC timer counts down through the same window, timed by the
	 * TSC, so one 10 ms wait calibrates both (it was two: 20 million
	 * instructions of every boot under QEMU -icount). */
	lapic_timer_use_deadline_mode(false);
	lapic_timer_oneshot(0xffffffffu, LAPIC_DIVIDE_SHIFT);
	uint64_t t0 = hal_timestamp();
	tsc_info.tsc_hz = hpet_phys ? tsc_against_hpet(hpet_phys) : 0;
	tsc_info.reference = "HPET";
	if (!tsc_info.tsc_hz) {
		tsc_info.tsc_hz = tsc_against_pit();
		tsc_info.reference = "PIT";
	}
	uint32_t left = lapic_timer_current();
	uint64_t t1 = hal_timestamp();
	lapic_timer_oneshot(0, LAPIC_DIVIDE_SHIFT);
	clock_init(tsc_info.tsc_hz);

	tsc_info.deadline_mode = allow_deadline && cpu_features.tsc_deadline;
	tsc_info.source = tsc_info.deadline_mode ? TIMER_TSC_DEADLINE : TIMER_LAPIC_ONESHOT;
	lapic_timer_use_deadline_mode(tsc_info.deadline_mode);
	if (tsc_info.deadline_mode)
		return;
	uint64_t counted = 0xffffffffull - left;
	tsc_info.lapic_timer_hz = counted * tsc_info.tsc_hz / (t1 - t0);
	lapic_per_tsc_q32 = (counted << 32) / (t1 - t0);
}

void tsc_calibrate_legacy(void)
{
	tsc_info.invariant = cpu_features.invariant_tsc;
	tsc_info.tsc_hz = tsc_against_pit();
	tsc_info.reference = "PIT";
	tsc_info.source = TIMER_PIT_LEGACY;
	clock_init(tsc_info.tsc_hz);
}

const char *tsc_timer_source_name(void)
{
	switch (tsc_info.source) {
	case TIMER_TSC_DEADLINE: return "TSC-deadline";
	case TIMER_PIT_LEGACY: return "PIT one-shot via the 8259 (legacy)";
	default: return "LAPIC one-shot";
	}
}

/* PIT channel 0, mode 0 (interrupt on terminal count): one interrupt after
 * `count` ticks of 1.193182 MHz, at most 65535 (55 ms); the timer code
 * re-arms for the rest of a longer wait. */
static void pit_oneshot(uint64_t ticks)
{
	uint64_t count = ticks * PIT_HZ / tsc_info.tsc_hz + 1;
	if (count > 0xffff)
		count = 0xffff;
	outb(0x43, 0x30); /* channel 0, lobyte/hibyte, mode 0 */
	outb(0x40, count & 0xff);
	outb(0x40, (count >> 8) & 0xff);
}

void hal_timer_arm(uint64_t deadline)
{
	if (tsc_info.source == TIMER_PIT_LEGACY) {
		/* Mode 0 fires once; an unwanted expiry finds nothing due. */
		if (deadline) {
			uint64_t now = hal_timestamp();
			pit_oneshot(deadline > now ? deadline - now : 0);
		}
		return;
	}
	if (tsc_info.deadline_mode) {
		lapic_timer_deadline(deadline);
		return;
	}
	if (deadline == 0) {
		lapic_timer_oneshot(0, LAPIC_DIVIDE_SHIFT);
		return;
	}
	uint64_t now = hal_timestamp();
	uint64_t delta = deadline > now ? deadline - now : 0;
	/* Fixed point, rounded up: firing early would only cost a re-arm. */
	unsigned __int128 ticks = (((unsigned __int128)delta * lapic_per_tsc_q32) >> 32) + 1;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu; /* the handler re-arms for the rest */
	lapic_timer_oneshot((uint32_t)ticks, LAPIC_DIVIDE_SHIFT);
}

void hal_delay_ns(uint64_t ns)
{
	uint64_t t0 = hal_timestamp(), ticks = clock_ns_to_ticks(ns);
	while (hal_timestamp() - t0 < ticks)
		__asm__ volatile("pause");
}
