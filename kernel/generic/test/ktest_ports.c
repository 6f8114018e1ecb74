/* Kernel tests of third-party programs (ports/): real programs from Debian's
 * source packages, built with tools/raeen-cc, doing real work on RaeenOS. */
#include <proc/bootstrap.h>
#include <proc/process.h>
#include <test/ktest.h>

/* The Lua interpreter (ports/lua): bin/luatest starts vfsd on the initrd,
 * then `lua -e CHUNK`, `lua /test/lua/check.lua hello 42` (files, math,
 * strings, tables, time; it checks what only it can see) and a missing
 * script, which lua must refuse; 0 when all three ended as expected.
 * tools/test/lua_checks.py checks every value lua printed against the
 * host's own computation of it. */
KTEST(user_lua_program)
{
	rae_status_t st;
	/* As the first process: the bootstrap call brings the initrd for vfsd. */
	process_t *p = bootstrap_start("bin/luatest", 10000000000ull, &st);
	if (!KTEST_EXPECT_EQ(t, st, RAE_OK) || !p)
		return;
	int status = -1;
	KTEST_EXPECT_EQ(t, process_wait(p, &status), RAE_OK);
	KTEST_EXPECT_EQ(t, status, 0);
}
