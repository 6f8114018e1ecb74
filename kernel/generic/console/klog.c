/* The kernel log ring (console/klog.h): offsets count bytes since boot, so
 * a reader notices what it missed when the writer lapped it. */
#include <console/klog.h>

void klog_append(klog_t *l, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		l->buf[(l->written + i) % KLOG_SIZE] = s[i];
	l->written += len;
}

uint64_t klog_oldest(const klog_t *l)
{
	return l->written > KLOG_SIZE ? l->written - KLOG_SIZE : 0;
}

int64_t klog_read(const klog_t *l, uint64_t *offset, char *out, size_t cap)
{
	if (*offset > l->written)
		return RAE_ERR_RANGE;
	if (*offset < klog_oldest(l))
		*offset = klog_oldest(l);
	uint64_t n = l->written - *offset;
	if (n > cap)
		n = cap;
	for (uint64_t i = 0; i < n; i++)
		out[i] = l->buf[(*offset + i) % KLOG_SIZE];
	*offset += n;
	return (int64_t)n;
}
