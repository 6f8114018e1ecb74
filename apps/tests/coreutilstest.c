/* The commands (apps/coreutils) from outside, before there is a shell to
 * run them: started as the first process (KTEST user_coreutils), this
 * starts bin/vfsd on the initrd, runs each command with arguments and a
 * handle to it (RAE_ROLE_VFS; RAE_ROLE_JOB where the command needs one)
 * and checks its exit status and what it did to the file system, through
 * the VFS itself. The commands print on the kernel's debug console until
 * standard output is console-backed; tools/test/log_checks.py matches
 * some of their lines in the serial log. Each case is a KTAP subtest; the
 * exit status is the number of failed cases. */
#include <rae.h>
#include <rae/process.h>
#include <rae_startup.h>
#include <rae_vfs.h>

#define CU_DIR "/tmp/cu"

static rae_handle_t admin_ep, vfs;
static int case_failed;

static void say(const char *s)
{
	rae_puts(s);
}

static void check_at(int ok, const char *what, int line)
{
	if (ok)
		return;
	say("    # line ");
	rae_put_dec(line);
	say(": ");
	say(what);
	say("\n");
	case_failed = 1;
}

#define CHECK(cond) check_at((cond), #cond, __LINE__)

/* Runs bin/<argv[0]> with a handle to vfsd and, when job is not 0, a
 * handle to it (RAE_ROLE_JOB, the rights given); returns its exit status,
 * or -1 if it did not start. The child runs in `in_job` (0: ours). */
static int run_in(const char *const *argv, rae_handle_t in_job, rae_handle_t job, uint32_t rights)
{
	char path[64] = "bin/";
	size_t n = rae_strlen(argv[0]);
	if (n + 5 > sizeof(path))
		return -1;
	memcpy(path + 4, argv[0], n + 1);
	rae_handle_t handles[2];
	uint16_t roles[2];
	unsigned count = 0;
	rae_handle_t connect = RAE_HANDLE_INVALID;
	rae_handle_mint(admin_ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, RAE_VFS_BADGE_CONNECT,
			&connect);
	if (!connect)
		return -1;
	handles[count] = connect;
	roles[count++] = RAE_ROLE_VFS;
	if (job) {
		rae_handle_t j = RAE_HANDLE_INVALID;
		rae_handle_dup(job, rights | RAE_RIGHT_TRANSFER, &j);
		if (!j)
			return -1;
		handles[count] = j;
		roles[count++] = RAE_ROLE_JOB;
	}
	const char *envp[] = {"HOME=/", "PATH=/bin", NULL};
	say("coreutilstest: $");
	for (int i = 0; argv[i]; i++) {
		say(" ");
		say(argv[i]);
	}
	say("\n");
	rae_handle_t proc;
	if (rae_spawn_start(0, 0, 0, path, in_job, argv, envp, handles, roles, count, &proc) !=
	    RAE_OK)
		return -1;
	int status = -1;
	if (rae_wait(proc, &status) != RAE_OK)
		status = -1;
	rae_handle_close(proc);
	return status;
}

static int run(const char *const *argv)
{
	return run_in(argv, 0, 0, 0);
}

#define RUN(...) run((const char *const[]){__VA_ARGS__, NULL})

/* --- what the file system holds -------------------------------------------- */

static int is_dir(const char *path)
{
	struct rae_stat st;
	return rae_vfs_stat(vfs, path, &st) == RAE_OK &&
	       (st.mode & RAE_VFS_S_IFMT) == RAE_VFS_S_IFDIR;
}

static int missing(const char *path)
{
	struct rae_stat st;
	return rae_vfs_lstat(vfs, path, &st) == RAE_ERR_NOT_FOUND;
}

/* The whole file into buf (cap bytes); its length, or -1. */
static int64_t slurp(const char *path, char *buf, size_t cap)
{
	int64_t fd = rae_vfs_open(vfs, path, RAE_VFS_O_READ, 0);
	if (fd < 0)
		return -1;
	int64_t got = 0;
	for (;;) {
		int64_t n = rae_vfs_read(vfs, fd, buf + got, cap - (size_t)got);
		if (n <= 0)
			break;
		got += n;
		if ((size_t)got == cap)
			break;
	}
	rae_vfs_close(vfs, fd);
	return got;
}

static char motd[1024];
static int64_t motd_len;

/* The file holds exactly /etc/motd's bytes. */
static int same_as_motd(const char *path)
{
	static char buf[1024];
	int64_t n = slurp(path, buf, sizeof(buf));
	return n == motd_len && !memcmp(buf, motd, (size_t)n);
}

/* --- the cases ------------------------------------------------------------- */

static void test_setup(void)
{
	rae_status_t st = rae_vfs_mkdir(vfs, "/tmp", 0755);
	CHECK(st == RAE_OK || st == RAE_ERR_EXISTS);
	motd_len = slurp("/etc/motd", motd, sizeof(motd));
	CHECK(motd_len > 0 && (size_t)motd_len < sizeof(motd));
}

static void test_echo_cat(void)
{
	CHECK(RUN("echo", "coreutilstest:", "echo", "says", "hello") == 0);
	CHECK(RUN("echo", "-n", "coreutilstest: no newline\n") == 0);
	CHECK(RUN("cat", "/etc/motd") == 0);
	CHECK(RUN("cat", "/nonexistent") == 1);
	CHECK(RUN("cat", "/etc/motd", "/nonexistent", "/etc/motd") == 1); /* and goes on */
	CHECK(RUN("cat", "/etc") == 1);
}

static void test_ls(void)
{
	CHECK(RUN("ls", "/bin") == 0);
	CHECK(RUN("ls", "-l", "/etc/motd") == 0);
	CHECK(RUN("ls", "-la", "/", "/etc/motd", "/etc") == 0);
	CHECK(RUN("ls", "/nonexistent") == 1);
	CHECK(RUN("ls", "-z") == 2);
}

static void test_mkdir(void)
{
	CHECK(RUN("mkdir", "-p", CU_DIR "/a/b/c") == 0);
	CHECK(is_dir(CU_DIR "/a") && is_dir(CU_DIR "/a/b") && is_dir(CU_DIR "/a/b/c"));
	CHECK(RUN("mkdir", "-p", CU_DIR "/a/b") == 0); /* there already: fine with -p */
	CHECK(RUN("mkdir", CU_DIR "/a") == 1);         /* not without */
	CHECK(RUN("mkdir", CU_DIR "/x/y") == 1);       /* no parent */
	CHECK(missing(CU_DIR "/x"));
	CHECK(RUN("mkdir", CU_DIR "/d1", CU_DIR "/d2") == 0);
	CHECK(is_dir(CU_DIR "/d1") && is_dir(CU_DIR "/d2"));
	CHECK(RUN("mkdir", "-p", "/etc/motd/sub") == 1); /* a file in the way */
}

static void test_cp(void)
{
	CHECK(RUN("cp", "/etc/motd", CU_DIR "/a/motd") == 0);
	CHECK(same_as_motd(CU_DIR "/a/motd"));
	CHECK(RUN("cp", "/etc/motd", CU_DIR) == 0); /* into a directory */
	CHECK(same_as_motd(CU_DIR "/motd"));
	CHECK(RUN("cp", CU_DIR "/a", CU_DIR "/nor") == 1); /* a directory needs -r */
	CHECK(missing(CU_DIR "/nor"));
	CHECK(RUN("cp", "-r", CU_DIR "/a", CU_DIR "/copy") == 0);
	CHECK(is_dir(CU_DIR "/copy/b/c"));
	CHECK(same_as_motd(CU_DIR "/copy/motd"));
	CHECK(same_as_motd(CU_DIR "/a/motd")); /* the original stays */
	CHECK(RUN("cp", "/nonexistent", CU_DIR "/n") == 1);
	CHECK(missing(CU_DIR "/n"));
	CHECK(RUN("cp", "/etc/motd", "/etc/motd", CU_DIR "/a/motd") == 1); /* not a directory */
}

static void test_mv(void)
{
	CHECK(RUN("mv", CU_DIR "/motd", CU_DIR "/moved") == 0);
	CHECK(missing(CU_DIR "/motd"));
	CHECK(same_as_motd(CU_DIR "/moved"));
	CHECK(RUN("mv", CU_DIR "/moved", CU_DIR "/d1") == 0); /* into a directory */
	CHECK(missing(CU_DIR "/moved"));
	CHECK(same_as_motd(CU_DIR "/d1/moved"));
	CHECK(RUN("mv", CU_DIR "/d2", CU_DIR "/d3") == 0); /* a directory */
	CHECK(missing(CU_DIR "/d2") && is_dir(CU_DIR "/d3"));
	CHECK(RUN("mv", CU_DIR "/none", CU_DIR "/x") == 1);
	CHECK(missing(CU_DIR "/x"));
}

static void test_rm(void)
{
	CHECK(RUN("rm", CU_DIR "/a") == 1); /* a directory needs -r */
	CHECK(is_dir(CU_DIR "/a"));
	CHECK(RUN("rm", CU_DIR "/none") == 1);
	CHECK(RUN("rm", "-f", CU_DIR "/none") == 0);
	CHECK(RUN("rm", CU_DIR "/d1/moved") == 0);
	CHECK(missing(CU_DIR "/d1/moved"));
	CHECK(RUN("rm", "-r", CU_DIR "/copy") == 0);
	CHECK(missing(CU_DIR "/copy"));
	CHECK(is_dir(CU_DIR "/a/b/c")); /* only what was named */
	CHECK(RUN("rm", "-rf", CU_DIR) == 0);
	CHECK(missing(CU_DIR));
}

static void test_system_info(void)
{
	CHECK(RUN("uname") == 0);
	CHECK(RUN("uname", "-a") == 0);
	CHECK(RUN("uname", "-s", "-r", "-m") == 0);
	CHECK(RUN("free") == 0);
	CHECK(RUN("free", "-m") == 0);
	CHECK(RUN("uptime") == 0);
	CHECK(RUN("uname", "-x") == 2);
	CHECK(RUN("free", "-x") == 2);
}

/* Whether process `pid` of `job` has ended (or is gone) within timeout_ns. */
static int ended_within(int64_t job, uint64_t pid, uint64_t timeout_ns)
{
	static rae_process_info_t list[16];
	uint64_t deadline = rae_clock_ns() + timeout_ns;
	do {
		int64_t n = rae_job_processes((rae_handle_t)job, list, 16);
		if (n < 0)
			return 0;
		int running = 0;
		for (int64_t i = 0; i < n && i < 16; i++) {
			if (list[i].pid == pid && list[i].state == RAE_PROCESS_RUNNING)
				running = 1;
		}
		if (!running)
			return 1;
		rae_sleep_ns(10000000ull);
	} while (rae_clock_ns() < deadline);
	return 0;
}

static void test_ps_kill(void)
{
	CHECK(RUN("ps") == 1); /* no job handle: nothing it may list */
	CHECK(RUN("kill") == 2);
	CHECK(RUN("kill", "abc") == 1);
	CHECK(RUN("kill", "-NOSUCHSIGNAL", "1") == 2);

	rae_handle_t job = RAE_HANDLE_INVALID;
	rae_job_create(0, 16, 64, UINT64_MAX, UINT64_MAX, &job);
	CHECK(job > 0);
	if (job <= 0)
		return;
	const char *const ps[] = {"ps", NULL};
	/* ps in the job it lists: it sees itself at least. */
	CHECK(run_in(ps, job, job, RAE_RIGHT_READ) == 0);

	/* kill: a sleeper in the job, killed by its id through the job. */
	rae_handle_t sleeper = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/sleeper", 0, job, &sleeper);
	CHECK(sleeper > 0);
	if (sleeper <= 0) {
		rae_handle_close(job);
		return;
	}
	char pid[24];
	int64_t id = rae_process_id(sleeper);
	int n = 0;
	char digits[24];
	do {
		digits[n++] = (char)('0' + id % 10);
		id /= 10;
	} while (id > 0);
	for (int i = 0; i < n; i++)
		pid[i] = digits[n - 1 - i];
	pid[n] = '\0';
	const char *const kill_it[] = {"kill", "-KILL", pid, NULL};
	CHECK(run_in(kill_it, 0, job, RAE_RIGHT_READ | RAE_RIGHT_MANAGE) == 0);
	/* Ended by the kill, not by the clean-up below: watched through the
	 * job's list, so a kill that did nothing fails the case instead of
	 * hanging it. */
	CHECK(ended_within(job, (uint64_t)rae_process_id(sleeper), 2000000000ull));
	rae_kill(sleeper);
	int status = -1;
	CHECK(rae_wait(sleeper, &status) == RAE_OK && status == RAE_EXIT_KILLED);
	rae_handle_close(sleeper);
	rae_handle_close(job);
}

static void test_dmesg(void)
{
	/* The success path prints the whole kernel log, earlier KTAP lines
	 * included, which the harness would read twice; consoletest checks
	 * the service's LOG_READ that dmesg is made of. */
	CHECK(RUN("dmesg") == 1); /* no console handle: a clear error */
	CHECK(RUN("dmesg", "-x") == 2);
}

static void test_bench(void)
{
	CHECK(RUN("bench", "-n", "1000") == 0);
	CHECK(RUN("bench", "-n", "0") == 2);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
    {"setup", test_setup},     {"echo_cat", test_echo_cat},
    {"ls", test_ls},           {"mkdir", test_mkdir},
    {"cp", test_cp},           {"mv", test_mv},
    {"rm", test_rm},           {"system_info", test_system_info},
    {"ps_kill", test_ps_kill}, {"dmesg", test_dmesg},
    {"bench", test_bench},
};

static int fail(const char *step, int64_t st)
{
	say("coreutilstest: ");
	say(step);
	say(": ");
	say(rae_status_name((rae_status_t)st));
	say("\n");
	return 100;
}

int main(uint64_t arg)
{
	rae_handle_t root = 0, initrd = 0;
	uint64_t bytes = 0;
	rae_status_t st = rae_bootstrap_receive((rae_handle_t)arg, &root, &initrd, &bytes);
	if (st != RAE_OK)
		return fail("bootstrap", st);
	rae_handle_close(root); /* no hardware here */
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	if (!ep)
		return fail("endpoint", ep);
	admin_ep = ep;
	rae_handle_t vfsd;
	st = rae_vfs_start("bin/vfsd", admin_ep, initrd, bytes, NULL, -1, &vfsd);
	if (st != RAE_OK)
		return fail("starting vfsd", st);
	rae_handle_t connect = RAE_HANDLE_INVALID;
	rae_handle_mint(admin_ep, RAE_RIGHT_WRITE | RAE_RIGHT_TRANSFER, RAE_VFS_BADGE_CONNECT,
			&connect);
	if (!connect)
		return fail("connect handle", connect);
	st = rae_vfs_session_open(connect, &vfs);
	if (st != RAE_OK)
		return fail("session", st);

	int n = (int)(sizeof(cases) / sizeof(cases[0])), failed = 0;
	say("    KTAP version 1\n    # coreutilstest: the commands against rae-vfsd\n    1..");
	rae_put_dec(n);
	say("\n");
	for (int i = 0; i < n; i++) {
		case_failed = 0;
		cases[i].fn();
		failed += case_failed;
		say(case_failed ? "    not ok " : "    ok ");
		rae_put_dec(i + 1);
		say(" ");
		say(cases[i].name);
		say("\n");
	}
	say("coreutilstest: ");
	rae_put_dec(n - failed);
	say(" passed, ");
	rae_put_dec(failed);
	say(" failed\n");
	rae_vfs_session_close(vfs);
	rae_kill(vfsd);
	rae_wait(vfsd, NULL);
	return failed;
}
