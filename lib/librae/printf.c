/* Formatted console output for programs without a C library, with the
 * kernel's formatter (kernel/generic/lib/format.c, built for user space). */
#include <stdarg.h>

#include <lib/format.h>
#include <rae.h>

int rae_printf(const char *fmt, ...)
{
	char text[RAE_PRINTF_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(text) - 1)
		n = (int)sizeof(text) - 1;
	if (n > 0)
		rae_debug_write(text, (size_t)n);
	return n;
}
