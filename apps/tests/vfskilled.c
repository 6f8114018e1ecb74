/* A client of rae-vfsd that bin/vfsdeath kills: opens a session through
 * the connect handle it is given, holds files open (three it removed right
 * after creating them, so only its descriptors keep their 16 KiB each, a
 * directory and an initrd file), says it is ready by creating /tmp/r<pid>,
 * then calls vfsd for ever until it is killed, often in the middle of a
 * call. Exits 1 only if vfsd refused it something (a session slot, a file). */
#include <rae.h>
#include <rae_vfs.h>

#define HELD 3

static uint8_t data[16384];

/* "/tmp/<c><pid>" and, with k >= 0, "-<k>", into buf. */
static const char *path(char *buf, char c, int64_t pid, int k)
{
	int at = 0;
	for (const char *p = "/tmp/"; *p; p++)
		buf[at++] = *p;
	buf[at++] = c;
	char digits[20];
	int n = 0;
	do {
		digits[n++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid);
	while (n)
		buf[at++] = digits[--n];
	if (k >= 0) {
		buf[at++] = '-';
		buf[at++] = (char)('0' + k);
	}
	buf[at] = 0;
	return buf;
}

int main(uint64_t arg)
{
	rae_set_affinity(1); /* CPU 0, with vfsd and the killer */
	rae_handle_t s;
	if (rae_vfs_session_open((rae_handle_t)arg, &s) != RAE_OK)
		return 1;
	rae_handle_close((rae_handle_t)arg); /* only the session is left */
	int64_t pid = rae_getpid();
	char name[48];
	int64_t fd[HELD];
	for (int k = 0; k < HELD; k++) {
		fd[k] = rae_vfs_open(
		    s, path(name, 'c', pid, k),
		    RAE_VFS_O_CREATE | RAE_VFS_O_EXCL | RAE_VFS_O_READ | RAE_VFS_O_WRITE, 0600);
		if (fd[k] < 0 || rae_vfs_write(s, fd[k], data, sizeof(data)) != sizeof(data) ||
		    rae_vfs_unlink(s, name) != RAE_OK)
			return 1;
	}
	int64_t dir = rae_vfs_open(s, "/tmp", RAE_VFS_O_DIRECTORY, 0);
	int64_t motd = rae_vfs_open(s, "/etc/motd", RAE_VFS_O_READ, 0);
	int64_t ready =
	    rae_vfs_open(s, path(name, 'r', pid, -1), RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0600);
	if (dir < 0 || motd < 0 || ready < 0 || rae_vfs_close(s, ready) != RAE_OK)
		return 1;
	static uint8_t back[4096];
	struct rae_stat st;
	for (uint64_t i = 0;; i++) {
		int64_t f = fd[i % HELD];
		if (rae_vfs_pwrite(s, f, data, sizeof(back), (i * sizeof(back)) % sizeof(data)) !=
			sizeof(back) ||
		    rae_vfs_pread(s, f, back, sizeof(back), 0) != sizeof(back) ||
		    rae_vfs_fstat(s, f, &st) != RAE_OK || st.size != sizeof(data) ||
		    rae_vfs_getdents(s, dir, back, sizeof(back)) < 0 ||
		    rae_vfs_seek(s, dir, 0, RAE_VFS_SEEK_SET) != 0 ||
		    rae_vfs_pread(s, motd, back, 16, 0) <= 0)
			return 1;
	}
}
