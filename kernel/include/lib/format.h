/* printf-style formatting for the kernel: one engine (format_v) that feeds any
 * sink, and the C99 snprintf pair built on it. No floating point, no %n. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Widths and precisions above this are clamped to it, so a stray "%999999999d"
 * cannot make a console print a gigabyte of padding. */
#define FORMAT_WIDTH_MAX 4096

/* Receives the output of format_v in pieces; s is not NUL-terminated. */
typedef void (*format_sink_t)(void *ctx, const char *s, size_t len);

/*
 * Formats fmt with ap, handing the output to sink(ctx, ...) in pieces.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, flags - + space # 0, width and
 * precision (digits or *), length modifiers hh h l ll z j t.
 *   %s of NULL prints "(null)" (precision still applies to it).
 *   %p prints "0x" and exactly 16 lowercase hex digits, NULL included
 *      ("0x0000000000000000"); only width and '-' apply to it.
 *   An unknown conversion (%n, %f, a length on %c/%s/%p, ...) is printed
 *   literally ("%q" -> "%q") and consumes no argument beyond its '*'s; a fmt
 *   that ends inside a conversion prints that tail literally. fmt is never
 *   read past its NUL.
 *   Widths and precisions are clamped to FORMAT_WIDTH_MAX.
 * Returns the number of characters produced (clamped to INT_MAX).
 */
int format_v(format_sink_t sink, void *ctx, const char *fmt, va_list ap);

/*
 * C99 vsnprintf: writes at most size bytes into buf, always NUL-terminated when
 * size > 0 (buf may be NULL when size is 0). Returns the length the full output
 * would have had, not counting the NUL; output was truncated if that is >= size.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* kvsnprintf with its arguments inline. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
