/* The architecture's debug console (a UART on x86_64), used by kprintf and
 * by the panic path. */
#ifndef HAL_CONSOLE_H
#define HAL_CONSOLE_H

#include <stddef.h>

/* Sets the console up; safe to call more than once. */
void hal_console_init(void);
/* Writes `len` bytes, turning "\n" into "\r\n". Polled: usable anywhere. */
void hal_console_write(const char *s, size_t len);

#endif
