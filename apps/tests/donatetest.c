/* Scheduling-context donation on register IPC: a real-time caller's call
 * is served at the caller's priority, not the time-sharing server's own.
 * All on CPU 0: a time-sharing hog thread that never blocks, a
 * time-sharing server process, and this thread as a real-time server of
 * 9 ms every 10 ms. The hog counts without pause; if the server ran at its
 * own time-sharing priority, the hog (always runnable) would get the CPU
 * during calls. With donation it may run only while the caller sleeps
 * between batches. Each call keeps the server busy for 3 ms, longer than
 * the time-sharing slice it would share with the hog: without donation
 * the hog gets the CPU in the middle of nearly every call. With it, the
 * count may move only where the host stalled the guest so long that the
 * caller's budget ran out (plain TCG): at most a quarter of the calls.
 * With an argument it is the server half. */
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

int main(uint64_t arg)
{
	rae_set_affinity(1);
	if (arg) {
		rae_regs_t m = {0};
		int64_t st = rae_ipc_recv_regs((rae_handle_t)arg, &m);
		while (st == RAE_OK) {
			uint64_t until = rae_clock_ns() + WORK_NS;
			while (rae_clock_ns() < until)
				;
			m.w[0] += 1;
			st = rae_ipc_reply_recv_regs((rae_handle_t)arg, &m);
		}
		return 0;
	}
	int64_t ep = rae_endpoint_create();
	rae_handle_t give =
	    (rae_handle_t)rae_handle_dup((rae_handle_t)ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	int64_t server = rae_spawn_with("bin/donatetest", give);
	int64_t tid = rae_thread_create(hog, 0);
	if (ep < 0 || server < 0 || tid < 0)
		return fail("setup");
	/* Let the server reach its receive and the hog get going. */
	rae_sleep_ns(20000000);
	if (rae_set_rt(9000000, 10000000) != RAE_OK)
		return fail("set_rt");
	unsigned moved = 0, calls = 0;
	for (int b = 0; b < BATCHES; b++) {
		rae_sleep_ns(10000000); /* a fresh budget for each batch */
		for (int i = 0; i < CALLS; i++) {
			rae_regs_t m = {.tag = 1, .w = {(uint64_t)i}};
			uint64_t before = hog_count;
			if (rae_ipc_call_regs((rae_handle_t)ep, &m) != RAE_OK ||
			    m.w[0] != (uint64_t)i + 1)
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
	rae_put_dec(calls);
	rae_puts(" calls, the hog ran during ");
	rae_put_dec(moved);
	rae_puts(" of them (it counted to ");
	rae_put_dec((int64_t)total);
	rae_puts(" in all)\n");
	if (total == 0)
		return fail("the hog never ran: the test proves nothing");
	if (moved * 4 > calls)
		return fail("a time-sharing thread ran during a real-time caller's calls");
	rae_puts("donatetest: all checks passed\n");
	return 0;
}
