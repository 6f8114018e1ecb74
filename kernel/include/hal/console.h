/* The architecture's debug console (a UART on x86_64), used by kprintf and
 * by the panic path. */
#ifndef HAL_CONSOLE_H
#define HAL_CONSOLE_H

#include <stddef.h>
#include <stdbool.h>
#include <rae/console.h>

/* Sets the console up; safe to call more than once. */
void hal_console_init(void);
/* Writes `len` bytes, turning "\n" into "\r\n". Polled: usable anywhere. */
void hal_console_write(const char *s, size_t len);

/* The console's devices (serial port, keyboard, their interrupt lines) for
 * RAE_SYS_CONSOLE_INFO; the framebuffer fields are left to the caller. */
void hal_console_describe(rae_console_hw_t *hw);

/* Hands the console's devices to a user-space service (true) or takes
 * them back (false): their interrupt lines become claimable by interrupt
 * objects, and taking back resets the UART for the kernel's polled use.
 * Called with kprintf's console lock held. */
void hal_console_handover(bool to_service);

#endif
