/* The Linux peer's microbenchmarks: the jobs RaeenOS's user benchmarks do
 * (null system call, a round trip to another process, waking a thread and
 * being woken, yielding to a thread), measured the same way with the TSC
 * (guest instructions under QEMU -icount) and printed as BENCH lines.
 * Built with `musl-gcc -static -O2`; run as the only program on Linux -smp 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* From <linux/futex.h>: musl-gcc sees no kernel headers. */
#define FUTEX_WAIT         0
#define FUTEX_WAKE         1
#define FUTEX_PRIVATE_FLAG 128

#define SAMPLES 10000
#define WARMUP  1000

static uint64_t samples[SAMPLES];

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void fail(const char *bench, const char *fmt, ...)
{
	va_list ap;
	printf("peer_bench: FAIL %s: ", bench);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Same percentiles as librae's rae_bench_report: the sorted samples at
 * n/2, n*99/100 and n-1. */
static void report(const char *name, uint64_t *s, int n)
{
	qsort(s, (size_t)n, sizeof(*s), cmp_u64);
	printf("BENCH {\"name\": \"%s\", \"unit\": \"instructions\", \"p50\": %llu, \"p99\": %llu, "
	       "\"max\": %llu, \"samples\": %d}\n",
	       name, (unsigned long long)s[n / 2], (unsigned long long)s[(int64_t)n * 99 / 100],
	       (unsigned long long)s[n - 1], n);
	fflush(stdout);
}

/* Every benchmark runs on one CPU, like the RaeenOS ones it is compared
 * with; threads and the pipe's child inherit the mask. */
static void pin_to_cpu0(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fail("setup", "sched_setaffinity: %s", strerror(errno));
}

/* --- getpid: a raw system call, so no libc cache can answer it ---------------------------- */

static void bench_getpid(void)
{
	const char *name = "linux.getpid";
	long pid = getpid();
	/* Like user_null_syscall_round_trip: the cost of the rdtsc pair is taken off. */
	uint64_t overhead = ~0ull;
	for (int i = 0; i < 256; i++) {
		uint64_t t0 = rdtsc(), t1 = rdtsc();
		if (t1 - t0 < overhead)
			overhead = t1 - t0;
	}
	for (int i = 0; i < WARMUP; i++)
		syscall(SYS_getpid);
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		long got = syscall(SYS_getpid);
		uint64_t d = rdtsc() - t0;
		if (got != pid)
			fail(name, "getpid returned %ld, expected %ld", got, pid);
		samples[i] = d > overhead ? d - overhead : 0;
	}
	report(name, samples, SAMPLES);
}

/* --- pipe round trip: one byte to a child process and one byte back --------------------------- */

static void bench_pipe(void)
{
	const char *name = "linux.pipe_round_trip";
	int down[2], up[2];
	if (pipe(down) != 0 || pipe(up) != 0)
		fail(name, "pipe: %s", strerror(errno));
	pid_t child = fork();
	if (child < 0)
		fail(name, "fork: %s", strerror(errno));
	if (child == 0) {
		close(down[1]);
		close(up[0]);
		unsigned char b;
		ssize_t r;
		while ((r = read(down[0], &b, 1)) == 1) {
			b = (unsigned char)(b + 1);
			if (write(up[1], &b, 1) != 1)
				_exit(2);
		}
		_exit(r == 0 ? 0 : 3);
	}
	close(down[0]);
	close(up[1]);
	for (int i = 0; i < WARMUP + SAMPLES; i++) {
		unsigned char out = (unsigned char)i, in = 0;
		uint64_t t0 = rdtsc();
		if (write(down[1], &out, 1) != 1)
			fail(name, "write: %s", strerror(errno));
		if (read(up[0], &in, 1) != 1)
			fail(name, "read: %s", errno ? strerror(errno) : "end of file");
		uint64_t d = rdtsc() - t0;
		if (in != (unsigned char)(out + 1))
			fail(name, "round trip %d: sent %u, got %u back, expected %u", i, out, in,
			     (unsigned char)(out + 1));
		if (i >= WARMUP)
			samples[i - WARMUP] = d;
	}
	close(down[1]);
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail(name, "child ended badly (status %#x)", status);
	close(up[0]);
	report(name, samples, SAMPLES);
}

/* --- futex ping-pong: A wakes B, B wakes A ------------------------------------------------------- */

/* Round i: the main thread stores i in ping and wakes the partner, which
 * waits for it, stores i in pong and wakes the main thread. */
static int ping, pong;

static long futex(int *word, int op, int val)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* Waits until *word holds want; returns 0, or -1 if it holds something else
 * that is not the previous value (a lost or doubled round). */
static int futex_wait_for(int *word, int want)
{
	for (;;) {
		int v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		if (v == want)
			return 0;
		if (v != want - 1)
			return -1;
		if (futex(word, FUTEX_WAIT, v) != 0 && errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

static void *futex_partner(void *arg)
{
	(void)arg;
	for (int i = 1; i <= WARMUP + SAMPLES; i++) {
		if (futex_wait_for(&ping, i) != 0)
			return (void *)1;
		__atomic_store_n(&pong, i, __ATOMIC_RELEASE);
		futex(&pong, FUTEX_WAKE, 1);
	}
	return NULL;
}

static void bench_futex(void)
{
	const char *name = "linux.futex_ping_pong";
	pthread_t t;
	if (pthread_create(&t, NULL, futex_partner, NULL) != 0)
		fail(name, "pthread_create failed");
	for (int i = 1; i <= WARMUP + SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		__atomic_store_n(&ping, i, __ATOMIC_RELEASE);
		futex(&ping, FUTEX_WAKE, 1);
		if (futex_wait_for(&pong, i) != 0)
			fail(name, "round %d: pong is %d", i,
			     __atomic_load_n(&pong, __ATOMIC_RELAXED));
		uint64_t d = rdtsc() - t0;
		if (i > WARMUP)
			samples[i - WARMUP - 1] = d;
	}
	void *ret;
	pthread_join(t, &ret);
	if (ret != NULL)
		fail(name, "the partner thread saw ping %d",
		     __atomic_load_n(&ping, __ATOMIC_RELAXED));
	report(name, samples, SAMPLES);
}

/* --- sched_yield ping-pong: two threads on one CPU take turns --------------------------------------- */

/* turn is even when it is the main thread's turn, odd for the partner; each
 * side advances it by one and yields until the other has advanced it again. */
static int turn;

static void *yield_partner(void *arg)
{
	(void)arg;
	for (int i = 0; i < WARMUP + SAMPLES; i++) {
		while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 2 * i + 1)
			sched_yield();
		__atomic_store_n(&turn, 2 * i + 2, __ATOMIC_RELEASE);
		sched_yield();
	}
	return NULL;
}

static void bench_yield(void)
{
	const char *name = "linux.sched_yield_ping_pong";
	pthread_t t;
	if (pthread_create(&t, NULL, yield_partner, NULL) != 0)
		fail(name, "pthread_create failed");
	for (int i = 0; i < WARMUP + SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		__atomic_store_n(&turn, 2 * i + 1, __ATOMIC_RELEASE);
		sched_yield();
		int v;
		while ((v = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != 2 * i + 2) {
			if (v != 2 * i + 1)
				fail(name, "round %d: turn is %d", i, v);
			sched_yield();
		}
		uint64_t d = rdtsc() - t0;
		if (i >= WARMUP)
			samples[i - WARMUP] = d;
	}
	pthread_join(t, NULL);
	report(name, samples, SAMPLES);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_to_cpu0();
	printf("peer_bench: %d samples per benchmark after %d warm-up rounds\n", SAMPLES, WARMUP);
	bench_getpid();
	bench_pipe();
	bench_futex();
	bench_yield();
	printf("peer_bench: done\n");
	return 0;
}
