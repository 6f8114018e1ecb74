/* IPC round trip (call + reply) between two processes pinned to one CPU,
 * measured by the caller with the TSC (guest instructions under -icount).
 * With an argument it is the server half: receive and reply forever. */
#include <rae.h>

#define SAMPLES 10000

static uint64_t samples[SAMPLES];

static void serve(rae_handle_t ep)
{
	rae_msg_t m = {0};
	rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER);
	for (;;) {
		rae_msg_t r = {.tag = m.tag, .words = {m.words[0] + 1}};
		m = (rae_msg_t){0};
		if (rae_ipc_reply_recv(ep, &r, &m, RAE_TIMEOUT_NEVER) != RAE_OK)
			rae_exit(1);
		if (m.tag == RAE_BENCH_STOP) {
			rae_ipc_reply(&r);
			rae_exit(0);
		}
	}
}

int main(uint64_t arg)
{
	rae_set_affinity(1); /* both halves on CPU 0: the one-core case */
	if (arg)
		serve((rae_handle_t)arg);
	int64_t ep = rae_sys_endpoint_create();
	rae_handle_t give =
	    (rae_handle_t)rae_sys_handle_dup((rae_handle_t)ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	int64_t server = rae_sys_spawn_with("bin/bench_ipc", give, 0);
	if (ep < 0 || server < 0)
		return 1;
	rae_msg_t m;
	for (int i = 0; i < 100; i++) { /* warm up */
		m = (rae_msg_t){.tag = 1};
		rae_ipc_call((rae_handle_t)ep, &m, RAE_TIMEOUT_NEVER);
	}
	for (int i = 0; i < SAMPLES; i++) {
		m = (rae_msg_t){.tag = 1, .words = {(uint64_t)i}};
		uint64_t t0 = rae_rdtsc();
		rae_ipc_call((rae_handle_t)ep, &m, RAE_TIMEOUT_NEVER);
		samples[i] = rae_rdtsc() - t0;
	}
	m = (rae_msg_t){.tag = RAE_BENCH_STOP};
	rae_ipc_call((rae_handle_t)ep, &m, RAE_TIMEOUT_NEVER);
	rae_wait(server, 0);
	rae_bench_report("user_ipc_call_reply_one_core", samples, SAMPLES);
	return 0;
}
