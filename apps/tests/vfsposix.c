/* Starts a C program with a file system: run as the first process (it
 * receives the bootstrap call with the initrd), starts bin/vfsd on the
 * initrd, then bin/libcfiles (apps/libc/libcfiles.c) with a connect handle
 * to it as its RAE_ROLE_VFS handle, so the POSIX runtime serves its file
 * calls through rae-vfsd. Exits with the program's status (or 100 + the
 * step that failed here). */
#include <rae.h>
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

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	rae_status_t st = rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes);
	if (st != RAE_OK)
		return fail(1, st);
	rae_handle_close(root); /* no hardware here */
	int64_t admin_ep = rae_endpoint_create();
	if (admin_ep < 0)
		return fail(2, admin_ep);
	int64_t vfsd = rae_vfs_start("bin/vfsd", (rae_handle_t)admin_ep, initrd, bytes, NULL, -1);
	if (vfsd < 0)
		return fail(3, vfsd);
	/* An ordinary program's handle: it may only open sessions. */
	int64_t connect = rae_handle_mint(
	    (rae_handle_t)admin_ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, RAE_VFS_BADGE_CONNECT);
	if (connect < 0)
		return fail(4, connect);
	const char *argv[] = {"bin/libcfiles", NULL};
	const char *envp[] = {"HOME=/", NULL};
	rae_handle_t handles[1] = {(rae_handle_t)connect};
	const uint16_t roles[1] = {RAE_ROLE_VFS};
	int64_t proc = rae_spawn_start(0, 0, 0, "bin/libcfiles", 0, argv, envp, handles, roles, 1);
	if (proc < 0)
		return fail(5, proc);
	int status = -1;
	st = (rae_status_t)rae_wait(proc, &status);
	if (st != RAE_OK)
		return fail(6, st);
	rae_kill((rae_handle_t)vfsd);
	rae_wait(vfsd, NULL);
	return status;
}
