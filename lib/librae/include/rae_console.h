/* The console service's client library (lib/librae/console_client.c):
 * printing, reading lines or raw bytes with a timeout, modes, the
 * foreground and Ctrl-C, over the protocol of rae/console.h. */
#ifndef RAE_CONSOLE_CLIENT_H
#define RAE_CONSOLE_CLIENT_H

#include <stdbool.h>
#include <rae.h>
#include <rae/console.h>
#include <rae/console_contract.h>

typedef struct {
	rae_handle_t service; /* a badged handle to rae-consoled (WRITE) */
	rae_handle_t notify;  /* where reads wait for input_bit */
	uint64_t input_bit, interrupt_bit;
	unsigned interrupts; /* Ctrl-C presses seen and not yet taken */
	/* What a restarted service is told again (rae_console_reattach): the
	 * notification it signals, the mode set and whether this client took
	 * the foreground. */
	rae_handle_t attached;
	uint32_t mode;
	bool foreground;
} rae_console_t;

/* Connects through `service` (a badged handle, e.g. the start-up role
 * RAE_ROLE_CONSOLE): makes a notification and attaches it. */
rae_status_t rae_console_connect(rae_console_t *c, rae_handle_t service);

/* Prints len bytes (any length, in IPC-sized pieces); returns len or an
 * error. */
int64_t rae_console_write(rae_console_t *c, const void *buf, size_t len);
int64_t rae_console_puts(rae_console_t *c, const char *s);

/* Reads into buf: a line (with its '\n') in cooked mode, whatever bytes
 * came in raw mode. Waits up to timeout_ns (RAE_TIMEOUT_NEVER: forever).
 * Returns the byte count (> 0, or 0 with *flags saying EOF or
 * INTERRUPTED: RAE_CONSOLE_READ_*), RAE_ERR_TIMED_OUT, RAE_ERR_BUSY when
 * this client is not the foreground, or another error. flags may be NULL. */
int64_t rae_console_read(rae_console_t *c, void *buf, size_t cap, uint64_t timeout_ns,
			 uint32_t *flags);

/* Sets RAE_CONSOLE_MODE_* flags; *old (may be NULL) gets the previous mode. */
rae_status_t rae_console_set_mode(rae_console_t *c, uint32_t mode, uint32_t *old);

/* Makes this client the foreground (it gets the keys and Ctrl-C). */
rae_status_t rae_console_set_foreground(rae_console_t *c);

/* The text grid: framebuffer columns and rows, and the serial line's. */
typedef struct {
	uint32_t columns, rows;
	uint32_t serial_columns, serial_rows;
} rae_console_winsize_t;
rae_status_t rae_console_winsize(rae_console_t *c, rae_console_winsize_t *ws);

/* A new badged handle to the service for a child process (WRITE,
 * TRANSFER) in *out: RAE_OK, or an error. */
rae_status_t rae_console_open(rae_console_t *c, rae_handle_t *out);

/* Whether Ctrl-C was pressed since the last call (for a program busy
 * computing rather than reading); consumes one press. */
int rae_console_interrupted(rae_console_t *c);

/* Reads the kernel log through the service (RAE_CONSOLE_LOG_READ):
 * needs only a badged handle `service`, no ATTACH, so a program may use
 * the handle its standard streams use. Copies up to cap bytes from
 * *offset into buf, moves *offset past them (to the oldest byte held
 * first, when *offset is older), and sets *oldest (may be NULL) to the
 * oldest offset the ring holds. Returns the count (0 at the end of the
 * log) or an error (RAE_ERR_RANGE: *offset past the end). */
int64_t rae_console_log_read(rae_handle_t service, uint64_t *offset, void *buf, size_t cap,
			     uint64_t *oldest);

/* RAE_CONSOLE_READY_TSC through `service`: *tsc gets the counter's value
 * when a reader first waited for input (0: not yet). */
int64_t rae_console_ready_tsc(rae_handle_t service, uint64_t *tsc);

/* Attaches `attached` again, sets the mode and takes the foreground back
 * if this client had them: after the service restarted (a read got
 * RAE_ERR_PEER_CLOSED; rae_console_read does it by itself). */
rae_status_t rae_console_reattach(rae_console_t *c);

/* Detaches and closes the handles. */
void rae_console_close(rae_console_t *c);

/* The system calls of the hand-over (docs/syscalls.md, 54-56) are in rae.h:
 * rae_console_handover, rae_log_read, rae_console_info. */

/* Resources narrowed from `root` (MANAGE) to exactly the console's devices
 * that CONSOLE_INFO names, with their RAE_CONSOLED_ROLE_* roles: up to
 * RAE_CONSOLE_RESOURCES_MAX go into handles/roles; returns how many (a
 * device that cannot be had is left out), or an error. */
#define RAE_CONSOLE_RESOURCES_MAX 6
int64_t rae_console_resources(rae_handle_t root, rae_handle_t *handles, uint16_t *roles);

/* Starts rae-consoled (from `size` bytes at `offset` in memory object
 * `image`, or with image 0 from the initrd path `name`) with resources
 * narrowed from `root` to the console's devices. Returns RAE_OK with the
 * process handle in *proc and in *service the service's endpoint (every right: mint each
 * client a handle with its own badge, below 2^63, from it). */
rae_status_t rae_consoled_start(rae_handle_t root, rae_handle_t image, uint64_t offset,
				uint64_t size, const char *name, rae_handle_t *service,
				rae_handle_t *proc);

#endif
