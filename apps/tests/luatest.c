/* Runs the Lua interpreter (bin/lua, ports/lua: Debian's lua5.4 built with
 * tools/raeen-cc) with real work: started as the first process (it receives
 * the bootstrap call with the initrd), it starts bin/vfsd on the initrd and
 * then bin/lua three times, each with its arguments and a connect handle to
 * vfsd: a one-line chunk (-e), the script test/lua/check.lua (files, math,
 * strings, tables, time; it checks itself and exits non-zero on any
 * mismatch), and a script that does not exist, which lua must refuse with
 * status 1. What lua prints goes to the serial log, where
 * tools/test/lua_checks.py compares it with values computed on the host.
 * Exits 0 when every run ended as expected, else 100 + the failed step. */
#include <rae.h>
#include <rae_startup.h>
#include <rae_vfs.h>

static int fail(int step, int64_t st)
{
	rae_puts("luatest: FAILED at step ");
	rae_put_dec(step);
	rae_puts(": ");
	rae_puts(rae_status_name((rae_status_t)st));
	rae_puts("\n");
	return 100 + step;
}

/* Runs bin/lua with argv and its own connect handle to vfsd (minted from
 * the admin endpoint); returns its exit status, or a negative status if it
 * could not be started or waited for. */
static int64_t lua_run(rae_handle_t admin_ep, const char *const *argv)
{
	int64_t connect = rae_sys_handle_mint(admin_ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER,
					      RAE_VFS_BADGE_CONNECT);
	if (connect < 0)
		return connect;
	const char *envp[] = {"HOME=/", NULL};
	rae_handle_t handles[1] = {(rae_handle_t)connect};
	const uint16_t roles[1] = {RAE_ROLE_VFS};
	rae_handle_t proc;
	rae_status_t st =
	    rae_spawn_start(0, 0, 0, "bin/lua", 0, argv, envp, handles, roles, 1, &proc);
	if (st != RAE_OK)
		return st;
	int status = -1;
	st = (rae_status_t)rae_wait(proc, &status);
	rae_handle_close(proc);
	return st == RAE_OK ? status : st;
}

/* Checks one run's status: returns 0 when it is `want`, else fail(step). */
static int expect_status(int step, int64_t got, int want)
{
	if (got == want)
		return 0;
	rae_puts("luatest: step ");
	rae_put_dec(step);
	rae_puts(got < 0 ? ": lua did not run: " : ": lua exited with ");
	if (got < 0)
		rae_puts(rae_status_name((rae_status_t)got));
	else
		rae_put_dec(got);
	rae_puts("\n");
	return 100 + step;
}

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	rae_status_t st = rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes);
	if (st != RAE_OK)
		return fail(1, st);
	rae_handle_close(root); /* no hardware here */
	int64_t admin_ep = rae_sys_endpoint_create();
	if (admin_ep < 0)
		return fail(2, admin_ep);
	rae_handle_t vfsd;
	rae_status_t started =
	    rae_vfs_start("bin/vfsd", (rae_handle_t)admin_ep, initrd, bytes, NULL, -1, &vfsd);
	if (started != RAE_OK)
		return fail(3, started);

	const char *chunk[] = {
	    "lua", "-e",
	    "print(string.format('lua -e: sin(1) = %.6f, 2^10 = %d, 7 // 2 = %d',"
	    " math.sin(1), 1 << 10, 7 // 2))",
	    NULL};
	const char *script[] = {"lua", "/test/lua/check.lua", "hello", "42", NULL};
	const char *missing[] = {"lua", "/test/lua/no-such-script.lua", NULL};
	int verdict = expect_status(4, lua_run((rae_handle_t)admin_ep, chunk), 0);
	if (!verdict)
		verdict = expect_status(5, lua_run((rae_handle_t)admin_ep, script), 0);
	if (!verdict)
		verdict = expect_status(6, lua_run((rae_handle_t)admin_ep, missing), 1);

	rae_kill(vfsd);
	rae_wait(vfsd, NULL);
	return verdict;
}
