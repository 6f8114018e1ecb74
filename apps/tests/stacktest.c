/* Stacks are a property of their mappings, not of the layout: the main
 * stack and every stack the kernel makes for a thread are never made
 * executable and their guards never mapped, even once the mmap area has
 * been reserved to its end; a joined thread's stack and a refused thread
 * creation give their memory back. Stacks grow on demand: a new thread
 * holds one page of stack until it reaches further, the main stack grows
 * past what used to be mapped at once, and the kernel writes into a stack
 * page nobody touched yet. Exits with the number of failed checks. */
#include <rae.h>

#define PAGE 4096ull
#define GIB  (1ull << 30)

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		rae_printf("stacktest: FAILED: %s\n", what);
	}
}

static uint64_t free_pages(void)
{
	rae_system_info_t info;
	return rae_system_info(&info) == RAE_OK ? info.free_pages : 0;
}

static uint64_t stack_pages(void)
{
	rae_system_info_t info;
	if (rae_system_info(&info) != RAE_OK || info.mem_uses <= RAE_MEM_USER_STACKS)
		return 0;
	return info.mem_pages[RAE_MEM_USER_STACKS];
}

/* Uses `depth` frames of a little over a page each. */
static __attribute__((noinline)) int dig(int depth)
{
	volatile uint8_t frame[PAGE];
	frame[0] = (uint8_t)depth;
	frame[PAGE - 1] = (uint8_t)depth;
	return depth ? dig(depth - 1) + frame[0] : frame[PAGE - 1];
}

static volatile uint32_t dig_go, dig_done;

/* Waits, uses 12 pages of its own stack, waits again. */
static void stack_digger(uint64_t arg)
{
	(void)arg;
	while (!__atomic_load_n(&dig_go, __ATOMIC_ACQUIRE))
		rae_futex_wait(&dig_go, 0, RAE_TIMEOUT_NEVER);
	dig(12);
	__atomic_store_n(&dig_done, 1, __ATOMIC_RELEASE);
	rae_futex_wake(&dig_done, 1);
	while (__atomic_load_n(&dig_go, __ATOMIC_ACQUIRE) != 2)
		rae_futex_wait(&dig_go, 1, RAE_TIMEOUT_NEVER);
	rae_thread_exit(0);
}

/* The kernel's write lands 256 KiB below this frame, where the stack has
 * never been: the page must appear for it, not fail with RAE_ERR_FAULT. */
static __attribute__((noinline)) int kernel_writes_far_down(void)
{
	volatile uint8_t room[256 * 1024];
	rae_system_info_t *info = (rae_system_info_t *)&room[0];
	room[sizeof(room) - 1] = 1;
	return rae_system_info(info) == RAE_OK && info->total_pages > 0;
}

static void growth_checks(void)
{
	check(kernel_writes_far_down(), "a system call writes into an untouched stack page");
	/* 2 MiB of main stack: more than the 128 KiB once mapped at spawn. */
	check(dig(500) >= 0, "the main stack grows to 2 MiB");

	uint64_t before = stack_pages();
	dig_go = dig_done = 0;
	rae_handle_t t = RAE_HANDLE_INVALID;
	rae_thread_create(stack_digger, 0, 0, &t);
	check(t > 0, "a thread for the growth checks");
	if (t <= 0)
		return;
	uint64_t made = stack_pages();
	__atomic_store_n(&dig_go, 1, __ATOMIC_RELEASE);
	rae_futex_wake(&dig_go, 1);
	while (!__atomic_load_n(&dig_done, __ATOMIC_ACQUIRE))
		rae_futex_wait(&dig_done, 0, RAE_TIMEOUT_NEVER);
	uint64_t dug = stack_pages();
	__atomic_store_n(&dig_go, 2, __ATOMIC_RELEASE);
	rae_futex_wake(&dig_go, 1);
	rae_thread_join(t, NULL);
	rae_handle_close(t);
	uint64_t joined = stack_pages();
	rae_printf("stacktest: stack pages %llu before a thread, %llu once it runs, %llu after it "
		   "used 12 pages, %llu joined\n",
		   (unsigned long long)before, (unsigned long long)made, (unsigned long long)dug,
		   (unsigned long long)joined);
	check(made > before && made - before <= 2, "a new thread holds one or two pages of stack");
	check(dug >= made + 11, "its stack grows as it is used");
	check(joined <= before, "and goes when it is joined");
}

static volatile uintptr_t thread_top;
static volatile uint32_t release;

/* Reports the top of its stack (its frame is entry rsp - 8, entry rsp is
 * top - 8) and waits to be let go. */
static void stack_reporter(uint64_t arg)
{
	(void)arg;
	thread_top = (uintptr_t)__builtin_frame_address(0) + 16;
	while (!__atomic_load_n(&release, __ATOMIC_ACQUIRE))
		rae_futex_wait(&release, 0, RAE_TIMEOUT_NEVER);
	rae_thread_exit(0);
}

static void quick(uint64_t arg)
{
	rae_thread_exit((int)arg);
}

/* RX on every page of [from, to): each must be refused. */
static int refused_rx(uintptr_t from, uintptr_t to)
{
	int all = 1;
	for (uintptr_t va = from; va < to; va += PAGE) {
		if (rae_vm_protect(va, PAGE, RAE_PROT_READ | RAE_PROT_EXEC) == RAE_OK)
			all = 0;
	}
	return all;
}

static void thread_stack_checks(const char *when)
{
	thread_top = 0;
	release = 0;
	rae_handle_t t;
	rae_status_t st = rae_thread_create(stack_reporter, 0, 0, &t);
	if (st != RAE_OK) {
		rae_printf("stacktest: FAILED: a thread %s (%d)\n", when, st);
		failures++;
		return;
	}
	while (!thread_top)
		rae_yield();
	uintptr_t top = thread_top, base = top - 16 * PAGE;
	check((top & (PAGE - 1)) == 0, "a kernel-made thread stack ends on a page boundary");
	check(refused_rx(base, top), "no page of a thread's stack can be made executable");
	check(rae_vm_protect(base - PAGE, PAGE, RAE_PROT_READ | RAE_PROT_WRITE) ==
		  RAE_ERR_ACCESS_DENIED,
	      "nothing can be mapped in a thread stack's guard page");
	check(rae_vm_protect(base, PAGE, RAE_PROT_READ | RAE_PROT_WRITE) == RAE_OK,
	      "a stack page may still be made read-write");
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	rae_futex_wake(&release, 1);
	int code = -1;
	check(rae_thread_join(t, &code) == RAE_OK && code == 0, "the thread ends");
	rae_handle_close(t);
	rae_printf("stacktest: thread stack checks %s done\n", when);
}

int main(uint64_t arg)
{
	(void)arg;

	growth_checks();

	/* Threads come and go: their stacks go with them. */
	for (int i = 0; i < 4; i++) {
		rae_handle_t t;
		if (rae_thread_create(quick, 0, 0, &t) == RAE_OK) {
			rae_thread_join(t, NULL);
			rae_handle_close(t);
		}
	}
	uint64_t before = free_pages();
	for (int i = 0; i < 200; i++) {
		rae_handle_t t;
		int code = -1;
		check(rae_thread_create(quick, (uint64_t)i, 0, &t) == RAE_OK &&
			  rae_thread_join(t, &code) == RAE_OK && code == i,
		      "create and join a thread");
		rae_handle_close(t);
	}
	uint64_t after = free_pages();
	rae_printf("stacktest: 200 threads joined: free pages before %llu, after %llu\n",
		   (unsigned long long)before, (unsigned long long)after);
	check(after + 8 >= before, "a joined thread's stack is given back");

	/* Up to the limit, then 100 refused creations change nothing. */
	static rae_handle_t held[64];
	int n = 0;
	release = 0;
	while (n < 64 && rae_thread_create(stack_reporter, 0, 0, &held[n]) == RAE_OK)
		n++;
	before = free_pages();
	int refused = 0;
	for (int i = 0; i < 100; i++) {
		rae_handle_t t;
		refused += rae_thread_create(quick, 0, 0, &t) == RAE_ERR_LIMIT;
	}
	after = free_pages();
	rae_printf("stacktest: %d threads, 100 refused: free pages before %llu, after %llu\n",
		   n + 1, (unsigned long long)before, (unsigned long long)after);
	check(refused == 100, "creations past the thread limit are RAE_ERR_LIMIT");
	check(after + 2 >= before, "a refused creation keeps no memory");
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	rae_futex_wake(&release, 64);
	for (int i = 0; i < n; i++) {
		rae_thread_join(held[i], NULL);
		rae_handle_close(held[i]);
	}

	thread_stack_checks("before the mmap area is full");

	/* Reserve the whole mmap area, 1 GiB at a time, until refused. */
	uint64_t reserved = 0;
	int64_t r;
	while ((r = rae_vm_allocate(GIB, 0)) > 0)
		reserved++;
	rae_printf("stacktest: %llu GiB reserved, then %lld\n", (unsigned long long)reserved,
		   (long long)r);
	check(r == RAE_ERR_NO_MEMORY, "the mmap area ends with RAE_ERR_NO_MEMORY");
	check(reserved > 1000, "the mmap area holds terabytes");
	/* And what is left, in ever smaller pieces. */
	for (uint64_t size = GIB / 2; size >= PAGE; size /= 2) {
		while (rae_vm_allocate(size, 0) > 0)
			;
	}
	check(rae_vm_allocate(PAGE, RAE_PROT_READ | RAE_PROT_WRITE) == RAE_ERR_NO_MEMORY,
	      "and nothing more fits");
	rae_handle_t mem = 0;
	check(rae_mem_create(PAGE, 0, &mem) == RAE_OK &&
		  rae_mem_map(mem, RAE_PROT_READ) == RAE_ERR_NO_MEMORY,
	      "MEM_MAP finds no room either");
	rae_handle_close(mem);
	/* A new thread reuses a joined one's stack range, or finds no room. */
	rae_handle_t late;
	rae_status_t made = rae_thread_create(quick, 0, 0, &late);
	check(made == RAE_ERR_NO_MEMORY ||
		  (made == RAE_OK && rae_thread_join(late, NULL) == RAE_OK),
	      "a thread made once the area is full reuses a stack or is refused cleanly");
	thread_stack_checks("once the mmap area is full");

	/* The main stack: every page around this frame, in reach or not. */
	uintptr_t here = (uintptr_t)__builtin_frame_address(0) & ~(PAGE - 1);
	check(refused_rx(here - 32 * PAGE, here + 33 * PAGE),
	      "no page of the main stack can be made executable");
	check(rae_vm_protect(here, PAGE, RAE_PROT_READ | RAE_PROT_WRITE) != RAE_OK,
	      "the main stack lies outside the mmap area");

	rae_puts(failures ? "stacktest: some checks failed\n" : "stacktest: all checks passed\n");
	return failures;
}
