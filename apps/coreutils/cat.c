/* cat: copies each file (or standard input, for none or "-") to standard
 * output; a file that cannot be read is reported and the rest still are. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[8192];

/* Copies fd to standard output; 0, or -1 with errno set (*in_read says
 * which side failed). */
static int copy(int fd, int *in_read)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*in_read = 1;
			return -1;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(STDOUT_FILENO, buf + done, (size_t)(n - done));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				*in_read = 0;
				return -1;
			}
			done += w;
		}
	}
}

static int cat_one(const char *path)
{
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "cat: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int in_read = 0;
	int r = copy(fd, &in_read);
	if (r != 0)
		fprintf(stderr, "cat: %s: %s\n", in_read ? path : "write error", strerror(errno));
	if (!is_stdin)
		close(fd);
	return r != 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	int i = 1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i == argc)
		return cat_one("-");
	for (; i < argc; i++)
		status |= cat_one(argv[i]);
	return status;
}
