/* Reading options from the kernel command line ("key=value" and bare
 * "flag" words separated by spaces). */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Finds `key` in `cmdline`. For "key=value" copies value into val (at most
 * len-1 bytes, NUL-terminated) and returns true; a bare "key" gives "".
 * Returns false when the key is absent or its value does not fit. */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len);

/* True when `key` appears, bare or as "key=anything". */
bool cmdline_has(const char *cmdline, const char *key);

#endif
