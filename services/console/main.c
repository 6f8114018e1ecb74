/* rae-consoled: the console service. It takes the kernel console over
 * (CONSOLE_HANDOVER), drives the COM1 UART and the PS/2 keyboard through
 * I/O port and interrupt objects and draws text on the framebuffer with the
 * kernel's own fbcon code and font; it prints what clients write and what
 * the kernel logs, and runs the line discipline for the foreground client.
 * Protocol: abi/rae/console.h; design: docs/services/console.md.
 *
 * Two threads: the device thread waits for interrupts, reads the devices
 * and sends what came to the endpoint as one-way messages with the
 * service's own badge; the main thread owns every piece of state and all
 * output, taking device input and client calls in one queue. */
#include <console/fbcon.h>
#include <rae.h>
#include <rae_console.h>
#include <rae/services.h>

#include "keyboard.h"
#include "ldisc.h"

#define PAGE_SIZE 4096ull

/* Device events (bits of the device notification). */
#define EV_SERIAL 0x1
#define EV_KBD    0x2
#define EV_KLOG   0x4

/* The device thread's messages, with the service's own badge. */
#define INTERNAL_BADGE  UINT64_MAX
#define OWN_BADGE_BIT   (1ull << 63)
#define INTERNAL_SERIAL 0x100 /* buf: bytes received */
#define INTERNAL_KBD    0x101 /* buf: scancodes */
#define INTERNAL_KLOG   0x102 /* the kernel log grew */

#define KLOG_POLL_NS   100000000ull /* the log is also read this often */
#define DEVICE_POLL_NS 10000000ull  /* polling, when there are no interrupt lines */
#define SPIN_LIMIT     100000

/* 16550 registers. */
#define UART_DATA     0
#define UART_IER      1
#define UART_FCR      2
#define UART_MCR      4
#define UART_LSR      5
#define LSR_DATA      0x01
#define LSR_THR_EMPTY 0x20

/* i8042 controller. */
#define PS2_OUT_FULL   0x01
#define PS2_IN_FULL    0x02
#define PS2_AUX_DATA   0x20
#define PS2_READ_CFG   0x20
#define PS2_WRITE_CFG  0x60
#define PS2_ENABLE_KBD 0xae
#define PS2_CFG_IRQ1   0x01
#define PS2_CFG_NOCLK1 0x10
#define PS2_CFG_XLATE  0x40

#define MAX_CLIENTS 32

typedef struct {
	uint64_t badge; /* 0: a free slot */
	rae_handle_t notify;
	uint64_t input_bits, interrupt_bits;
	uint32_t mode;
	bool interrupted; /* a Ctrl-C the next read reports */
} client_t;

static struct {
	rae_handle_t ep, internal, console, events;
	rae_handle_t serial_irq, kbd_irq; /* 0: polled */
	bool serial, kbd, polling;
	uint16_t com, kbd_data, kbd_status;
	bool fb;
	fbcon_t con;
	uint64_t log_offset;
	ldisc_t ld;
	kbd_t keys;
	client_t clients[MAX_CLIENTS];
	uint64_t foreground; /* badge; 0: none */
	uint64_t next_badge; /* (pid << 32) + OPENs so far: unique across restarts */
	uint64_t ready_tsc;  /* TSC when a reader first had to wait; 0: not yet */
} cd;

static char request_buf[RAE_IPC_BUF_MAX];
static char reply_buf[RAE_IPC_BUF_MAX];

/* --- output --------------------------------------------------------------- */

static void uart_put(char c)
{
	for (int spin = 0; spin < SPIN_LIMIT; spin++) {
		if (rae_inb(cd.com + UART_LSR) & LSR_THR_EMPTY)
			break;
		__asm__ volatile("pause");
	}
	rae_outb(cd.com + UART_DATA, (uint8_t)c);
}

/* Prints on the serial line (if `serial`) and the screen. */
static void console_out(const char *s, size_t len, bool serial)
{
	if (serial && cd.serial) {
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '\n')
				uart_put('\r');
			uart_put(s[i]);
		}
	}
	if (cd.fb)
		fbcon_write(&cd.con, s, len);
}

static void console_echo(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	console_out(s, len, true);
}

static void console_say(const char *s)
{
	console_out(s, rae_strlen(s), true);
}

static void console_say_dec(uint64_t v)
{
	char d[24];
	int n = 0;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	console_out(d + sizeof(d) - n, (size_t)n, true);
}

/* Prints the kernel log from cd.log_offset up to `end` (UINT64_MAX: all
 * of it), on the serial line too when `serial`. */
static void klog_print(uint64_t end, bool serial)
{
	static char chunk[RAE_LOG_READ_MAX];
	while (cd.log_offset < end) {
		uint64_t want =
		    end - cd.log_offset < sizeof(chunk) ? end - cd.log_offset : sizeof(chunk);
		int64_t n = rae_log_read(cd.console, &cd.log_offset, chunk, want);
		if (n <= 0)
			break;
		console_out(chunk, (size_t)n, serial);
	}
}

/* --- devices -------------------------------------------------------------- */

static rae_handle_t take_ports(rae_startup_t *s, uint16_t role, uint64_t base, uint64_t count)
{
	rae_handle_t r = rae_startup_take(s, role);
	if (!r)
		return 0;
	rae_handle_t io;
	rae_status_t st = rae_ioport_create(r, base, count, &io);
	rae_handle_close(r);
	if (st != RAE_OK || rae_ioport_enable(io) != RAE_OK)
		return 0;
	return io;
}

static rae_handle_t take_irq(rae_startup_t *s, uint16_t role, uint8_t isa_irq, uint64_t bit)
{
	rae_handle_t r = rae_startup_take(s, role);
	if (!r)
		return 0;
	rae_handle_t irq;
	rae_status_t st = rae_interrupt_create(r, isa_irq, cd.events, bit, RAE_IRQ_ISA, &irq);
	rae_handle_close(r);
	return st == RAE_OK ? irq : 0;
}

static void uart_start(void)
{
	rae_outb(cd.com + UART_FCR, 0x07); /* FIFOs on and cleared, interrupt at 1 byte */
	rae_outb(cd.com + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (the interrupt line) */
	while (rae_inb(cd.com + UART_LSR) & LSR_DATA)
		rae_inb(cd.com + UART_DATA);
	rae_outb(cd.com + UART_IER, cd.serial_irq ? 0x01 : 0x00); /* received data */
}

static bool ps2_wait_input_empty(void)
{
	for (int spin = 0; spin < SPIN_LIMIT; spin++) {
		if (!(rae_inb(cd.kbd_status) & PS2_IN_FULL))
			return true;
	}
	return false;
}

static bool ps2_read(uint8_t *v)
{
	for (int spin = 0; spin < SPIN_LIMIT; spin++) {
		if (rae_inb(cd.kbd_status) & PS2_OUT_FULL) {
			*v = rae_inb(cd.kbd_data);
			return true;
		}
	}
	return false;
}

/* The keyboard port on, its interrupt on, scancodes translated to set 1. */
static bool ps2_start(void)
{
	/* No controller reads as 0xff: give up rather than drain forever. */
	for (int i = 0; i < 64 && (rae_inb(cd.kbd_status) & PS2_OUT_FULL); i++)
		rae_inb(cd.kbd_data);
	uint8_t cfg;
	if (!ps2_wait_input_empty())
		return false;
	rae_outb(cd.kbd_status, PS2_READ_CFG);
	if (!ps2_read(&cfg))
		return false;
	cfg |= PS2_CFG_XLATE;
	cfg &= (uint8_t) ~(PS2_CFG_NOCLK1 | PS2_CFG_IRQ1);
	if (cd.kbd_irq)
		cfg |= PS2_CFG_IRQ1;
	if (!ps2_wait_input_empty())
		return false;
	rae_outb(cd.kbd_status, PS2_WRITE_CFG);
	if (!ps2_wait_input_empty())
		return false;
	rae_outb(cd.kbd_data, cfg);
	if (!ps2_wait_input_empty())
		return false;
	rae_outb(cd.kbd_status, PS2_ENABLE_KBD);
	return true;
}

static void device_send(uint64_t tag, const char *buf, size_t len)
{
	rae_msg_t m = {.tag = tag, .buf = (uint64_t)(uintptr_t)buf, .buf_len = (uint32_t)len};
	rae_ipc_send(cd.internal, &m, RAE_TIMEOUT_NEVER);
}

/* Reads what the UART holds; acknowledges the interrupt and reads again
 * if more came meanwhile (an edge while the line was masked is lost). */
static size_t serial_drain(char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		while (n < cap && (rae_inb(cd.com + UART_LSR) & LSR_DATA))
			buf[n++] = (char)rae_inb(cd.com + UART_DATA);
		if (cd.serial_irq)
			rae_interrupt_ack(cd.serial_irq);
		if (n == cap || !(rae_inb(cd.com + UART_LSR) & LSR_DATA))
			return n;
	}
}

static size_t kbd_drain(char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		uint8_t st;
		while (n < cap && ((st = rae_inb(cd.kbd_status)) & PS2_OUT_FULL)) {
			uint8_t v = rae_inb(cd.kbd_data);
			if (!(st & PS2_AUX_DATA)) /* the mouse's bytes are not ours */
				buf[n++] = (char)v;
		}
		if (cd.kbd_irq)
			rae_interrupt_ack(cd.kbd_irq);
		if (n == cap || !(rae_inb(cd.kbd_status) & PS2_OUT_FULL))
			return n;
	}
}

static void device_loop(uint64_t arg)
{
	(void)arg;
	char buf[256];
	for (;;) {
		int64_t bits =
		    rae_notify_wait(cd.events, cd.polling ? DEVICE_POLL_NS : RAE_TIMEOUT_NEVER);
		if (bits == RAE_ERR_TIMED_OUT)
			bits = EV_SERIAL | EV_KBD;
		else if (bits < 0)
			continue;
		if ((bits & EV_SERIAL) && cd.serial) {
			size_t n = serial_drain(buf, sizeof(buf));
			if (n)
				device_send(INTERNAL_SERIAL, buf, n);
		}
		if ((bits & EV_KBD) && cd.kbd) {
			size_t n = kbd_drain(buf, sizeof(buf));
			if (n)
				device_send(INTERNAL_KBD, buf, n);
		}
		if (bits & EV_KLOG)
			device_send(INTERNAL_KLOG, NULL, 0);
	}
}

/* --- clients -------------------------------------------------------------- */

static client_t *client_find(uint64_t badge, bool create)
{
	client_t *free_slot = NULL;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (cd.clients[i].badge == badge)
			return &cd.clients[i];
		if (!cd.clients[i].badge && !free_slot)
			free_slot = &cd.clients[i];
	}
	if (!create || !free_slot)
		return NULL;
	*free_slot = (client_t){.badge = badge};
	return free_slot;
}

static void client_signal(const client_t *c, uint64_t bits)
{
	if (c && c->notify && bits)
		rae_notify_signal(c->notify, bits);
}

/* Acts on the line discipline's events for the foreground client. */
static void input_events(unsigned ev)
{
	client_t *fg = cd.foreground ? client_find(cd.foreground, false) : NULL;
	if (!fg)
		return;
	if (ev & LDISC_INTERRUPT) {
		fg->interrupted = true;
		client_signal(fg, fg->interrupt_bits | fg->input_bits);
	} else if (ev & LDISC_READY) {
		client_signal(fg, fg->input_bits);
	}
}

static void input_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		input_events(ldisc_input(&cd.ld, (uint8_t)s[i]));
}

static void input_scancodes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char out[KBD_OUT_MAX];
		size_t k = kbd_scancode(&cd.keys, (uint8_t)s[i], out);
		input_bytes(out, k);
	}
}

static void set_foreground(client_t *c)
{
	cd.foreground = c->badge;
	input_events(ldisc_set_mode(&cd.ld, c->mode));
	if (c->interrupted)
		client_signal(c, c->input_bits);
}

/* The client a request comes from (console_admit found or made it). */
static client_t *caller;

static void client_forget(client_t *c)
{
	if (c->notify)
		rae_handle_close(c->notify);
	if (cd.foreground == c->badge)
		cd.foreground = 0;
	*c = (client_t){0};
}

/* The kernel's notice that every copy of a handle we minted (OPEN) is
 * gone: its program ended, however it ended. Forget it as DETACH would. */
static void client_gone(uint64_t badge)
{
	client_t *c = client_find(badge, false);
	if (c)
		client_forget(c);
}

/* Every request needs a badge; all but LOG_READ and READY_TSC (which keep
 * no state) take a client slot, DETACH only finds one. */
static int64_t console_admit(void *ctx, const rae_msg_t *call, uint64_t number)
{
	(void)ctx;
	if (!call->badge)
		return RAE_ERR_ACCESS_DENIED;
	caller = NULL;
	if (number == RAE_CONSOLE_LOG_READ || number == RAE_CONSOLE_READY_TSC)
		return 0;
	caller = client_find(call->badge, number != RAE_CONSOLE_DETACH);
	return caller || number == RAE_CONSOLE_DETACH ? 0 : RAE_ERR_LIMIT;
}

static int64_t request_write(void *ctx, const rae_msg_t *call, console_write_request_t *q,
			     console_write_reply_t *rep)
{
	(void)ctx;
	(void)call;
	console_out(q->data, q->data_len, true);
	rep->written = q->data_len;
	return RAE_OK;
}

static int64_t request_read(void *ctx, const rae_msg_t *call, console_read_request_t *q,
			    console_read_reply_t *rep)
{
	(void)ctx;
	(void)call;
	client_t *c = caller;
	if (q->max == 0 || q->max > RAE_IPC_BUF_MAX)
		return RAE_ERR_INVALID;
	/* A reader that never attached here was attached to an instance
	 * before a restart: it attaches again (console_client.c does). */
	if (!c->notify)
		return RAE_ERR_PEER_CLOSED;
	if (!cd.foreground)
		set_foreground(c); /* the first reader takes the console */
	if (cd.foreground != c->badge)
		return RAE_ERR_BUSY;
	if (c->interrupted) {
		c->interrupted = false;
		rep->flags = RAE_CONSOLE_READ_INTERRUPTED;
		return RAE_OK;
	}
	if (!ldisc_ready(&cd.ld)) {
		/* The first wait for a key: the system is ready for its user
		 * (a shell's first prompt). RAE_CONSOLE_READY_TSC reports it. */
		if (!cd.ready_tsc)
			cd.ready_tsc = rae_rdtsc();
		return RAE_ERR_TIMED_OUT;
	}
	bool eof;
	size_t n = ldisc_read(&cd.ld, reply_buf, q->max, &eof);
	rep->data = reply_buf;
	rep->data_len = (uint32_t)n;
	rep->flags = eof ? RAE_CONSOLE_READ_EOF : 0;
	if (ldisc_ready(&cd.ld))
		client_signal(c, c->input_bits); /* more is waiting */
	return RAE_OK;
}

static int64_t request_set_mode(void *ctx, const rae_msg_t *call, console_set_mode_request_t *q,
				console_set_mode_reply_t *rep)
{
	(void)ctx;
	(void)call;
	client_t *c = caller;
	if (q->mode & ~(uint64_t)RAE_CONSOLE_MODES)
		return RAE_ERR_INVALID;
	rep->old = c->mode;
	c->mode = (uint32_t)q->mode;
	if (cd.foreground == c->badge)
		input_events(ldisc_set_mode(&cd.ld, c->mode));
	return RAE_OK;
}

static int64_t request_set_foreground(void *ctx, const rae_msg_t *call,
				      console_set_foreground_request_t *q,
				      console_set_foreground_reply_t *rep)
{
	(void)ctx;
	(void)call;
	(void)q;
	rep->previous = cd.foreground;
	set_foreground(caller);
	return RAE_OK;
}

static int64_t request_winsize(void *ctx, const rae_msg_t *call, console_winsize_request_t *q,
			       console_winsize_reply_t *rep)
{
	(void)ctx;
	(void)call;
	(void)q;
	rep->columns = cd.fb ? cd.con.columns : RAE_CONSOLE_SERIAL_COLUMNS;
	rep->rows = cd.fb ? cd.con.rows : RAE_CONSOLE_SERIAL_ROWS;
	rep->serial_columns = RAE_CONSOLE_SERIAL_COLUMNS;
	rep->serial_rows = RAE_CONSOLE_SERIAL_ROWS;
	return RAE_OK;
}

static int64_t request_attach(void *ctx, const rae_msg_t *call, console_attach_request_t *q,
			      console_attach_reply_t *rep)
{
	(void)ctx;
	(void)call;
	(void)rep;
	client_t *c = caller;
	if (!q->input_bits || !q->interrupt_bits)
		return RAE_ERR_INVALID;
	int64_t st = rae_notify_signal(q->notify, 0); /* a notification we may signal? */
	if (st != RAE_OK)
		return (rae_status_t)st;
	if (c->notify)
		rae_handle_close(c->notify);
	c->notify = q->notify;
	q->notify = RAE_HANDLE_INVALID; /* kept */
	c->input_bits = q->input_bits;
	c->interrupt_bits = q->interrupt_bits;
	return RAE_OK;
}

static int64_t request_open(void *ctx, const rae_msg_t *call, console_open_request_t *q,
			    console_open_reply_t *rep)
{
	(void)ctx;
	(void)call;
	(void)q;
	/* Watched: when the program holding it ends (Ctrl-C included) the
	 * kernel tells us, and its slot is freed (client_gone). */
	return rae_handle_mint_watched(cd.ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER,
				       OWN_BADGE_BIT | ++cd.next_badge, &rep->client);
}

static int64_t request_detach(void *ctx, const rae_msg_t *call, console_detach_request_t *q,
			      console_detach_reply_t *rep)
{
	(void)ctx;
	(void)call;
	(void)q;
	(void)rep;
	if (caller)
		client_forget(caller);
	return RAE_OK;
}

/* The kernel log for any client: the service holds the only handle that
 * may read it. A one-byte read from offset 0 lands just past the oldest
 * byte held; if the ring moves on before the real read, that read starts
 * later than asked, and its start is the oldest then. */
static int64_t request_log_read(void *ctx, const rae_msg_t *call, console_log_read_request_t *q,
				console_log_read_reply_t *rep)
{
	(void)ctx;
	(void)call;
	uint64_t cap = q->max;
	if (cap == 0 || cap > RAE_IPC_BUF_MAX)
		return RAE_ERR_INVALID;
	if (cap > RAE_LOG_READ_MAX)
		cap = RAE_LOG_READ_MAX;
	uint64_t probe = 0;
	char byte;
	int64_t n = rae_log_read(cd.console, &probe, &byte, 1);
	if (n < 0)
		return (rae_status_t)n;
	uint64_t oldest = probe - (uint64_t)n;
	uint64_t at = q->offset;
	n = rae_log_read(cd.console, &at, reply_buf, cap);
	if (n < 0)
		return (rae_status_t)n;
	if (at - (uint64_t)n != q->offset)
		oldest = at - (uint64_t)n;
	rep->data = reply_buf;
	rep->data_len = (uint32_t)n;
	rep->next = at;
	rep->oldest = oldest;
	return RAE_OK;
}

static int64_t request_ready_tsc(void *ctx, const rae_msg_t *call, console_ready_tsc_request_t *q,
				 console_ready_tsc_reply_t *rep)
{
	(void)ctx;
	(void)call;
	(void)q;
	rep->tsc = cd.ready_tsc;
	return RAE_OK;
}

static const console_handlers_t console_handlers = {
    .admit = console_admit,
    .write = request_write,
    .read = request_read,
    .set_mode = request_set_mode,
    .set_foreground = request_set_foreground,
    .winsize = request_winsize,
    .attach = request_attach,
    .open = request_open,
    .detach = request_detach,
    .log_read = request_log_read,
    .ready_tsc = request_ready_tsc,
};

static void internal_message(const rae_msg_t *m)
{
	switch (m->tag) {
	case INTERNAL_SERIAL: input_bytes(request_buf, m->buf_len); break;
	case INTERNAL_KBD: input_scancodes(request_buf, m->buf_len); break;
	case INTERNAL_KLOG: klog_print(UINT64_MAX, true); break;
	default: break;
	}
}

static void serve(void)
{
	for (;;) {
		rae_msg_t m = {.buf = (uint64_t)(uintptr_t)request_buf,
			       .buf_cap = sizeof(request_buf)};
		int64_t st = rae_ipc_receive(cd.ep, &m, KLOG_POLL_NS);
		if (st == RAE_ERR_TIMED_OUT) {
			klog_print(UINT64_MAX, true);
			continue;
		}
		if (st != RAE_OK)
			continue;
		if (!(m.flags & RAE_MSG_ONEWAY)) {
			rae_msg_t r;
			console_dispatch(&console_handlers, NULL, &m, &r);
			rae_ipc_reply(&r);
			continue;
		}
		if (m.tag == RAE_IPC_TAG_CLOSED)
			client_gone(m.badge);
		else if (m.badge == INTERNAL_BADGE)
			internal_message(&m);
		/* Handles nobody asked for are not kept. */
		for (uint32_t i = 0; i < m.handle_count; i++)
			rae_handle_close(m.handles[i]);
	}
}

/* --- start-up ------------------------------------------------------------- */

static bool framebuffer_start(rae_startup_t *s, const rae_console_hw_t *hw)
{
	rae_handle_t r = rae_startup_take(s, RAE_CONSOLED_ROLE_FRAMEBUFFER);
	if (!r || !hw->has_framebuffer)
		return false;
	const boot_framebuffer_t *fb = &hw->framebuffer;
	uint64_t base = fb->phys_addr & ~(PAGE_SIZE - 1);
	uint64_t end = fb->phys_addr + (uint64_t)fb->pitch * fb->height;
	end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	rae_handle_t mem;
	rae_status_t st =
	    rae_mem_create_phys(r, base, end - base, RAE_MEM_PHYS_WRITE_COMBINE, &mem);
	rae_handle_close(r);
	if (st != RAE_OK)
		return false;
	int64_t at = rae_mem_map(mem, RAE_PROT_READ | RAE_PROT_WRITE);
	rae_handle_close(mem);
	if (at < 0)
		return false;
	return fbcon_init(&cd.con, fb, (void *)(uintptr_t)(at + (fb->phys_addr - base))) == RAE_OK;
}

static void fail(const char *why)
{
	rae_puts("consoled: ");
	rae_puts(why);
	rae_puts("\n");
	rae_exit(1);
}

int main(uint64_t arg)
{
	static rae_startup_t s;
	if (rae_startup_receive((rae_handle_t)arg, &s, RAE_STARTUP_TIMEOUT_NS) != RAE_OK)
		fail("no start-up messages");
	rae_console_hw_t hw;
	if (rae_console_info(&hw) != RAE_OK)
		fail("CONSOLE_INFO failed");
	/* OPEN badges of this instance start past any an earlier instance on
	 * the same endpoint minted: its clients' CLOSED notices may still come
	 * here, and must not free a slot of ours. */
	cd.next_badge = (uint64_t)rae_getpid() << 32;
	cd.ep = rae_startup_take(&s, RAE_CONSOLED_ROLE_ENDPOINT);
	if (cd.ep == RAE_HANDLE_INVALID) /* started by the service manager */
		cd.ep = rae_startup_take(&s, RAE_ROLE_SERVE);
	rae_handle_t serial_res = rae_startup_take(&s, RAE_CONSOLED_ROLE_SERIAL);
	if (!cd.ep || !serial_res || rae_notify_create(&cd.events) != RAE_OK)
		fail("needs its endpoint and the serial port's resource");
	if (rae_handle_mint(cd.ep, RAE_RIGHT_WRITE, INTERNAL_BADGE, &cd.internal) != RAE_OK)
		fail("cannot mint its own handle (the endpoint needs DUPLICATE)");

	/* The kernel lets go of the devices first, so nobody races us. */
	uint64_t handed_at;
	if (rae_console_handover(serial_res, cd.events, EV_KLOG, &handed_at, &cd.console) != RAE_OK)
		fail("the kernel did not hand the console over");

	cd.com = hw.serial_port;
	cd.kbd_data = hw.kbd_data_port;
	cd.kbd_status = hw.kbd_status_port;
	rae_handle_t ports;
	cd.serial =
	    rae_ioport_create(serial_res, hw.serial_port, hw.serial_ports, &ports) == RAE_OK &&
	    rae_ioport_enable(ports) == RAE_OK;
	rae_handle_close(serial_res);
	cd.kbd = take_ports(&s, RAE_CONSOLED_ROLE_KBD_DATA, hw.kbd_data_port, 1) &&
		 take_ports(&s, RAE_CONSOLED_ROLE_KBD_STATUS, hw.kbd_status_port, 1);
	if (cd.serial)
		cd.serial_irq =
		    take_irq(&s, RAE_CONSOLED_ROLE_SERIAL_IRQ, hw.serial_isa_irq, EV_SERIAL);
	if (cd.kbd)
		cd.kbd_irq = take_irq(&s, RAE_CONSOLED_ROLE_KBD_IRQ, hw.kbd_isa_irq, EV_KBD);
	cd.polling = (cd.serial && !cd.serial_irq) || (cd.kbd && !cd.kbd_irq);
	cd.fb = framebuffer_start(&s, &hw);
	ldisc_init(&cd.ld, console_echo, NULL);
	if (cd.serial)
		uart_start();
	if (cd.kbd)
		cd.kbd = ps2_start();

	/* The screen starts with the boot log; the serial line showed it. */
	klog_print(handed_at, false);
	cd.log_offset = handed_at;
	console_say("consoled: serial ");
	console_say(cd.serial ? (cd.serial_irq ? "interrupt" : "polled") : "none");
	console_say(", keyboard ");
	console_say(cd.kbd ? (cd.kbd_irq ? "interrupt" : "polled") : "none");
	if (cd.fb) {
		console_say(", framebuffer text ");
		console_say_dec(cd.con.columns);
		console_say("x");
		console_say_dec(cd.con.rows);
	} else {
		console_say(", no framebuffer");
	}
	console_say(", kernel log from ");
	console_say_dec(handed_at);
	console_say("\n");

	rae_handle_t device_thread;
	if (rae_thread_create(device_loop, 0, 0, &device_thread) != RAE_OK)
		fail("cannot start the device thread");
	serve();
	return 0;
}
