/* rae-vfsd: the file system service. Started by the start-up convention
 * (rae_vfs_start) with the endpoint it serves (role RAE_ROLE_VFS) and,
 * optionally, a memory object holding a USTAR archive (RAE_ROLE_INITRD,
 * its length in "--initrd-bytes=N", else the object's size), which fills
 * its RAMFS root. Under the service manager the endpoint comes as
 * RAE_ROLE_SERVE.
 * "--name=x" names it vfsd[x] on the console; "--cpu=N" pins it to CPU N. */
#include <rae_startup.h>

#include "server.h"
#include "tar.h"
#include "vfs_line.h"

static vfs_server_t server;
static rae_startup_t startup;

static int64_t vfsd_clock(void)
{
	return (int64_t)(rae_clock_ns() / 1000000000ull);
}

static void vfsd_report(void *ctx, const char *line)
{
	vfs_log(ctx, "initrd: ", line);
}

static uint64_t vfsd_parse_dec(const char *s)
{
	uint64_t v = 0;
	for (; s && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

/* "vfsd" or "vfsd[name]". */
static void vfsd_set_name(const char *name)
{
	static char buf[48] = "vfsd";
	size_t n = name ? rae_strlen(name) : 0;
	if (n > 0 && n <= 32) {
		buf[4] = '[';
		memcpy(buf + 5, name, n);
		buf[5 + n] = ']';
		buf[6 + n] = 0;
	}
	server.name = buf;
}

static void vfsd_load_initrd(rae_handle_t initrd)
{
	/* Without "--initrd-bytes" the whole object: the archive's end marker
	 * or the zeros after it end the load. */
	const char *given = rae_startup_option(&startup, "--initrd-bytes");
	int64_t whole = rae_mem_size(initrd);
	uint64_t bytes = given ? vfsd_parse_dec(given) : whole > 0 ? (uint64_t)whole : 0;
	if (whole > 0 && bytes > (uint64_t)whole)
		bytes = (uint64_t)whole;
	int64_t at = rae_mem_map(initrd, RAE_PROT_READ);
	if (at <= 0) {
		vfs_log(&server, "initrd: ", "cannot map it read-only; starting empty");
		return;
	}
	vfs_tar_stats_t st;
	vfs_tar_load(&server.fs, (const uint8_t *)(uintptr_t)at, bytes, vfsd_report, &server, &st);
	vfs_line_t l = {.len = 0};
	line_add_num(&l, st.files, 10);
	line_add(&l, " files, ");
	line_add_num(&l, st.dirs, 10);
	line_add(&l, " directories, ");
	line_add_num(&l, st.symlinks, 10);
	line_add(&l, " symbolic links, ");
	line_add_num(&l, st.hardlinks, 10);
	line_add(&l, " hard links loaded, ");
	line_add_num(&l, st.skipped, 10);
	line_add(&l, " entries skipped");
	vfs_log(&server, "initrd: ", l.buf);
}

int main(uint64_t arg)
{
	vfsd_set_name(NULL);
	rae_status_t st = rae_startup_receive((rae_handle_t)arg, &startup, 5000000000ull);
	if (st != RAE_OK) {
		vfs_log(&server, "no start-up messages; exiting", "");
		return 1;
	}
	vfsd_set_name(rae_startup_option(&startup, "--name"));
	const char *cpu = rae_startup_option(&startup, "--cpu");
	if (cpu && rae_set_affinity(1ull << (vfsd_parse_dec(cpu) & 63)) != RAE_OK)
		vfs_log(&server, "cannot run on CPU ", cpu);
	/* RAE_ROLE_SERVE when the service manager starts it. */
	rae_handle_t ep = rae_startup_handle(&startup, RAE_ROLE_VFS);
	if (!ep)
		ep = rae_startup_handle(&startup, RAE_ROLE_SERVE);
	if (!ep) {
		vfs_log(&server, "no endpoint to serve (RAE_ROLE_VFS or _SERVE); exiting", "");
		return 1;
	}
	const char *name = server.name;
	vfs_server_init(&server, ep, name);
	if (ramfs_init(&server.fs, VFS_DATA_MAX) != RAE_OK) {
		vfs_log(&server, "out of memory; exiting", "");
		return 1;
	}
	server.fs.clock = vfsd_clock;
	rae_handle_t initrd = rae_startup_handle(&startup, RAE_ROLE_INITRD);
	if (initrd)
		vfsd_load_initrd(initrd);
	st = vfs_server_run(&server);
	vfs_log(&server, "cannot receive any more; exiting: ", rae_status_name(st));
	return 1;
}
