/* Host tests for the console service's line discipline and keyboard
 * decoder (services/console/ldisc.c, keyboard.c): editing, end of file,
 * interrupt, raw mode, echoes, and scancodes with Shift, Ctrl, Caps Lock
 * and the extended keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <rae/console.h>

#include "../../../services/console/keyboard.h"
#include "../../../services/console/ldisc.h"

static char echoed[8192];
static size_t echoed_len;

static void echo(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	memcpy(echoed + echoed_len, s, len);
	echoed_len += len;
}

static ldisc_t ld;

static unsigned type(const char *s)
{
	unsigned ev = 0;
	for (; *s; s++)
		ev |= ldisc_input(&ld, (uint8_t)*s);
	return ev;
}

static int setup(void **state)
{
	(void)state;
	echoed_len = 0;
	ldisc_init(&ld, echo, NULL);
	return 0;
}

static void expect_read(const char *want, bool want_eof)
{
	char buf[LDISC_LINE_MAX + 8];
	bool eof;
	size_t n = ldisc_read(&ld, buf, sizeof(buf), &eof);
	assert_int_equal(eof, want_eof);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
}

static void test_cooked_lines_with_erase_and_kill(void **state)
{
	(void)state;
	assert_int_equal(type("hellp"), 0);
	assert_false(ldisc_ready(&ld)); /* no line until Enter */
	assert_int_equal(type("\x7fo\bo world"), 0);
	assert_int_equal(type("\r"), LDISC_READY);
	expect_read("hello world\n", false);
	assert_false(ldisc_ready(&ld));
	type("junk\x15line two\n");
	expect_read("line two\n", false);
	echoed[echoed_len] = 0;
	assert_string_equal(echoed, "hellp\b \bo\b \bo world\njunk\b \b\b \b\b \b\b \bline two\n");
	/* Erasing an empty line echoes nothing. */
	echoed_len = 0;
	type("\x7f\x15");
	assert_int_equal(echoed_len, 0);
}

static void test_lines_queue_and_read_one_at_a_time(void **state)
{
	(void)state;
	type("one\ntwo\n");
	expect_read("one\n", false);
	expect_read("two\n", false);
	/* A short reader gets the rest of the line next time. */
	type("abcdef\n");
	char buf[4];
	bool eof;
	assert_int_equal(ldisc_read(&ld, buf, 4, &eof), 4);
	expect_read("ef\n", false);
}

static void test_ctrl_d_and_ctrl_c(void **state)
{
	(void)state;
	assert_int_equal(type("\x04"), LDISC_READY);
	expect_read("", true);
	type("part\x04");
	expect_read("part", false); /* a half line is handed over without EOF */
	type("lost\n");
	type("half");
	assert_int_equal(type("\x03"), LDISC_INTERRUPT);
	assert_false(ldisc_ready(&ld)); /* Ctrl-C drops the typed-ahead input */
	type("x\n");
	expect_read("x\n", false);
	echoed[echoed_len] = 0;
	assert_non_null(strstr(echoed, "half^C\n"));
}

static void test_raw_mode(void **state)
{
	(void)state;
	type("ab");
	assert_int_equal(ldisc_set_mode(&ld, RAE_CONSOLE_MODE_RAW), LDISC_READY);
	expect_read("ab", false); /* the half line became ready */
	assert_int_equal(type("\x03\x7f\x04\r"), LDISC_READY);
	expect_read("\x03\x7f\x04\r", false);
	/* Raw with no echo: nothing printed. */
	ldisc_set_mode(&ld, RAE_CONSOLE_MODE_RAW | RAE_CONSOLE_MODE_NOECHO);
	echoed_len = 0;
	type("zz");
	assert_int_equal(echoed_len, 0);
	expect_read("zz", false);
}

static void test_overflow_is_bounded(void **state)
{
	(void)state;
	for (int i = 0; i < LDISC_LINE_MAX * 2; i++)
		ldisc_input(&ld, 'a');
	ldisc_input(&ld, '\n');
	char buf[LDISC_LINE_MAX * 2];
	bool eof;
	size_t n = ldisc_read(&ld, buf, sizeof(buf), &eof);
	assert_int_equal(n, LDISC_LINE_MAX);
	assert_int_equal(buf[n - 1], '\n');
	/* The ready queue is bounded too. */
	ldisc_set_mode(&ld, RAE_CONSOLE_MODE_RAW | RAE_CONSOLE_MODE_NOECHO);
	for (int i = 0; i < LDISC_QUEUE_MAX + 10; i++)
		ldisc_input(&ld, 'b');
	assert_int_equal(ld.queue_len, LDISC_QUEUE_MAX);
}

static size_t keys(kbd_t *k, const uint8_t *codes, size_t n, char *out)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += kbd_scancode(k, codes[i], out + len);
	return len;
}

static void test_scancodes(void **state)
{
	(void)state;
	kbd_t k = {0};
	char out[64];
	/* h, Shift+i, release, '1' with shift -> "hI!" */
	const uint8_t hi[] = {0x23, 0xa3, 0x2a, 0x17, 0x97, 0x02, 0x82, 0xaa};
	size_t n = keys(&k, hi, sizeof(hi), out);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "hI!", 3);
	/* Caps Lock: letters upper, digits not; Shift undoes it for letters. */
	const uint8_t caps[] = {0x3a, 0xba, 0x1e, 0x9e, 0x02, 0x82,
				0x36, 0x1e, 0x9e, 0xb6, 0x3a, 0xba};
	n = keys(&k, caps, sizeof(caps), out);
	assert_memory_equal(out, "A1a", 3);
	assert_int_equal(n, 3);
	/* Ctrl-C, Ctrl-U (left and right Ctrl), Enter, Backspace. */
	const uint8_t ctl[] = {0x1d, 0x2e, 0xae, 0x9d, 0xe0, 0x1d, 0x16, 0xe0, 0x9d, 0x1c, 0x0e};
	n = keys(&k, ctl, sizeof(ctl), out);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "\x03\x15\r\x7f", 4);
	/* Arrows as ANSI escapes; fake shifts and Pause ignored. */
	const uint8_t ext[] = {0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x4b, 0xe0,
			       0xaa, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x39};
	n = keys(&k, ext, sizeof(ext), out);
	assert_int_equal(n, 7);
	assert_memory_equal(out, "\x1b[A\x1b[D ", 7);
	assert_false(k.shift_left || k.shift_right || k.ctrl_left || k.ctrl_right);
	/* Every byte is safe to feed. */
	for (int v = 0; v < 256; v++)
		assert_true(kbd_scancode(&k, (uint8_t)v, out) <= KBD_OUT_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_cooked_lines_with_erase_and_kill, setup),
	    cmocka_unit_test_setup(test_lines_queue_and_read_one_at_a_time, setup),
	    cmocka_unit_test_setup(test_ctrl_d_and_ctrl_c, setup),
	    cmocka_unit_test_setup(test_raw_mode, setup),
	    cmocka_unit_test_setup(test_overflow_is_bounded, setup),
	    cmocka_unit_test(test_scancodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
