/* Benchmark helpers for user programs: sort samples and print one
 * "BENCH {json}" line in the form the kernel's benchmarks use. */
#include <rae.h>

void rae_bench_report_sort(uint64_t *a, int n)
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

void rae_bench_report(const char *name, uint64_t *samples, int n)
{
	if (n <= 0)
		return;
	rae_bench_report_sort(samples, n);
	rae_puts("BENCH {\"name\": \"");
	rae_puts(name);
	rae_puts("\", \"unit\": \"instructions\", \"p50\": ");
	rae_put_dec((int64_t)samples[n / 2]);
	rae_puts(", \"p99\": ");
	rae_put_dec((int64_t)samples[(int64_t)n * 99 / 100]);
	rae_puts(", \"max\": ");
	rae_put_dec((int64_t)samples[n - 1]);
	rae_puts(", \"samples\": ");
	rae_put_dec(n);
	rae_puts("}\n");
}

void rae_bench_echo_server(rae_handle_t ep)
{
	rae_regs_t m = {0};
	int64_t st = rae_ipc_recv_regs(ep, &m);
	while (st == RAE_OK && m.tag != RAE_BENCH_STOP) {
		m.w[0] += 1;
		st = rae_ipc_reply_recv_regs(ep, &m);
	}
	rae_regs_t bye = {0};
	rae_ipc_reply_recv_regs(ep, &bye); /* answers the stop, then waits to be killed */
}
