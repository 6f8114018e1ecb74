/* Path helpers the commands share (each command is one program; this is
 * included, not linked). */
#ifndef COREUTILS_PATH_H
#define COREUTILS_PATH_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* dir/basename(path) in out (cp and mv into a directory); ENAMETOOLONG. */
static inline int path_join(char *out, size_t cap, const char *dir, const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	int n = snprintf(out, cap, "%s/%.*s", dir, (int)(len - start), path + start);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

#endif
