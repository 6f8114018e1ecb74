/* Scheduling-context donation on IPC, on the register path and on the
 * general (message) path: a real-time caller's call is served at the
 * caller's priority, not the time-sharing server's own.
 * All on CPU 0: a time-sharing hog thread that never blocks, a
 * time-sharing server process, and this thread as a real-time server of
 * 9 ms every 10 ms. The hog counts without pause; if the server ran at its
 * own time-sharing priority, the hog (always runnable) would get the CPU
 * during calls. With donation it may run only while the caller sleeps
 * between batches. Each call keeps the server busy for 3 ms, longer than
 * the time-sharing slice it would share with the hog: without donation
 * the hog gets the CPU in the middle of nearly every call. With it, the
 * count never moves during a call: the test runs only with exact guest
 * time (-icount), where no host stall can run the caller's budget out.
 * With an argument it is the server half, started with the start-up
 * convention: argv[1] names the path it serves on. */
#include <rae.h>

#define BATCHES 20
#define CALLS   2
#define WORK_NS 3000000ull /* per call: longer than a 2-way time-sharing slice */

static volatile uint64_t hog_count;
static volatile int stop;

static void hog(uint64_t arg)
{
	(void)arg;
	while (!stop)
		hog_count++;
	rae_thread_exit(0);
}

static int fail(const char *what)
{
	rae_puts("donatetest: FAIL: ");
	rae_puts(what);
	rae_puts("\n");
	return 1;
}

static int serve(rae_handle_t arg)
{
	static rae_startup_t s;
	if (rae_startup_receive(arg, &s, RAE_TIMEOUT_NEVER) != RAE_OK || s.argc < 2)
		return 2;
	rae_handle_t ep = rae_startup_take(&s, RAE_ROLE_PRIVATE);
	if (s.argv[1][0] == 'g') {
		/* The general path: a message in, a message back. */
		rae_msg_t m = {0};
		while (rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER) == RAE_OK) {
			uint64_t until = rae_clock_ns() + WORK_NS;
			while (rae_clock_ns() < until)
				;
			m.words[0] += 1;
			rae_ipc_reply(&m);
		}
		return 0;
	}
	rae_regs_t m = {0};
	int64_t st = rae_ipc_recv_regs(ep, &m);
	while (st == RAE_OK) {
		uint64_t until = rae_clock_ns() + WORK_NS;
		while (rae_clock_ns() < until)
			;
		m.w[0] += 1;
		st = rae_ipc_reply_recv_regs(ep, &m);
	}
	return 0;
}

/* One run against a server on `path` ("register" or "general"). */
static int run(const char *path)
{
	int general = path[0] == 'g';
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_t give =
	    (rae_handle_t)rae_sys_handle_dup(ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	const char *const argv[] = {"donatetest", path, NULL};
	uint16_t role = RAE_ROLE_PRIVATE;
	rae_handle_t server = RAE_HANDLE_INVALID;
	rae_status_t started =
	    rae_spawn_start(0, 0, 0, "bin/donatetest", 0, argv, NULL, &give, &role, 1, &server);
	hog_count = 0;
	stop = 0;
	rae_handle_t tid = RAE_HANDLE_INVALID;
	rae_thread_create(hog, 0, 0, &tid);
	if (!ep || started != RAE_OK || !tid)
		return fail("setup");
	/* Let the server reach its receive and the hog get going. */
	rae_sleep_ns(20000000);
	if (rae_set_rt(9000000, 10000000) != RAE_OK)
		return fail("set_rt");
	unsigned moved = 0, calls = 0;
	for (int b = 0; b < BATCHES; b++) {
		rae_sleep_ns(10000000); /* a fresh budget for each batch */
		for (int i = 0; i < CALLS; i++) {
			uint64_t before = hog_count, answer = 0;
			int64_t st;
			if (general) {
				rae_msg_t m = {.tag = 1, .words = {(uint64_t)i}};
				st = rae_ipc_call(ep, &m, RAE_TIMEOUT_NEVER);
				answer = m.words[0];
			} else {
				rae_regs_t m = {.tag = 1, .w = {(uint64_t)i}};
				st = rae_ipc_call_regs(ep, &m);
				answer = m.w[0];
			}
			if (st != RAE_OK || answer != (uint64_t)i + 1)
				return fail("call");
			if (hog_count != before)
				moved++;
			calls++;
		}
	}
	rae_set_rt(0, 0);
	uint64_t total = hog_count;
	stop = 1;
	int code = -1;
	rae_thread_join(tid, &code);
	rae_kill(server);
	rae_wait(server, 0);
	rae_puts("donatetest: ");
	rae_puts(path);
	rae_puts(" path: ");
	rae_put_dec(calls);
	rae_puts(" calls, the hog ran during ");
	rae_put_dec(moved);
	rae_puts(" of them (it counted to ");
	rae_put_dec((int64_t)total);
	rae_puts(" in all)\n");
	if (total == 0)
		return fail("the hog never ran: the test proves nothing");
	/* With exact guest time (the test runs only there) every call fits the
	 * caller's budget, so donation leaves the hog no moment in any call. */
	if (moved)
		return fail("a time-sharing thread ran during a real-time caller's calls");
	return 0;
}

int main(uint64_t arg)
{
	rae_set_affinity(1);
	if (arg)
		return serve((rae_handle_t)arg);
	if (run("register") || run("general"))
		return 1;
	rae_puts("donatetest: all checks passed\n");
	return 0;
}
