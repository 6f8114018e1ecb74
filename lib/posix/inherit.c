/* The child's side of inherit.h: before main (and before the C library is
 * set up: nothing here may touch errno or thread-local storage), read the
 * runtime's start-up options, connect the file system and the console,
 * rebuild the descriptor table the parent described, open the files it
 * asked for, and take the options out of argv. */
#include <fcntl.h>
#include <rae.h>
#include <rae_startup.h>
#include <sys/syscall.h>
#include "inherit.h"
#include "posix.h"

long rae_posix_parent_pid;

static int str_eq(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* Digits in base 10 or 16 up to a delimiter; *end after them. -1 when
 * there are none. */
static long parse_num(const char *s, int base, const char **end)
{
	long v = 0;
	int any = 0;
	for (;; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		v = v * base + d;
		any = 1;
		if (v > 0x7fffffff)
			return -1;
	}
	*end = s;
	return any ? v : -1;
}

static void inherit_fail(const char *what, const char *path)
{
	const char *parts[] = {"posix: cannot open ", path, " for the program: ", what, "\n"};
	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		size_t n = strlen(parts[i]);
		if (rae_fd_write(2, parts[i], n) < 0)
			rae_debug_write(parts[i], n);
	}
	rae_posix_file_fini();
	rae_exit(127);
}

static const char *errno_name(long e)
{
	switch (-e) {
	case 2: return "no such file or directory";
	case 13: return "permission denied";
	case 20: return "not a directory";
	case 21: return "is a directory";
	case 17: return "file exists";
	case 24: return "too many open files";
	default: return "error";
	}
}

/* The k-th --rae-open: opens it and puts it at every descriptor the table
 * gives it (fds: the --rae-fds list). */
static void inherit_open(const char *spec, int k, const char *fds)
{
	const char *p;
	long flags = parse_num(spec, 16, &p);
	if (flags < 0 || *p != ':')
		inherit_fail("malformed --rae-open", spec);
	long mode = parse_num(p + 1, 16, &p);
	if (mode < 0 || *p != ':')
		inherit_fail("malformed --rae-open", spec);
	const char *path = p + 1;
	int handled;
	long t = rae_posix_file_call(SYS_open, (long)path, flags, mode, 0, 0, &handled);
	if (t < 0)
		inherit_fail(errno_name(t), path);
	int kept = 0;
	for (const char *q = fds; q && *q;) {
		long fd = parse_num(q, 10, &q);
		if (fd >= 0 && *q == 'o') {
			const char *r;
			if (parse_num(q + 1, 10, &r) == k) {
				if (fd == t)
					kept = 1;
				else
					rae_fd_dup3((int)t, (int)fd, 0, 1);
			}
		}
		while (*q && *q != ',')
			q++;
		if (*q == ',')
			q++;
	}
	if (!kept)
		rae_fd_close((int)t);
}

static void inherit_fds(rae_startup_t *s, const char *fds)
{
	for (int fd = 0; fd < 3; fd++)
		rae_fd_close(fd);
	for (const char *q = fds; *q;) {
		long fd = parse_num(q, 10, &q);
		if (fd >= 0 && fd < RAE_POSIX_FD_MAX) {
			if (*q == 'c' && rae_posix_console_present()) {
				rae_fd_install_at((int)fd, &rae_posix_console_ops, NULL);
			} else if (*q == 'c' || *q == 'd') {
				rae_fd_install_at((int)fd, &rae_posix_debug_ops, NULL);
			} else if (*q == 'r' || *q == 'w') {
				rae_handle_t h =
				    rae_startup_take(s, (uint16_t)(RAE_POSIX_ROLE_FD + fd));
				if (h != RAE_HANDLE_INVALID)
					rae_posix_pipe_adopt((int)fd, h, *q == 'w');
			}
		}
		while (*q && *q != ',')
			q++;
		if (*q == ',')
			q++;
	}
	int k = 0;
	for (char **o = s->options; *o; o++) {
		if (memcmp(*o, "--rae-open=", 11) == 0)
			inherit_open(*o + 11, k++, fds);
	}
}

void rae_posix_inherit(void *startup)
{
	rae_startup_t *s = startup;
	rae_handle_t vfs = rae_startup_handle(s, RAE_ROLE_VFS);
	if (str_eq(rae_startup_option(s, "--rae-vfs"), "session"))
		rae_posix_file_adopt(vfs, rae_startup_take(s, RAE_POSIX_ROLE_VFS_CONNECT));
	else
		rae_posix_file_init(vfs);
	const char *v = rae_startup_option(s, "--rae-cwd");
	if (v)
		rae_posix_cwd_set_unchecked(v);
	v = rae_startup_option(s, "--rae-ppid");
	if (v) {
		const char *end;
		long pid = parse_num(v, 10, &end);
		rae_posix_parent_pid = pid > 0 ? pid : 0;
	}
	/* Left in the set: programs that speak the console protocol themselves
	 * (dmesg, bench boot) find it there; the runtime uses the same handle. */
	rae_handle_t con = rae_startup_handle(s, RAE_ROLE_CONSOLE);
	if (con != RAE_HANDLE_INVALID)
		rae_posix_console_init(con, str_eq(rae_startup_option(s, "--rae-fg"), "1"));
	const char *fds = rae_startup_option(s, "--rae-fds");
	if (fds) {
		inherit_fds(s, fds);
	} else if (rae_posix_console_present()) {
		for (int fd = 0; fd < 3; fd++)
			rae_fd_install_at(fd, &rae_posix_console_ops, NULL);
	}
	/* The program sees its own arguments only: rae_startup_receive took
	 * these options out of argv already. */
}
