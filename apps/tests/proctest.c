/* Exercises the process and scheduling system calls from user mode: spawn,
 * wait, kill, sleep, clock, real-time parameters, affinity. Exits with the
 * number of failed checks (0 = all passed), naming each failure. */
#include <rae.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_puts("proctest: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
	}
}

int main(uint64_t arg)
{
	(void)arg;
	int status = -1;

	rae_handle_t pid;
	check(rae_spawn("/bin/hello", &pid) == RAE_OK, "spawn /bin/hello");
	check(rae_wait(pid, &status) == RAE_OK && status == 42, "wait gives hello's status 42");
	status = -1;
	check(rae_wait(pid, &status) == RAE_OK && status == 42,
	      "waiting again gives the same status");
	check(rae_handle_close(pid) == RAE_OK, "close the process handle");
	check(rae_wait(pid, &status) == RAE_ERR_BAD_HANDLE, "a closed process handle is refused");
	rae_handle_t none;
	check(rae_spawn("/bin/missing", &none) == RAE_ERR_NOT_FOUND, "spawn of a missing file");
	check(rae_spawn("/bin/badelf", &none) < 0, "spawn of a damaged executable fails");
	check(rae_spawn((const char *)0xffff800000000000ull, &none) == RAE_ERR_FAULT,
	      "spawn with a kernel pointer");

	rae_handle_t sleeper;
	check(rae_spawn("bin/sleeper", &sleeper) == RAE_OK, "spawn bin/sleeper");
	rae_sleep_ns(20000000);
	check(rae_kill(sleeper) == RAE_OK, "kill the sleeper");
	check(rae_wait(sleeper, &status) == RAE_OK && status == RAE_EXIT_KILLED,
	      "a killed child reports RAE_EXIT_KILLED");
	check(rae_kill(rae_getpid()) == RAE_ERR_BAD_HANDLE, "a process id is not a handle");
	/* A process nobody holds any more is killed and cleaned up. */
	rae_handle_t orphan;
	check(rae_spawn("bin/sleeper", &orphan) == RAE_OK && rae_handle_close(orphan) == RAE_OK,
	      "let go of a running child");
	/* A handle without MANAGE cannot kill, one without WAIT cannot wait. */
	rae_handle_t other = 0, weak = 0, blind = 0;
	check(rae_spawn("bin/hello", &other) == RAE_OK &&
		  rae_handle_dup(other, RAE_RIGHT_READ | RAE_RIGHT_WAIT, &weak) == RAE_OK,
	      "a duplicate without MANAGE");
	check(rae_kill(weak) == RAE_ERR_ACCESS_DENIED, "kill needs MANAGE");
	check(rae_wait(weak, &status) == RAE_OK && status == 42, "wait through a duplicate");
	check(rae_handle_dup(other, RAE_RIGHT_READ, &blind) == RAE_OK, "a duplicate without WAIT");
	check(rae_wait(blind, &status) == RAE_ERR_ACCESS_DENIED, "wait needs WAIT");

	uint64_t t0 = rae_clock_ns();
	rae_sleep_ns(10000000);
	uint64_t slept = rae_clock_ns() - t0;
	check(slept >= 10000000, "sleep 10 ms lasts at least 10 ms");

	check(rae_set_rt(2000000, 10000000) == RAE_OK, "become real-time at 20%");
	check(rae_set_rt(9500000, 10000000) == RAE_ERR_LIMIT, "95% is refused by admission");
	check(rae_set_rt(5, 10) == RAE_ERR_INVALID, "a 5 ns budget is refused");
	check(rae_set_rt(0, 0) == RAE_OK, "back to time-sharing");

	check(rae_set_affinity(1) == RAE_OK, "pin to CPU 0");
	int on_cpu0 = 1;
	for (int i = 0; i < 20; i++) {
		rae_yield();
		if (rae_cpu() != 0)
			on_cpu0 = 0;
	}
	check(on_cpu0, "a pinned thread stays on CPU 0");
	check(rae_set_affinity(0) == RAE_ERR_INVALID, "an empty CPU mask is refused");
	rae_set_affinity(~0ull);

	rae_puts(failures ? "proctest: some checks failed\n" : "proctest: all checks passed\n");
	return failures;
}
