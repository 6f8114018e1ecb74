/* ls: lists directories and files. -a shows names starting with '.', -l
 * one line per entry: type and permissions, links, owner and group ids,
 * size, modification time (UTC), name (and a link's target). Names are
 * sorted; on a terminal they go in columns across its width, else one a
 * line. With several operands, files come first, then each directory
 * under a "name:" heading. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	char *name;
	struct stat st;
	int have_st;
	char *path; /* for -l's readlink */
} entry_t;

static int all, long_form;
static int status;

static void report(const char *path)
{
	fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
	status = 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const entry_t *)a)->name, ((const entry_t *)b)->name);
}

static void mode_string(mode_t m, char out[11])
{
	out[0] = S_ISDIR(m)    ? 'd'
		 : S_ISLNK(m)  ? 'l'
		 : S_ISCHR(m)  ? 'c'
		 : S_ISBLK(m)  ? 'b'
		 : S_ISFIFO(m) ? 'p'
		 : S_ISSOCK(m) ? 's'
			       : '-';
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static void print_long(const entry_t *e)
{
	if (!e->have_st) {
		printf("?????????? ? ? ? ? ? %s\n", e->name);
		return;
	}
	char mode[11], when[32];
	mode_string(e->st.st_mode, mode);
	time_t t = e->st.st_mtime;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm))
		strcpy(when, "?");
	printf("%s %2lu %4u %4u %8lld %s %s", mode, (unsigned long)e->st.st_nlink,
	       (unsigned)e->st.st_uid, (unsigned)e->st.st_gid, (long long)e->st.st_size, when,
	       e->name);
	if (S_ISLNK(e->st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(e->path, target, sizeof(target) - 1);
		if (n >= 0) {
			target[n] = '\0';
			printf(" -> %s", target);
		}
	}
	putchar('\n');
}

static unsigned terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Names in columns, down then across, as ls does on a terminal. */
static void print_columns(const entry_t *v, size_t n)
{
	size_t widest = 1;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i].name);
		if (len > widest)
			widest = len;
	}
	size_t col = widest + 2, width = terminal_width();
	size_t cols = width / col ? width / col : 1;
	size_t rows = (n + cols - 1) / cols;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			size_t i = c * rows + r;
			if (i >= n)
				break;
			if (c + 1 == cols || i + rows >= n) { /* the last in its row */
				fputs(v[i].name, stdout);
				break;
			}
			printf("%-*s", (int)col, v[i].name);
		}
		putchar('\n');
	}
}

static void print_list(entry_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_name);
	if (long_form) {
		for (size_t i = 0; i < n; i++)
			print_long(&v[i]);
	} else if (isatty(STDOUT_FILENO)) {
		print_columns(v, n);
	} else {
		for (size_t i = 0; i < n; i++)
			puts(v[i].name);
	}
}

static void free_list(entry_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

static void list_directory(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		report(path);
		return;
	}
	entry_t *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && !all)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			entry_t *bigger = realloc(v, cap * sizeof(*v));
			if (!bigger) {
				report(path);
				break;
			}
			v = bigger;
		}
		entry_t *x = &v[n];
		memset(x, 0, sizeof(*x));
		x->name = strdup(e->d_name);
		if (!x->name)
			break;
		n++;
		if (long_form) {
			size_t len = strlen(path) + strlen(e->d_name) + 2;
			x->path = malloc(len);
			if (x->path) {
				snprintf(x->path, len, "%s/%s", path, e->d_name);
				x->have_st = lstat(x->path, &x->st) == 0;
				if (!x->have_st)
					report(x->path);
			}
		}
		errno = 0;
	}
	if (errno)
		report(path);
	closedir(d);
	print_list(v, n);
	free_list(v, n);
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
			if (*o == 'a') {
				all = 1;
			} else if (*o == 'l') {
				long_form = 1;
			} else {
				fprintf(stderr,
					"ls: unknown option -%c\nusage: ls [-al] [path...]\n", *o);
				return 2;
			}
		}
	}
	static char *dot[] = {".", NULL};
	char **paths = i < argc ? argv + i : dot;
	int count = i < argc ? argc - i : 1;

	/* Files first (one list), then directories, each under a heading
	 * when there is more than one operand. */
	entry_t *files = calloc((size_t)count, sizeof(*files));
	char **dirs = calloc((size_t)count, sizeof(*dirs));
	if (!files || !dirs) {
		perror("ls");
		return 1;
	}
	size_t nfiles = 0, ndirs = 0;
	for (int k = 0; k < count; k++) {
		struct stat st;
		if (stat(paths[k], &st) != 0 && lstat(paths[k], &st) != 0) {
			report(paths[k]);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			dirs[ndirs++] = paths[k];
			continue;
		}
		entry_t *x = &files[nfiles++];
		x->name = strdup(paths[k]);
		x->path = strdup(paths[k]);
		x->have_st = lstat(paths[k], &x->st) == 0;
	}
	if (nfiles)
		print_list(files, nfiles);
	free_list(files, nfiles);
	for (size_t k = 0; k < ndirs; k++) {
		if (count > 1)
			printf("%s%s:\n", nfiles || k ? "\n" : "", dirs[k]);
		list_directory(dirs[k]);
	}
	free(dirs);
	return status;
}
