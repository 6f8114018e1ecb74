/* The x86_64 side of hal/cpu.h: interrupt flag, idling, halting, and the
 * QEMU exit used by test runs. */
#include <arch/x86_64/apic/lapic.h>
#include <arch/x86_64/apic/vectors.h>
#include <arch/x86_64/cpu/features.h>
#include <arch/x86_64/cpu/regs.h>
#include <smp/cpu.h>
#include <hal/cpu.h>
#include <hal/paging.h>

/* QEMU's isa-debug-exit device, added by the test harness only. */
#define DEBUG_EXIT_PORT 0xf4

void hal_cpu_idle(void)
{
	/* sti takes effect after the next instruction, so no interrupt can
	 * slip in between and leave hlt sleeping through a wake-up. */
	__asm__ volatile("sti; hlt" ::: "memory");
}

void hal_cpu_idle_until(volatile bool *flag)
{
	/* HLT, not MONITOR/MWAIT: every wake-up of an idle CPU comes with an
	 * interrupt (a reschedule IPI, its timer), so watching the flag's line
	 * buys nothing, and under QEMU's TCG with several CPUs MWAIT does not
	 * wait at all: the idle loop then spun with interrupts enabled only in
	 * STI's shadow, and a reschedule IPI was seen sitting in the local
	 * APIC's IRR for good while its CPU idled beside a queued thread. HLT
	 * sleeps until an interrupt and takes it. Interrupts are off from the
	 * check to the HLT (sti's one-instruction shadow), so none can slip in
	 * between and leave HLT sleeping through a wake-up. */
	__asm__ volatile("cli" ::: "memory");
	if (!*flag)
		__asm__ volatile("sti; hlt" ::: "memory");
	else
		__asm__ volatile("sti" ::: "memory");
}

void hal_cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

void hal_cpu_stop_others(void)
{
	/* An NMI gets through even with interrupts off; the NMI handler sees
	 * the panic and halts that CPU. */
	if (interrupt_lapic_ready && cpu_online_count > 1)
		lapic_send_ipi(0, LAPIC_ICR_NMI | LAPIC_ICR_ALL_BUT_SELF);
}

void hal_machine_exit(uint8_t code)
{
	outb(DEBUG_EXIT_PORT, code);
}

bool hal_vaddr_readable(uintptr_t addr, size_t len)
{
	if (len == 0)
		return true;
	uintptr_t last = addr + len - 1;
	if (last < addr)
		return false;
	for (uintptr_t page = addr & ~0xfffull; page <= last; page += 4096) {
		if (!hal_pt_query(hal_pt_root(), page, NULL, NULL))
			return false;
		if (page + 4096 < page)
			break;
	}
	return true;
}

void hal_percpu_init(struct cpu *c)
{
	/* The kernel's GS base; KERNEL_GS_BASE holds the user value while the
	 * kernel runs (swapped on entry from user mode). */
	cpu_wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
	cpu_wrmsr(MSR_KERNEL_GS_BASE, 0);
}
