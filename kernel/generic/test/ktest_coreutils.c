/* The commands (apps/coreutils) before there is a shell to run them:
 * bin/coreutilstest, started as the first process, runs each against
 * rae-vfsd and checks exit statuses and effects (each case a KTAP subtest;
 * tools/test/log_checks.py matches some of the commands' output). */
#include <proc/bootstrap.h>
#include <proc/process.h>
#include <test/ktest.h>

KTEST(user_coreutils)
{
	rae_status_t st;
	process_t *p = bootstrap_start("bin/coreutilstest", 10000000000ull, &st);
	if (!KTEST_EXPECT_EQ(t, st, RAE_OK) || !p)
		return;
	int status = -1;
	KTEST_EXPECT_EQ(t, process_wait(p, &status), RAE_OK);
	KTEST_EXPECT_EQ(t, status, 0);
}
