/* IPC round trip (call + reply) between two processes pinned to one CPU,
 * measured by the caller with the TSC (guest instructions under -icount).
 * With an argument it is the server half: receive and reply forever. */
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

static void serve(rae_handle_t ep)
{
	rae_msg_t m = {0};
	rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER);
	for (;;) {
		rae_msg_t r = {.tag = m.tag, .words = {m.words[0] + 1}};
		rae_ipc_reply(&r);
		m = (rae_msg_t){0};
		if (rae_ipc_receive(ep, &m, RAE_TIMEOUT_NEVER) != RAE_OK)
			rae_exit(1);
		if (m.tag == 0xdead) {
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
	int64_t ep = rae_endpoint_create();
	rae_handle_t give =
	    (rae_handle_t)rae_handle_dup((rae_handle_t)ep, RAE_RIGHT_READ | RAE_RIGHT_TRANSFER);
	int64_t server = rae_spawn_with("bin/bench_ipc", give);
	if (ep < 0 || server < 0)
		return 1;
	rae_msg_t m;
	for (int i = 0; i < 100; i++) { /* warm up */
		m = (rae_msg_t){.tag = 1};
		rae_ipc_call((rae_handle_t)ep, &m, RAE_TIMEOUT_NEVER);
	}
	for (int i = 0; i < SAMPLES; i++) {
		m = (rae_msg_t){.tag = 1, .words = {(uint64_t)i}};
		uint64_t t0 = rdtsc();
		rae_ipc_call((rae_handle_t)ep, &m, RAE_TIMEOUT_NEVER);
		samples[i] = rdtsc() - t0;
	}
	m = (rae_msg_t){.tag = 0xdead};
	rae_ipc_call((rae_handle_t)ep, &m, RAE_TIMEOUT_NEVER);
	rae_wait(server, 0);
	sort(samples, SAMPLES);
	rae_puts("BENCH {\"name\": \"user_ipc_call_reply_one_core\", \"unit\": \"instructions\", "
		 "\"p50\": ");
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
