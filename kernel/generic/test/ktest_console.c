/* Kernel tests of the console hand-over and the console service:
 * bin/consoletest, given the root resource, checks the hand-over calls and
 * the kernel log, starts bin/consoled and talks to it as a client. The
 * interactive variant also reads what the harness types on the serial line
 * and the PS/2 keyboard and shows a screen the harness checks
 * (tools/test/console.py). */
#include <console/kprintf.h>
#include <test/ktest.h>
#include <test/ktest_user.h>

KTEST(user_console_service)
{
	KTEST_EXPECT_EQ(t, ktest_run_with_root(t, "bin/consoletest", 0), 0);
	/* The console is the kernel's again: this line reaches the UART. */
	kprintf("# console: the kernel prints again after the service ended\n");
}

KTEST_INTERACTIVE(user_console_interactive)
{
	KTEST_EXPECT_EQ(t, ktest_run_with_root(t, "bin/consoletest", KTEST_ROOT_INTERACTIVE), 0);
	kprintf("# console: the kernel prints again after the service ended\n");
}
