/* rm: removes files; -r removes directories with everything in them, -f
 * ignores missing files and never complains about them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recursive, force;

static int report(const char *path)
{
	if (force && errno == ENOENT)
		return 0;
	fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
	return 1;
}

static int remove_path(const char *path);

/* Empties the directory at path, then removes it. */
static int remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return report(path);
	int status = 0;
	struct dirent *e;
	char child[PATH_MAX];
	/* Entries are removed while the directory is read: rae-vfsd's
	 * listing is by position, so read it again until nothing is left
	 * rather than trust the position after removals. */
	for (;;) {
		int removed = 0, failed = 0;
		rewinddir(d);
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >=
			    (int)sizeof(child)) {
				errno = ENAMETOOLONG;
				status |= report(child);
				failed = 1;
				continue;
			}
			if (remove_path(child) != 0)
				failed = 1;
			else
				removed = 1;
		}
		if (failed) {
			status = 1;
			break;
		}
		if (!removed)
			break;
	}
	closedir(d);
	if (status)
		return status;
	if (rmdir(path) != 0)
		return report(path);
	return 0;
}

static int remove_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return report(path);
	if (S_ISDIR(st.st_mode)) {
		if (!recursive) {
			errno = EISDIR;
			return report(path);
		}
		return remove_tree(path);
	}
	if (unlink(path) != 0)
		return report(path);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'r' || *o == 'R') {
				recursive = 1;
			} else if (*o == 'f') {
				force = 1;
			} else {
				fprintf(stderr, "rm: unknown option -%c\nusage: rm [-rf] path...\n",
					*o);
				return 2;
			}
		}
	}
	if (i == argc && !force) {
		fprintf(stderr, "usage: rm [-rf] path...\n");
		return 2;
	}
	for (; i < argc; i++)
		status |= remove_path(argv[i]);
	return status;
}
