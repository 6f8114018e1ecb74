/* Checked copies between kernel and user memory (mm/usercopy.h) on top of
 * the architecture's fault-catching primitives. */
#include <hal/usercopy.h>
#include <mm/usercopy.h>

rae_status_t copy_from_user(void *dst, const void *user_src, size_t n)
{
	if (!user_range_ok((uintptr_t)user_src, n))
		return RAE_ERR_FAULT;
	return n ? hal_copy_user(dst, user_src, n) : RAE_OK;
}

rae_status_t copy_to_user(void *user_dst, const void *src, size_t n)
{
	if (!user_range_ok((uintptr_t)user_dst, n))
		return RAE_ERR_FAULT;
	return n ? hal_copy_user(user_dst, src, n) : RAE_OK;
}

long strncpy_from_user(char *dst, const char *user_src, size_t max)
{
	uintptr_t src = (uintptr_t)user_src;
	if (max == 0)
		return RAE_ERR_RANGE;
	if (src >= USER_SPACE_END) {
		dst[0] = '\0';
		return RAE_ERR_FAULT;
	}
	/* Never read past the user half, even looking for the NUL. */
	size_t limit = max;
	if (limit > USER_SPACE_END - src)
		limit = USER_SPACE_END - src;
	long n = hal_strncpy_user(dst, user_src, limit);
	if (n < 0) {
		dst[0] = '\0';
		return n;
	}
	if (n == 0) {
		dst[max - 1] = '\0';
		return limit < max ? RAE_ERR_FAULT : RAE_ERR_RANGE;
	}
	return n - 1;
}
