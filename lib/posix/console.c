/* Standard input and output on rae-consoled (abi/rae/console.h): the
 * descriptor kind of a program whose start-up set has a RAE_ROLE_CONSOLE
 * handle. Writes are CONSOLE_WRITE, reads CONSOLE_READ (waiting for the
 * input bit between tries, as lib/librae/console_client.c does), the
 * termios ioctls map onto the service's modes (ICANON off: RAW, ECHO off:
 * NOECHO) and TIOCGWINSZ onto WINSIZE. Every console descriptor shares the
 * program's one connection.
 *
 * Ctrl-C. The service sets the interrupt bit of the foreground client's
 * notification. A runtime thread (started before main) waits on that
 * notification: it forwards the input bit to the one readers wait on, and
 * on the interrupt bit it acts as SIGINT's disposition says: SIG_IGN
 * nothing, a handler is called on that thread, the default ends the
 * process with status 128 + SIGINT (130). There is no asynchronous signal
 * delivery: a handler runs on the runtime thread, concurrently with the
 * program, not in place of the interrupted code. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <rae.h>
#include <rae_console.h>
#include "posix.h"

static rae_console_t con;        /* the connection; notify: where the service signals */
static rae_console_t con_reader; /* the same, waiting on reader_notify */
static rae_handle_t reader_notify;
static int present, foreground;
static pthread_t watcher;

/* The terminal settings programs see: cooked with echo, as the service
 * starts. Guarded by term_lock. */
static struct termios term;
static volatile int term_lock;

int rae_posix_console_present(void)
{
	return present;
}

int rae_posix_console_foreground(void)
{
	return foreground;
}

rae_status_t rae_posix_console_open(rae_handle_t *out)
{
	return present ? rae_console_open(&con, out) : RAE_ERR_BAD_HANDLE;
}

void rae_posix_console_take_foreground(void)
{
	if (present && foreground) {
		rae_console_set_foreground(&con);
		con_reader.foreground = con.foreground; /* a restarted service is told again */
	}
}

static void term_defaults(void)
{
	memset(&term, 0, sizeof(term));
	term.c_iflag = ICRNL | IXON;
	term.c_oflag = OPOST | ONLCR;
	term.c_cflag = CS8 | CREAD | B38400;
	term.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN;
	term.c_cc[VINTR] = 3;
	term.c_cc[VQUIT] = 034;
	term.c_cc[VERASE] = 0177;
	term.c_cc[VKILL] = 025;
	term.c_cc[VEOF] = 4;
	term.c_cc[VMIN] = 1;
	term.c_cc[VTIME] = 0;
	term.__c_ispeed = term.__c_ospeed = B38400;
}

long rae_posix_console_init(rae_handle_t service, int fg)
{
	if (rae_console_connect(&con, service) != RAE_OK) {
		rae_handle_close(service);
		return -EIO;
	}
	if (rae_notify_create(&reader_notify) != RAE_OK) {
		rae_console_close(&con);
		return -ENOMEM;
	}
	con_reader = con;
	con_reader.notify = reader_notify;
	term_defaults();
	present = 1;
	foreground = fg;
	if (fg)
		rae_console_set_foreground(&con);
	con_reader.foreground = con.foreground;
	return 0;
}

/* --- the runtime thread --------------------------------------------------- */

static void *console_watch(void *arg)
{
	(void)arg;
	for (;;) {
		int64_t bits = rae_notify_wait(con.notify, RAE_TIMEOUT_NEVER);
		if (bits < 0)
			return NULL; /* the notification is gone: nothing more to watch */
		if ((uint64_t)bits & con.input_bit)
			rae_notify_signal(reader_notify, con.input_bit);
		if (!((uint64_t)bits & con.interrupt_bit))
			continue;
		int restart;
		void *h = rae_posix_sig_handler(SIGINT, &restart);
		if (h == SIG_IGN)
			continue;
		if (h == SIG_DFL)
			_exit(128 + SIGINT);
		((void (*)(int))h)(SIGINT);
	}
}

/* Runs as the C library starts (a constructor: threads need it set up). */
__attribute__((constructor)) static void console_watch_start(void)
{
	if (!present)
		return;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 16384);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&watcher, &a, console_watch, NULL) != 0) {
		/* Reads still work, waking only on their own: poll instead. */
		static const char msg[] = "posix: no console watcher thread; Ctrl-C is ignored\n";
		rae_console_write(&con, msg, sizeof(msg) - 1);
		con_reader.notify = con.notify;
	}
	pthread_attr_destroy(&a);
}

/* --- the descriptor kind -------------------------------------------------- */

static long console_errno(int64_t st)
{
	switch (st) {
	case RAE_ERR_BUSY: return -EIO; /* a background program reading: no SIGTTIN */
	default: return rae_posix_errno(st);
	}
}

static long console_read(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	if (!n)
		return 0;
	for (;;) {
		uint32_t flags = 0;
		int64_t r = rae_console_read(&con_reader, buf, n, RAE_TIMEOUT_NEVER, &flags);
		if (r < 0)
			return console_errno(r);
		if (r > 0 || (flags & RAE_CONSOLE_READ_EOF))
			return (long)r;
		/* Interrupted with nothing read: the watcher acts on Ctrl-C;
		 * a handler without SA_RESTART makes the read fail. */
		int restart;
		void *h = rae_posix_sig_handler(SIGINT, &restart);
		if (h != SIG_IGN && h != SIG_DFL && !restart)
			return -EINTR;
	}
}

static long console_write(void *ctx, const void *buf, size_t n)
{
	(void)ctx;
	int64_t r = rae_console_write(&con, buf, n);
	return r < 0 ? console_errno(r) : (long)r;
}

static void term_lock_take(void)
{
	while (__atomic_exchange_n(&term_lock, 1, __ATOMIC_ACQUIRE))
		rae_sys_yield();
}

static void term_lock_drop(void)
{
	__atomic_store_n(&term_lock, 0, __ATOMIC_RELEASE);
}

static long console_setattr(const struct termios *t)
{
	uint32_t mode = 0;
	if (!(t->c_lflag & ICANON))
		mode |= RAE_CONSOLE_MODE_RAW;
	if (!(t->c_lflag & ECHO))
		mode |= RAE_CONSOLE_MODE_NOECHO;
	term_lock_take();
	rae_status_t st = rae_console_set_mode(&con, mode, NULL);
	con_reader.mode = con.mode; /* reads reattach with it after a restart */
	if (st == RAE_OK)
		term = *t;
	term_lock_drop();
	return st == RAE_OK ? 0 : console_errno(st);
}

static long console_ioctl(void *ctx, unsigned long req, void *arg)
{
	(void)ctx;
	switch (req) {
	case TCGETS:
		term_lock_take();
		memcpy(arg, &term, sizeof(term));
		term_lock_drop();
		return 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct termios t;
		memcpy(&t, arg, sizeof(t));
		return console_setattr(&t);
	}
	case TIOCGWINSZ: {
		rae_console_winsize_t ws;
		rae_status_t st = rae_console_winsize(&con, &ws);
		if (st != RAE_OK)
			return console_errno(st);
		/* The text shows on the framebuffer and the serial line at
		 * once: the smaller grid fits both. */
		struct winsize w = {0};
		w.ws_col = (unsigned short)(ws.columns < ws.serial_columns ? ws.columns
									   : ws.serial_columns);
		w.ws_row = (unsigned short)(ws.rows < ws.serial_rows ? ws.rows : ws.serial_rows);
		memcpy(arg, &w, sizeof(w));
		return 0;
	}
	case TIOCSWINSZ: return -EINVAL; /* the service decides the size */
	case TIOCGPGRP: {
		int pid = (int)rae_sys_getpid();
		memcpy(arg, &pid, sizeof(pid));
		return 0;
	}
	default: return -ENOTTY;
	}
}

static long console_close(void *ctx)
{
	(void)ctx;
	return 0; /* the connection lives as long as the program */
}

const rae_fd_ops_t rae_posix_console_ops = {
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .close = console_close,
};
