/* Kernel printing: formatted text to every console (serial and framebuffer). */
#ifndef CONSOLE_KPRINTF_H
#define CONSOLE_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include <compiler.h>

int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int kvprintf(const char *fmt, va_list ap);
/* Writes raw bytes to every console. */
void kputs_n(const char *s, size_t len);

#endif
