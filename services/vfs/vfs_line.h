/* A console line built in a buffer, so that it reaches the console in one
 * write, whole, whatever else is printing. */
#ifndef VFS_LINE_H
#define VFS_LINE_H

#include "vfs_base.h"

typedef struct {
	char buf[320];
	size_t len;
} vfs_line_t;

/* Appends s (cut at the buffer's end). */
static inline void line_add(vfs_line_t *l, const char *s)
{
	while (*s && l->len + 1 < sizeof(l->buf))
		l->buf[l->len++] = *s++;
	l->buf[l->len] = 0;
}

/* Appends v in base 8, 10 or 16. */
static inline void line_add_num(vfs_line_t *l, uint64_t v, unsigned base)
{
	char tmp[24], out[25];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
	line_add(l, out);
}

#endif
