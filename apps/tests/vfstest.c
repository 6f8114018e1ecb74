/* End-to-end test of rae-vfsd, started as the first process would be (it
 * receives the bootstrap call with the initrd): starts bin/vfsd on the
 * initrd and checks every operation through lib/librae's client: the
 * initrd's files with their bytes, listings, writes, sparse files,
 * truncation, appends, directories, renames, symbolic links, errors,
 * sessions that cannot use each other's descriptors, and a second vfsd
 * (filled from test/vfs-malformed.tar, whose bad entries it must skip)
 * mounted at /mnt. Exits with the number of failed checks. */
#include <rae.h>
#include <rae_startup.h>
#include <rae_vfs.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("vfstest: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

/* Checks a result against the expected one, printing both if they differ. */
static void check_eq(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		rae_puts("vfstest: FAILED: ");
		rae_puts(what);
		rae_puts(": got ");
		rae_put_dec(got);
		rae_puts(" (");
		rae_puts(rae_status_name((rae_status_t)got));
		rae_puts("), want ");
		rae_put_dec(want);
		rae_puts("\n");
		failures++;
	}
}

static int bytes_eq(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

static uint8_t big[20000], back[20000];

/* Reads the whole file at path into buf (cap bytes); returns its length. */
static int64_t slurp(rae_handle_t s, const char *path, void *buf, size_t cap)
{
	int64_t fd = rae_vfs_open(s, path, RAE_VFS_O_READ, 0);
	if (fd < 0)
		return fd;
	int64_t n = rae_vfs_read(s, fd, buf, cap);
	rae_vfs_close(s, fd);
	return n;
}

/* True if the directory at path lists `name`. */
static int lists(rae_handle_t s, const char *path, const char *name)
{
	static uint8_t buf[RAE_VFS_IO_MAX];
	int64_t fd = rae_vfs_open(s, path, RAE_VFS_O_DIRECTORY, 0);
	if (fd < 0)
		return 0;
	int found = 0;
	size_t len = rae_strlen(name);
	for (;;) {
		int64_t n = rae_vfs_getdents(s, fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (int64_t at = 0; at < n;) {
			const struct rae_dirent *d = (const struct rae_dirent *)(buf + at);
			if (d->reclen == 0 || d->reclen > n - at)
				break;
			if (d->namelen == len && bytes_eq(d->name, name, len) && !d->name[len])
				found = 1;
			at += d->reclen;
		}
	}
	rae_vfs_close(s, fd);
	return found;
}

static uint64_t octal(const uint8_t *f, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(f[i] - '0');
	return v;
}

/* Every regular file of the initrd reads back from vfsd with its size and
 * bytes; returns how many were compared. */
static int compare_initrd(rae_handle_t s, const uint8_t *tar, uint64_t bytes)
{
	static char path[300];
	int compared = 0;
	for (uint64_t off = 0; off + 512 <= bytes && tar[off];) {
		const uint8_t *h = tar + off;
		uint64_t size = octal(h + 124, 12);
		size_t n = 0;
		for (; n < 100 && h[n]; n++)
			path[n] = (char)h[n];
		path[n] = 0;
		if (h[156] == '0' || h[156] == 0) {
			struct rae_stat st;
			int ok = rae_vfs_stat(s, path, &st) == RAE_OK && st.size == size &&
				 (st.mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFREG &&
				 (st.mode & 07777) == octal(h + 100, 8) && st.mtime == 0;
			int64_t fd = rae_vfs_open(s, path, RAE_VFS_O_READ, 0);
			for (uint64_t at = 0; ok && at < size; at += sizeof(back)) {
				uint64_t k = size - at < sizeof(back) ? size - at : sizeof(back);
				ok = rae_vfs_pread(s, fd, back, k, at) == (int64_t)k &&
				     bytes_eq(back, h + 512 + at, k);
			}
			ok = ok && rae_vfs_read(s, fd, back, 1) == (size ? 1 : 0);
			rae_vfs_close(s, fd);
			check(ok, path);
			compared++;
		} else if (h[156] == '5') {
			struct rae_stat st;
			check(rae_vfs_stat(s, path, &st) == RAE_OK &&
				  (st.mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFDIR,
			      path);
		}
		off += 512 + (size + 511) / 512 * 512;
	}
	return compared;
}

static void test_files(rae_handle_t s)
{
	static char buf[64];
	check_eq(rae_vfs_open(s, "/scratch/a", RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0644),
		 RAE_ERR_NOT_FOUND, "create in a missing directory");
	check_eq(rae_vfs_mkdir(s, "/scratch", 0755), RAE_OK, "mkdir /scratch");
	int64_t fd = rae_vfs_open(
	    s, "/scratch/a.txt",
	    RAE_VFS_O_CREATE | RAE_VFS_O_EXCL | RAE_VFS_O_READ | RAE_VFS_O_WRITE, 0640);
	check(fd >= 0, "create /scratch/a.txt");
	check_eq(rae_vfs_write(s, fd, "hello world", 11), 11, "write 11 bytes");
	check_eq(rae_vfs_pread(s, fd, buf, sizeof(buf), 0), 11, "read them back");
	check(bytes_eq(buf, "hello world", 11), "the bytes written");
	check_eq(rae_vfs_open(s, "/scratch/a.txt", RAE_VFS_O_CREATE | RAE_VFS_O_EXCL, 0),
		 RAE_ERR_EXISTS, "EXCL on an existing file");
	/* Sparse: a write far past the end leaves a hole of zeros. */
	check_eq(rae_vfs_pwrite(s, fd, "X", 1, 10000), 1, "write at 10000");
	struct rae_stat st;
	check(rae_vfs_fstat(s, fd, &st) == RAE_OK && st.size == 10001 &&
		  st.mode == (RAE_VFS_S_IFREG | 0640),
	      "fstat after the sparse write");
	memset(buf, 0x55, sizeof(buf));
	check_eq(rae_vfs_pread(s, fd, buf, 16, 5000), 16, "read in the hole");
	static const char zeros[16];
	check(bytes_eq(buf, zeros, 16), "a hole reads as zeros");
	/* Truncate down, then up: the cut bytes do not come back. */
	check_eq(rae_vfs_truncate(s, fd, 5), RAE_OK, "truncate to 5");
	check_eq(rae_vfs_truncate(s, fd, 20), RAE_OK, "truncate to 20");
	check_eq(rae_vfs_pread(s, fd, buf, sizeof(buf), 0), 20, "read after truncation");
	check(bytes_eq(buf, "hello", 5) && bytes_eq(buf + 5, zeros, 15),
	      "truncated bytes are zeros");
	rae_vfs_close(s, fd);
	/* Append always writes at the end. */
	fd = rae_vfs_open(s, "/scratch/a.txt", RAE_VFS_O_WRITE | RAE_VFS_O_APPEND, 0);
	check_eq(rae_vfs_pwrite(s, fd, "++", 2, 0), 2, "append");
	check_eq(rae_vfs_write(s, fd, "--", 2), 2, "append again");
	check_eq(rae_vfs_read(s, fd, buf, 1), RAE_ERR_ACCESS_DENIED, "read needs O_READ");
	rae_vfs_close(s, fd);
	check(rae_vfs_stat(s, "/scratch/a.txt", &st) == RAE_OK && st.size == 24,
	      "size after appends");
	fd = rae_vfs_open(s, "/scratch/a.txt", RAE_VFS_O_READ, 0);
	check_eq(rae_vfs_seek(s, fd, -4, RAE_VFS_SEEK_END), 20, "seek from the end");
	check_eq(rae_vfs_read(s, fd, buf, sizeof(buf)), 4, "read the tail");
	check(bytes_eq(buf, "++--", 4), "appended bytes");
	check_eq(rae_vfs_write(s, fd, "x", 1), RAE_ERR_ACCESS_DENIED, "write needs O_WRITE");
	check_eq(rae_vfs_seek(s, fd, -100, RAE_VFS_SEEK_CUR), RAE_ERR_INVALID, "seek before 0");
	rae_vfs_close(s, fd);
	/* A large file in several calls. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	fd = rae_vfs_open(s, "/scratch/a.txt",
			  RAE_VFS_O_READ | RAE_VFS_O_WRITE | RAE_VFS_O_TRUNCATE, 0);
	check(rae_vfs_fstat(s, fd, &st) == RAE_OK && st.size == 0, "O_TRUNCATE empties it");
	check_eq(rae_vfs_write(s, fd, big, sizeof(big)), sizeof(big), "write 20000 bytes");
	check_eq(rae_vfs_seek(s, fd, 0, RAE_VFS_SEEK_SET), 0, "seek to 0");
	check_eq(rae_vfs_read(s, fd, back, sizeof(back)), sizeof(back), "read 20000 bytes");
	check(bytes_eq(big, back, sizeof(big)), "20000 bytes round trip");
	rae_vfs_close(s, fd);
	/* An initrd file changes on its first write (copied from the archive). */
	fd = rae_vfs_open(s, "etc/motd", RAE_VFS_O_READ | RAE_VFS_O_WRITE, 0);
	check_eq(rae_vfs_pwrite(s, fd, "J", 1, 0), 1, "write into an initrd file");
	check(rae_vfs_pread(s, fd, buf, 8, 0) == 8 && bytes_eq(buf, "Jelcome ", 8),
	      "the initrd file changed");
	check_eq(rae_vfs_pwrite(s, fd, "W", 1, 0), 1, "and back");
	rae_vfs_close(s, fd);
	check_eq(rae_vfs_open(s, "etc", RAE_VFS_O_WRITE, 0), RAE_ERR_IS_DIR,
		 "write-open a directory");
	check_eq(rae_vfs_open(s, "etc/motd", RAE_VFS_O_DIRECTORY, 0), RAE_ERR_NOT_DIR,
		 "O_DIRECTORY on a file");
}

static void test_directories(rae_handle_t s)
{
	static char buf[32];
	check_eq(rae_vfs_mkdir(s, "/scratch/d", 0700), RAE_OK, "mkdir");
	check_eq(rae_vfs_mkdir(s, "/scratch/d", 0700), RAE_ERR_EXISTS, "mkdir twice");
	check_eq(rae_vfs_mkdir(s, "/scratch/d/sub", 0700), RAE_OK, "mkdir below");
	check_eq(rae_vfs_rmdir(s, "/scratch/d"), RAE_ERR_NOT_EMPTY,
		 "rmdir of a non-empty directory");
	check_eq(rae_vfs_unlink(s, "/scratch/d/sub"), RAE_ERR_IS_DIR, "unlink of a directory");
	check_eq(rae_vfs_rmdir(s, "/scratch/a.txt"), RAE_ERR_NOT_DIR, "rmdir of a file");
	check_eq(rae_vfs_rename(s, "/scratch/d", "/scratch/d/sub/x"), RAE_ERR_INVALID,
		 "rename a directory below itself");
	check_eq(rae_vfs_rename(s, "/scratch/a.txt", "/scratch/d/b.txt"), RAE_OK, "rename a file");
	struct rae_stat st;
	check_eq(rae_vfs_stat(s, "/scratch/a.txt", &st), RAE_ERR_NOT_FOUND, "the old name is gone");
	check(rae_vfs_stat(s, "/scratch/d/b.txt", &st) == RAE_OK && st.size == sizeof(big),
	      "the new name has the file");
	/* Rename over an existing file replaces it. */
	int64_t fd = rae_vfs_open(s, "/scratch/c.txt", RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0600);
	rae_vfs_write(s, fd, "ccc", 3);
	rae_vfs_close(s, fd);
	check_eq(rae_vfs_rename(s, "/scratch/c.txt", "/scratch/d/b.txt"), RAE_OK,
		 "rename over a file");
	check(slurp(s, "/scratch/d/b.txt", buf, sizeof(buf)) == 3 && bytes_eq(buf, "ccc", 3),
	      "the replaced file has the new bytes");
	check_eq(rae_vfs_rename(s, "/scratch/d/b.txt", "/scratch/d/sub"), RAE_ERR_IS_DIR,
		 "rename a file over a directory");
	/* An unlinked file stays readable through an open descriptor. */
	fd = rae_vfs_open(s, "/scratch/d/b.txt", RAE_VFS_O_READ, 0);
	check_eq(rae_vfs_unlink(s, "/scratch/d/b.txt"), RAE_OK, "unlink an open file");
	check_eq(rae_vfs_pread(s, fd, buf, sizeof(buf), 0), 3, "read it after unlink");
	rae_vfs_close(s, fd);
	check_eq(rae_vfs_rmdir(s, "/scratch/d/sub"), RAE_OK, "rmdir");
	check_eq(rae_vfs_rename(s, "/scratch/d", "/scratch/e"), RAE_OK, "rename a directory");
	check_eq(rae_vfs_rmdir(s, "/scratch/e"), RAE_OK, "rmdir the renamed directory");
	check_eq(rae_vfs_stat(s, "/scratch/e", &st), RAE_ERR_NOT_FOUND, "it is gone");
	check_eq(rae_vfs_rmdir(s, "/"), RAE_ERR_BUSY, "rmdir of the root");
	check(lists(s, "/", "bin") && lists(s, "/", "etc") && lists(s, "/", "..") &&
		  lists(s, "bin", "vfsd") && lists(s, "bin", "vfstest") && !lists(s, "bin", "nope"),
	      "directory listings");
}

static void test_paths_and_links(rae_handle_t s)
{
	static char buf[RAE_VFS_PATH_MAX + 64];
	struct rae_stat motd, st;
	check_eq(rae_vfs_stat(s, "/etc/motd", &motd), RAE_OK, "stat /etc/motd");
	check(rae_vfs_stat(s, "//etc/./../etc//motd", &st) == RAE_OK && st.ino == motd.ino,
	      ".., . and repeated slashes");
	check_eq(rae_vfs_stat(s, "etc/motd/", &st), RAE_ERR_NOT_DIR, "a trailing slash on a file");
	check_eq(rae_vfs_stat(s, "etc/motd/x", &st), RAE_ERR_NOT_DIR, "a file as a directory");
	check_eq(rae_vfs_stat(s, "nope/x", &st), RAE_ERR_NOT_FOUND, "a missing directory");
	check_eq(rae_vfs_open(s, "nope", RAE_VFS_O_READ, 0), RAE_ERR_NOT_FOUND, "a missing file");
	check_eq(rae_vfs_stat(s, "", &st), RAE_ERR_NOT_FOUND, "an empty path");
	check(rae_vfs_stat(s, "/..", &st) == RAE_OK && rae_vfs_stat(s, "/", &motd) == RAE_OK &&
		  st.ino == motd.ino,
	      "/.. is /");
	memset(buf, 'a', sizeof(buf));
	buf[RAE_VFS_PATH_MAX + 10] = 0;
	check_eq(rae_vfs_stat(s, buf, &st), RAE_ERR_RANGE, "a path over the limit");
	buf[300] = 0;
	check_eq(rae_vfs_stat(s, buf, &st), RAE_ERR_RANGE, "a name over 255 bytes");
	/* The generated stub checks only the length; the server's decoder
	 * refuses the NUL. */
	vfs_stat_reply_t nul_rep = {.stat = &st};
	check_eq(vfs_stat_call(s, RAE_VFS_CALL_TIMEOUT_NS,
			       &(vfs_stat_request_t){.path = "etc\0motd", .path_len = 8}, &nul_rep),
		 RAE_ERR_INVALID, "a NUL inside a path");

	rae_vfs_stat(s, "/etc/motd", &motd);
	check_eq(rae_vfs_symlink(s, "../etc/motd", "/scratch/motd-link"), RAE_OK, "symlink");
	check_eq(rae_vfs_symlink(s, "x", "/scratch/motd-link"), RAE_ERR_EXISTS, "symlink twice");
	check(rae_vfs_stat(s, "/scratch/motd-link", &st) == RAE_OK && st.ino == motd.ino,
	      "stat follows the link");
	check(rae_vfs_lstat(s, "/scratch/motd-link", &st) == RAE_OK &&
		  (st.mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFLNK && st.size == 11,
	      "lstat describes the link");
	check(rae_vfs_readlink(s, "/scratch/motd-link", buf, sizeof(buf)) == 11 &&
		  bytes_eq(buf, "../etc/motd", 11),
	      "readlink");
	check_eq(rae_vfs_readlink(s, "/etc/motd", buf, sizeof(buf)), RAE_ERR_INVALID,
		 "readlink of a file");
	check(slurp(s, "/scratch/motd-link", buf, sizeof(buf)) == (int64_t)motd.size &&
		  bytes_eq(buf, "Welcome to RaeenOS.", 19),
	      "read through the link");
	check_eq(rae_vfs_open(s, "/scratch/motd-link", RAE_VFS_O_READ | RAE_VFS_O_NOFOLLOW, 0),
		 RAE_ERR_LOOP, "O_NOFOLLOW on a link");
	check_eq(rae_vfs_symlink(s, "/etc", "/scratch/etc-link"), RAE_OK, "symlink to a directory");
	check(rae_vfs_stat(s, "/scratch/etc-link/motd", &st) == RAE_OK && st.ino == motd.ino,
	      "a link in the middle of a path");
	check_eq(rae_vfs_symlink(s, "loop2", "/scratch/loop1"), RAE_OK, "loop link 1");
	check_eq(rae_vfs_symlink(s, "loop1", "/scratch/loop2"), RAE_OK, "loop link 2");
	check_eq(rae_vfs_open(s, "/scratch/loop1", RAE_VFS_O_READ, 0), RAE_ERR_LOOP, "a link loop");
	check_eq(rae_vfs_unlink(s, "/scratch/loop1"), RAE_OK, "unlink removes the link itself");
	check_eq(rae_vfs_open(s, "/scratch/loop2", RAE_VFS_O_READ, 0), RAE_ERR_NOT_FOUND,
		 "a dangling link");
	/* A dangling link is a way to create its target. */
	int64_t fd = rae_vfs_open(s, "/scratch/loop2", RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0600);
	check(fd >= 0 && rae_vfs_stat(s, "/scratch/loop1", &st) == RAE_OK, "create through a link");
	rae_vfs_close(s, fd);
}

/* A second client: its own descriptors only, no mounts. */
static void test_sessions(rae_handle_t admin_ep, rae_handle_t s)
{
	static char buf[64];
	int64_t connect = rae_sys_handle_mint(admin_ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER,
					      RAE_VFS_BADGE_CONNECT);
	rae_handle_t s2 = 0;
	check(connect > 0 && rae_vfs_session_open((rae_handle_t)connect, &s2) == RAE_OK,
	      "a second client opens a session");
	check_eq(rae_sys_handle_dup(s2, RAE_RIGHT_WRITE), RAE_ERR_ACCESS_DENIED,
		 "a session handle cannot be duplicated (nor minted)");
	int64_t fd = rae_vfs_open(s, "etc/motd", RAE_VFS_O_READ, 0);
	check(fd >= 0, "the first client opens a file");
	check_eq(rae_vfs_pread(s2, fd, buf, sizeof(buf), 0), RAE_ERR_BAD_HANDLE,
		 "the second client cannot read the first's descriptor");
	check_eq(rae_vfs_close(s2, fd), RAE_ERR_BAD_HANDLE, "nor close it");
	int64_t fd2 = rae_vfs_open(s2, "README", RAE_VFS_O_READ, 0);
	check(fd2 >= 0, "the second client opens its own file");
	check(rae_vfs_pread(s2, fd2, buf, 8, 0) == 8 && rae_vfs_pread(s, fd, buf + 8, 8, 0) == 8 &&
		  bytes_eq(buf + 8, "Welcome ", 8) && !bytes_eq(buf, buf + 8, 8),
	      "each descriptor reads its own client's file");
	check_eq(rae_vfs_mount(s2, "/scratch", (rae_handle_t)rae_sys_endpoint_create()),
		 RAE_ERR_ACCESS_DENIED, "only admin sessions mount");
	struct rae_stat st;
	vfs_stat_reply_t stat_rep = {.stat = &st};
	check_eq(vfs_stat_call((rae_handle_t)connect, RAE_VFS_CALL_TIMEOUT_NS,
			       &(vfs_stat_request_t){.path = "etc", .path_len = 3}, &stat_rep),
		 RAE_ERR_ACCESS_DENIED, "a connect handle only opens sessions");
	/* After CLOSE_SESSION its badge means nothing, even if the handle is kept. */
	vfs_close_session_reply_t close_rep = {0};
	check_eq(vfs_close_session_call(s2, RAE_VFS_CALL_TIMEOUT_NS,
					&(vfs_close_session_request_t){0}, &close_rep),
		 RAE_OK, "close the second session");
	vfs_read_reply_t read_rep = {.data = buf, .data_cap = 8};
	check_eq(vfs_read_call(s2, RAE_VFS_CALL_TIMEOUT_NS,
			       &(vfs_read_request_t){.fd = (uint64_t)fd2, .count = 8, .offset = 0},
			       &read_rep),
		 RAE_ERR_PEER_CLOSED, "a closed session is refused as gone");
	check(rae_vfs_pread(s, fd, buf, 8, 0) == 8, "the first client's descriptor still works");
	rae_vfs_close(s, fd);
	rae_handle_close(s2);
	rae_handle_close((rae_handle_t)connect);
}

/* A second vfsd filled from test/vfs-malformed.tar, mounted at /mnt. */
static void test_mount(rae_handle_t admin_ep, rae_handle_t s)
{
	static char buf[64];
	struct rae_stat st;
	check(rae_vfs_stat(s, "test/vfs-malformed.tar", &st) == RAE_OK && st.size > 0 &&
		  st.size < sizeof(big),
	      "the malformed archive is in the initrd");
	int64_t n = slurp(s, "test/vfs-malformed.tar", big, sizeof(big));
	int64_t mem = rae_sys_mem_create((uint64_t)(n > 0 ? n : 1), 0);
	int64_t at = mem > 0 ? rae_mem_map((rae_handle_t)mem, RAE_PROT_READ | RAE_PROT_WRITE) : 0;
	check(n > 0 && at > 0, "copy it into a memory object");
	if (n <= 0 || at <= 0)
		return;
	memcpy((void *)(uintptr_t)at, big, (size_t)n);
	rae_mem_unmap((uint64_t)at);
	int64_t ep2 = rae_sys_endpoint_create();
	rae_handle_t proc2 = RAE_HANDLE_INVALID;
	check(rae_vfs_start("bin/vfsd", (rae_handle_t)ep2, (rae_handle_t)mem, (uint64_t)n, "mnt",
			    (int)rae_cpu(), &proc2) == RAE_OK,
	      "start the second vfsd");
	rae_handle_t direct = 0;
	check_eq(rae_vfs_session_open((rae_handle_t)ep2, &direct), RAE_OK,
		 "a session on the second vfsd");
	check_eq(rae_vfs_mkdir(direct, "made-before-mount", 0755), RAE_OK, "mkdir there");
	check_eq(rae_vfs_mkdir(s, "/mnt", 0755), RAE_OK, "mkdir /mnt");
	check_eq(rae_vfs_mount(s, "/mnt/",
			       (rae_handle_t)rae_sys_handle_dup(
				   (rae_handle_t)ep2, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER)),
		 RAE_OK, "mount it at /mnt");
	/* Good entries, including those after the bad ones, are there. */
	check(slurp(s, "/mnt/hello.txt", buf, sizeof(buf)) == 33 &&
		  bytes_eq(buf, "hello from the malformed archive\n", 33),
	      "read /mnt/hello.txt");
	check(slurp(s, "/mnt/dir/after.txt", buf, sizeof(buf)) == 29 &&
		  bytes_eq(buf, "loaded after the bad entries\n", 29),
	      "an entry after the bad ones");
	check(rae_vfs_stat(s, "/mnt/dir/ok-link", &st) == RAE_OK && st.size == 33 && st.dev != 0,
	      "a link inside the mount, and the mount's device number");
	check(rae_vfs_stat(s, "/mnt/sub/deep/file", &st) == RAE_OK &&
		  st.mode == (RAE_VFS_S_IFREG | 0600) && st.mtime == 1700000000,
	      "mode and mtime from the archive");
	check(lists(s, "/mnt", "hello.txt") && lists(s, "/mnt/", "made-before-mount") &&
		  !lists(s, "/mnt", "badsum.txt") && !lists(s, "/mnt", "badsize.txt"),
	      "getdents through the mount");
	/* The bad entries are not. */
	const char *bad[] = {"/mnt/badsum.txt",   "/mnt/escape.txt",  "/escape.txt",
			     "/mnt/dir/abs-link", "/mnt/dir/up-link", "/mnt/hard",
			     "/mnt/badsize.txt"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_eq(rae_vfs_lstat(s, bad[i], &st), RAE_ERR_NOT_FOUND, bad[i]);
	struct rae_stat root;
	check(rae_vfs_stat(s, "/mnt/../etc", &st) == RAE_OK &&
		  rae_vfs_stat(s, "/etc", &root) == RAE_OK && st.ino == root.ino && st.dev == 0,
	      "/mnt/.. leaves the mount");
	/* Changes go to the mounted service. */
	int64_t fd = rae_vfs_open(s, "/mnt/new.txt", RAE_VFS_O_CREATE | RAE_VFS_O_WRITE, 0644);
	check(fd >= 0 && rae_vfs_write(s, fd, "via mount", 9) == 9, "create a file in the mount");
	check(rae_vfs_stat(direct, "new.txt", &st) == RAE_OK && st.size == 9,
	      "the mounted service has it");
	check_eq(rae_vfs_rename(s, "/mnt/new.txt", "/scratch/new.txt"), RAE_ERR_CROSS_DEVICE,
		 "rename across the mount");
	check_eq(rae_vfs_rename(s, "/mnt/new.txt", "/mnt/dir/new.txt"), RAE_OK,
		 "rename inside the mount");
	check_eq(rae_vfs_rmdir(s, "/mnt"), RAE_ERR_BUSY, "rmdir of a mount point");
	check_eq(rae_vfs_unmount(s, "/mnt"), RAE_ERR_BUSY, "unmount with a descriptor open");
	rae_vfs_close(s, fd);
	/* This very server, mounted on itself, would wait for itself. */
	check_eq(rae_vfs_mount(s, "/scratch",
			       (rae_handle_t)rae_sys_handle_dup(admin_ep, RAE_RIGHT_WRITE |
									      RAE_RIGHT_TRANSFER)),
		 RAE_ERR_TIMED_OUT, "a server cannot be mounted on itself");
	check_eq(rae_vfs_unmount(s, "/mnt"), RAE_OK, "unmount");
	check_eq(rae_vfs_stat(s, "/mnt/hello.txt", &st), RAE_ERR_NOT_FOUND,
		 "the mount's files are gone");
	rae_vfs_session_close(direct);
	rae_kill(proc2);
	rae_wait(proc2, NULL);
}

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	check_eq(rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes), RAE_OK,
		 "the bootstrap call");
	rae_handle_close(root); /* no hardware here */
	/* vfsd runs on this CPU too: a call is then a switch, not a wake-up
	 * of another (slow under TCG with several CPUs). */
	int cpu = (int)rae_cpu();
	rae_set_affinity(1ull << cpu);
	int64_t admin_ep = rae_sys_endpoint_create();
	rae_handle_t proc = RAE_HANDLE_INVALID;
	check(rae_vfs_start("bin/vfsd", (rae_handle_t)admin_ep, initrd, bytes, NULL, cpu, &proc) ==
		  RAE_OK,
	      "start bin/vfsd");
	rae_handle_t s = 0;
	check_eq(rae_vfs_session_open((rae_handle_t)admin_ep, &s), RAE_OK, "open a session");
	if (!proc || !s)
		return failures;

	int64_t tar = rae_mem_map(initrd, RAE_PROT_READ);
	check(tar > 0, "map the initrd");
	if (tar > 0)
		check(compare_initrd(s, (const uint8_t *)(uintptr_t)tar, bytes) >= 10,
		      "the initrd's files compared");
	test_files(s);
	test_directories(s);
	test_paths_and_links(s);
	test_sessions((rae_handle_t)admin_ep, s);
	test_mount((rae_handle_t)admin_ep, s);
	check_eq(rae_vfs_session_close(s), RAE_OK, "close the session");
	rae_kill(proc);
	rae_wait(proc, NULL);
	if (!failures)
		rae_puts("vfstest: all checks passed\n");
	return failures;
}
