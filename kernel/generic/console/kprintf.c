/* kprintf: formats with the shared engine (lib/format.c) and writes to the
 * serial console and, once it is up, the framebuffer console. */
#include <console/fbcon.h>
#include <console/kprintf.h>
#include <hal/console.h>
#include <hal/cpu.h>
#include <lib/format.h>

/* Single CPU for now: interrupts off around a write keeps lines whole. A
 * spinlock joins this when application processors are started. */
void kputs_n(const char *s, size_t len)
{
	bool irq = hal_irq_save();
	hal_console_write(s, len);
	if (fbcon_active)
		fbcon_write(&fbcon_main, s, len);
	hal_irq_restore(irq);
}

static void kprintf_sink(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	kputs_n(s, len);
}

int kvprintf(const char *fmt, va_list ap)
{
	return format_v(kprintf_sink, NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
