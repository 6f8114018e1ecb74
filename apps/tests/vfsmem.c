/* rae-vfsd gives memory back (issue 12): starts bin/vfsd on the initrd as
 * the first process would, then fills /tmp and empties it again, and
 * checks with the kernel's count of free pages (SYSTEM_INFO, as `free`
 * reads it) that memory in use came back to within 1 MiB of before: 47 MiB
 * of files, 20 000 empty files, a 16 MiB file cut by O_TRUNC and by
 * TRUNCATE (ftruncate), and a file removed while open (its pages go at the
 * close). Each cycle prints used memory before and after. Exits with the
 * number of failed checks. */
#include <rae.h>
#include <rae/process.h>
#include <rae_startup.h>
#include <rae_vfs.h>

#define SLACK_BYTES (1ull << 20)
#define BIG_BYTES   (47ull << 20)
#define BIG_FILE    (1ull << 20)
#define EMPTY_FILES 20000
#define TRUNC_BYTES (16ull << 20)

static int failures;
static rae_handle_t s;
static uint8_t chunk[RAE_VFS_IO_MAX];

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("vfsmem: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

/* Bytes in use: every page not free in the kernel's page allocator. */
static uint64_t used_bytes(void)
{
	rae_system_info_t info;
	if (rae_system_info(&info) != RAE_OK)
		return 0;
	return (info.total_pages - info.free_pages) * info.page_size;
}

static void put_kib(const char *what, uint64_t bytes)
{
	rae_puts(what);
	rae_put_dec((int64_t)(bytes >> 10));
	rae_puts(" KiB");
}

/* Reports a cycle and fails it if more than 1 MiB stayed in use. */
static void compare(const char *cycle, uint64_t before, uint64_t peak, uint64_t after)
{
	rae_puts("vfsmem: ");
	rae_puts(cycle);
	put_kib(": used before ", before);
	put_kib(", full ", peak);
	put_kib(", after ", after);
	rae_puts("\n");
	check(after <= before + SLACK_BYTES, cycle);
}

/* "/tmp/<prefix><n>" into buf. */
static const char *name(char *buf, const char *prefix, int n)
{
	size_t at = 0;
	for (const char *p = "/tmp/"; *p; p++)
		buf[at++] = *p;
	for (; *prefix; prefix++)
		buf[at++] = *prefix;
	char digits[12];
	int k = 0;
	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		buf[at++] = digits[--k];
	buf[at] = 0;
	return buf;
}

/* Writes `bytes` to a descriptor, a chunk at a time. */
static int write_bytes(int64_t fd, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += sizeof(chunk)) {
		uint64_t k = bytes - off < sizeof(chunk) ? bytes - off : sizeof(chunk);
		chunk[0] = (uint8_t)(off >> 12);
		if (rae_vfs_write(s, fd, chunk, k) != (int64_t)k)
			return 0;
	}
	return 1;
}

static void cycle_big_files(void)
{
	char path[64];
	uint64_t before = used_bytes();
	int files = (int)(BIG_BYTES / BIG_FILE), written = 0;
	for (int i = 0; i < files; i++) {
		int64_t fd =
		    rae_vfs_open(s, name(path, "big", i),
				 RAE_VFS_O_CREATE | RAE_VFS_O_WRITE | RAE_VFS_O_EXCL, 0644);
		written += fd >= 0 && write_bytes(fd, BIG_FILE);
		rae_vfs_close(s, fd);
	}
	check(written == files, "47 MiB of files written");
	uint64_t peak = used_bytes();
	check(peak >= before + BIG_BYTES, "the files take memory");
	int removed = 0;
	for (int i = 0; i < files; i++)
		removed += rae_vfs_unlink(s, name(path, "big", i)) == RAE_OK;
	check(removed == files, "47 MiB of files removed");
	compare("47 MiB of files", before, peak, used_bytes());
}

static void cycle_empty_files(void)
{
	char path[64];
	uint64_t before = used_bytes();
	int made = 0, removed = 0;
	for (int i = 0; i < EMPTY_FILES; i++) {
		int64_t fd =
		    rae_vfs_open(s, name(path, "e", i),
				 RAE_VFS_O_CREATE | RAE_VFS_O_WRITE | RAE_VFS_O_EXCL, 0644);
		made += fd >= 0 && rae_vfs_close(s, fd) == RAE_OK;
	}
	check(made == EMPTY_FILES, "20000 empty files made");
	uint64_t peak = used_bytes();
	for (int i = 0; i < EMPTY_FILES; i++)
		removed += rae_vfs_unlink(s, name(path, "e", i)) == RAE_OK;
	check(removed == EMPTY_FILES, "20000 empty files removed");
	compare("20000 empty files", before, peak, used_bytes());
}

static void cycle_truncation(void)
{
	uint64_t before = used_bytes();
	int64_t fd = rae_vfs_open(s, "/tmp/t", RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0644);
	check(fd >= 0 && write_bytes(fd, TRUNC_BYTES), "16 MiB written");
	rae_vfs_close(s, fd);
	uint64_t peak = used_bytes();
	fd = rae_vfs_open(s, "/tmp/t", RAE_VFS_O_WRITE | RAE_VFS_O_TRUNCATE, 0);
	check(fd >= 0, "open with O_TRUNC");
	compare("16 MiB cut by O_TRUNC", before, peak, used_bytes());

	check(write_bytes(fd, TRUNC_BYTES), "16 MiB written again");
	peak = used_bytes();
	check(rae_vfs_truncate(s, fd, 100) == RAE_OK, "truncate to 100 bytes");
	struct rae_stat st;
	check(rae_vfs_fstat(s, fd, &st) == RAE_OK && st.size == 100, "100 bytes left");
	compare("16 MiB cut by TRUNCATE", before, peak, used_bytes());
	rae_vfs_close(s, fd);
	check(rae_vfs_unlink(s, "/tmp/t") == RAE_OK, "remove the cut file");
}

/* A file removed while open keeps its pages until its last close. */
static void cycle_removed_while_open(void)
{
	uint64_t before = used_bytes();
	int64_t fd = rae_vfs_open(s, "/tmp/held", RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0644);
	check(fd >= 0 && write_bytes(fd, TRUNC_BYTES), "16 MiB written to an open file");
	check(rae_vfs_unlink(s, "/tmp/held") == RAE_OK, "remove it while open");
	uint64_t peak = used_bytes();
	check(peak >= before + TRUNC_BYTES / 2, "an open file keeps its pages");
	rae_vfs_close(s, fd);
	compare("16 MiB removed while open", before, peak, used_bytes());
}

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	check(rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes) == RAE_OK,
	      "the bootstrap call");
	rae_handle_close(root);
	/* vfsd on this CPU too: a call is a switch, not a cross-CPU wake-up. */
	int cpu = (int)rae_cpu();
	rae_set_affinity(1ull << cpu);
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_t proc = RAE_HANDLE_INVALID;
	check(rae_vfs_start("bin/vfsd", ep, initrd, bytes, "mem", cpu, &proc) == RAE_OK,
	      "start bin/vfsd");
	check(rae_vfs_session_open(ep, &s) == RAE_OK, "open a session");
	int64_t made = rae_vfs_mkdir(s, "/tmp", 01777);
	check(made == RAE_OK || made == RAE_ERR_EXISTS, "/tmp");

	cycle_big_files();
	cycle_empty_files();
	cycle_truncation();
	cycle_removed_while_open();
	/* Once more, now that every cache is warm: still nothing stays. */
	cycle_big_files();

	rae_vfs_session_close(s);
	rae_kill(proc);
	rae_wait(proc, NULL);
	if (!failures)
		rae_puts("vfsmem: all checks passed\n");
	return failures;
}
