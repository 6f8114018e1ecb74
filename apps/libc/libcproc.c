/* Processes through the C library: posix_spawn and posix_spawnp of real
 * programs (this one, started again with a role in argv[1]), file actions
 * (a redirect into a file, a pipe between two children), waitpid for one
 * child, for any and without waiting, kill, the errors of a program that
 * is missing or no program at all, pipes (end of file, EPIPE, O_NONBLOCK)
 * and standard I/O on the console service. bin/vfsposix starts it with a
 * file system, a console badge (as the foreground client) and a job. Each
 * case is a KTAP subtest line; the exit status is the number of failed
 * cases. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define SELF      "/bin/libcproc"
#define PIPE_SIZE 100000 /* more than a pipe holds (64 KiB): the writer waits */

static int case_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("    # %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno);  \
			case_failed = 1;                                                           \
		}                                                                                  \
	} while (0)

extern char **environ;

/* --- the roles this program plays as a child ------------------------------ */

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static int child_args(int argc, char **argv)
{
	int ok = argc == 4 && strcmp(argv[2], "one") == 0 && strcmp(argv[3], "two words") == 0;
	ok &= getenv("ALPHA") && strcmp(getenv("ALPHA"), "1") == 0;
	ok &= getenv("BETA") && strcmp(getenv("BETA"), "two") == 0;
	ok &= getppid() > 0 && getppid() != getpid();
	return ok ? 42 : 1;
}

static int child_writer(size_t n)
{
	static unsigned char buf[PIPE_SIZE];
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(i);
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(1, buf + done, n - done);
		if (w <= 0)
			return 2;
		done += (size_t)w;
	}
	return 0;
}

static int child_reader(size_t n)
{
	static unsigned char buf[4096];
	size_t total = 0;
	for (;;) {
		ssize_t r = read(0, buf, sizeof(buf));
		if (r < 0)
			return 3;
		if (r == 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != pattern(total + (size_t)i))
				return 4;
		}
		total += (size_t)r;
	}
	return total == n ? 0 : 5;
}

/* Starts a sleeping child, tells its pid on standard output and reports
 * how it ended: 0 when it was killed (by the grandparent, through the
 * job: it is no child of that one). */
static int child_grandparent(void)
{
	char *argv[] = {"libcproc", "child-sleep", NULL};
	pid_t pid;
	if (posix_spawn(&pid, SELF, NULL, NULL, argv, environ) != 0)
		return 10;
	printf("%d\n", pid);
	fflush(stdout);
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return 11;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 12;
}

static int child_role(int argc, char **argv)
{
	const char *role = argv[1];
	if (strcmp(role, "child-args") == 0)
		return child_args(argc, argv);
	if (strcmp(role, "child-exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(role, "child-echo") == 0) {
		char cwd[256];
		printf("hello from child in %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
		return fflush(stdout) == 0 ? 0 : 6;
	}
	if (strcmp(role, "child-writer") == 0)
		return child_writer(PIPE_SIZE);
	if (strcmp(role, "child-reader") == 0)
		return child_reader(PIPE_SIZE);
	if (strcmp(role, "child-nap") == 0) {
		usleep(300000);
		return 9;
	}
	if (strcmp(role, "child-sleep") == 0) {
		sleep(100);
		return 0;
	}
	if (strcmp(role, "child-tty") == 0)
		return isatty(0) && isatty(1) && isatty(2) ? 0 : 7;
	if (strcmp(role, "child-background-read") == 0) {
		/* Not the console's foreground: reading is refused. */
		char c;
		return read(0, &c, 1) == -1 && errno == EIO ? 0 : 8;
	}
	if (strcmp(role, "child-grandparent") == 0)
		return child_grandparent();
	return 99;
}

/* --- the cases ------------------------------------------------------------- */

/* Spawns this program in a role; the pid, or -1. */
static pid_t spawn_role(const posix_spawn_file_actions_t *fa, const char *role, const char *arg)
{
	char *argv[] = {"libcproc", (char *)role, (char *)arg, NULL};
	pid_t pid = -1;
	int err = posix_spawn(&pid, SELF, fa, NULL, argv, environ);
	if (err) {
		printf("    # posix_spawn %s: %s\n", role, strerror(err));
		return -1;
	}
	return pid;
}

/* The exit status of pid, or -1 when it did not exit normally. */
static int exit_status(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_spawn_args_env(void)
{
	char *argv[] = {"libcproc", "child-args", "one", "two words", NULL};
	char *envp[] = {"ALPHA=1", "BETA=two", NULL};
	pid_t pid = -1;
	CHECK(posix_spawn(&pid, SELF, NULL, NULL, argv, envp) == 0);
	CHECK(pid > 0 && pid != getpid());
	CHECK(exit_status(pid) == 42);
	/* Reaped: it is no child any more. */
	errno = 0;
	CHECK(waitpid(pid, NULL, 0) == -1 && errno == ECHILD);
}

static void test_spawnp_path(void)
{
	char *argv[] = {"libcproc", "child-exit", "7", NULL};
	pid_t pid = -1;
	unsetenv("PATH"); /* the default is /bin */
	CHECK(posix_spawnp(&pid, "libcproc", NULL, NULL, argv, environ) == 0);
	CHECK(exit_status(pid) == 7);
	setenv("PATH", "/nonexistent:/etc:/bin", 1);
	argv[2] = "8";
	CHECK(posix_spawnp(&pid, "libcproc", NULL, NULL, argv, environ) == 0);
	CHECK(exit_status(pid) == 8);
	CHECK(posix_spawnp(&pid, "no-such-program", NULL, NULL, argv, environ) == ENOENT);
}

static int file_is(const char *path, const char *want)
{
	char got[128] = "";
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, got, sizeof(got) - 1);
	close(fd);
	if (n < 0)
		return 0;
	got[n] = 0;
	if (strcmp(got, want) != 0)
		printf("    # %s holds \"%s\", want \"%s\"\n", path, got, want);
	return strcmp(got, want) == 0;
}

static void test_spawn_redirect(void)
{
	CHECK(mkdir("/tmp", 0755) == 0 || errno == EEXIST);
	posix_spawn_file_actions_t fa;
	CHECK(posix_spawn_file_actions_init(&fa) == 0);
	CHECK(posix_spawn_file_actions_addopen(&fa, 1, "/tmp/spawn-out.txt",
					       O_WRONLY | O_CREAT | O_TRUNC, 0644) == 0);
	pid_t pid = spawn_role(&fa, "child-echo", NULL);
	CHECK(pid > 0 && exit_status(pid) == 0);
	CHECK(file_is("/tmp/spawn-out.txt", "hello from child in /\n"));
	posix_spawn_file_actions_destroy(&fa);

	/* addchdir, then a relative addopen: both the child's, in order. */
	CHECK(posix_spawn_file_actions_init(&fa) == 0);
	CHECK(posix_spawn_file_actions_addchdir_np(&fa, "/tmp") == 0);
	CHECK(posix_spawn_file_actions_addopen(&fa, 3, "rel.txt", O_WRONLY | O_CREAT | O_TRUNC,
					       0644) == 0);
	CHECK(posix_spawn_file_actions_adddup2(&fa, 3, 1) == 0);
	CHECK(posix_spawn_file_actions_addclose(&fa, 3) == 0);
	pid = spawn_role(&fa, "child-echo", NULL);
	CHECK(pid > 0 && exit_status(pid) == 0);
	CHECK(file_is("/tmp/rel.txt", "hello from child in /tmp\n"));
	posix_spawn_file_actions_destroy(&fa);

	/* A file the child cannot open ends it with 127. */
	CHECK(posix_spawn_file_actions_init(&fa) == 0);
	CHECK(posix_spawn_file_actions_addopen(&fa, 0, "/no/such/file", O_RDONLY, 0) == 0);
	pid = spawn_role(&fa, "child-echo", NULL);
	CHECK(pid > 0 && exit_status(pid) == 127);
	posix_spawn_file_actions_destroy(&fa);

	/* dup2 of a descriptor the child would not have. */
	CHECK(posix_spawn_file_actions_init(&fa) == 0);
	CHECK(posix_spawn_file_actions_adddup2(&fa, 40, 1) == 0);
	char *argv[] = {"libcproc", "child-echo", NULL};
	CHECK(posix_spawn(&pid, SELF, &fa, NULL, argv, environ) == EBADF);
	posix_spawn_file_actions_destroy(&fa);
}

static void test_spawn_pipe(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	posix_spawn_file_actions_t wfa, rfa;
	posix_spawn_file_actions_init(&wfa);
	posix_spawn_file_actions_adddup2(&wfa, p[1], 1);
	posix_spawn_file_actions_addclose(&wfa, p[0]);
	posix_spawn_file_actions_addclose(&wfa, p[1]);
	posix_spawn_file_actions_init(&rfa);
	posix_spawn_file_actions_adddup2(&rfa, p[0], 0);
	posix_spawn_file_actions_addclose(&rfa, p[0]);
	posix_spawn_file_actions_addclose(&rfa, p[1]);
	pid_t w = spawn_role(&wfa, "child-writer", NULL);
	pid_t r = spawn_role(&rfa, "child-reader", NULL);
	/* Only the children hold the ends now: the reader sees end of file
	 * when the writer ends. */
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(w > 0 && r > 0);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		int st = -1;
		pid_t got = waitpid(-1, &st, 0);
		CHECK(got == w || got == r);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			printf("    # child %d: status %#x\n", got, st);
		seen |= got == w ? 1 : got == r ? 2 : 0;
	}
	CHECK(seen == 3);
	posix_spawn_file_actions_destroy(&wfa);
	posix_spawn_file_actions_destroy(&rfa);
}

static void test_waitpid_any_nohang(void)
{
	pid_t pids[3];
	const char *codes[3] = {"3", "4", "5"};
	for (int i = 0; i < 3; i++)
		pids[i] = spawn_role(NULL, "child-exit", codes[i]);
	int found = 0;
	for (int i = 0; i < 3; i++) {
		int st = 0;
		pid_t got = waitpid(-1, &st, 0);
		for (int j = 0; j < 3; j++) {
			if (got == pids[j] && WIFEXITED(st) && WEXITSTATUS(st) == 3 + j)
				found |= 1 << j;
		}
	}
	CHECK(found == 7);
	/* Still running when waitpid(-1) starts waiting: it sleeps until the
	 * child ends (PROCESS_WATCH), then reaps it. */
	pid_t nap = spawn_role(NULL, "child-nap", NULL);
	int nst = 0;
	CHECK(nap > 0 && waitpid(-1, &nst, 0) == nap && WIFEXITED(nst) && WEXITSTATUS(nst) == 9);
	errno = 0;
	CHECK(waitpid(-1, NULL, 0) == -1 && errno == ECHILD);
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);

	pid_t s = spawn_role(NULL, "child-sleep", NULL);
	CHECK(s > 0);
	int st = 0;
	CHECK(waitpid(s, &st, WNOHANG) == 0);
	CHECK(waitpid(-1, &st, WNOHANG) == 0);
	CHECK(wait4(s, &st, 0x1000000, NULL) == -1 && errno == EINVAL);
	CHECK(kill(s, SIGKILL) == 0);
	CHECK(waitpid(s, &st, 0) == s);
}

static void test_kill(void)
{
	pid_t s = spawn_role(NULL, "child-sleep", NULL);
	CHECK(s > 0);
	CHECK(kill(s, 0) == 0);       /* it exists */
	CHECK(kill(s, SIGCHLD) == 0); /* ignored by default: nothing happens */
	int st = 0;
	CHECK(waitpid(s, &st, WNOHANG) == 0);
	CHECK(kill(s, SIGTERM) == 0);
	CHECK(waitpid(s, &st, 0) == s);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(!WIFEXITED(st));
	errno = 0;
	CHECK(kill(s, SIGTERM) == -1 && errno == ESRCH); /* reaped: gone */
	errno = 0;
	CHECK(kill(s, 99) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(kill(0, SIGTERM) == -1 && errno == ENOSYS); /* no process groups */
}

/* A process that is no child of this one, in this program's job: kill
 * finds it through the job (RAE_SYS_JOB_PROCESS). */
static void test_kill_through_job(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	pid_t c = spawn_role(&fa, "child-grandparent", NULL);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	char line[32] = "";
	ssize_t n = read(p[0], line, sizeof(line) - 1);
	close(p[0]);
	CHECK(n > 1);
	pid_t g = n > 0 ? (pid_t)atoi(line) : 0;
	CHECK(g > 0 && g != c);
	errno = 0;
	CHECK(waitpid(g, NULL, WNOHANG) == -1 && errno == ECHILD); /* not ours to wait for */
	CHECK(kill(g, 0) == 0);
	CHECK(kill(g, SIGTERM) == 0);
	CHECK(c > 0 && exit_status(c) == 0);
	errno = 0;
	CHECK(kill(999999, SIGTERM) == -1 && errno == ESRCH); /* in no job of ours */
}

static void test_spawn_errors(void)
{
	char *argv[] = {"x", NULL};
	pid_t pid = -1;
	CHECK(posix_spawn(&pid, "/bin/no-such-program", NULL, NULL, argv, environ) == ENOENT);
	CHECK(posix_spawn(&pid, "/bin/badelf", NULL, NULL, argv, environ) == ENOEXEC);
	CHECK(posix_spawn(&pid, "/bin/badelf-header", NULL, NULL, argv, environ) == ENOEXEC);
	CHECK(posix_spawn(&pid, "/etc/motd", NULL, NULL, argv, environ) == ENOEXEC);
	CHECK(posix_spawn(&pid, "/bin", NULL, NULL, argv, environ) == EACCES);
	CHECK(posix_spawnp(&pid, "", NULL, NULL, argv, environ) == ENOENT);
	/* More than one start-up message carries. */
	static char huge[5000];
	memset(huge, 'x', sizeof(huge) - 1);
	char *big_argv[] = {"libcproc", "child-exit", huge, NULL};
	CHECK(posix_spawn(&pid, SELF, NULL, NULL, big_argv, environ) == E2BIG);
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD); /* none started */
}

static void test_pipe_calls(void)
{
	int p[2];
	char buf[8];
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	CHECK(close(p[1]) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 0); /* end of file */
	struct stat st;
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(write(p[0], "x", 1) == -1 && errno == EBADF);
	CHECK(lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE);
	CHECK(close(p[0]) == 0);

	CHECK(pipe(p) == 0);
	CHECK(close(p[0]) == 0);
	errno = 0;
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE); /* and no SIGPIPE */
	CHECK(close(p[1]) == 0);

	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[0], F_GETFD) & FD_CLOEXEC));
	errno = 0;
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	static char big[70000];
	CHECK(write(p[1], big, sizeof(big)) == 65536); /* what fits */
	errno = 0;
	CHECK(write(p[1], big, 1) == -1 && errno == EAGAIN);
	CHECK(fcntl(p[0], F_SETFL, 0) == 0 && !(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK(read(p[0], big, sizeof(big)) > 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	errno = 0;
	CHECK(pipe2(p, O_APPEND) == -1 && errno == EINVAL);
}

static void test_console_stdio(void)
{
	CHECK(isatty(0) && isatty(1) && isatty(2));
	struct termios t, raw;
	CHECK(tcgetattr(0, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO));
	raw = t;
	cfmakeraw(&raw);
	CHECK(tcsetattr(0, TCSANOW, &raw) == 0);
	struct termios now;
	CHECK(tcgetattr(0, &now) == 0 && !(now.c_lflag & ICANON) && !(now.c_lflag & ECHO));
	CHECK(tcsetattr(0, TCSAFLUSH, &t) == 0);
	CHECK(tcgetattr(0, &now) == 0 && (now.c_lflag & ICANON));
	struct winsize ws;
	CHECK(ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0);
	CHECK(printf("    # through the console service: %d columns\n", ws.ws_col) > 0);
	CHECK(fflush(stdout) == 0);
	/* A child gets a console badge of its own, on 0-2. */
	pid_t pid = spawn_role(NULL, "child-tty", NULL);
	CHECK(pid > 0 && exit_status(pid) == 0);
	/* A background job (its own process group) may not read the console. */
	posix_spawnattr_t a;
	CHECK(posix_spawnattr_init(&a) == 0);
	CHECK(posix_spawnattr_setflags(&a, POSIX_SPAWN_SETPGROUP) == 0);
	char *argv[] = {"libcproc", "child-background-read", NULL};
	CHECK(posix_spawn(&pid, SELF, NULL, &a, argv, environ) == 0);
	CHECK(exit_status(pid) == 0);
	posix_spawnattr_destroy(&a);
}

typedef struct {
	const char *name;
	void (*fn)(void);
} proc_case_t;

static const proc_case_t cases[] = {
    {"spawn_args_env_exit_status", test_spawn_args_env},
    {"spawnp_path_search", test_spawnp_path},
    {"spawn_file_actions_redirect", test_spawn_redirect},
    {"spawn_pipe_between_children", test_spawn_pipe},
    {"waitpid_any_and_wnohang", test_waitpid_any_nohang},
    {"kill_child_signaled", test_kill},
    {"kill_through_the_job", test_kill_through_job},
    {"spawn_missing_and_bad_elf", test_spawn_errors},
    {"pipe_eof_epipe_nonblock", test_pipe_calls},
    {"console_stdio_termios", test_console_stdio},
};

int main(int argc, char **argv)
{
	if (argc > 1)
		return child_role(argc, argv);
	int n = (int)(sizeof(cases) / sizeof(cases[0])), failed = 0;
	printf("    KTAP version 1\n    # %s: processes and pipes\n    1..%d\n", argv[0], n);
	for (int i = 0; i < n; i++) {
		case_failed = 0;
		cases[i].fn();
		failed += case_failed;
		printf("    %sok %d %s\n", case_failed ? "not " : "", i + 1, cases[i].name);
		fflush(stdout);
	}
	printf("libcproc: %d passed, %d failed\n", n - failed, failed);
	return failed;
}
