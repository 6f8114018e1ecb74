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
	int64_t tids[THREADS];
	for (uint64_t i = 0; i < THREADS; i++) {
		tids[i] = rae_sys_thread_create(worker, i, 0);
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
	for (int i = 0; i < THREADS; i++) {
		int code = -1;
		if (rae_thread_join(tids[i], &code) != RAE_OK || code != i + 10)
			bad++; /* again: the same code */
		if (rae_handle_close((rae_handle_t)tids[i]) != RAE_OK ||
		    rae_thread_join(tids[i], &code) != RAE_ERR_BAD_HANDLE)
			bad++;
	}
	int64_t t = rae_sys_thread_create(worker, 0, 0);
	int64_t weak = rae_sys_handle_dup((rae_handle_t)t, RAE_RIGHT_READ);
	int code = -1;
	if (rae_thread_join((rae_handle_t)weak, &code) != RAE_ERR_ACCESS_DENIED)
		bad++;
	int64_t n = rae_sys_notify_create();
	if (rae_thread_join((rae_handle_t)n, &code) != RAE_ERR_WRONG_TYPE)
		bad++;
	if (rae_thread_join((rae_handle_t)t, &code) != RAE_OK || code != 10)
		bad++;
	rae_puts(bad ? "threads: FAILED\n" : "threads: all results correct\n");
	return bad ? 1 : 0;
}
