/* Several threads doing floating-point work at once: each thread's SIMD
 * registers must survive every switch (the kernel saves them eagerly).
 * Threads are named by handles: joining again gives the same code, a
 * handle without WAIT or of another type is refused, a closed one is
 * gone. */
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
	rae_handle_t tids[THREADS];
	for (uint64_t i = 0; i < THREADS; i++) {
		if (rae_thread_create(worker, i, 0, &tids[i]) != RAE_OK) {
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
	for (int i = 0; i < THREADS; i++) {
		int code = -1;
		if (rae_thread_join(tids[i], &code) != RAE_OK || code != i + 10)
			bad++; /* again: the same code */
		if (rae_handle_close(tids[i]) != RAE_OK ||
		    rae_thread_join(tids[i], &code) != RAE_ERR_BAD_HANDLE)
			bad++;
	}
	rae_handle_t t = 0, weak = 0, n = 0;
	if (rae_thread_create(worker, 0, 0, &t) != RAE_OK ||
	    rae_handle_dup(t, RAE_RIGHT_READ, &weak) != RAE_OK || rae_notify_create(&n) != RAE_OK)
		bad++;
	int code = -1;
	if (rae_thread_join(weak, &code) != RAE_ERR_ACCESS_DENIED)
		bad++;
	if (rae_thread_join(n, &code) != RAE_ERR_WRONG_TYPE)
		bad++;
	if (rae_thread_join(t, &code) != RAE_OK || code != 10)
		bad++;
	rae_puts(bad ? "threads: FAILED\n" : "threads: all results correct\n");
	return bad ? 1 : 0;
}
