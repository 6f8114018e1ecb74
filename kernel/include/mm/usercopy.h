/* Copying between kernel and user memory. The only way kernel code touches
 * a user address: each call checks that the whole range lies in the user
 * half, opens user access (STAC) just around the copy, and turns a fault
 * into RAE_ERR_FAULT through the exception fixup table. */
#ifndef MM_USERCOPY_H
#define MM_USERCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <rae/status.h>

/* User addresses are [0, USER_SPACE_END). */
#define USER_SPACE_END 0x0000800000000000ull

/* Copies n bytes. RAE_OK, or RAE_ERR_FAULT when the user range is outside
 * the user half or any of it is unmapped (dst may then be partly written). */
rae_status_t copy_from_user(void *dst, const void *user_src, size_t n);
rae_status_t copy_to_user(void *user_dst, const void *src, size_t n);

/* Copies a NUL-terminated string of at most max-1 characters plus its NUL.
 * Returns its length (without the NUL), RAE_ERR_RANGE when no NUL comes
 * within max bytes, or RAE_ERR_FAULT. dst is always NUL-terminated when
 * max > 0. */
long strncpy_from_user(char *dst, const char *user_src, size_t max);

/* True when [addr, addr+n) is entirely in the user half. */
static inline int user_range_ok(uintptr_t addr, size_t n)
{
	return addr < USER_SPACE_END && n <= USER_SPACE_END - addr;
}

#endif
