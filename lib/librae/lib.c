/* The memory routines the compiler may call, and simple printing. */
#include <rae.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

size_t rae_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

void rae_puts(const char *s)
{
	rae_debug_write(s, rae_strlen(s));
}

void rae_put_dec(int64_t v)
{
	char buf[24];
	int i = sizeof(buf);
	uint64_t u = v < 0 ? (uint64_t) - (v + 1) + 1 : (uint64_t)v;
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	rae_debug_write(buf + i, sizeof(buf) - (size_t)i);
}

void rae_put_hex(uint64_t v)
{
	char buf[18];
	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	rae_debug_write(buf, sizeof(buf));
}
