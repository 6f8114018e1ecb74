/* cp: copies a file to a file, or files into a directory; -r copies
 * directories with everything in them. Permission bits come along; a
 * symbolic link met inside a tree is copied as a link. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "path.h"

static int recursive;
static char buf[16384];

static int report(const char *path)
{
	fprintf(stderr, "cp: %s: %s\n", path, strerror(errno));
	return 1;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY);
	if (in < 0)
		return report(from);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
	if (out < 0) {
		int saved = errno;
		close(in);
		errno = saved;
		return report(to);
	}
	int status = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			status = report(from);
			break;
		}
		ssize_t done = 0;
		while (done < n) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			done += w;
		}
		if (done < n) {
			status = report(to);
			break;
		}
	}
	close(in);
	if (close(out) != 0 && !status)
		status = report(to);
	return status;
}

static int copy_path(const char *from, const char *to);

static int copy_tree(const char *from, const char *to, mode_t mode)
{
	struct stat st;
	if (mkdir(to, (mode & 07777) | 0700) != 0 &&
	    !(errno == EEXIST && stat(to, &st) == 0 && S_ISDIR(st.st_mode)))
		return report(to);
	DIR *d = opendir(from);
	if (!d)
		return report(from);
	int status = 0;
	struct dirent *e;
	char a[PATH_MAX], b[PATH_MAX];
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(a, sizeof(a), "%s/%s", from, e->d_name) >= (int)sizeof(a) ||
		    snprintf(b, sizeof(b), "%s/%s", to, e->d_name) >= (int)sizeof(b)) {
			errno = ENAMETOOLONG;
			status |= report(a);
			continue;
		}
		status |= copy_path(a, b);
	}
	closedir(d);
	return status;
}

static int copy_path(const char *from, const char *to)
{
	struct stat st;
	if (lstat(from, &st) != 0)
		return report(from);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(from, target, sizeof(target) - 1);
		if (n < 0)
			return report(from);
		target[n] = '\0';
		if (symlink(target, to) != 0)
			return report(to);
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!recursive) {
			fprintf(stderr, "cp: %s: is a directory (not copied without -r)\n", from);
			return 1;
		}
		return copy_tree(from, to, st.st_mode);
	}
	return copy_file(from, to, st.st_mode);
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o != 'r' && *o != 'R') {
				fprintf(stderr, "cp: unknown option -%c\n", *o);
				goto usage;
			}
			recursive = 1;
		}
	}
	if (argc - i < 2)
		goto usage;
	const char *dest = argv[argc - 1];
	struct stat st;
	int dest_is_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
	if (argc - i > 2 && !dest_is_dir) {
		errno = ENOTDIR;
		return report(dest);
	}
	int status = 0;
	for (; i < argc - 1; i++) {
		char target[PATH_MAX];
		if (!dest_is_dir) {
			status |= copy_path(argv[i], dest);
		} else if (path_join(target, sizeof(target), dest, argv[i]) != 0) {
			status |= report(argv[i]);
		} else {
			status |= copy_path(argv[i], target);
		}
	}
	return status;
usage:
	fprintf(stderr, "usage: cp [-r] from to\n       cp [-r] from... dir\n");
	return 2;
}
