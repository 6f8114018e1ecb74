/* kprintf: formats with the shared engine (lib/format.c) and writes to the
 * serial console and, once it is up, the framebuffer console. */
#include <console/fbcon.h>
#include <console/kprintf.h>
#include <hal/console.h>
#include <hal/cpu.h>
#include <lib/format.h>
#include <panic.h>
#include <sync/lock_levels.h>
#include <string.h>
#include <sync/spinlock.h>

/* One writer at a time across CPUs. During a panic the lock is skipped:
 * the CPU that holds it may have been stopped. */
static spinlock_t console_lock = SPINLOCK_INIT("console", LOCK_LEVEL_CONSOLE);

void kputs_n(const char *s, size_t len)
{
	bool locked = !panic_in_progress();
	bool irq = locked ? spin_lock_irqsave(&console_lock) : hal_irq_save();
	hal_console_write(s, len);
	if (fbcon_active)
		fbcon_write(&fbcon_main, s, len);
	if (locked)
		spin_unlock_irqrestore(&console_lock, irq);
	else
		hal_irq_restore(irq);
}

/* A message is formatted into a buffer and written in one piece, so that
 * another CPU's message never lands inside a line (the test harness parses
 * KTAP result lines off the serial port). Longer ones go out in chunks. */
#define KPRINTF_CHUNK 256

typedef struct {
	char buf[KPRINTF_CHUNK];
	size_t len;
} kprintf_buf_t;

static void kprintf_sink(void *ctx, const char *s, size_t len)
{
	kprintf_buf_t *b = ctx;
	while (len > 0) {
		if (b->len == sizeof(b->buf)) {
			kputs_n(b->buf, b->len);
			b->len = 0;
		}
		size_t n = sizeof(b->buf) - b->len < len ? sizeof(b->buf) - b->len : len;
		memcpy(b->buf + b->len, s, n);
		b->len += n;
		s += n;
		len -= n;
	}
}

int kvprintf(const char *fmt, va_list ap)
{
	kprintf_buf_t b;
	b.len = 0;
	int n = format_v(kprintf_sink, &b, fmt, ap);
	if (b.len)
		kputs_n(b.buf, b.len);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
