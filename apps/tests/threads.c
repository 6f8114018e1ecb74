/* Several threads doing floating-point work at once: each thread's SIMD
 * registers must survive every switch (the kernel saves them eagerly). */
#include <rae.h>

#define THREADS 4
#define ROUNDS  200000

static volatile double results[THREADS];

static void worker(uint64_t id)
{
	double x = (double)(id + 1), acc = 0;
	for (int i = 0; i < ROUNDS; i++) {
		acc += x * 0.5;
		if (i % 5000 == 0)
			rae_yield();
	}
	results[id] = acc;
	rae_thread_exit((int)id + 10);
}

int main(uint64_t arg)
{
	(void)arg;
	int64_t tids[THREADS];
	for (uint64_t i = 0; i < THREADS; i++) {
		tids[i] = rae_thread_create(worker, i);
		if (tids[i] < 0) {
			rae_puts("threads: create failed\n");
			return 1;
		}
	}
	int bad = 0;
	for (int i = 0; i < THREADS; i++) {
		int code = -1;
		if (rae_thread_join(tids[i], &code) != RAE_OK || code != i + 10)
			bad++;
		double want = (double)(i + 1) * 0.5 * ROUNDS;
		if (results[i] != want)
			bad++;
	}
	rae_puts(bad ? "threads: FAILED\n" : "threads: all results correct\n");
	return bad ? 1 : 0;
}
