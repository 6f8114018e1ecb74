/* mkdir: makes each directory; -p makes missing parents too and accepts
 * directories that exist already. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int make_parents(char *path)
{
	/* Each prefix ending before a '/', then the whole path. */
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		struct stat st;
		int r = mkdir(path, 0777);
		if (r != 0 && !(errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			fprintf(stderr, "mkdir: %s: %s\n", path, strerror(errno));
			*p = saved;
			return 1;
		}
		*p = saved;
		if (saved == '\0')
			return 0;
		while (p[1] == '/')
			p++;
		if (p[1] == '\0')
			return 0; /* a trailing slash */
	}
}

int main(int argc, char **argv)
{
	int parents = 0, i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o != 'p') {
				fprintf(stderr,
					"mkdir: unknown option -%c\nusage: mkdir [-p] dir...\n",
					*o);
				return 2;
			}
			parents = 1;
		}
	}
	if (i == argc) {
		fprintf(stderr, "usage: mkdir [-p] dir...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if (parents) {
			status |= make_parents(argv[i]);
		} else if (mkdir(argv[i], 0777) != 0) {
			fprintf(stderr, "mkdir: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
