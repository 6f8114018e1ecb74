/* Null system call round trip, measured from user mode with the TSC (guest
 * instructions under QEMU -icount); prints one BENCH line like the
 * kernel's benchmarks. */
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
	/* Shell sort: no recursion, fine for ten thousand values. */
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
	(void)arg;
	uint64_t overhead = ~0ull;
	for (int i = 0; i < 256; i++) {
		uint64_t t0 = rdtsc(), t1 = rdtsc();
		if (t1 - t0 < overhead)
			overhead = t1 - t0;
	}
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		rae_getpid();
		uint64_t d = rdtsc() - t0;
		samples[i] = d > overhead ? d - overhead : 0;
	}
	sort(samples, SAMPLES);
	rae_puts("BENCH {\"name\": \"user_null_syscall_round_trip\", \"unit\": \"instructions\", "
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
