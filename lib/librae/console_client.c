/* The console service's client side (rae_console.h), over the stubs
 * generated from services/contracts/console.contract: the service never
 * blocks, so a read that finds nothing waits here, on the notification
 * the service signals when input may be ready, and asks again. */
#include <rae_console.h>

#define CONSOLE_INPUT_BIT     0x1
#define CONSOLE_INTERRUPT_BIT 0x2

#define CONSOLE_T RAE_TIMEOUT_NEVER

/* Gives the service a handle to signal c->attached. */
static rae_status_t console_attach(rae_console_t *c)
{
	rae_handle_t signal_end;
	rae_status_t st =
	    rae_handle_dup(c->attached, RAE_RIGHT_SIGNAL | RAE_RIGHT_TRANSFER, &signal_end);
	if (st != RAE_OK)
		return st;
	console_attach_request_t q = {
	    .input_bits = c->input_bit, .interrupt_bits = c->interrupt_bit, .notify = signal_end};
	console_attach_reply_t rep = {0};
	return (rae_status_t)console_attach_call(c->service, CONSOLE_T, &q, &rep);
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
		console_write_reply_t rep = {0};
		int64_t st =
		    console_write_call(c->service, CONSOLE_T,
				       &(console_write_request_t){.data = (const char *)buf + done,
								  .data_len = (uint32_t)n},
				       &rep);
		if (st != RAE_OK)
			return st;
		if (rep.written == 0 || rep.written > n)
			return RAE_ERR_INVALID; /* would loop forever, or overrun */
		done += rep.written;
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
		uint32_t max = cap > RAE_IPC_BUF_MAX ? RAE_IPC_BUF_MAX : (uint32_t)cap;
		console_read_reply_t rep = {.data = buf, .data_cap = max};
		int64_t st = console_read_call(c->service, CONSOLE_T,
					       &(console_read_request_t){.max = max}, &rep);
		if (st == RAE_OK) {
			if (flags)
				*flags = rep.flags;
			if (rep.flags & RAE_CONSOLE_READ_INTERRUPTED) {
				/* This read reports the press: its bit is stale now. */
				rae_notify_wait(c->notify, 0);
				c->interrupts = 0;
			}
			return (int64_t)rep.data_len;
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
	console_set_mode_reply_t rep = {0};
	int64_t st = console_set_mode_call(c->service, CONSOLE_T,
					   &(console_set_mode_request_t){.mode = mode}, &rep);
	if (st == RAE_OK)
		c->mode = mode;
	if (st == RAE_OK && old)
		*old = rep.old;
	return (rae_status_t)st;
}

rae_status_t rae_console_set_foreground(rae_console_t *c)
{
	console_set_foreground_reply_t rep = {0};
	int64_t st = console_set_foreground_call(c->service, CONSOLE_T,
						 &(console_set_foreground_request_t){0}, &rep);
	if (st == RAE_OK)
		c->foreground = true;
	return (rae_status_t)st;
}

rae_status_t rae_console_winsize(rae_console_t *c, rae_console_winsize_t *ws)
{
	console_winsize_reply_t rep = {0};
	int64_t st =
	    console_winsize_call(c->service, CONSOLE_T, &(console_winsize_request_t){0}, &rep);
	if (st == RAE_OK) {
		ws->columns = rep.columns;
		ws->rows = rep.rows;
		ws->serial_columns = rep.serial_columns;
		ws->serial_rows = rep.serial_rows;
	}
	return (rae_status_t)st;
}

rae_status_t rae_console_open(rae_console_t *c, rae_handle_t *out)
{
	console_open_reply_t rep = {0};
	int64_t st = console_open_call(c->service, CONSOLE_T, &(console_open_request_t){0}, &rep);
	if (st != RAE_OK)
		return (rae_status_t)st;
	*out = rep.client;
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
	uint32_t max = cap > RAE_IPC_BUF_MAX ? RAE_IPC_BUF_MAX : (uint32_t)cap;
	console_log_read_reply_t rep = {.data = buf, .data_cap = max};
	int64_t st = console_log_read_call(
	    service, CONSOLE_T, &(console_log_read_request_t){.offset = *offset, .max = max}, &rep);
	if (st != RAE_OK)
		return st;
	*offset = rep.next;
	if (oldest)
		*oldest = rep.oldest;
	return (int64_t)rep.data_len;
}

int64_t rae_console_ready_tsc(rae_handle_t service, uint64_t *tsc)
{
	console_ready_tsc_reply_t rep = {0};
	int64_t st =
	    console_ready_tsc_call(service, CONSOLE_T, &(console_ready_tsc_request_t){0}, &rep);
	if (st == RAE_OK)
		*tsc = rep.tsc;
	return st;
}

void rae_console_close(rae_console_t *c)
{
	console_detach_reply_t rep = {0};
	console_detach_call(c->service, CONSOLE_T, &(console_detach_request_t){0}, &rep);
	rae_handle_close(c->notify);
	rae_handle_close(c->service);
}
