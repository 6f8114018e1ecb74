/* panic: the one way the kernel stops when its own invariants break. */
#include <cmdline.h>
#include <console/kprintf.h>
#include <debug/backtrace.h>
#include <hal/cpu.h>
#include <panic.h>
#include <smp/cpu.h>
#include <stdarg.h>
#include <string.h>

static volatile bool panicking;
static bool exit_on_panic;

void panic_set_exit_on_panic(bool exit)
{
	exit_on_panic = exit;
}

void panic_configure(const char *cmdline)
{
	char v[16];
	if (cmdline_has(cmdline, "test") || cmdline_has(cmdline, "bench") ||
	    (cmdline_get(cmdline, "panic", v, sizeof(v)) && strcmp(v, "exit") == 0))
		exit_on_panic = true;
}

bool panic_in_progress(void)
{
	return panicking;
}

static NORETURN void panic_finish(void)
{
	kprintf("panic: system halted\n");
	if (exit_on_panic)
		hal_machine_exit(HAL_EXIT_PANIC);
	hal_cpu_halt_forever();
}

static NORETURN void panic_v(uintptr_t pc, uintptr_t fp, const char *fmt, va_list ap)
{
	hal_irq_save();
	if (panicking) {
		/* A fault while panicking: say so once, then stop. */
		kprintf("\nKERNEL PANIC (nested): ");
		kvprintf(fmt, ap);
		kprintf("\n");
		panic_finish();
	}
	panicking = true;
	hal_cpu_stop_others();

	cpu_t *c = this_cpu();
	if (c && cpu_online_count > 1)
		kprintf("\nKERNEL PANIC on CPU %u: ", c->id);
	else
		kprintf("\nKERNEL PANIC: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	backtrace_print(pc, fp);
	panic_finish();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* Start the trace at our caller: its pc, and its frame pointer (the
	 * value our own frame saved). */
	uintptr_t caller_fp = *(const uintptr_t *)__builtin_frame_address(0);
	panic_v((uintptr_t)__builtin_return_address(0), caller_fp, fmt, ap);
	/* panic_v never returns, so there is no va_end to reach. */
} // cppcheck-suppress va_end_missing

void panic_at(uintptr_t pc, uintptr_t fp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_v(pc, fp, fmt, ap);
} // cppcheck-suppress va_end_missing
