/* Register IPC round trip (the fast path: a direct switch from caller to
 * receiver and back on one CPU) between two processes pinned to CPU 0,
 * measured by the caller with the TSC (guest instructions under -icount).
 * With an argument it is the server half. */
#include <rae.h>

#define SAMPLES 10000

static uint64_t samples[SAMPLES];

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void sort(uint64_t *a, int n)
{
	for (int gap = n / 2; gap > 0; gap /= 2) {
		for (int i = gap; i < n; i++) {
			uint64_t v = a[i];
			int j = i;
			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

int main(uint64_t arg)
{
	rae_set_affinity(1);
	if (arg) {
		rae_regs_t m = {0};
		int64_t st = rae_ipc_recv_regs((rae_handle_t)arg, &m);
		while (st == RAE_OK && m.tag != 0xdead) {
			m.w[0] += 1;
			st = rae_ipc_reply_recv_regs((rae_handle_t)arg, &m);
		}
		rae_regs_t bye = {0};
		rae_ipc_reply_recv_regs((rae_handle_t)arg, &bye); /* answers 0xdead, then waits */
		return 0;
	}
	int64_t ep = rae_endpoint_create();
	rae_handle_t give =
	    (rae_handle_t)rae_handle_dup((rae_handle_t)ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	int64_t server = rae_spawn_with("bin/bench_ipcreg", give);
	if (ep < 0 || server < 0)
		return 1;
	for (int i = 0; i < 100; i++) {
		rae_regs_t m = {.tag = 1};
		rae_ipc_call_regs((rae_handle_t)ep, &m);
	}
	for (int i = 0; i < SAMPLES; i++) {
		rae_regs_t m = {.tag = 1, .w = {(uint64_t)i}};
		uint64_t t0 = rdtsc();
		rae_ipc_call_regs((rae_handle_t)ep, &m);
		samples[i] = rdtsc() - t0;
	}
	rae_regs_t m = {.tag = 0xdead};
	rae_ipc_call_regs((rae_handle_t)ep, &m);
	rae_kill(server);
	rae_wait(server, 0);
	sort(samples, SAMPLES);
	rae_puts("BENCH {\"name\": \"user_ipc_register_call_reply_one_core\", \"unit\": "
		 "\"instructions\", \"p50\": ");
	rae_put_dec((int64_t)samples[SAMPLES / 2]);
	rae_puts(", \"p99\": ");
	rae_put_dec((int64_t)samples[SAMPLES * 99 / 100]);
	rae_puts(", \"max\": ");
	rae_put_dec((int64_t)samples[SAMPLES - 1]);
	rae_puts(", \"samples\": ");
	rae_put_dec(SAMPLES);
	rae_puts("}\n");
	return 0;
}
