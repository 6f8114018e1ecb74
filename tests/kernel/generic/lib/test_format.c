/* Host tests for the kernel printf engine: hundreds of conversions checked
 * against the host's snprintf, plus our own %p, unknown-conversion and
 * truncation rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/format.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define OUT_MAX      512

static unsigned cases_checked;

/* Formats with both engines and fails the test, naming the case, on any difference. */
static void check_format_v(int line, const char *fmt, va_list ap)
{
	char expected[OUT_MAX];
	char actual[OUT_MAX];
	va_list ap_host;
	va_list ap_ours;
	int n_expected;
	int n_actual;

	va_copy(ap_host, ap);
	va_copy(ap_ours, ap);
	n_expected = vsnprintf(expected, sizeof(expected), fmt, ap_host);
	n_actual = kvsnprintf(actual, sizeof(actual), fmt, ap_ours);
	va_end(ap_host);
	va_end(ap_ours);
	cases_checked++;
	if (n_expected != n_actual || n_expected < 0 || n_expected >= OUT_MAX ||
	    memcmp(expected, actual, (size_t)n_expected + 1) != 0)
		fail_msg("line %d: fmt \"%s\": expected \"%s\" (%d), got \"%s\" (%d)", line, fmt,
			 expected, n_expected, actual, n_actual);
}

static void check_format_at(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check_format_at(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_format_v(line, fmt, ap);
	va_end(ap);
}

/* Variadic wrapper for table rows, whose formats are not literals. */
static void check_row(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_format_v(line, fmt, ap);
	va_end(ap);
}

#define CHECK(...) check_format_at(__LINE__, __VA_ARGS__)

/* Checks that our output (not the host's) is exactly want, with want's length returned. */
static void expect_at(int line, const char *want, const char *fmt, ...)
{
	char actual[OUT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(actual, sizeof(actual), fmt, ap);
	va_end(ap);
	if (n != (int)strlen(want) || strcmp(actual, want) != 0)
		fail_msg("line %d: fmt \"%s\": expected \"%s\", got \"%s\" (%d)", line, fmt, want,
			 actual, n);
}

#define EXPECT(want, ...) expect_at(__LINE__, want, __VA_ARGS__)

/* A copy of s in a heap block of exactly strlen + 1 bytes, so ASan sees overreads. */
static char *heap_fmt(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static const char *const int_fmts[] = {
    "%d",    "%i",    "%5d",     "%-5d|",   "%05d",  "%+d",     "% d",      "%+ d",
    "%.3d",  "%.0d",  "%8.3d",   "%-8.3d|", "%+08d", "% 08d",   "%-+8d|",   "%08.3d",
    "%1d",   "%20d",  "%-20d|",  "%020d",   "%.10d", "%+.5d",   "%0-8d|",   "%-08d|",
    "%+.0d", "% .0d", "%+05.0d", "x%dy",    "%d%d",  "%12.11i", "%-+015d|", "% 15.12d",
};

static const int int_values[] = {
    0, 1, -1, 7, -7, 42, -42, 100, -100, 12345, -12345, INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1,
};

static void test_format_int_table(void **state)
{
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(int_fmts); f++)
		for (v = 0; v < ARRAY_LEN(int_values); v++)
			check_row(__LINE__, int_fmts[f], int_values[v], int_values[v]);
}

static const char *const unsigned_fmts[] = {
    "%u",    "%x",      "%X",    "%o",     "%#x",       "%#X",      "%#o",   "%5u",
    "%-5x|", "%08x",    "%#08x", "%#-8x|", "%.0u",      "%.0x",     "%#.0o", "%#.0x",
    "%.5o",  "%#.5o",   "%#3o",  "%12.6X", "%-#12.6o|", "%#012x",   "%#.3x", "%+u",
    "% u",   "%#5.0x|", "%#1o",  "%010o",  "%-10X|",    "%#20.15x",
};

static const unsigned unsigned_values[] = {
    0, 1, 7, 8, 9, 15, 16, 255, 256, 0x7fffffffu, 0x80000000u, UINT_MAX, 01234567u, 0xdeadbeefu,
};

static void test_format_unsigned_table(void **state)
{
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(unsigned_fmts); f++)
		for (v = 0; v < ARRAY_LEN(unsigned_values); v++)
			check_row(__LINE__, unsigned_fmts[f], unsigned_values[v]);
}

static const char *const ll_fmts[] = {
    "%lld",     "%lli",    "%llu",  "%llx",  "%llX",    "%llo",  "%+lld",  "%25lld",
    "%-25lld|", "%025lld", "%#llx", "%#llo", "%.20lld", "% lld", "%.0llu", "%#30.25llX",
};

static const long long ll_values[] = {
    0,
    1,
    -1,
    LLONG_MAX,
    LLONG_MIN,
    LLONG_MIN + 1,
    0x123456789abcdefLL,
    -0x123456789abcdefLL,
    4294967296LL,
    -4294967296LL,
};

static void test_format_long_long_table(void **state)
{
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(ll_fmts); f++)
		for (v = 0; v < ARRAY_LEN(ll_values); v++)
			check_row(__LINE__, ll_fmts[f], ll_values[v]);
}

static const char *const long_fmts[] = {
    "%ld", "%li", "%lu", "%lx", "%lX", "%lo", "%+ld", "%-22ld|", "%022lx", "%#lo", "%.19ld",
};

static const long long_values[] = {0, 1, -1, LONG_MAX, LONG_MIN, 1L << 40, -(1L << 40)};

static void test_format_long_table(void **state)
{
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(long_fmts); f++)
		for (v = 0; v < ARRAY_LEN(long_values); v++)
			check_row(__LINE__, long_fmts[f], long_values[v]);
}

static const char *const short_fmts[] = {
    "%hhd", "%hhi", "%hhu",  "%hhx",  "%hho",  "%hd",    "%hi",   "%hu",
    "%hx",  "%ho",  "%+hhd", "%5hhd", "%#hhx", "%-7hd|", "%07hu", "%#hX",
};

static const int short_values[] = {
    0,   127,   128,   255,   256,   -1,     -128,    -129,
    300, 32767, 32768, 65535, 65536, -32769, INT_MIN, INT_MAX,
};

static void test_format_short_table(void **state)
{
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(short_fmts); f++)
		for (v = 0; v < ARRAY_LEN(short_values); v++)
			check_row(__LINE__, short_fmts[f], short_values[v]);
}

static void test_format_size_max_ptrdiff(void **state)
{
	static const size_t sizes[] = {0, 1, 4096, SIZE_MAX, SIZE_MAX / 2, (size_t)1 << 63};
	static const intmax_t maxes[] = {0, -1, INTMAX_MAX, INTMAX_MIN, 1234567890123LL};
	static const ptrdiff_t diffs[] = {0, -1, PTRDIFF_MAX, PTRDIFF_MIN, -4096};
	static const char *const z_fmts[] = {"%zu", "%zx", "%zo", "%zd", "%25zu", "%#zx"};
	static const char *const j_fmts[] = {"%jd", "%ji", "%ju", "%jx", "%+jd", "%-25jd|"};
	static const char *const t_fmts[] = {"%td", "%ti", "%tx", "%tu", "%to", "%+030td"};
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(z_fmts); f++)
		for (v = 0; v < ARRAY_LEN(sizes); v++)
			check_row(__LINE__, z_fmts[f], sizes[v]);
	for (f = 0; f < ARRAY_LEN(j_fmts); f++)
		for (v = 0; v < ARRAY_LEN(maxes); v++)
			check_row(__LINE__, j_fmts[f], maxes[v]);
	for (f = 0; f < ARRAY_LEN(t_fmts); f++)
		for (v = 0; v < ARRAY_LEN(diffs); v++)
			check_row(__LINE__, t_fmts[f], diffs[v]);
}

static void test_format_string_table(void **state)
{
	static const char *const fmts[] = {
	    "%s",       "%10s", "%-10s|", "%.0s", "%.1s", "%.3s",    "%.10s", "%10.3s",
	    "%-10.3s|", "%3s",  "[%s]",   "%1s",  "%-1s", "%20.20s", "%.5s!",
	};
	static const char *const strs[] = {"", "a", "hello", "hello, world", "with\ttab", "%d"};
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(fmts); f++)
		for (v = 0; v < ARRAY_LEN(strs); v++)
			check_row(__LINE__, fmts[f], strs[v]);
}

static void test_format_char_table(void **state)
{
	static const char *const fmts[] = {"%c", "%3c", "%-3c|", "[%c]", "%1c", "%c%c"};
	static const int chars[] = {'a', 'Z', '0', ' ', 0x7f, 0xe9, '%'};
	size_t f, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(fmts); f++)
		for (v = 0; v < ARRAY_LEN(chars); v++)
			check_row(__LINE__, fmts[f], chars[v], chars[v]);
}

static void test_format_char_nul(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	/* A NUL from %c counts and is stored, like any other character. */
	assert_int_equal(ksnprintf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_memory_equal(buf, "a\0b\0", 4);
}

static void test_format_star(void **state)
{
	(void)state;
	CHECK("%*d", 5, 42);
	CHECK("%-*d|", 5, 42);
	CHECK("%*d|", -5, 42);
	CHECK("%.*d", 3, 7);
	CHECK("%.*d", -1, 7);
	CHECK("%.*d", 0, 0);
	CHECK("%*.*d", 8, 4, -7);
	CHECK("%-*.*x|", 9, 3, 0xabu);
	CHECK("%0*d", 6, -12);
	CHECK("%.*s", 3, "abcdef");
	CHECK("%.*s", -1, "abc");
	CHECK("%*s|", -6, "ab");
	CHECK("%*c", 4, 'x');
	CHECK("%*d %*d", 3, 1, -3, 2);
}

static void test_format_mixed(void **state)
{
	(void)state;
	CHECK("%s", "");
	CHECK("plain text, no conversions");
	CHECK("%%");
	CHECK("100%% sure");
	CHECK("a%db%sc%xd%%e%c", -5, "mid", 0x1fu, 'z');
	CHECK("%d %u %x %o %c %s", -1, 2u, 3u, 8u, 'c', "str");
	CHECK("[%5s|%-5s|%05d|%-5d|%5x]", "ab", "cd", 42, 42, 0xffu);
	CHECK("%lld %hhd %zu %s", LLONG_MIN, -1, (size_t)99, "end");
	CHECK("%#x %#X %#o", 0u, 0u, 0u);
}

static void test_format_pointer(void **state)
{
	(void)state;
	EXPECT("0x0000000000000000", "%p", (void *)NULL);
	EXPECT("0x0000000000001234", "%p", (void *)0x1234);
	EXPECT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	EXPECT("0xffffffff80000000", "%p", (void *)0xffffffff80000000ull);
	EXPECT("  0x00000000deadbeef", "%20p", (void *)0xdeadbeef);
	EXPECT("0x00000000deadbeef  |", "%-20p|", (void *)0xdeadbeef);
	EXPECT("0x0000000000000010", "%5p", (void *)16);
	EXPECT("p=0x000000000000abcd!", "p=%p!", (void *)0xabcd);
}

static void test_format_null_string(void **state)
{
	const char *volatile null_str = NULL;

	(void)state;
	EXPECT("(null)", "%s", null_str);
	EXPECT("  (null)", "%8s", null_str);
	EXPECT("(null)  |", "%-8s|", null_str);
	EXPECT("(nu", "%.3s", null_str);
}

/* Runs one format with a heap copy of fmt and checks our literal output. */
static void expect_heap(int line, const char *want, const char *fmt_text, int arg)
{
	char *fmt = heap_fmt(fmt_text);
	char actual[OUT_MAX];
	int n = ksnprintf(actual, sizeof(actual), fmt, arg);

	if (n != (int)strlen(want) || strcmp(actual, want) != 0)
		fail_msg("line %d: fmt \"%s\": expected \"%s\", got \"%s\" (%d)", line, fmt_text,
			 want, actual, n);
	free(fmt);
}

static void test_format_unknown_and_unfinished(void **state)
{
	(void)state;
	expect_heap(__LINE__, "%q", "%q", 1);
	expect_heap(__LINE__, "a%qb", "a%qb", 1);
	expect_heap(__LINE__, "%5q", "%5q", 1);
	expect_heap(__LINE__, "%-#08.3lq", "%-#08.3lq", 1);
	expect_heap(__LINE__, "%q7", "%q%d", 7);
	expect_heap(__LINE__, "%n 5", "%n %d", 5);
	expect_heap(__LINE__, "%f3", "%f%d", 3);
	expect_heap(__LINE__, "%lsX7", "%lsX%d", 7);
	expect_heap(__LINE__, "%lc8", "%lc%d", 8);
	expect_heap(__LINE__, "%zp9", "%zp%d", 9);
	expect_heap(__LINE__, "%L2", "%L%d", 2);
	expect_heap(__LINE__, "%", "%", 1);
	expect_heap(__LINE__, "abc%", "abc%", 1);
	expect_heap(__LINE__, "1%-5", "%d%-5", 1);
	expect_heap(__LINE__, "%ll", "%ll", 1);
	expect_heap(__LINE__, "%hh", "%hh", 1);
	expect_heap(__LINE__, "%5.3", "%5.3", 1);
	expect_heap(__LINE__, "%.", "%.", 1);
	expect_heap(__LINE__, "%#", "%#", 1);
	expect_heap(__LINE__, "", "", 1);
}

static void test_format_width_clamp(void **state)
{
	volatile int huge_width = INT_MAX;
	volatile int min_width = INT_MIN;
	char *fmt;

	(void)state;
	fmt = heap_fmt("%5000d");
	assert_int_equal(ksnprintf(NULL, 0, fmt, 1), FORMAT_WIDTH_MAX);
	free(fmt);
	fmt = heap_fmt("%.5000d");
	assert_int_equal(ksnprintf(NULL, 0, fmt, 1), FORMAT_WIDTH_MAX);
	free(fmt);
	fmt = heap_fmt("%99999999999999999999999d");
	assert_int_equal(ksnprintf(NULL, 0, fmt, 1), FORMAT_WIDTH_MAX);
	free(fmt);
	/* volatile: gcc would otherwise reject the huge widths at compile time. */
	assert_int_equal(ksnprintf(NULL, 0, "%*d", huge_width, 1), FORMAT_WIDTH_MAX);
	assert_int_equal(ksnprintf(NULL, 0, "%*d", min_width, 1), FORMAT_WIDTH_MAX);
	assert_int_equal(ksnprintf(NULL, 0, "%.*d", huge_width, 1), FORMAT_WIDTH_MAX);
	/* Just under the clamp behaves as C says. */
	assert_int_equal(ksnprintf(NULL, 0, "%4000d", 1), 4000);
}

/* Truncates at every size from 0 to past the end and compares with snprintf. */
static void check_truncation(const char *fmt, ...)
{
	char full[OUT_MAX];
	va_list ap;
	int len;
	size_t size;

	va_start(ap, fmt);
	len = vsnprintf(full, sizeof(full), fmt, ap);
	va_end(ap);
	assert_true(len >= 0 && len < 200);
	for (size = 0; size <= (size_t)len + 3; size++) {
		char buf[256];
		int n;

		memset(buf, 0xaa, sizeof(buf));
		va_start(ap, fmt);
		n = kvsnprintf(size == 0 ? NULL : buf, size, fmt, ap);
		va_end(ap);
		assert_int_equal(n, len);
		if (size > 0) {
			size_t kept = size - 1 < (size_t)len ? size - 1 : (size_t)len;

			assert_memory_equal(buf, full, kept);
			assert_int_equal(buf[kept], '\0');
		}
		/* Nothing at or beyond size may be touched. */
		for (size_t i = size; i < sizeof(buf); i++)
			assert_int_equal((unsigned char)buf[i], 0xaa);
	}
}

static void test_format_truncation(void **state)
{
	(void)state;
	check_truncation("hello %d world %s", 12345, "xyz");
	check_truncation("%-20s|%020lld", "pad", LLONG_MIN);
	check_truncation("%#x%%%c", 0xabcdefu, 'q');
	check_truncation("");
}

static void test_format_size_zero_and_one(void **state)
{
	char buf[4] = {'x', 'y', 'z', 'w'};

	(void)state;
	assert_int_equal(ksnprintf(NULL, 0, "%d", 123456), 6);
	assert_int_equal(ksnprintf(buf, 0, "%d", 123456), 6);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(ksnprintf(buf, 1, "%d", 123456), 6);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'y');
	assert_int_equal(ksnprintf(buf, 1, "%s", ""), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(ksnprintf(buf, 2, "%s", "ab"), 2);
	assert_string_equal(buf, "a");
	assert_int_equal(buf[2], 'z');
}

typedef struct {
	char text[8192];
	size_t len;
	unsigned calls;
	unsigned empty_calls;
} collect_sink_t;

static void collect_sink(void *ctx, const char *s, size_t len)
{
	collect_sink_t *c = ctx;

	c->calls++;
	if (len == 0)
		c->empty_calls++;
	assert_true(c->len + len < sizeof(c->text));
	memcpy(c->text + c->len, s, len);
	c->len += len;
	c->text[c->len] = '\0';
}

static int format_collect(collect_sink_t *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	memset(c, 0, sizeof(*c));
	va_start(ap, fmt);
	n = format_v(collect_sink, c, fmt, ap);
	va_end(ap);
	return n;
}

static void test_format_v_sink(void **state)
{
	collect_sink_t c;
	char expected[128];

	(void)state;
	assert_int_equal(format_collect(&c, "a=%d b=%s c=%#x", -3, "bee", 0xcu), 16);
	assert_string_equal(c.text, "a=-3 b=bee c=0xc");
	assert_int_equal(c.len, 16);
	assert_int_equal(c.empty_calls, 0);

	/* Padding is handed over in chunks, not one character per call. */
	assert_int_equal(format_collect(&c, "%100d", 7), 100);
	snprintf(expected, sizeof(expected), "%100d", 7);
	assert_string_equal(c.text, expected);
	assert_true(c.calls <= 8);

	assert_int_equal(format_collect(&c, "%s", ""), 0);
	assert_int_equal(c.calls, 0);

	/* A long run through a sink: output far beyond any one buffer. */
	assert_int_equal(format_collect(&c, "%4000s|%4000d", "x", 1), 8001);
	assert_int_equal(c.len, 8001);
}

/* Runs last: guards against the tables silently shrinking to nothing. */
static void test_format_oracle_count(void **state)
{
	(void)state;
	assert_true(cases_checked >= 1500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_int_table),
	    cmocka_unit_test(test_format_unsigned_table),
	    cmocka_unit_test(test_format_long_long_table),
	    cmocka_unit_test(test_format_long_table),
	    cmocka_unit_test(test_format_short_table),
	    cmocka_unit_test(test_format_size_max_ptrdiff),
	    cmocka_unit_test(test_format_string_table),
	    cmocka_unit_test(test_format_char_table),
	    cmocka_unit_test(test_format_char_nul),
	    cmocka_unit_test(test_format_star),
	    cmocka_unit_test(test_format_mixed),
	    cmocka_unit_test(test_format_pointer),
	    cmocka_unit_test(test_format_null_string),
	    cmocka_unit_test(test_format_unknown_and_unfinished),
	    cmocka_unit_test(test_format_width_clamp),
	    cmocka_unit_test(test_format_truncation),
	    cmocka_unit_test(test_format_size_zero_and_one),
	    cmocka_unit_test(test_format_v_sink),
	    cmocka_unit_test(test_format_oracle_count),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
