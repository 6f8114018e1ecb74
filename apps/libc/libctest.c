/* The C library on RaeenOS: a program built with tools/raeen-cc (musl and
 * the POSIX runtime) checks stdio formatting, malloc, threads, mutexes,
 * condition variables, thread-local storage, clocks, sleeping, strtod and
 * libm, memory mappings and what unsupported calls return. Each case is a
 * KTAP subtest line (indented: the kernel's KTEST user_libc_program owns
 * the top-level result); the exit status is the number of failed cases. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static int case_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("    # %s:%d: %s\n", __func__, __LINE__, #cond);                    \
			case_failed = 1;                                                           \
		}                                                                                  \
	} while (0)

static int check_fmt(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int check_fmt(const char *want, const char *fmt, ...)
{
	char got[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	if (strcmp(got, want) != 0 || n != (int)strlen(want)) {
		printf("    # format \"%s\": got \"%s\" (%d), want \"%s\"\n", fmt, got, n, want);
		case_failed = 1;
		return 0;
	}
	return 1;
}

static void test_printf(void)
{
	check_fmt("42|   42|42   |00042|-7", "%d|%5d|%-5d|%05d|%d", 42, 42, 42, 42, -7);
	check_fmt("ff FF 777 0xff", "%x %X %o %#x", 255, 255, 511, 255);
	check_fmt("abc|ab|       abc|x", "%s|%.2s|%10s|%c", "abc", "abc", "abc", 'x');
	check_fmt("3.141593 3.14 3.141593e+00 3.14159", "%f %.2f %e %g", M_PI, M_PI, M_PI, M_PI);
	check_fmt("-9223372036854775808 18446744073709551615 12345", "%lld %llu %zu",
		  (long long)INT64_MIN, (unsigned long long)UINT64_MAX, (size_t)12345);
	check_fmt("100% 0.1 1e+100 inf -nan", "%d%% %g %g %f %f", 100, 0.1, 1e100, INFINITY, -NAN);
	check_fmt("0x1.8p+1", "%a", 3.0);
	char big[8];
	const char *volatile text = "truncated text"; /* not known at compile time */
	CHECK(snprintf(big, sizeof(big), "%s", text) == 14 && strcmp(big, "truncat") == 0);
	/* Through stdout to the console: printf counts what it wrote. */
	CHECK(printf("    # printf through stdout: %d %s\n", 7, "ok") == 34);
	CHECK(fflush(stdout) == 0);
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 31);
}

static int filled(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (unsigned char)(seed + i * 31))
			return 0;
	}
	return 1;
}

#define BLOCKS 600

static void test_malloc(void)
{
	static unsigned char *blk[BLOCKS];
	static size_t len[BLOCKS];
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < BLOCKS; i++) {
			uint64_t r = next_random();
			len[i] = (r & 7) == 0 ? 4096 + r % 65536 : 1 + r % 512;
			blk[i] = malloc(len[i]);
			CHECK(blk[i] != NULL);
			if (!blk[i])
				return;
			fill(blk[i], len[i], (unsigned)i);
		}
		for (int i = 0; i < BLOCKS; i++)
			CHECK(filled(blk[i], len[i], (unsigned)i));
		/* Grow or shrink every other block; the common prefix stays. */
		for (int i = 0; i < BLOCKS; i += 2) {
			size_t n = (next_random() & 1) ? len[i] * 3 + 1 : len[i] / 2 + 1;
			unsigned char *p = realloc(blk[i], n);
			CHECK(p != NULL);
			if (!p)
				return;
			CHECK(filled(p, n < len[i] ? n : len[i], (unsigned)i));
			blk[i] = p;
			len[i] = n;
			fill(p, n, (unsigned)i);
		}
		/* Free in a scrambled order. */
		for (int i = 0; i < BLOCKS; i++) {
			int j = (int)((unsigned)(i * 7919) % BLOCKS);
			CHECK(filled(blk[j], len[j], (unsigned)j));
			free(blk[j]);
		}
	}
	unsigned *z = calloc(10000, sizeof(unsigned));
	CHECK(z != NULL);
	int zero = 1;
	for (int i = 0; z && i < 10000; i++)
		zero &= z[i] == 0;
	CHECK(zero);
	free(z);
	size_t huge = 4u << 20;
	unsigned char *h = malloc(huge);
	CHECK(h != NULL);
	if (h) {
		fill(h, huge, 3);
		CHECK(filled(h, huge, 3));
		free(h);
	}
}

#define THREADS 8

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_up(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return (void *)((intptr_t)arg * 10);
}

static void test_threads(void)
{
	pthread_t t[THREADS];
	for (intptr_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, count_up, (void *)i) == 0);
	for (intptr_t i = 0; i < THREADS; i++) {
		void *ret = NULL;
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK(ret == (void *)(i * 10));
	}
	CHECK(counter == THREADS * 20000);
}

/* More threads over time than a process may have at once (64): ended ones
 * must give their slots back, joined or detached. */
static volatile int detached_done;

static void *short_life(void *arg)
{
	if (arg)
		__atomic_add_fetch(&detached_done, 1, __ATOMIC_ACQ_REL);
	return arg;
}

static void test_many_threads(void)
{
	for (int i = 0; i < 80; i++) {
		pthread_t t;
		int r = pthread_create(&t, NULL, short_life, NULL);
		CHECK(r == 0);
		if (r)
			return;
		CHECK(pthread_join(t, NULL) == 0);
	}
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 80; i++) {
		pthread_t t;
		int r = pthread_create(&t, &a, short_life, (void *)1);
		if (r == EAGAIN) { /* all slots busy for a moment: let them end */
			sched_yield();
			i--;
			continue;
		}
		CHECK(r == 0);
		if (r)
			return;
	}
	for (int spins = 0; __atomic_load_n(&detached_done, __ATOMIC_ACQUIRE) < 80 && spins < 5000;
	     spins++)
		usleep(1000);
	CHECK(detached_done == 80);
}

#define QUEUE     4
#define ITEMS     400
#define PRODUCERS 2
#define CONSUMERS 3

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER;
static long q_items[QUEUE];
static int q_head, q_count, q_producers_left = PRODUCERS;
static long consumed_sum, consumed_count;

static void *producer(void *arg)
{
	long base = (long)(intptr_t)arg * 100000;
	for (long i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&q_lock);
		while (q_count == QUEUE)
			pthread_cond_wait(&q_not_full, &q_lock);
		q_items[(q_head + q_count++) % QUEUE] = base + i;
		pthread_cond_signal(&q_not_empty);
		pthread_mutex_unlock(&q_lock);
	}
	pthread_mutex_lock(&q_lock);
	q_producers_left--;
	pthread_cond_broadcast(&q_not_empty);
	pthread_mutex_unlock(&q_lock);
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&q_lock);
		while (q_count == 0 && q_producers_left > 0)
			pthread_cond_wait(&q_not_empty, &q_lock);
		if (q_count == 0) {
			pthread_mutex_unlock(&q_lock);
			return NULL;
		}
		long v = q_items[q_head];
		q_head = (q_head + 1) % QUEUE;
		q_count--;
		consumed_sum += v;
		consumed_count++;
		pthread_cond_signal(&q_not_full);
		pthread_mutex_unlock(&q_lock);
	}
}

static void test_condvar(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	for (intptr_t i = 0; i < CONSUMERS; i++)
		CHECK(pthread_create(&c[i], NULL, consumer, NULL) == 0);
	for (intptr_t i = 0; i < PRODUCERS; i++)
		CHECK(pthread_create(&p[i], NULL, producer, (void *)i) == 0);
	for (int i = 0; i < PRODUCERS; i++)
		CHECK(pthread_join(p[i], NULL) == 0);
	for (int i = 0; i < CONSUMERS; i++)
		CHECK(pthread_join(c[i], NULL) == 0);
	long want = 0;
	for (long k = 0; k < PRODUCERS; k++)
		want += k * 100000 * ITEMS + (long)ITEMS * (ITEMS + 1) / 2;
	CHECK(consumed_count == PRODUCERS * ITEMS);
	CHECK(consumed_sum == want);
}

static __thread int tls_value = 1234;
static __thread char tls_buf[64];
static volatile int tls_bad;

static void *tls_worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	if (tls_value != 1234 || tls_buf[0] != 0)
		__atomic_add_fetch(&tls_bad, 1, __ATOMIC_ACQ_REL); /* a fresh copy of the image */
	tls_value = id;
	snprintf(tls_buf, sizeof(tls_buf), "thread %d", id);
	for (int i = 0; i < 50; i++) {
		sched_yield();
		char want[64];
		snprintf(want, sizeof(want), "thread %d", id);
		if (tls_value != id || strcmp(tls_buf, want) != 0)
			__atomic_add_fetch(&tls_bad, 1, __ATOMIC_ACQ_REL);
	}
	return &tls_value;
}

static void test_tls(void)
{
	pthread_t t[THREADS];
	void *addr[THREADS];
	tls_value = -1;
	for (intptr_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, tls_worker, (void *)i) == 0);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_join(t[i], &addr[i]) == 0);
	CHECK(tls_bad == 0);
	CHECK(tls_value == -1); /* the main thread's copy was never touched */
	for (int i = 0; i < THREADS; i++) {
		CHECK(addr[i] != (void *)&tls_value);
		for (int j = 0; j < i; j++)
			CHECK(addr[i] != addr[j]);
	}
	CHECK(pthread_self() != 0 && (void *)&errno != NULL);
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	if (clock_gettime(clk, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void test_clock(void)
{
	int64_t prev = now_ns(CLOCK_MONOTONIC);
	CHECK(prev > 0);
	int monotonic = 1;
	for (int i = 0; i < 2000; i++) {
		int64_t t = now_ns(CLOCK_MONOTONIC);
		monotonic &= t >= prev;
		prev = t;
	}
	CHECK(monotonic);
	int64_t real = now_ns(CLOCK_REALTIME);
	CHECK(real > 1767225600ll * 1000000000); /* on or after the runtime's epoch */
	CHECK(time(NULL) >= 1767225600);
	struct timespec res;
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
	/* clock(): this process's CPU time, which busy work moves. */
	int64_t cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	volatile uint64_t spin = 0;
	for (int i = 0; i < 2000000; i++)
		spin += (uint64_t)i;
	int64_t cpu1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(cpu0 >= 0 && cpu1 > cpu0);
	CHECK(clock() >= 0);
	CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &res) == -1 && errno == EINVAL);
}

static void test_sleep(void)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec req = {.tv_sec = 0, .tv_nsec = 20000000};
	CHECK(nanosleep(&req, NULL) == 0);
	int64_t slept = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(slept >= 20000000);
	CHECK(slept < 5000000000ll);
	t0 = now_ns(CLOCK_MONOTONIC);
	struct timespec until = {.tv_sec = (t0 + 10000000) / 1000000000,
				 .tv_nsec = (t0 + 10000000) % 1000000000};
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0);
	CHECK(now_ns(CLOCK_MONOTONIC) >= t0 + 10000000);
	req.tv_nsec = 1000000000; /* malformed */
	CHECK(nanosleep(&req, NULL) == -1 && errno == EINVAL);
	CHECK(usleep(1000) == 0);
}

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-12 * (fabs(b) > 1 ? fabs(b) : 1);
}

static void test_math(void)
{
	char *end;
	CHECK(strtod("3.25e2xyz", &end) == 325.0 && strcmp(end, "xyz") == 0);
	CHECK(strtod("0x1p-2", NULL) == 0.25);
	CHECK(strtod("-0.1", NULL) == -0.1);
	CHECK(isinf(strtod("inf", NULL)) && isnan(strtod("nan", NULL)));
	CHECK(strtol("-12345", NULL, 10) == -12345 && strtoul("ff", NULL, 16) == 255);
	CHECK(atoi("77") == 77);
	CHECK(near(sin(M_PI / 2), 1.0) && near(sin(M_PI / 6), 0.5) && near(cos(0), 1.0));
	CHECK(sqrt(2.0) * sqrt(2.0) > 1.9999999999 && sqrt(144.0) == 12.0);
	CHECK(pow(2.0, 10.0) == 1024.0 && near(pow(10.0, -2.0), 0.01));
	CHECK(near(log(exp(1.5)), 1.5) && near(atan2(1.0, 1.0), M_PI / 4));
	CHECK(floor(-2.5) == -3.0 && ceil(2.1) == 3.0 && round(2.5) == 3.0);
	char buf[64];
	snprintf(buf, sizeof(buf), "%.10f", sqrt(2.0));
	CHECK(strcmp(buf, "1.4142135624") == 0);
}

static void test_unsupported(void)
{
	errno = 0;
	CHECK(syscall(SYS_fork) == -1 && errno == ENOSYS);
	errno = 0;
	CHECK(syscall(100000) == -1 && errno == ENOSYS);
	errno = 0;
	CHECK(syscall(SYS_socket, 2, 1, 0) == -1 && errno == ENOSYS);
	CHECK(fork() == -1 && errno == ENOSYS);
}

static void handler(int sig)
{
	(void)sig;
}

static void test_system(void)
{
	struct utsname u;
	CHECK(uname(&u) == 0 && strcmp(u.sysname, "RaeenOS") == 0 &&
	      strcmp(u.machine, "x86_64") == 0);
	CHECK(getpid() > 0 && gettid() == getpid());
	unsigned char a[32], b[32];
	CHECK(getrandom(a, sizeof(a), 0) == sizeof(a) && getrandom(b, sizeof(b), 0) == sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	/* Started without a console: standard output is the kernel debug
	 * console, no terminal, and only 0-2 are open. */
	errno = 0;
	CHECK(!isatty(1) && errno == ENOTTY);
	CHECK(write(9, "x", 1) == -1 && errno == EBADF);
	CHECK(close(9) == -1 && errno == EBADF);
	CHECK(lseek(1, 0, SEEK_SET) == -1 && errno == ESPIPE);
	char c;
	CHECK(read(0, &c, 1) == 0); /* the debug console has no input: end of file */
	/* Started without a file system: file calls fail, nothing crashes. */
	errno = 0;
	CHECK(open("/etc/motd", O_RDONLY) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(fopen("/tmp/x", "w") == NULL && errno == ENOENT);
	errno = 0;
	CHECK(mkdir("/tmp", 0755) == -1 && errno == ENOENT);
	struct stat st;
	CHECK(fstat(1, &st) == 0 && S_ISCHR(st.st_mode));
	/* Dispositions are kept (none is delivered yet). */
	struct sigaction sa = {.sa_handler = handler}, old;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == handler);
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	sigset_t set, got;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &got) == 0 && sigismember(&got, SIGUSR2));
}

static void test_mmap(void)
{
	size_t n = 5 * 4096;
	unsigned char *p =
	    mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(p[0] == 0 && p[n - 1] == 0);
	fill(p, n, 9);
	CHECK(filled(p, n, 9));
	CHECK(mprotect(p, 4096, PROT_READ) == 0 && p[0] == 9);
	CHECK(mprotect(p, 4096, PROT_WRITE | PROT_EXEC) == -1 && errno == EACCES); /* W^X */
	CHECK(mmap(NULL, 4096, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
		  MAP_FAILED &&
	      errno == EACCES);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 5, 0) == MAP_FAILED && errno == EBADF);
	/* MAP_FIXED over our own mapping: fresh zeroed pages. */
	CHECK(mmap(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == p + 4096);
	CHECK(p[4096] == 0 && p[2 * 4096] == (unsigned char)(9 + 2 * 4096 * 31));
	CHECK(munmap(p, n) == 0);
	CHECK(munmap((void *)4096, 4096) == -1 && errno == EINVAL); /* not mmap's */
}

typedef struct {
	const char *name;
	void (*fn)(void);
} libc_case_t;

static const libc_case_t cases[] = {
    {"printf_formatting", test_printf},
    {"malloc_stress", test_malloc},
    {"pthread_create_join_mutex", test_threads},
    {"threads_come_and_go", test_many_threads},
    {"condvar_producer_consumer", test_condvar},
    {"thread_local_storage", test_tls},
    {"clock_gettime", test_clock},
    {"nanosleep", test_sleep},
    {"strtod_and_math", test_math},
    {"unsupported_syscalls_enosys", test_unsupported},
    {"uname_random_fds_signals", test_system},
    {"mmap_mprotect_munmap", test_mmap},
};

int main(int argc, char **argv)
{
	(void)argc;
	int n = (int)(sizeof(cases) / sizeof(cases[0])), failed = 0;
	printf("    KTAP version 1\n    # %s: musl %s\n    1..%d\n", argv[0], "1.2.3", n);
	for (int i = 0; i < n; i++) {
		case_failed = 0;
		cases[i].fn();
		failed += case_failed;
		printf("    %sok %d %s\n", case_failed ? "not " : "", i + 1, cases[i].name);
	}
	printf("libctest: %d passed, %d failed\n", n - failed, failed);
	return failed;
}
