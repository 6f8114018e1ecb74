/* Shared-memory copy throughput: 64 KiB copied from private memory into a
 * memory object mapped in this process and in a second one, which checks
 * what arrived. Reported in bytes per guest instruction (under -icount the
 * TSC counts instructions): p50, p99 and max of the per-copy throughput.
 * With an argument it is the reader half: it maps the object read-only
 * and exits 0 when the contents match. */
#include <rae.h>

#define SAMPLES 2000
#define BYTES   65536

static uint64_t samples[SAMPLES];
static uint64_t src[BYTES / 8];

static uint64_t expected(uint64_t i)
{
	return i * 0x9e3779b97f4a7c15ull + 12345;
}

static void copy_words(volatile uint64_t *dst, const uint64_t *s, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		dst[i] = s[i];
}

/* Prints v / 1000 with three decimals. */
static void put_milli(uint64_t v)
{
	rae_put_dec((int64_t)(v / 1000));
	rae_puts(".");
	uint64_t f = v % 1000;
	if (f < 100)
		rae_puts("0");
	if (f < 10)
		rae_puts("0");
	rae_put_dec((int64_t)f);
}

int main(uint64_t arg)
{
	rae_set_affinity(1);
	if (arg) {
		int64_t at = rae_mem_map((rae_handle_t)arg, RAE_PROT_READ);
		if (at < 0)
			return 1;
		const volatile uint64_t *m = (const volatile uint64_t *)(uintptr_t)at;
		for (uint64_t i = 0; i < BYTES / 8; i++) {
			if (m[i] != expected(i))
				return 2;
		}
		return 0;
	}
	int64_t mem = rae_sys_mem_create(BYTES, 0);
	int64_t at = mem < 0 ? mem : rae_mem_map((rae_handle_t)mem, RAE_PROT_READ | RAE_PROT_WRITE);
	if (at < 0)
		return 1;
	volatile uint64_t *dst = (volatile uint64_t *)(uintptr_t)at;
	for (uint64_t i = 0; i < BYTES / 8; i++)
		src[i] = expected(i);
	for (int i = -10; i < SAMPLES; i++) {
		uint64_t t0 = rae_rdtsc();
		copy_words(dst, src, BYTES / 8);
		uint64_t t1 = rae_rdtsc();
		if (i >= 0)
			samples[i] = t1 - t0;
	}
	rae_handle_t give;
	rae_handle_dup((rae_handle_t)mem, RAE_RIGHT_READ | RAE_RIGHT_MAP | RAE_RIGHT_TRANSFER,
		       &give);
	int64_t reader = rae_sys_spawn_with("bin/bench_shm", give, 0);
	int status = -1;
	if (reader < 0 || rae_wait(reader, &status) != RAE_OK || status != 0)
		return 3;
	/* Throughput percentiles: the fastest copies are the highest. */
	uint64_t *s = samples;
	rae_bench_report_sort(s, SAMPLES);
	uint64_t p50 = s[SAMPLES / 2], p99 = s[SAMPLES / 100], best = s[0];
	rae_puts("BENCH {\"name\": \"user_shm_copy_throughput\", \"unit\": \"bytes/instruction\", "
		 "\"p50\": ");
	put_milli(BYTES * 1000ull / p50);
	rae_puts(", \"p99\": ");
	put_milli(BYTES * 1000ull / p99);
	rae_puts(", \"max\": ");
	put_milli(BYTES * 1000ull / best);
	rae_puts(", \"samples\": ");
	rae_put_dec(SAMPLES);
	rae_puts("}\n");
	return 0;
}
