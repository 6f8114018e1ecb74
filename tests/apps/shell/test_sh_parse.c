/* Host tests of rsh's parser (apps/shell/sh.c, which is plain POSIX): POSIX
 * quoting (single quotes, double quotes and the backslashes inside them,
 * backslash outside quotes, backslash-newline), empty arguments, $
 * expansion, and when a line needs another one. sh.c is included whole so
 * that its static parser is reachable; its main is renamed away. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define main rsh_main
#include "../../../apps/shell/sh.c"
#undef main

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The words of the first command of line, joined by '|' ("" for none);
 * NULL when the parser refuses the line. */
static const char *words_of(const char *line, const char **rest)
{
	static char joined[LINE_MAX_LEN * 2];
	static pipeline_t pl;
	const char *r;
	if (parse(line, &pl, &r) != 0)
		return NULL;
	if (rest)
		*rest = r;
	joined[0] = 0;
	for (int i = 0; i < pl.stages[0].argc; i++) {
		if (i)
			strcat(joined, "|");
		strcat(joined, pl.stages[0].argv[i]);
	}
	return joined;
}

static void test_quoting_follows_posix(void **state)
{
	(void)state;
	static const struct {
		const char *line, *words;
	} cases[] = {
	    /* Inside double quotes a backslash escapes only $ ` " \ newline. */
	    {"echo \"a\\nb\"", "echo|a\\nb"},
	    {"echo \"q\\\"q\" \"d\\$x\" \"\\\\\" \"\\`\"", "echo|q\"q|d$x|\\|`"},
	    {"echo \"tab\\t\\ x\"", "echo|tab\\t\\ x"},
	    {"echo \"con\\\ntinued\"", "echo|continued"},
	    {"echo \"two\nlines\"", "echo|two\nlines"},
	    /* Single quotes keep everything, backslashes and newlines too. */
	    {"echo 'x\\y' '$HOME' 'a\\\nb' 'd\"q'", "echo|x\\y|$HOME|a\\\nb|d\"q"},
	    /* Outside quotes a backslash escapes any character. */
	    {"echo a\\ b \\$x \\\\ \\' \\\" \\n", "echo|a b|$x|\\|'|\"|n"},
	    {"echo one \\\ntwo", "echo|one|two"},
	    {"echo a\\\nb", "echo|ab"},
	    /* Empty strings are arguments; quoting joins pieces into one word. */
	    {"echo a \"\" b '' c", "echo|a||b||c"},
	    {"echo \"a\"'b'c\\ d", "echo|abc d"},
	    /* Separators inside quotes are text. */
	    {"echo \"a;b|c>d&e\" 'f#g'", "echo|a;b|c>d&e|f#g"},
	    {"echo # a comment", "echo"},
	    {"echo a#b", "echo|a#b"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *got = words_of(cases[i].line, NULL);
		if (!got || strcmp(got, cases[i].words) != 0)
			fail_msg("case %zu: %s -> '%s', expected '%s'", i, cases[i].line,
				 got ? got : "(refused)", cases[i].words);
	}
}

static void test_expansion(void **state)
{
	(void)state;
	setenv("G", "wo", 1);
	unsetenv("UNSET_NAME");
	last_status = 7;
	assert_string_equal(words_of("echo \"hi $G\" $G \"${G}rld\" $?", NULL),
			    "echo|hi wo|wo|world|7");
	/* An unquoted unset name is no word at all; quoted it is an empty one. */
	assert_string_equal(words_of("echo $UNSET_NAME x \"$UNSET_NAME\" y", NULL), "echo|x||y");
	/* A $ that starts no name is a $. */
	assert_string_equal(words_of("echo $ \"$\" a$ $1 ${", NULL), "echo|$|$|a$|$1|${");
}

static void test_commands_end_at_semicolons_and_newlines(void **state)
{
	(void)state;
	const char *rest = NULL;
	assert_string_equal(words_of("echo a; echo b", &rest), "echo|a");
	assert_string_equal(rest, " echo b");
	assert_string_equal(words_of("echo a\necho b", &rest), "echo|a");
	assert_string_equal(rest, "echo b");
	assert_string_equal(words_of("echo a # c\necho b", &rest), "echo|a");
	assert_string_equal(rest, "echo b");
	assert_null(words_of("echo \"open", NULL));
	assert_null(words_of("echo 'open", NULL));
}

static void test_lines_that_need_another(void **state)
{
	(void)state;
	assert_true(line_continues("echo \"open"));
	assert_true(line_continues("echo 'open"));
	assert_true(line_continues("echo end\\"));
	assert_true(line_continues("echo \"a\nb\\"));
	assert_false(line_continues("echo \"closed\" 'too'"));
	assert_false(line_continues("echo \\\\"));
	assert_false(line_continues("echo 'in single quotes\\' a"));
	assert_false(line_continues("echo \\\""));
	assert_false(line_continues("echo # it's a comment"));
	assert_true(line_continues("echo # comment\necho \"x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quoting_follows_posix),
	    cmocka_unit_test(test_expansion),
	    cmocka_unit_test(test_commands_end_at_semicolons_and_newlines),
	    cmocka_unit_test(test_lines_that_need_another),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
