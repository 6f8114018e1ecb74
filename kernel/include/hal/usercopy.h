/* The architecture's fault-tolerant copy primitives behind mm/usercopy.h.
 * They do no range checks of their own; callers have done them. */
#ifndef HAL_USERCOPY_H
#define HAL_USERCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <rae/status.h>

/* Copies n bytes with user access open; RAE_ERR_FAULT on a fault. */
rae_status_t hal_copy_user(void *dst, const void *src, size_t n);
/* Copies bytes up to and including a NUL, at most max; returns bytes
 * copied including the NUL, 0 when max ran out first, or RAE_ERR_FAULT. */
long hal_strncpy_user(char *dst, const char *src, size_t max);
/* Reads 8 bytes at addr WITHOUT opening user access (a plain kernel read,
 * as a bug would do it), catching the fault. For tests of SMAP. */
rae_status_t hal_probe_read(const void *addr, uint64_t *out);

/* Set at boot: whether STAC/CLAC exist (SMAP); the primitives skip them
 * otherwise (they would raise #UD). */
extern uint8_t hal_user_access_has_smap;

#endif
