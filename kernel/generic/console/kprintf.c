/* kprintf: formats with the shared engine (lib/format.c), keeps every byte
 * in the kernel log ring and writes it to the serial console and, once it
 * is up, the framebuffer console. While the console is handed over to a
 * user-space service (console/handover.h) the devices are the service's:
 * output then goes only to the log, whose holder is told it grew; a panic
 * still writes to the UART directly. */
#include <console/fbcon.h>
#include <console/handover.h>
#include <console/klog.h>
#include <console/kprintf.h>
#include <hal/console.h>
#include <hal/cpu.h>
#include <lib/format.h>
#include <panic.h>
#include <smp/cpu.h>
#include <sync/lock_levels.h>
#include <string.h>
#include <sync/spinlock.h>

/* One writer at a time across CPUs. During a panic the lock is skipped:
 * the CPU that holds it may have been stopped. */
static spinlock_t console_lock = SPINLOCK_INIT("console", LOCK_LEVEL_CONSOLE);

/* Guarded by console_lock. */
static klog_t klog;
static struct {
	bool active;
	notification_t *notify; /* told when the log grows; may be NULL */
	uint64_t bits;
	bool signal_owed;   /* the log grew where signalling was not safe */
	uint64_t forwarded; /* the furthest offset the holder has read */
	bool panic_flushed;
} handover;

/* Writes the log from `from` to its end to the devices (lock held or a
 * panic in progress). */
static void console_replay(uint64_t from)
{
	char chunk[128];
	int64_t n;
	while ((n = klog_read(&klog, &from, chunk, sizeof(chunk))) > 0) {
		hal_console_write(chunk, (size_t)n);
		if (fbcon_active)
			fbcon_write(&fbcon_main, chunk, (size_t)n);
	}
}

/* Whether the caller of kputs_n, which now holds console_lock, may wake a
 * thread: interrupts were on (so no interrupt handler and no irqsave or
 * irqoff lock) and console_lock is its only spinlock. */
static bool console_may_signal(bool irq_was_on)
{
	const cpu_t *c = this_cpu();
	return irq_was_on && c && c->preempt_off == 1;
}

void kputs_n(const char *s, size_t len)
{
	bool locked = !panic_in_progress();
	bool irq = locked ? spin_lock_irqsave(&console_lock) : hal_irq_save();
	notification_t *tell = NULL;
	uint64_t bits = 0;
	if (handover.active && !locked && !handover.panic_flushed) {
		/* A panic: what the service has not read yet goes out first. */
		handover.panic_flushed = true;
		console_replay(handover.forwarded);
	}
	klog_append(&klog, s, len);
	if (!handover.active || !locked) {
		hal_console_write(s, len);
		if (fbcon_active)
			fbcon_write(&fbcon_main, s, len);
	} else if (handover.notify) {
		if (console_may_signal(irq)) {
			tell = handover.notify;
			bits = handover.bits;
			kobject_ref(&tell->obj);
			handover.signal_owed = false;
		} else {
			handover.signal_owed = true;
		}
	}
	if (locked)
		spin_unlock_irqrestore(&console_lock, irq);
	else
		hal_irq_restore(irq);
	if (tell) {
		notification_signal(tell, bits);
		kobject_unref(&tell->obj);
	}
}

rae_status_t console_handover_begin(notification_t *n, uint64_t bits, uint64_t *log_offset)
{
	bool irq = spin_lock_irqsave(&console_lock);
	if (handover.active) {
		spin_unlock_irqrestore(&console_lock, irq);
		return RAE_ERR_BUSY;
	}
	if (n)
		kobject_ref(&n->obj);
	handover.active = true;
	handover.notify = n;
	handover.bits = bits;
	handover.signal_owed = false;
	handover.panic_flushed = false;
	handover.forwarded = klog.written;
	*log_offset = klog.written;
	hal_console_handover(true);
	spin_unlock_irqrestore(&console_lock, irq);
	return RAE_OK;
}

void console_handover_end(void)
{
	bool irq = spin_lock_irqsave(&console_lock);
	notification_t *n = handover.notify;
	handover.active = false;
	handover.notify = NULL;
	hal_console_handover(false);
	if (fbcon_active)
		fbcon_clear(&fbcon_main);
	/* What the service never read would be lost from the screen and the
	 * serial line otherwise. */
	console_replay(handover.forwarded);
	spin_unlock_irqrestore(&console_lock, irq);
	if (n)
		kobject_unref(&n->obj);
}

int64_t console_log_read(uint64_t *offset, char *out, size_t cap)
{
	bool irq = spin_lock_irqsave(&console_lock);
	int64_t n = klog_read(&klog, offset, out, cap);
	if (n >= 0 && handover.active && *offset > handover.forwarded)
		handover.forwarded = *offset;
	/* The holder reads to the end, so it sees whatever was owed. */
	handover.signal_owed = false;
	spin_unlock_irqrestore(&console_lock, irq);
	return n;
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
