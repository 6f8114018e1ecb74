/* Kernel tests of the library code as built for the kernel (freestanding,
 * no SSE, kernel code model): formatting, command line, strings. */
#include <cmdline.h>
#include <lib/format.h>
#include <stdint.h>
#include <string.h>
#include <test/ktest.h>

static bool formats_to(const char *expected, const char *fmt, ...) PRINTF_LIKE(2, 3);

static bool formats_to(const char *expected, const char *fmt, ...)
{
	char buf[96];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return n == (int)strlen(expected) && strcmp(buf, expected) == 0;
}

KTEST(format_integers)
{
	KTEST_EXPECT(t, formats_to("42", "%d", 42));
	KTEST_EXPECT(t, formats_to("-9223372036854775808", "%ld", INT64_MIN));
	KTEST_EXPECT(t, formats_to("18446744073709551615", "%lu", UINT64_MAX));
	KTEST_EXPECT(t, formats_to("0x00ff", "%#06x", 255));
	KTEST_EXPECT(t, formats_to("  -7|", "%4d|", -7));
	KTEST_EXPECT(t, formats_to("-7  |", "%-4d|", -7));
	KTEST_EXPECT(t, formats_to("+5 0017", "%+d %04o", 5, 15));
	KTEST_EXPECT(t, formats_to("DEADBEEF", "%X", 0xdeadbeefu));
	KTEST_EXPECT(t, formats_to("0x0000000000001000", "%p", (void *)0x1000));
}

KTEST(format_strings_and_truncation)
{
	char buf[8];
	KTEST_EXPECT(t, formats_to("[  abc]", "[%5s]", "abc"));
	KTEST_EXPECT(t, formats_to("[ab]", "[%.2s]", "abcdef"));
	const char *volatile null_string = NULL; /* hidden from -Wformat */
	KTEST_EXPECT(t, formats_to("(null)", "%s", null_string));
	KTEST_EXPECT(t, formats_to("x%", "%c%%", 'x'));
	KTEST_EXPECT_EQ(t, ksnprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	KTEST_EXPECT(t, strcmp(buf, "0123456") == 0);
	KTEST_EXPECT_EQ(t, ksnprintf(NULL, 0, "%d", 12345), 5);
}

KTEST(cmdline_options)
{
	char v[16];
	const char *cl = "quiet test=all panic=exit x=";
	KTEST_EXPECT(t, cmdline_get(cl, "test", v, sizeof(v)) && strcmp(v, "all") == 0);
	KTEST_EXPECT(t, cmdline_get(cl, "quiet", v, sizeof(v)) && v[0] == '\0');
	KTEST_EXPECT(t, cmdline_get(cl, "x", v, sizeof(v)) && v[0] == '\0');
	KTEST_EXPECT(t, !cmdline_get(cl, "tes", v, sizeof(v)));
	KTEST_EXPECT(t, !cmdline_get(cl, "missing", v, sizeof(v)));
	KTEST_EXPECT(t, !cmdline_get(cl, "panic", v, 4)); /* "exit" does not fit */
	KTEST_EXPECT(t,
		     cmdline_has(cl, "panic") && cmdline_has(cl, "quiet") && cmdline_has(cl, "x"));
	KTEST_EXPECT(t, !cmdline_has(cl, "pan") && !cmdline_has(cl, "exit"));
}

KTEST(string_functions)
{
	char a[32];
	memset(a, 'x', sizeof(a));
	memcpy(a, "hello", 6);
	KTEST_EXPECT_EQ(t, strlen(a), 5);
	KTEST_EXPECT_EQ(t, (uint8_t)a[6], 'x');
	memmove(a + 1, a, 6); /* overlapping, forwards */
	KTEST_EXPECT(t, memcmp(a, "hhello", 7) == 0);
	memmove(a, a + 1, 6); /* overlapping, backwards */
	KTEST_EXPECT(t, strcmp(a, "hello") == 0);
	const char *volatile abc = "abc"; /* at run time, not folded by the compiler */
	KTEST_EXPECT(t, strncmp(abc, "abd", 2) == 0 && strncmp(abc, "abd", 3) < 0);
	KTEST_EXPECT(t, strchr("abc", 'c') != NULL && strchr("abc", 'z') == NULL);
	KTEST_EXPECT_EQ(t, strnlen("abcdef", 3), 3);
}
