/* The kernel console's hand-over to a user-space console service: while
 * it lasts the kernel stops driving the UART and the framebuffer console
 * (a panic still writes to the UART), keeps printing into the log ring and
 * signals the service when the log grows. object/console.c ties it to a
 * handle, so it ends when the service closes that or ends. */
#ifndef CONSOLE_HANDOVER_H
#define CONSOLE_HANDOVER_H

#include <stddef.h>
#include <stdint.h>
#include <object/endpoint.h>
#include <rae/status.h>

/* Starts the hand-over: kernel output goes only to the log from here, and
 * `bits` are set in `n` (may be NULL; a reference is kept) when it grows
 * (at once where waking a thread is safe, else the holder's next read
 * covers it). *log_offset is where the holder's forwarding starts: the
 * devices have shown everything before it. RAE_ERR_BUSY while another
 * hand-over lasts. Thread context, no spinlock held. */
rae_status_t console_handover_begin(notification_t *n, uint64_t bits, uint64_t *log_offset);

/* Takes the console back: the UART is reset and the kernel's devices print
 * again, starting with what the holder never read. Thread context. */
void console_handover_end(void);

/* klog_read on the kernel log, recording how far the holder has read. */
int64_t console_log_read(uint64_t *offset, char *out, size_t cap);

#endif
