/* Null system call round trip, measured from user mode with the TSC (guest
 * instructions under QEMU -icount); prints one BENCH line like the
 * kernel's benchmarks. */
#include <rae.h>

#define SAMPLES 10000

static uint64_t samples[SAMPLES];

int main(uint64_t arg)
{
	(void)arg;
	uint64_t overhead = ~0ull;
	for (int i = 0; i < 256; i++) {
		uint64_t t0 = rae_rdtsc(), t1 = rae_rdtsc();
		if (t1 - t0 < overhead)
			overhead = t1 - t0;
	}
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rae_rdtsc();
		rae_getpid();
		uint64_t d = rae_rdtsc() - t0;
		samples[i] = d > overhead ? d - overhead : 0;
	}
	rae_bench_report("user_null_syscall_round_trip", samples, SAMPLES);
	return 0;
}
