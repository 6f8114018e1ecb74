/* The system calls a C library needs (numbers 47-53): futex wait and wake
 * (no lost wake-ups, timeouts, a killed waiter), per-thread TLS bases that
 * survive switches, random bytes, and private pages (allocate, protect,
 * free). Started with a handle it is the victim of the kill test: its
 * threads wait on a futex forever. Exits 0 when everything held. */
#include <rae.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		rae_puts("libccalls: FAILED: ");
		rae_puts(what);
		rae_puts("\n");
		failures++;
	}
}

/* --- futex ping-pong: each side waits for its turn, many times ---------- */

#define ROUNDS 1000
static volatile uint32_t turn; /* 0: main's turn, 1: the other thread's */
static volatile uint32_t pong_done;

static void wait_for(uint32_t want)
{
	for (uint32_t v; (v = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != want;)
		rae_futex_wait(&turn, v, RAE_TIMEOUT_NEVER);
}

static void give_turn(uint32_t to)
{
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	rae_futex_wake(&turn, 1);
}

static void ponger(uint64_t arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		wait_for(1);
		give_turn(0);
	}
	pong_done = 1;
	rae_thread_exit(0);
}

static void test_futex(void)
{
	rae_handle_t tid = RAE_HANDLE_INVALID;
	rae_thread_create(ponger, 0, 0, &tid);
	check(tid > 0, "thread for the futex ping-pong");
	for (int i = 0; i < ROUNDS; i++) {
		give_turn(1);
		wait_for(0);
	}
	check(rae_thread_join(tid, NULL) == RAE_OK && pong_done, "futex ping-pong finished");

	static uint32_t word = 7;
	check(rae_futex_wait(&word, 8, RAE_TIMEOUT_NEVER) == RAE_FUTEX_CHANGED,
	      "a changed word returns at once");
	uint64_t t0 = rae_clock_ns();
	check(rae_futex_wait(&word, 7, 10000000) == RAE_ERR_TIMED_OUT, "wait times out");
	check(rae_clock_ns() - t0 >= 10000000, "the timeout is not early");
	check(rae_futex_wake(&word, 10) == 0, "nobody to wake");
	check(rae_futex_wait((uint32_t *)((uintptr_t)&word + 1), 7, 1000) == RAE_ERR_INVALID,
	      "unaligned word refused");
	check(rae_futex_wait((uint32_t *)0x1000, 0, 1000) == RAE_ERR_FAULT, "unmapped word");
	check(rae_futex_wait((uint32_t *)0xffff800000000000ull, 0, 1000) == RAE_ERR_FAULT,
	      "kernel address refused");
}

/* --- wake counts --------------------------------------------------------- */

static volatile uint32_t gate;
static volatile uint32_t waiting, passed;

static void gate_waiter(uint64_t arg)
{
	(void)arg;
	__atomic_add_fetch(&waiting, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0)
		rae_futex_wait(&gate, 0, RAE_TIMEOUT_NEVER);
	__atomic_add_fetch(&passed, 1, __ATOMIC_ACQ_REL);
	rae_thread_exit(0);
}

static void test_wake_count(void)
{
	int64_t tids[4];
	for (int i = 0; i < 4; i++)
		tids[i] = rae_sys_thread_create(gate_waiter, 0, 0);
	while (__atomic_load_n(&waiting, __ATOMIC_ACQUIRE) < 4)
		rae_yield();
	/* Let them block; any that has not yet is woken by the store anyway. */
	rae_sleep_ns(20000000);
	int64_t woken = rae_futex_wake(&gate, 1);
	check(woken <= 1, "wake(1) wakes at most one");
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	rae_futex_wake(&gate, UINT32_MAX);
	for (int i = 0; i < 4; i++)
		check(rae_thread_join(tids[i], NULL) == RAE_OK, "gate waiter joined");
	check(passed == 4, "every waiter passed the gate");
}

/* --- past the thread limit (a refused thread once started at address 0 in
 * the kernel) ---------------------------------------------------------------- */

static volatile uint32_t hold;

static void holder(uint64_t arg)
{
	(void)arg;
	while (__atomic_load_n(&hold, __ATOMIC_ACQUIRE) == 0)
		rae_futex_wait(&hold, 0, RAE_TIMEOUT_NEVER);
	rae_thread_exit(0);
}

static void test_thread_limit(void)
{
	static int64_t tids[80];
	int made = 0, refused = 0;
	for (int i = 0; i < 80; i++) {
		rae_handle_t t = RAE_HANDLE_INVALID;
		int64_t t_st = rae_thread_create(holder, 0, 0, &t);
		if (t > 0)
			tids[made++] = t;
		else
			refused += t_st == RAE_ERR_LIMIT;
	}
	check(made == 63 && refused == 80 - 63, "64 threads at most, then RAE_ERR_LIMIT");
	__atomic_store_n(&hold, 1, __ATOMIC_RELEASE);
	rae_futex_wake(&hold, UINT32_MAX);
	for (int i = 0; i < made; i++)
		check(rae_thread_join(tids[i], NULL) == RAE_OK, "holder joined");
}

/* --- TLS bases ----------------------------------------------------------- */

typedef struct {
	uint64_t self_marker;
	volatile uint64_t ok;
	volatile uint64_t bad;
} tls_block_t;

static tls_block_t tls_blocks[3];

static uint64_t fs_word0(void)
{
	uint64_t v;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(v));
	return v;
}

static void tls_loop(tls_block_t *b)
{
	check(rae_set_tls_base((uint64_t)(uintptr_t)b) == RAE_OK, "set TLS base");
	for (int i = 0; i < 300; i++) {
		if (fs_word0() == b->self_marker)
			b->ok++;
		else
			b->bad++;
		rae_yield();
	}
}

static void tls_thread(uint64_t arg)
{
	tls_loop(&tls_blocks[arg]);
	rae_thread_exit(0);
}

static void test_tls(void)
{
	/* All on one CPU, so they really take turns on it. */
	rae_set_affinity(1);
	for (int i = 0; i < 3; i++)
		tls_blocks[i].self_marker = 0x7100 + (uint64_t)i;
	rae_handle_t a = RAE_HANDLE_INVALID;
	rae_thread_create(tls_thread, 1, 0, &a);
	rae_handle_t b = RAE_HANDLE_INVALID;
	rae_thread_create(tls_thread, 2, 0, &b);
	tls_loop(&tls_blocks[0]);
	rae_thread_join(a, NULL);
	rae_thread_join(b, NULL);
	for (int i = 0; i < 3; i++)
		check(tls_blocks[i].ok == 300 && tls_blocks[i].bad == 0,
		      "each thread keeps its own FS base across switches");
	check(rae_set_tls_base(0x0000800000000000ull) == RAE_ERR_INVALID,
	      "a base outside the user half is refused");
	check(rae_set_tls_base(0xffffffff80000000ull) == RAE_ERR_INVALID, "kernel base refused");
	rae_set_affinity(~0ull);
}

/* --- random bytes and private pages -------------------------------------- */

static void test_random(void)
{
	uint64_t a[4] = {0}, b[4] = {0};
	check(rae_random(a, sizeof(a)) == sizeof(a), "random bytes");
	check(rae_random(b, sizeof(b)) == sizeof(b), "random bytes again");
	check(a[0] != b[0] || a[1] != b[1], "two draws differ");
	static uint8_t big[RAE_RANDOM_MAX + 1];
	check(rae_random(big, sizeof(big)) == RAE_ERR_RANGE, "too many bytes refused");
	check(rae_random((void *)0xffff800000001000ull, 8) == RAE_ERR_FAULT,
	      "kernel buffer refused");
}

static void test_vm(void)
{
	int64_t va = rae_vm_allocate(3 * 4096, RAE_PROT_READ | RAE_PROT_WRITE);
	check(va > 0, "allocate three pages");
	if (va <= 0)
		return;
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)va;
	check(p[0] == 0 && p[3 * 4096 - 1] == 0, "fresh pages are zeroed");
	p[0] = 1;
	p[3 * 4096 - 1] = 2;
	check(rae_vm_protect((uint64_t)va + 4096, 4096, RAE_PROT_READ) == RAE_OK, "read-only");
	check(p[4096] == 0, "still readable");
	check(rae_vm_protect((uint64_t)va, 4096, RAE_PROT_WRITE | RAE_PROT_EXEC) == RAE_ERR_INVALID,
	      "W+X refused");
	check(rae_vm_free((uint64_t)va, 3 * 4096) == RAE_OK, "free");
	check(rae_vm_free((uint64_t)va, 3 * 4096) == RAE_OK, "free again: only holes");

	/* Reserved, then made accessible page by page (a guarded stack). */
	int64_t r = rae_vm_allocate(4 * 4096, 0);
	check(r > 0, "reserve");
	check(rae_vm_protect((uint64_t)r + 4096, 3 * 4096, RAE_PROT_READ | RAE_PROT_WRITE) ==
		  RAE_OK,
	      "map into a reservation");
	volatile uint64_t *q = (volatile uint64_t *)(uintptr_t)(r + 4096);
	q[0] = 0x1234;
	check(q[0] == 0x1234 && q[1000] == 0, "mapped pages work");
	check(rae_vm_free((uint64_t)r, 4 * 4096) == RAE_OK, "free the reservation");

	/* Never the program, its stack, or a memory object's pages. */
	uint64_t here = (uint64_t)(uintptr_t)&test_vm & ~4095ull;
	check(rae_vm_free(here, 4096) == RAE_ERR_RANGE, "the program's code is not ours to free");
	uint64_t stack = (uint64_t)(uintptr_t)&r & ~4095ull;
	check(rae_vm_protect(stack, 4096, RAE_PROT_READ) == RAE_ERR_RANGE, "nor the main stack");
	rae_handle_t h = RAE_HANDLE_INVALID;
	rae_mem_create(4096, 0, &h);
	int64_t m = rae_mem_map(h, RAE_PROT_READ | RAE_PROT_WRITE);
	check(m > 0, "map a memory object");
	check(rae_vm_free((uint64_t)m, 4096) == RAE_ERR_ACCESS_DENIED, "object pages refused");
	check(rae_vm_protect((uint64_t)m, 4096, RAE_PROT_READ) == RAE_ERR_ACCESS_DENIED,
	      "object pages keep their protection");
	check(rae_mem_unmap((uint64_t)m) == RAE_OK, "unmap the object");
	rae_handle_close(h);
	check(rae_vm_allocate(0, RAE_PROT_READ) == RAE_ERR_RANGE, "empty allocation refused");
	check(rae_vm_allocate(RAE_VM_BYTES_MAX + 1, RAE_PROT_READ) == RAE_ERR_RANGE,
	      "huge allocation refused");
	check(rae_vm_free(0x1001, 4096) == RAE_ERR_INVALID, "unaligned free refused");
}

/* --- the victim of the kill test ----------------------------------------- */

static volatile uint32_t never;

static void stuck(uint64_t arg)
{
	(void)arg;
	for (;;)
		rae_futex_wait(&never, 0, RAE_TIMEOUT_NEVER);
}

static void test_kill_waiters(void)
{
	rae_handle_t ep = RAE_HANDLE_INVALID;
	rae_endpoint_create(&ep);
	rae_handle_t child = RAE_HANDLE_INVALID;
	rae_spawn_with("bin/libccalls", ep, 0, &child);
	check(child > 0, "spawn the futex victim");
	rae_sleep_ns(30000000); /* its threads are blocked by now */
	check(rae_kill(child) == RAE_OK, "kill it");
	int status = 0;
	check(rae_wait(child, &status) == RAE_OK, "it ends");
	check(status == RAE_EXIT_KILLED, "killed while in futex waits");
}

int main(uint64_t arg)
{
	if (arg) {
		rae_sys_thread_create(stuck, 0, 0);
		rae_sys_thread_create(stuck, 0, 0);
		stuck(0);
	}
	rae_puts("# libccalls: futex\n");
	test_futex();
	rae_puts("# libccalls: wake count\n");
	test_wake_count();
	rae_puts("# libccalls: thread limit\n");
	test_thread_limit();
	rae_puts("# libccalls: tls\n");
	test_tls();
	rae_puts("# libccalls: random, vm\n");
	test_random();
	test_vm();
	rae_puts("# libccalls: kill\n");
	test_kill_waiters();
	if (!failures)
		rae_puts("libccalls: futex, TLS base, random and page calls all held\n");
	return failures;
}
