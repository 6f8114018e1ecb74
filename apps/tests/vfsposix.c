/* Starts C programs with a file system: run as the first process (it
 * receives the bootstrap call with the initrd), starts bin/vfsd on the
 * initrd, then bin/libcfiles (apps/libc/libcfiles.c) with a connect handle
 * to it as its RAE_ROLE_VFS handle, so the POSIX runtime serves its file
 * calls through rae-vfsd. Then it starts bin/consoled and runs
 * bin/libcproc (apps/libc/libcproc.c: posix_spawn, waitpid, kill, pipes,
 * console-backed standard I/O) with a file system, a console badge of its
 * own as the foreground client, and a job to start its children in.
 * Exits with the first nonzero status of the programs (or 100 + the step
 * that failed here). */
#include <rae.h>
#include <rae_console.h>
#include <rae_startup.h>
#include <rae_vfs.h>

static int fail(int step, int64_t st)
{
	rae_puts("vfsposix: FAILED at step ");
	rae_put_dec(step);
	rae_puts(": ");
	rae_puts(rae_status_name((rae_status_t)st));
	rae_puts("\n");
	return 100 + step;
}

/* Runs one program to its end; its exit status, or -(100 + step). */
static int run(const char *path, const char *const *argv, rae_handle_t *handles,
	       const uint16_t *roles, unsigned n)
{
	const char *envp[] = {"HOME=/", NULL};
	rae_handle_t proc;
	int64_t st = rae_spawn_start(0, 0, 0, path, 0, argv, envp, handles, roles, n, &proc);
	if (st != RAE_OK)
		return -fail(5, st);
	int status = -1;
	st = rae_wait(proc, &status);
	rae_handle_close(proc);
	return st == RAE_OK ? status : -fail(6, st);
}

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	rae_status_t st = rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes);
	if (st != RAE_OK)
		return fail(1, st);
	int64_t admin_ep = rae_sys_endpoint_create();
	if (admin_ep < 0)
		return fail(2, admin_ep);
	rae_handle_t vfsd;
	rae_status_t started =
	    rae_vfs_start("bin/vfsd", (rae_handle_t)admin_ep, initrd, bytes, NULL, -1, &vfsd);
	if (started != RAE_OK)
		return fail(3, started);
	/* An ordinary program's handle: it may only open sessions. */
	int64_t connect = rae_sys_handle_mint(
	    (rae_handle_t)admin_ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, RAE_VFS_BADGE_CONNECT);
	if (connect < 0)
		return fail(4, connect);
	const char *files_argv[] = {"bin/libcfiles", NULL};
	rae_handle_t handles[3] = {(rae_handle_t)connect};
	uint16_t roles[3] = {RAE_ROLE_VFS};
	int status = run("bin/libcfiles", files_argv, handles, roles, 1);

	/* The console service, then the process calls under it. */
	rae_handle_t service = 0;
	rae_handle_t consoled;
	started = rae_consoled_start(root, 0, 0, 0, "bin/consoled", &service, &consoled);
	rae_handle_close(root);
	if (started != RAE_OK)
		return fail(7, started);
	int64_t badge = rae_sys_handle_mint(service, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, 1);
	int64_t job = rae_sys_job_create(0, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
	connect = rae_sys_handle_mint((rae_handle_t)admin_ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER,
				      RAE_VFS_BADGE_CONNECT);
	if (badge < 0 || job < 0 || connect < 0)
		return fail(8, badge < 0 ? badge : job < 0 ? job : connect);
	handles[0] = (rae_handle_t)connect;
	handles[1] = (rae_handle_t)badge;
	handles[2] = (rae_handle_t)job;
	roles[1] = RAE_ROLE_CONSOLE;
	roles[2] = RAE_ROLE_JOB;
	const char *proc_argv[] = {"bin/libcproc", "--rae-fg=1", NULL};
	int proc_status = run("bin/libcproc", proc_argv, handles, roles, 3);
	if (!status)
		status = proc_status;

	/* The kernel takes its console back when the service ends. */
	rae_kill(consoled);
	rae_wait(consoled, NULL);
	rae_kill(vfsd);
	rae_wait(vfsd, NULL);
	return status < 0 ? -status : status;
}
