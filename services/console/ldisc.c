/* The line discipline (ldisc.h). Control keys in cooked mode: Enter (CR or
 * LF) ends a line, Backspace (DEL or BS) erases a character, Ctrl-U kills
 * the line, Ctrl-D ends the file (or hands over a half-typed line),
 * Ctrl-C interrupts; other control bytes but Tab are dropped. */
#include "ldisc.h"

#include <rae/console.h>

#define LDISC_EOF_MARK 0x100
#define KEY_CTRL_C     0x03
#define KEY_CTRL_D     0x04
#define KEY_BS         0x08
#define KEY_CTRL_U     0x15
#define KEY_DEL        0x7f

static void ldisc_echo(ldisc_t *l, const char *s, size_t len)
{
	if (!(l->mode & RAE_CONSOLE_MODE_NOECHO) && l->echo)
		l->echo(l->echo_ctx, s, len);
}

void ldisc_init(ldisc_t *l, ldisc_echo_fn echo, void *ctx)
{
	l->mode = 0;
	l->line_len = 0;
	l->queue_head = 0;
	l->queue_len = 0;
	l->echo = echo;
	l->echo_ctx = ctx;
}

static bool ldisc_queue_put(ldisc_t *l, uint16_t v)
{
	if (l->queue_len == LDISC_QUEUE_MAX)
		return false;
	l->queue[(l->queue_head + l->queue_len) % LDISC_QUEUE_MAX] = v;
	l->queue_len++;
	return true;
}

/* Moves the half-typed line to the ready queue (as much as fits). */
static void ldisc_commit(ldisc_t *l)
{
	for (size_t i = 0; i < l->line_len; i++) {
		if (!ldisc_queue_put(l, (uint8_t)l->line[i]))
			break;
	}
	l->line_len = 0;
}

static void ldisc_erase(ldisc_t *l, size_t n)
{
	for (; n > 0 && l->line_len > 0; n--) {
		l->line_len--;
		ldisc_echo(l, "\b \b", 3);
	}
}

unsigned ldisc_input(ldisc_t *l, uint8_t c)
{
	if (l->mode & RAE_CONSOLE_MODE_RAW) {
		if (!ldisc_queue_put(l, c))
			return 0;
		ldisc_echo(l, (const char *)&c, 1);
		return LDISC_READY;
	}
	switch (c) {
	case '\r':
	case '\n':
		ldisc_echo(l, "\n", 1);
		/* The newline is kept even when the line is full. */
		if (l->line_len == LDISC_LINE_MAX)
			l->line_len--;
		l->line[l->line_len++] = '\n';
		ldisc_commit(l);
		return LDISC_READY;
	case KEY_DEL:
	case KEY_BS: ldisc_erase(l, 1); return 0;
	case KEY_CTRL_U: ldisc_erase(l, l->line_len); return 0;
	case KEY_CTRL_D:
		if (l->line_len == 0)
			ldisc_queue_put(l, LDISC_EOF_MARK);
		else
			ldisc_commit(l);
		return LDISC_READY;
	case KEY_CTRL_C:
		ldisc_echo(l, "^C\n", 3);
		ldisc_flush(l);
		return LDISC_INTERRUPT;
	default:
		if ((c < 0x20 && c != '\t') || l->line_len >= LDISC_LINE_MAX - 1)
			return 0;
		l->line[l->line_len++] = (char)c;
		ldisc_echo(l, (const char *)&c, 1);
		return 0;
	}
}

unsigned ldisc_set_mode(ldisc_t *l, uint32_t mode)
{
	if ((mode & RAE_CONSOLE_MODE_RAW) && !(l->mode & RAE_CONSOLE_MODE_RAW))
		ldisc_commit(l);
	l->mode = mode;
	return ldisc_ready(l) ? LDISC_READY : 0;
}

bool ldisc_ready(const ldisc_t *l)
{
	return l->queue_len > 0;
}

size_t ldisc_read(ldisc_t *l, char *out, size_t cap, bool *eof)
{
	bool raw = l->mode & RAE_CONSOLE_MODE_RAW;
	size_t n = 0;
	*eof = false;
	while (n < cap && l->queue_len > 0) {
		uint16_t v = l->queue[l->queue_head];
		if (v == LDISC_EOF_MARK) {
			if (n > 0)
				break; /* the end of file is the next read's */
			l->queue_head = (l->queue_head + 1) % LDISC_QUEUE_MAX;
			l->queue_len--;
			if (raw)
				continue; /* raw readers see only bytes */
			*eof = true;
			break;
		}
		out[n++] = (char)v;
		l->queue_head = (l->queue_head + 1) % LDISC_QUEUE_MAX;
		l->queue_len--;
		if (!raw && v == '\n')
			break;
	}
	return n;
}

void ldisc_flush(ldisc_t *l)
{
	l->line_len = 0;
	l->queue_head = 0;
	l->queue_len = 0;
}
