/* Files through the C library: started by bin/vfsposix with a handle to
 * rae-vfsd (RAE_ROLE_VFS), so the POSIX runtime serves open, read, stat,
 * getdents64, mkdir, chdir... through the VFS (lib/posix/file.c). Checks
 * stdio and POSIX calls against the initrd's real contents and against
 * files it writes. Each case is a KTAP subtest line (the kernel's KTEST
 * user_libc_files owns the top-level result); the exit status is the
 * number of failed cases. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int case_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("    # %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno);  \
			case_failed = 1;                                                           \
		}                                                                                  \
	} while (0)

/* rootfs/etc/motd, byte for byte. */
static const char motd[] = "Welcome to RaeenOS.\n"
			   "This file lives in the initrd (a USTAR archive the boot loader "
			   "hands the kernel).\n";

/* The whole file at path into buf (cap bytes, NUL added); its length or -1. */
static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long got = 0;
	for (;;) {
		ssize_t r = read(fd, buf + got, cap - 1 - (size_t)got);
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	buf[got] = 0;
	return got;
}

static void test_setup(void)
{
	CHECK(mkdir("/scratch", 0755) == 0);
	struct stat st;
	CHECK(stat("/scratch", &st) == 0 && S_ISDIR(st.st_mode));
}

static void test_read_initrd_file(void)
{
	static char buf[4096];
	long n = slurp("/etc/motd", buf, sizeof(buf));
	CHECK(n == (long)strlen(motd));
	CHECK(n > 0 && memcmp(buf, motd, strlen(motd)) == 0);
	struct stat st;
	CHECK(stat("/etc/motd", &st) == 0 && S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	      st.st_size == (off_t)strlen(motd));
	/* stdio reads it line by line. */
	FILE *f = fopen("/etc/motd", "r");
	CHECK(f != NULL);
	if (f) {
		char line[128];
		CHECK(fgets(line, sizeof(line), f) && strcmp(line, "Welcome to RaeenOS.\n") == 0);
		CHECK(fgets(line, sizeof(line), f) && strncmp(line, "This file lives", 15) == 0);
		CHECK(!fgets(line, sizeof(line), f) && feof(f));
		CHECK(fclose(f) == 0);
	}
}

static void test_stdio_round_trip(void)
{
	FILE *f = fopen("/scratch/notes.txt", "w");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fprintf(f, "line %d: %s\n", 1, "alpha") > 0);
	CHECK(fprintf(f, "line %d: %.3f\n", 2, 3.14159) > 0);
	CHECK(fclose(f) == 0);
	f = fopen("/scratch/notes.txt", "r");
	CHECK(f != NULL);
	if (!f)
		return;
	char line[64];
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "line 1: alpha\n") == 0);
	CHECK(fgets(line, sizeof(line), f) && strcmp(line, "line 2: 3.142\n") == 0);
	CHECK(!fgets(line, sizeof(line), f));
	CHECK(fseek(f, 5, SEEK_SET) == 0 && fgetc(f) == '1' && ftell(f) == 6);
	CHECK(fclose(f) == 0);
	/* "a" appends. */
	f = fopen("/scratch/notes.txt", "a");
	CHECK(f && fputs("line 3\n", f) >= 0 && fclose(f) == 0);
	static char buf[256];
	static const char want[] = "line 1: alpha\nline 2: 3.142\nline 3\n";
	CHECK(slurp("/scratch/notes.txt", buf, sizeof(buf)) == (long)strlen(want) &&
	      strcmp(buf, want) == 0);
}

/* True if the directory lists name with type type (DT_UNKNOWN: any). */
static int lists(const char *dir, const char *name, unsigned char type)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, name) == 0 && (type == DT_UNKNOWN || e->d_type == type))
			found = 1;
	closedir(d);
	return found;
}

static void test_readdir(void)
{
	CHECK(lists("/bin", "libcfiles", DT_REG));
	CHECK(lists("/bin", "vfsd", DT_REG));
	CHECK(lists("/bin", "libctest", DT_REG));
	CHECK(!lists("/bin", "no-such-program", DT_UNKNOWN));
	CHECK(lists("/", "etc", DT_DIR));
	CHECK(lists("/", "bin", DT_DIR));
	/* Every program in /bin: more than one getdents64 call's worth. */
	DIR *d = opendir("/bin");
	CHECK(d != NULL);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n++;
	CHECK(n >= 40);
	/* rewinddir starts again. */
	if (d) {
		rewinddir(d);
		int again = 0;
		while ((e = readdir(d)))
			again++;
		CHECK(again == n);
		closedir(d);
	}
	errno = 0;
	CHECK(opendir("/etc/motd") == NULL && errno == ENOTDIR);
	errno = 0;
	CHECK(opendir("/nope") == NULL && errno == ENOENT);
}

static void test_directories(void)
{
	char buf[256];
	CHECK(mkdir("/scratch/d", 0755) == 0);
	errno = 0;
	CHECK(mkdir("/scratch/d", 0755) == -1 && errno == EEXIST);
	CHECK(chdir("/scratch/d") == 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/scratch/d") == 0);
	/* A relative name lands in the working directory. */
	int fd = open("rel.txt", O_CREAT | O_WRONLY | O_EXCL, 0644);
	CHECK(fd >= 0 && write(fd, "relative", 8) == 8 && close(fd) == 0);
	CHECK(slurp("/scratch/d/rel.txt", buf, sizeof(buf)) == 8 && strcmp(buf, "relative") == 0);
	CHECK(mkdir("sub", 0700) == 0 && chdir("sub") == 0);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/scratch/d/sub") == 0);
	CHECK(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, "/scratch/d") == 0);
	CHECK(chdir("./sub/../../d//sub/") == 0 && getcwd(buf, sizeof(buf)) &&
	      strcmp(buf, "/scratch/d/sub") == 0);
	CHECK(access("../rel.txt", R_OK) == 0);
	errno = 0;
	CHECK(chdir("/etc/motd") == -1 && errno == ENOTDIR);
	errno = 0;
	CHECK(chdir("/missing") == -1 && errno == ENOENT);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/scratch/d/sub") == 0);
	/* fchdir and openat through a directory descriptor. */
	int dfd = open("/scratch/d", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	int f2 = openat(dfd, "rel.txt", O_RDONLY);
	CHECK(f2 >= 0 && read(f2, buf, 3) == 3 && memcmp(buf, "rel", 3) == 0);
	close(f2);
	CHECK(fchdir(dfd) == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, "/scratch/d") == 0);
	close(dfd);
	/* rename, unlink, rmdir. */
	CHECK(rename("rel.txt", "sub/moved.txt") == 0);
	errno = 0;
	CHECK(access("rel.txt", F_OK) == -1 && errno == ENOENT);
	struct stat st;
	CHECK(stat("sub/moved.txt", &st) == 0 && st.st_size == 8 && S_ISREG(st.st_mode));
	errno = 0;
	CHECK(rmdir("sub") == -1 && errno == ENOTEMPTY);
	errno = 0;
	CHECK(unlink("sub") == -1 && errno == EISDIR);
	CHECK(unlink("sub/moved.txt") == 0);
	errno = 0;
	CHECK(unlink("sub/moved.txt") == -1 && errno == ENOENT);
	CHECK(rmdir("sub") == 0);
	CHECK(chdir("/") == 0 && unlinkat(AT_FDCWD, "scratch/d", AT_REMOVEDIR) == 0);
	errno = 0;
	CHECK(stat("/scratch/d", &st) == -1 && errno == ENOENT);
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
}

static void test_seek_and_positions(void)
{
	int fd = open("/scratch/seek.bin", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0);
	char data[6000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	CHECK(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data));
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)sizeof(data) && S_ISREG(st.st_mode));
	CHECK(lseek(fd, 0, SEEK_CUR) == (off_t)sizeof(data));
	CHECK(lseek(fd, 4999, SEEK_SET) == 4999);
	char buf[8] = {0};
	CHECK(read(fd, buf, 3) == 3 && memcmp(buf, data + 4999, 3) == 0);
	CHECK(lseek(fd, -2, SEEK_END) == (off_t)sizeof(data) - 2);
	CHECK(read(fd, buf, 8) == 2 && memcmp(buf, data + sizeof(data) - 2, 2) == 0);
	CHECK(read(fd, buf, 8) == 0);
	errno = 0;
	CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL);
	/* pread/pwrite leave the position alone. */
	off_t at = lseek(fd, 100, SEEK_SET);
	CHECK(pwrite(fd, "XYZ", 3, 10) == 3);
	CHECK(pread(fd, buf, 5, 9) == 5 && memcmp(buf, "jXYZn", 5) == 0);
	CHECK(at == 100 && lseek(fd, 0, SEEK_CUR) == 100);
	/* readv and writev. */
	struct iovec iov[2] = {{.iov_base = "12", .iov_len = 2}, {.iov_base = "345", .iov_len = 3}};
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && writev(fd, iov, 2) == 5);
	char a[2], b[4];
	struct iovec in[2] = {{.iov_base = a, .iov_len = 2}, {.iov_base = b, .iov_len = 4}};
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, in, 2) == 6 && memcmp(a, "12", 2) == 0 &&
	      memcmp(b, "345f", 4) == 0);
	/* ftruncate. */
	CHECK(ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10);
	CHECK(close(fd) == 0);
	errno = 0;
	CHECK(read(fd, buf, 1) == -1 && errno == EBADF);
	/* Access modes. */
	fd = open("/scratch/seek.bin", O_RDONLY);
	errno = 0;
	CHECK(fd >= 0 && write(fd, "x", 1) == -1 && errno == EBADF);
	CHECK(fcntl(fd, F_GETFL) == O_RDONLY);
	close(fd);
	fd = open("/scratch/seek.bin", O_WRONLY);
	errno = 0;
	CHECK(fd >= 0 && read(fd, buf, 1) == -1 && errno == EBADF);
	close(fd);
	CHECK(unlink("/scratch/seek.bin") == 0);
}

static void test_append_excl_errors(void)
{
	int fd = open("/scratch/log.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "first\n", 6) == 6 && close(fd) == 0);
	fd = open("/scratch/log.txt", O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && write(fd, "second\n", 7) == 7);
	CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
	close(fd);
	char buf[64];
	CHECK(slurp("/scratch/log.txt", buf, sizeof(buf)) == 13 &&
	      strcmp(buf, "first\nsecond\n") == 0);
	errno = 0;
	CHECK(open("/scratch/log.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST);
	errno = 0;
	CHECK(open("/scratch/missing.txt", O_RDONLY) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(fopen("/no/such/dir/file", "w") == NULL && errno == ENOENT);
	errno = 0;
	CHECK(open("/etc/motd/x", O_RDONLY) == -1 && errno == ENOTDIR);
	errno = 0;
	CHECK(open("/etc", O_WRONLY) == -1 && errno == EISDIR);
	errno = 0;
	CHECK(open("/etc/motd", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR);
	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	errno = 0;
	CHECK(open(longname, O_RDONLY) == -1 && errno == ENAMETOOLONG);
	/* Symbolic links. */
	CHECK(symlink("/etc/motd", "/scratch/motd-link") == 0);
	struct stat st, lst;
	CHECK(lstat("/scratch/motd-link", &lst) == 0 && S_ISLNK(lst.st_mode));
	CHECK(stat("/scratch/motd-link", &st) == 0 && S_ISREG(st.st_mode) &&
	      st.st_size == (off_t)strlen(motd));
	ssize_t n = readlink("/scratch/motd-link", buf, sizeof(buf));
	CHECK(n == 9 && memcmp(buf, "/etc/motd", 9) == 0);
	errno = 0;
	CHECK(open("/scratch/motd-link", O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP);
	CHECK(unlink("/scratch/motd-link") == 0 && unlink("/scratch/log.txt") == 0);
	errno = 0;
	CHECK(access("/etc/motd", R_OK) == 0 && access("/nope", F_OK) == -1 && errno == ENOENT);
}

static void test_dup(void)
{
	int fd = open("/scratch/out.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0);
	/* A duplicate shares the position. */
	int d = dup(fd);
	CHECK(d >= 0 && d != fd);
	CHECK(write(fd, "abc", 3) == 3 && lseek(d, 0, SEEK_CUR) == 3);
	CHECK(close(d) == 0 && write(fd, "d", 1) == 1);
	int hi = fcntl(fd, F_DUPFD, 20);
	CHECK(hi >= 20 && fcntl(hi, F_GETFD) == 0);
	CHECK(fcntl(hi, F_SETFD, FD_CLOEXEC) == 0 && fcntl(hi, F_GETFD) == FD_CLOEXEC);
	CHECK(close(hi) == 0);
	int cl = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	CHECK(cl >= 0 && fcntl(cl, F_GETFD) == FD_CLOEXEC && close(cl) == 0);
	/* Standard output into the file, then back to the console. */
	fflush(stdout);
	int saved = dup(1);
	CHECK(saved >= 0);
	CHECK(dup2(fd, 1) == 1);
	printf("printed into the file %d\n", 42);
	fflush(stdout);
	CHECK(dup2(saved, 1) == 1 && close(saved) == 0);
	CHECK(dup2(fd, fd) == fd);
	errno = 0;
	CHECK(dup3(fd, fd, 0) == -1 && errno == EINVAL);
	CHECK(close(fd) == 0);
	char buf[64];
	CHECK(slurp("/scratch/out.txt", buf, sizeof(buf)) == 29 &&
	      strcmp(buf, "abcdprinted into the file 42\n") == 0);
	CHECK(unlink("/scratch/out.txt") == 0);
}

static void test_many_files(void)
{
	/* More descriptors than ever open at once, so slots come back. */
	for (int round = 0; round < 3; round++) {
		int fds[40];
		int ok = 1;
		for (int i = 0; i < 40; i++) {
			fds[i] = open("/etc/motd", O_RDONLY);
			ok = ok && fds[i] >= 0;
		}
		for (int i = 0; i < 40; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		CHECK(ok);
	}
	char name[32];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/scratch/f%02d", i);
		FILE *f = fopen(name, "w");
		CHECK(f && fprintf(f, "%d", i * i) > 0 && fclose(f) == 0);
	}
	int sum = 0;
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/scratch/f%02d", i);
		FILE *f = fopen(name, "r");
		int v = -1;
		CHECK(f && fscanf(f, "%d", &v) == 1 && fclose(f) == 0);
		sum += v;
		CHECK(remove(name) == 0);
	}
	CHECK(sum == 2470);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
    {"setup", test_setup},
    {"read_initrd_file", test_read_initrd_file},
    {"stdio_round_trip", test_stdio_round_trip},
    {"readdir", test_readdir},
    {"directories", test_directories},
    {"seek_and_positions", test_seek_and_positions},
    {"append_excl_errors", test_append_excl_errors},
    {"dup", test_dup},
    {"many_files", test_many_files},
};

int main(int argc, char **argv)
{
	(void)argc;
	int n = (int)(sizeof(cases) / sizeof(cases[0])), failed = 0;
	printf("    KTAP version 1\n    # %s: files through rae-vfsd\n    1..%d\n", argv[0], n);
	for (int i = 0; i < n; i++) {
		case_failed = 0;
		errno = 0;
		cases[i].fn();
		failed += case_failed;
		printf("    %sok %d %s\n", case_failed ? "not " : "", i + 1, cases[i].name);
	}
	printf("libcfiles: %d passed, %d failed\n", n - failed, failed);
	return failed;
}
