/* Register IPC round trip (the fast path: a direct switch from caller to
 * receiver and back on one CPU) between two processes pinned to CPU 0,
 * measured by the caller with the TSC (guest instructions under -icount).
 * With an argument it is the server half. */
#include <rae.h>

#define SAMPLES 10000

static uint64_t samples[SAMPLES];

int main(uint64_t arg)
{
	rae_set_affinity(1);
	if (arg) {
		rae_bench_echo_server((rae_handle_t)arg);
		return 0;
	}
	int64_t ep = rae_sys_endpoint_create();
	rae_handle_t give =
	    (rae_handle_t)rae_sys_handle_dup((rae_handle_t)ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	int64_t server = rae_sys_spawn_with("bin/bench_ipcreg", give, 0);
	if (ep < 0 || server < 0)
		return 1;
	for (int i = 0; i < 100; i++) {
		rae_regs_t m = {.tag = 1};
		rae_ipc_call_regs((rae_handle_t)ep, &m);
	}
	for (int i = 0; i < SAMPLES; i++) {
		rae_regs_t m = {.tag = 1, .w = {(uint64_t)i}};
		uint64_t t0 = rae_rdtsc();
		rae_ipc_call_regs((rae_handle_t)ep, &m);
		samples[i] = rae_rdtsc() - t0;
	}
	rae_regs_t m = {.tag = RAE_BENCH_STOP};
	rae_ipc_call_regs((rae_handle_t)ep, &m);
	rae_kill(server);
	rae_wait(server, 0);
	rae_bench_report("user_ipc_register_call_reply_one_core", samples, SAMPLES);
	return 0;
}
