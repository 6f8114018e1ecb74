/* The x86_64 side of hal/cpu.h: interrupt flag, idling, halting, and the
 * QEMU exit used by test runs. */
#include <arch/x86_64/cpu/regs.h>
#include <hal/cpu.h>
#include <hal/paging.h>

/* QEMU's isa-debug-exit device, added by the test harness only. */
#define DEBUG_EXIT_PORT 0xf4

bool hal_irq_save(void)
{
	bool enabled = cpu_read_rflags() & RFLAGS_IF;
	__asm__ volatile("cli" ::: "memory");
	return enabled;
}

void hal_irq_restore(bool enabled)
{
	if (enabled)
		__asm__ volatile("sti" ::: "memory");
}

void hal_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void hal_cpu_idle(void)
{
	/* sti takes effect after the next instruction, so no interrupt can
	 * slip in between and leave hlt sleeping through a wake-up. */
	__asm__ volatile("sti; hlt" ::: "memory");
}

void hal_cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

void hal_cpu_stop_others(void)
{
	/* Only the boot CPU runs until application processors are started;
	 * once they are, this sends them the panic-stop NMI. */
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
