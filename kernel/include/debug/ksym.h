/* The kernel's own symbol table, generated at build time from the linked
 * image (tools/build/ksyms.py), for symbolized backtraces. */
#ifndef DEBUG_KSYM_H
#define DEBUG_KSYM_H

#include <stddef.h>
#include <stdint.h>

/* The name of the function containing `addr`, with *offset set to addr's
 * distance from its start; NULL when addr is not in kernel text. */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset);

/* The address of the function called `name`, or 0. */
uintptr_t ksym_address(const char *name);

/* Writes "<name+0xoff>" or "<?>" into buf (always NUL-terminated). */
void ksym_format(uintptr_t addr, char *buf, size_t len);

/* How many symbols the table holds (0 means the table is missing). */
size_t ksym_count(void);

#endif
