/* The console service's client side (rae_console.h): the service never
 * blocks, so a read that finds nothing waits here, on the notification
 * the service signals when input may be ready, and asks again. */
#include <rae_console.h>

#define CONSOLE_INPUT_BIT     0x1
#define CONSOLE_INTERRUPT_BIT 0x2

static int64_t console_call_on(rae_handle_t service, rae_msg_t *m)
{
	int64_t st = rae_ipc_call(service, m, RAE_TIMEOUT_NEVER);
	return st != RAE_OK ? st : (int64_t)m->tag;
}

static int64_t console_call(rae_console_t *c, rae_msg_t *m)
{
	return console_call_on(c->service, m);
}

/* Gives the service a handle to signal c->attached. */
static rae_status_t console_attach(rae_console_t *c)
{
	rae_handle_t signal_end;
	rae_status_t st =
	    rae_handle_dup(c->attached, RAE_RIGHT_SIGNAL | RAE_RIGHT_TRANSFER, &signal_end);
	if (st != RAE_OK)
		return st;
	rae_msg_t m = {.tag = RAE_CONSOLE_ATTACH, .handle_count = 1};
	m.handles[0] = signal_end;
	m.words[0] = c->input_bit;
	m.words[1] = c->interrupt_bit;
	return (rae_status_t)console_call(c, &m);
}

rae_status_t rae_console_connect(rae_console_t *c, rae_handle_t service)
{
	memset(c, 0, sizeof(*c));
	c->service = service;
	rae_status_t created = rae_notify_create(&c->notify);
	if (created != RAE_OK)
		return created;
	c->input_bit = CONSOLE_INPUT_BIT;
	c->interrupt_bit = CONSOLE_INTERRUPT_BIT;
	c->attached = c->notify;
	rae_status_t st = console_attach(c);
	if (st != RAE_OK)
		rae_handle_close(c->notify);
	return st;
}

rae_status_t rae_console_reattach(rae_console_t *c)
{
	rae_status_t st = console_attach(c);
	if (st == RAE_OK && c->mode)
		st = rae_console_set_mode(c, c->mode, NULL);
	if (st == RAE_OK && c->foreground)
		st = rae_console_set_foreground(c);
	return st;
}

int64_t rae_console_write(rae_console_t *c, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t n = len - done > RAE_IPC_BUF_MAX ? RAE_IPC_BUF_MAX : len - done;
		rae_msg_t m = {.tag = RAE_CONSOLE_WRITE};
		m.buf = (uint64_t)(uintptr_t)((const char *)buf + done);
		m.buf_len = (uint32_t)n;
		int64_t st = console_call(c, &m);
		if (st != RAE_OK)
			return st;
		done += m.words[0];
	}
	return (int64_t)len;
}

int64_t rae_console_puts(rae_console_t *c, const char *s)
{
	return rae_console_write(c, s, rae_strlen(s));
}

/* Takes the bits the service set; counts Ctrl-C presses. */
static void console_take_bits(rae_console_t *c, uint64_t bits)
{
	if (bits & c->interrupt_bit)
		c->interrupts++;
}

int64_t rae_console_read(rae_console_t *c, void *buf, size_t cap, uint64_t timeout_ns,
			 uint32_t *flags)
{
	if (flags)
		*flags = 0;
	if (cap == 0)
		return RAE_ERR_INVALID;
	uint64_t deadline =
	    timeout_ns == RAE_TIMEOUT_NEVER ? UINT64_MAX : rae_clock_ns() + timeout_ns;
	bool reattached = false;
	for (;;) {
		rae_msg_t m = {.tag = RAE_CONSOLE_READ};
		m.words[0] = cap > RAE_IPC_BUF_MAX ? RAE_IPC_BUF_MAX : cap;
		m.buf = (uint64_t)(uintptr_t)buf;
		m.buf_cap = (uint32_t)m.words[0];
		int64_t st = console_call(c, &m);
		if (st == RAE_OK) {
			if (flags)
				*flags = (uint32_t)m.words[1];
			if (m.words[1] & RAE_CONSOLE_READ_INTERRUPTED) {
				/* This read reports the press: its bit is stale now. */
				rae_notify_wait(c->notify, 0);
				c->interrupts = 0;
			}
			return m.buf_len < m.words[0] ? (int64_t)m.buf_len : (int64_t)m.words[0];
		}
		if (st == RAE_ERR_PEER_CLOSED && !reattached) {
			/* The service restarted: tell the new instance again. */
			reattached = true;
			st = rae_console_reattach(c);
			if (st != RAE_OK)
				return st;
			continue;
		}
		if (st != RAE_ERR_TIMED_OUT)
			return st;
		uint64_t now = rae_clock_ns();
		if (now >= deadline)
			return RAE_ERR_TIMED_OUT;
		int64_t bits = rae_notify_wait(c->notify, deadline == UINT64_MAX ? RAE_TIMEOUT_NEVER
										 : deadline - now);
		if (bits > 0)
			console_take_bits(c, (uint64_t)bits);
		else if (bits != RAE_ERR_TIMED_OUT)
			return bits;
	}
}

rae_status_t rae_console_set_mode(rae_console_t *c, uint32_t mode, uint32_t *old)
{
	rae_msg_t m = {.tag = RAE_CONSOLE_SET_MODE};
	m.words[0] = mode;
	int64_t st = console_call(c, &m);
	if (st == RAE_OK)
		c->mode = mode;
	if (st == RAE_OK && old)
		*old = (uint32_t)m.words[0];
	return (rae_status_t)st;
}

rae_status_t rae_console_set_foreground(rae_console_t *c)
{
	rae_msg_t m = {.tag = RAE_CONSOLE_SET_FOREGROUND};
	int64_t st = console_call(c, &m);
	if (st == RAE_OK)
		c->foreground = true;
	return (rae_status_t)st;
}

rae_status_t rae_console_winsize(rae_console_t *c, rae_console_winsize_t *ws)
{
	rae_msg_t m = {.tag = RAE_CONSOLE_WINSIZE};
	int64_t st = console_call(c, &m);
	if (st == RAE_OK) {
		ws->columns = (uint32_t)m.words[0];
		ws->rows = (uint32_t)m.words[1];
		ws->serial_columns = (uint32_t)m.words[2];
		ws->serial_rows = (uint32_t)m.words[3];
	}
	return (rae_status_t)st;
}

rae_status_t rae_console_open(rae_console_t *c, rae_handle_t *out)
{
	rae_msg_t m = {.tag = RAE_CONSOLE_OPEN};
	int64_t st = console_call(c, &m);
	if (st != RAE_OK)
		return (rae_status_t)st;
	if (m.handle_count != 1)
		return RAE_ERR_INVALID;
	*out = m.handles[0];
	return RAE_OK;
}

int rae_console_interrupted(rae_console_t *c)
{
	int64_t bits = rae_notify_wait(c->notify, 0);
	if (bits > 0)
		console_take_bits(c, (uint64_t)bits);
	if (!c->interrupts)
		return 0;
	c->interrupts--;
	return 1;
}

int64_t rae_console_log_read(rae_handle_t service, uint64_t *offset, void *buf, size_t cap,
			     uint64_t *oldest)
{
	if (cap == 0)
		return RAE_ERR_INVALID;
	rae_msg_t m = {.tag = RAE_CONSOLE_LOG_READ};
	m.words[0] = *offset;
	m.words[1] = cap > RAE_IPC_BUF_MAX ? RAE_IPC_BUF_MAX : cap;
	m.buf = (uint64_t)(uintptr_t)buf;
	m.buf_cap = (uint32_t)m.words[1];
	int64_t st = console_call_on(service, &m);
	if (st != RAE_OK)
		return st;
	*offset = m.words[1];
	if (oldest)
		*oldest = m.words[2];
	return m.buf_len < m.words[0] ? (int64_t)m.buf_len : (int64_t)m.words[0];
}

int64_t rae_console_ready_tsc(rae_handle_t service, uint64_t *tsc)
{
	rae_msg_t m = {.tag = RAE_CONSOLE_READY_TSC};
	int64_t st = console_call_on(service, &m);
	if (st == RAE_OK)
		*tsc = m.words[0];
	return st;
}

void rae_console_close(rae_console_t *c)
{
	rae_msg_t m = {.tag = RAE_CONSOLE_DETACH};
	console_call(c, &m);
	rae_handle_close(c->notify);
	rae_handle_close(c->service);
}
