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

/* The requests, their numbers and layouts are declared in
 * services/contracts/console.contract; the build generates
 * <rae/console_contract.h> from it (docs/contracts/console.md). */

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
