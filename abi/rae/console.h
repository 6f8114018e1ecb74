/* The console: the kernel's hand-over of its console devices to the
 * console service (RAE_SYS_CONSOLE_HANDOVER, _LOG_READ, _CONSOLE_INFO), and
 * the IPC protocol of that service, rae-consoled (services/console,
 * docs/services/console.md). Stable ABI. */
#ifndef RAE_CONSOLE_H
#define RAE_CONSOLE_H

#include <stdint.h>
#include <rae/boot_info.h>

/* --- the kernel side ------------------------------------------------------ */

/* The kernel log: every byte the kernel prints, in a ring of this many
 * bytes. LOG_READ names bytes by their offset since boot; the oldest
 * readable offset is max(0, written - RAE_KLOG_SIZE). */
#define RAE_KLOG_SIZE      65536u
#define RAE_LOG_READ_MAX   4096u /* bytes one LOG_READ copies at most */
#define RAE_CONSOLE_NO_GSI 0xffffffffu

/* What RAE_SYS_CONSOLE_INFO fills in: where the console's devices are,
 * so that whoever starts the console service can narrow the root resource
 * to exactly these (docs/syscalls.md). */
typedef struct {
	uint32_t has_framebuffer;
	boot_framebuffer_t framebuffer; /* as the loader set it up */
	uint16_t serial_port;           /* the first of serial_ports I/O ports (COM1) */
	uint16_t serial_ports;
	uint16_t kbd_data_port; /* PS/2 controller: data, and status/command */
	uint16_t kbd_status_port;
	uint8_t serial_isa_irq; /* ISA IRQs, for INTERRUPT_CREATE with RAE_IRQ_ISA */
	uint8_t kbd_isa_irq;
	uint16_t reserved;
	uint32_t serial_gsi; /* their GSIs, which an IRQ resource must cover; */
	uint32_t kbd_gsi;    /* RAE_CONSOLE_NO_GSI without interrupt lines */
} rae_console_hw_t;

/* --- the service's protocol ----------------------------------------------- */

/*
 * Every request is an IPC_CALL on a handle to the service's endpoint that
 * carries a non-zero badge (HANDLE_MINT): the badge names the client.
 * Badges with bit 63 set are the service's own (RAE_CONSOLE_OPEN). The
 * reply's tag is a rae_status_t; a malformed request gets RAE_ERR_INVALID
 * (unknown tag, bad flags), RAE_ERR_RANGE (a buffer too long) or
 * RAE_ERR_ACCESS_DENIED (no badge), never a crash.
 */
#define RAE_CONSOLE_WRITE 1 /* buf: bytes to print -> w0: bytes written */
/* w0: at most this many bytes (1..RAE_IPC_BUF_MAX). Never blocks in the
 * service: -> RAE_OK with buf, w0 bytes, w1 RAE_CONSOLE_READ_* flags; or
 * RAE_ERR_TIMED_OUT when nothing is ready yet (the client waits for its
 * input bit, then asks again: lib/librae/console_client.c); or
 * RAE_ERR_BUSY when the caller is not the foreground client; or
 * RAE_ERR_PEER_CLOSED when it has not attached to this instance (the
 * service restarted since): it attaches again, sets its mode and takes
 * the foreground back, and reads again. */
#define RAE_CONSOLE_READ 2
/* w0: RAE_CONSOLE_MODE_* flags -> w0: the previous mode. */
#define RAE_CONSOLE_SET_MODE 3
/* The caller becomes the foreground client: keys go to it, Ctrl-C
 * interrupts it. -> w0: the previous foreground's badge (0: none). */
#define RAE_CONSOLE_SET_FOREGROUND 4
/* -> w0, w1: columns and rows of the framebuffer text grid (80 x 25 when
 * there is no framebuffer); w2, w3: the serial line's (80 x 25). */
#define RAE_CONSOLE_WINSIZE 5
/* handle 0: a notification (needs SIGNAL); w0: bits the service sets when
 * input may be ready; w1: bits it sets on Ctrl-C (both non-zero). */
#define RAE_CONSOLE_ATTACH 6
/* -> handle 0: a new handle (WRITE, TRANSFER) to the service with a badge
 * of its own, for a child process. */
#define RAE_CONSOLE_OPEN 7
/* Forgets the caller (its mode, notification and queued interrupt). */
#define RAE_CONSOLE_DETACH 8
/* The kernel log (dmesg), for any client: the service reads it with its
 * console handle (LOG_READ) on the caller's behalf, as Linux with
 * dmesg_restrict=0 lets anyone read it. w0: the offset to read from
 * (older than the oldest byte held: from that one); w1: at most this many
 * bytes (1..RAE_IPC_BUF_MAX) -> buf: the bytes, w0: their count (0 at the
 * end of the log), w1: the offset after them, w2: the oldest offset the
 * ring holds. RAE_ERR_RANGE: w0 past the end of the log. */
#define RAE_CONSOLE_LOG_READ 9
/* -> w0: the time stamp counter when a reader first found no input and had
 * to wait, which at boot is the shell's first prompt (0: not yet). Under
 * QEMU's -icount it counts guest instructions since reset: `bench boot`
 * reports boot-to-prompt with it. Any client; keeps no state. */
#define RAE_CONSOLE_READY_TSC 10

/* Modes. The default (0) is cooked with echo: input is edited a line at a
 * time (backspace erases, Ctrl-U kills the line, Ctrl-D ends the file,
 * Ctrl-C interrupts the foreground) and a read returns whole lines. */
#define RAE_CONSOLE_MODE_RAW    0x1 /* every byte as typed, no editing or signals */
#define RAE_CONSOLE_MODE_NOECHO 0x2 /* typed characters are not printed */
#define RAE_CONSOLE_MODES       0x3

/* READ reply flags (w1). */
#define RAE_CONSOLE_READ_EOF         0x1 /* Ctrl-D on an empty line: end of file */
#define RAE_CONSOLE_READ_INTERRUPTED 0x2 /* Ctrl-C came since the last read */

/* Start-up roles (rae/startup.h) of the handles rae-consoled takes; each
 * resource covers exactly what CONSOLE_INFO names (rae_consoled_start in
 * lib/librae/console_start.c derives them from the root resource). Only
 * the endpoint and the serial resource are required. */
#define RAE_CONSOLED_ROLE_ENDPOINT    0x100 /* the service's endpoint, every right */
#define RAE_CONSOLED_ROLE_SERIAL      0x101 /* I/O ports of the UART; authority for the hand-over */
#define RAE_CONSOLED_ROLE_KBD_DATA    0x102 /* I/O port: PS/2 data */
#define RAE_CONSOLED_ROLE_KBD_STATUS  0x103 /* I/O port: PS/2 status and command */
#define RAE_CONSOLED_ROLE_SERIAL_IRQ  0x104 /* IRQ: the UART's GSI */
#define RAE_CONSOLED_ROLE_KBD_IRQ     0x105 /* IRQ: the keyboard's GSI */
#define RAE_CONSOLED_ROLE_FRAMEBUFFER 0x106 /* MMIO: the framebuffer's pages */

/* The serial line's size, which no protocol reports back. */
#define RAE_CONSOLE_SERIAL_COLUMNS 80
#define RAE_CONSOLE_SERIAL_ROWS    25

#endif
