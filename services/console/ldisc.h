/* The console's line discipline: turns typed bytes into what a reader
 * gets. Cooked mode edits a line at a time (erase, kill, end of file,
 * interrupt) and echoes; raw mode passes every byte. Pure code, tested on
 * the host (tests/services/console/test_ldisc.c). */
#ifndef CONSOLE_LDISC_H
#define CONSOLE_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LDISC_LINE_MAX  1024 /* the longest line one can type */
#define LDISC_QUEUE_MAX 4096 /* input typed ahead of the reader */

/* ldisc_input's events. */
#define LDISC_READY     0x1 /* input for a reader became ready */
#define LDISC_INTERRUPT 0x2 /* Ctrl-C in cooked mode */

/* Where echoes go (the service prints them on every output device). */
typedef void (*ldisc_echo_fn)(void *ctx, const char *s, size_t len);

typedef struct {
	uint32_t mode; /* RAE_CONSOLE_MODE_* */
	char line[LDISC_LINE_MAX];
	size_t line_len;
	/* Ready input, a ring of bytes; LDISC_EOF_MARK entries are Ctrl-D
	 * presses on an empty line. */
	uint16_t queue[LDISC_QUEUE_MAX];
	size_t queue_head, queue_len;
	ldisc_echo_fn echo;
	void *echo_ctx;
} ldisc_t;

void ldisc_init(ldisc_t *l, ldisc_echo_fn echo, void *ctx);

/* Feeds one typed byte; returns LDISC_* events. */
unsigned ldisc_input(ldisc_t *l, uint8_t c);

/* Changes the mode. Entering raw mode makes a half-typed line ready as it
 * stands; returns LDISC_READY when input is ready afterwards. */
unsigned ldisc_set_mode(ldisc_t *l, uint32_t mode);

/* Whether a read would get something (bytes or an end of file). */
bool ldisc_ready(const ldisc_t *l);

/* Takes ready input: in cooked mode at most one line (up to and with its
 * '\n'), in raw mode every ready byte, at most cap. Returns the count; *eof
 * is set when an end of file was taken instead (count 0). */
size_t ldisc_read(ldisc_t *l, char *out, size_t cap, bool *eof);

/* Drops the half-typed line and everything ready (Ctrl-C does this). */
void ldisc_flush(ldisc_t *l);

#endif
