/* mv: renames a file or directory, or moves files into a directory.
 * Within one file system only: rae-vfsd refuses a rename across a mount
 * (EXDEV), and mv says so rather than copy. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "path.h"

static int report(const char *from, const char *to)
{
	fprintf(stderr, "mv: %s -> %s: %s\n", from, to, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (argc - i < 2) {
		fprintf(stderr, "usage: mv from to\n       mv from... dir\n");
		return 2;
	}
	const char *dest = argv[argc - 1];
	struct stat st;
	int dest_is_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
	if (argc - i > 2 && !dest_is_dir) {
		fprintf(stderr, "mv: %s: %s\n", dest, strerror(ENOTDIR));
		return 1;
	}
	int status = 0;
	for (; i < argc - 1; i++) {
		char target[PATH_MAX];
		const char *to = dest;
		if (dest_is_dir) {
			if (path_join(target, sizeof(target), dest, argv[i]) != 0) {
				status |= report(argv[i], dest);
				continue;
			}
			to = target;
		}
		if (rename(argv[i], to) != 0)
			status |= report(argv[i], to);
	}
	return status;
}
