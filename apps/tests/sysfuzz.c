/* Random system calls with random arguments: none may crash or hang the
 * kernel. Two modes.
 *
 * Without an argument (the kernel test user_random_syscalls, in every
 * test=all run): this process makes DEFAULT_CALLS calls itself, leaving
 * out those that would end it or block for long.
 *
 * With a test argument page (abi/rae/testargs.h: the kernel test
 * hostile_random_syscalls, `make fuzz-os`): for `seconds`, it keeps one
 * throwaway child more than there are CPUs running, each this same program
 * in a job of its own (JOB_CREATE with limits) with FUZZ_THREADS threads
 * making random calls, the dangerous ones included (exit, thread exit,
 * thread create at random addresses, kills). Each thread records its last
 * FUZZ_RING calls (number, arguments, result) in a page the parent maps.
 * A child that ends, however, is replaced. One whose threads all stop
 * making progress for HANG_MS is reported with its threads' last calls and
 * killed: KILL must end it within KILL_MS, or the run fails. Every thread
 * prints a line at the start of each batch of BATCH calls naming its
 * child's seed and the batch, so a kernel panic's log shows what ran. The
 * run is seeded (printed; fuzz_seed=N repeats it, up to the interleaving
 * of threads). The free page count must come back at the end. */
#include <rae.h>
#include <rae/testargs.h>
#include <stdbool.h>

#define DEFAULT_CALLS 100000

#define FUZZ_MAGIC   0x7a7a7566ull /* "fuzz" */
#define FUZZ_THREADS 4
#define FUZZ_RING    16
#define BATCH        16384
#define HANG_MS      3000
#define KILL_MS      5000
#define PAGE_SLACK   256 /* pages the kernel's caches may keep after the run */
#define MS           1000000ull
#define PENDING      0x7ffffffffffffffell /* a call that has not returned */

typedef struct {
	uint64_t nr;
	uint64_t a[6];
	int64_t ret;
} fuzz_call_t;

typedef struct {
	volatile uint64_t count; /* calls begun */
	fuzz_call_t ring[FUZZ_RING];
} fuzz_thread_t;

/* The page a child shares with its parent. */
typedef struct {
	uint64_t magic;
	uint64_t seed;
	uint64_t child; /* its number in the run */
	fuzz_thread_t thread[FUZZ_THREADS];
} fuzz_page_t;
#define FUZZ_PAGE_BYTES ((sizeof(fuzz_page_t) + 4095) & ~4095ul)

/* --- the random calls ---------------------------------------------------- */

typedef struct {
	uint64_t rng;
	uint64_t handles[16];
	uint64_t mappings[8];
} fuzz_state_t;

static char scratch[256];
static char info_sink[512]; /* where SYSTEM_INFO lands instead of scratch */
static bool throwaway;      /* a child: the dangerous calls are allowed */

static uint64_t next(fuzz_state_t *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31)) | 1;
}

static uint64_t random_arg(fuzz_state_t *s)
{
	switch (next(s) % 10) {
	case 9: return s->mappings[next(s) % 8];
	case 8: return s->handles[next(s) % 16];
	case 0: return 0;
	case 1: return next(s) % 64;
	case 2: return (uint64_t)(uintptr_t)scratch + next(s) % 512; /* ours, and just past */
	case 3: return 0xffff800000000000ull + (next(s) & 0xffffffffffull); /* kernel half */
	case 4: return 0x0000800000000000ull - (next(s) % 64);              /* top of user half */
	case 5: return next(s) | 0x8000000000000000ull;
	default: return next(s);
	}
}

/* Picks a call and its arguments; false to skip it. */
static bool pick_call(fuzz_state_t *s, uint64_t *nr, uint64_t a[6])
{
	*nr = next(s) % (RAE_SYS_COUNT + 8);
	for (int i = 0; i < 6; i++)
		a[i] = random_arg(s);
	switch (*nr) {
	case RAE_SYS_PROCESS_EXIT:
	case RAE_SYS_THREAD_EXIT:
		/* A child may end itself now and then: it is replaced. */
		return throwaway && next(s) % 64 == 0;
	case RAE_SYS_THREAD_CREATE:
		/* At a random address the new thread soon faults and takes the
		 * child with it: now and then only. */
		return throwaway && next(s) % 256 == 0;
	case RAE_SYS_SLEEP: a[0] %= 1000; break; /* at most a microsecond */
	case RAE_SYS_SET_RT:
		/* Keep real-time budgets generous enough to finish. */
		if (a[0] && a[1])
			a[0] = a[1];
		break;
	case RAE_SYS_DEBUG_WRITE:
		/* Never text of ours on the console: from our buffers, nothing. */
		a[1] %= 8;
		if ((a[0] >= (uint64_t)(uintptr_t)scratch &&
		     a[0] < (uint64_t)(uintptr_t)scratch + 512) ||
		    (a[0] >= (uint64_t)(uintptr_t)info_sink &&
		     a[0] < (uint64_t)(uintptr_t)info_sink + sizeof(info_sink)))
			a[1] = 0;
		break;
	case RAE_SYS_IPC_CALL:
	case RAE_SYS_IPC_SEND:
	case RAE_SYS_IPC_RECEIVE:
		a[2] %= 100000; /* bounded waits */
		break;
	case RAE_SYS_IPC_REPLY_RECV: a[3] %= 100000; break;
	case RAE_SYS_NOTIFY_WAIT: a[1] %= 100000; break;
	case RAE_SYS_FUTEX_WAIT: a[2] %= 100000; break;
	case RAE_SYS_IPC_SET_TIMEOUT:
		/* The register calls wait at most this (never forever). */
		a[0] %= 100000;
		break;
	case RAE_SYS_SPAWN:
	case RAE_SYS_SPAWN_WITH:
		/* The kernel-started parent could start a program that waits
		 * forever; a child is refused (no initrd path for it). */
		return throwaway;
	case RAE_SYS_SYSTEM_INFO:
		/* Its text would reach the console through DEBUG_WRITE's
		 * random reads of scratch. */
		if (a[0] >= (uint64_t)(uintptr_t)scratch &&
		    a[0] < (uint64_t)(uintptr_t)scratch + 512)
			a[0] = (uint64_t)(uintptr_t)info_sink;
		break;
	case RAE_SYS_PIPE_CREATE:
		if (next(s) % 4 == 0)
			a[0] = (uint64_t)(uintptr_t)scratch; /* a real pipe, kept below */
		break;
	case RAE_SYS_PIPE_READ:
	case RAE_SYS_PIPE_WRITE:
		a[3] = next(s) % 100000; /* bounded waits (the fourth argument) */
		break;
	case RAE_SYS_WAIT:
		/* Only without waiting: a process handle from JOB_PROCESS
		 * could name one that never ends. */
		a[2] = RAE_WAIT_NOHANG;
		break;
	case RAE_SYS_THREAD_JOIN:
		/* A thread of this process may wait forever. */
		return throwaway && next(s) % 8 == 0;
	default: break;
	}
	return true;
}

/* What a successful call gave that later calls may use; false when it
 * must not have succeeded. */
static bool note_result(fuzz_state_t *s, uint64_t nr, const uint64_t a[6], int64_t r)
{
	if (r < 0)
		return true;
	if (nr == RAE_SYS_ENDPOINT_CREATE || nr == RAE_SYS_NOTIFY_CREATE ||
	    nr == RAE_SYS_HANDLE_DUP || nr == RAE_SYS_HANDLE_MINT || nr == RAE_SYS_MEM_CREATE ||
	    nr == RAE_SYS_JOB_CREATE) {
		s->handles[next(s) % 16] = (uint64_t)r;
	} else if (nr == RAE_SYS_PIPE_CREATE && a[0] == (uint64_t)(uintptr_t)scratch) {
		/* Its ends, for the pipe calls among the random ones. */
		rae_handle_t ends[2];
		memcpy(ends, scratch, sizeof(ends));
		s->handles[next(s) % 16] = ends[0];
		s->handles[next(s) % 16] = ends[1];
	} else if (nr == RAE_SYS_MEM_MAP) {
		s->mappings[next(s) % 8] = (uint64_t)r;
	} else if ((nr >= RAE_SYS_RESOURCE_CREATE && nr <= RAE_SYS_IOPORT_ENABLE &&
		    nr != RAE_SYS_MEM_UNMAP) ||
		   nr == RAE_SYS_ACPI_TABLES_COPY || nr == RAE_SYS_MACHINE_RESET) {
		/* Without a resource no hardware call can succeed. */
		rae_puts("sysfuzz: a hardware call succeeded without a resource\n");
		return false;
	}
	return true;
}

/* --- the old single-process mode ----------------------------------------- */

static int run_in_process(void)
{
	fuzz_state_t s = {.rng = 0x9e3779b97f4a7c15ull ^ rae_clock_ns()};
	uint64_t errors = 0;
	rae_ipc_set_timeout(100000); /* the register calls wait at most 0.1 ms */
	for (uint64_t i = 0; i < DEFAULT_CALLS; i++) {
		uint64_t nr, a[6];
		if (!pick_call(&s, &nr, a))
			continue;
		int64_t r = rae_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r < 0)
			errors++;
		if (!note_result(&s, nr, a, r))
			return 1;
	}
	rae_set_rt(0, 0);
	rae_set_affinity(~0ull);
	rae_printf("sysfuzz: %d random system calls made, %lu returned an error; kernel still up\n",
		   DEFAULT_CALLS, (unsigned long)errors);
	return 0;
}

/* --- a throwaway child ---------------------------------------------------- */

static fuzz_page_t *page;

static void fuzz_thread(uint64_t index)
{
	fuzz_thread_t *me = &page->thread[index];
	fuzz_state_t s = {0};
	rae_ipc_set_timeout(100000);
	for (uint64_t batch = 0;; batch++) {
		s.rng = mix(page->seed, index * 1000003 + batch);
		rae_printf("sysfuzz: child %lu seed %lu thread %lu batch %lu\n",
			   (unsigned long)page->child, (unsigned long)page->seed,
			   (unsigned long)index, (unsigned long)batch);
		for (unsigned i = 0; i < BATCH; i++) {
			uint64_t nr, a[6];
			if (!pick_call(&s, &nr, a))
				continue;
			fuzz_call_t *c = &me->ring[me->count % FUZZ_RING];
			c->nr = nr;
			memcpy(c->a, a, sizeof(c->a));
			c->ret = PENDING;
			__atomic_store_n(&me->count, me->count + 1, __ATOMIC_RELEASE);
			c->ret = rae_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
			if (!note_result(&s, nr, a, c->ret))
				rae_exit(99);
		}
	}
}

static int run_child(fuzz_page_t *p)
{
	page = p;
	throwaway = true;
	for (uint64_t i = 1; i < FUZZ_THREADS; i++)
		rae_sys_thread_create(fuzz_thread, i, 0);
	fuzz_thread(0);
	return 0;
}

/* --- the parent ----------------------------------------------------------- */

#define MAX_CHILDREN 8

typedef struct {
	int64_t proc; /* 0: none */
	rae_handle_t job;
	fuzz_page_t *page;
	uint64_t seen;    /* calls begun, at the last look */
	uint64_t seen_at; /* when that changed */
} child_slot_t;

static child_slot_t slots[MAX_CHILDREN];
static uint64_t started, calls, exited, faulted, hung, unkillable;

static uint64_t calls_begun(const fuzz_page_t *p)
{
	uint64_t n = 0;
	for (int t = 0; t < FUZZ_THREADS; t++)
		n += p->thread[t].count;
	return n;
}

static void print_last_calls(const child_slot_t *c)
{
	for (int t = 0; t < FUZZ_THREADS; t++) {
		const fuzz_thread_t *th = &c->page->thread[t];
		uint64_t n = th->count, from = n > FUZZ_RING ? n - FUZZ_RING : 0;
		rae_printf("sysfuzz:   thread %d, %lu calls begun, the last:\n", t,
			   (unsigned long)n);
		for (uint64_t i = from; i < n; i++) {
			const fuzz_call_t *k = &th->ring[i % FUZZ_RING];
			rae_printf(
			    "sysfuzz:     #%lu nr %lu (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) -> ",
			    (unsigned long)i, (unsigned long)k->nr, (unsigned long)k->a[0],
			    (unsigned long)k->a[1], (unsigned long)k->a[2], (unsigned long)k->a[3],
			    (unsigned long)k->a[4], (unsigned long)k->a[5]);
			if (k->ret == PENDING)
				rae_puts("still in the kernel\n");
			else
				rae_printf("%ld\n", (long)k->ret);
		}
	}
}

static bool start_child(child_slot_t *c, uint64_t seed)
{
	int64_t mem = rae_sys_mem_create(FUZZ_PAGE_BYTES, 0);
	int64_t at = mem > 0 ? rae_mem_map((rae_handle_t)mem, RAE_PROT_READ | RAE_PROT_WRITE) : mem;
	/* One process, a few threads more than it starts, 32 MiB, 256 handles. */
	int64_t job = rae_sys_job_create(0, 1, FUZZ_THREADS + 12, 8192, 256);
	if (at < 0 || job < 0) {
		rae_printf("sysfuzz: cannot start a child (%ld, %ld)\n", (long)at, (long)job);
		return false;
	}
	c->page = (fuzz_page_t *)(uintptr_t)at;
	c->page->magic = FUZZ_MAGIC;
	c->page->child = started;
	c->page->seed = mix(seed, started);
	c->job = (rae_handle_t)job;
	c->proc = rae_sys_spawn_with("bin/sysfuzz", (rae_handle_t)mem, c->job);
	if (c->proc < 0) {
		rae_printf("sysfuzz: spawning a child failed (%ld)\n", (long)c->proc);
		rae_mem_unmap((uint64_t)at);
		rae_handle_close(c->job);
		c->proc = 0;
		return false;
	}
	c->seen = 0;
	c->seen_at = rae_clock_ns();
	started++;
	return true;
}

/* Waits up to KILL_MS for the child to end after KILL. */
static bool kill_child(child_slot_t *c, int *status)
{
	rae_kill(c->proc);
	uint64_t end = rae_clock_ns() + KILL_MS * MS;
	for (;;) {
		int64_t r = rae_wait_nohang(c->proc, status);
		if (r != RAE_ERR_TIMED_OUT)
			return r == RAE_OK;
		if (rae_clock_ns() > end)
			return false;
		rae_sleep_ns(MS);
	}
}

static void reap(child_slot_t *c, int status)
{
	calls += calls_begun(c->page);
	if (status == RAE_EXIT_KILLED_FAULT)
		faulted++;
	else if (status != RAE_EXIT_KILLED)
		exited++;
	rae_handle_close((rae_handle_t)c->proc);
	rae_handle_close(c->job);
	rae_mem_unmap((uint64_t)(uintptr_t)c->page);
	c->proc = 0;
}

/* Looks at one child: replaced when it ended, killed when it hangs. */
static void tend(child_slot_t *c)
{
	int status = 0;
	if (rae_wait_nohang(c->proc, &status) == RAE_OK) {
		reap(c, status);
		return;
	}
	uint64_t now = rae_clock_ns(), n = calls_begun(c->page);
	if (n != c->seen) {
		c->seen = n;
		c->seen_at = now;
		return;
	}
	if (now - c->seen_at < HANG_MS * MS)
		return;
	hung++;
	rae_printf("sysfuzz: child %lu (seed %lu) made no call for %d ms; its threads:\n",
		   (unsigned long)c->page->child, (unsigned long)c->page->seed, HANG_MS);
	print_last_calls(c);
	if (!kill_child(c, &status)) {
		unkillable++;
		rae_printf("sysfuzz: FAIL child %lu still runs %d ms after KILL\n",
			   (unsigned long)c->page->child, KILL_MS);
		c->proc = 0; /* given up on */
		return;
	}
	reap(c, status);
}

static uint64_t free_pages(void)
{
	rae_system_info_t info;
	rae_system_info(&info);
	return info.free_pages;
}

static int run_parent(const rae_testargs_t *args)
{
	uint64_t seed = args->seed;
	if (!seed) {
		rae_random(&seed, sizeof(seed));
		seed = (seed ^ rae_clock_ns()) % 1000000000000ull;
	}
	rae_system_info_t info;
	rae_system_info(&info);
	unsigned n = info.cpus + 1 > MAX_CHILDREN ? MAX_CHILDREN : info.cpus + 1;
	rae_printf(
	    "sysfuzz: seed %lu (fuzz_seed=%lu repeats it), %lu s, %u children of %d threads\n",
	    (unsigned long)seed, (unsigned long)seed, (unsigned long)args->seconds, n,
	    FUZZ_THREADS);
	uint64_t before = free_pages();
	uint64_t end = rae_clock_ns() + args->seconds * 1000 * MS;
	while (rae_clock_ns() < end && !unkillable) {
		for (unsigned i = 0; i < n; i++) {
			if (!slots[i].proc && !start_child(&slots[i], seed))
				return 1;
			tend(&slots[i]);
		}
		rae_sleep_ns(10 * MS);
	}
	for (unsigned i = 0; i < n; i++) {
		int status = 0;
		if (!slots[i].proc)
			continue;
		if (!kill_child(&slots[i], &status)) {
			unkillable++;
			rae_printf("sysfuzz: FAIL child %lu still runs %d ms after KILL\n",
				   (unsigned long)slots[i].page->child, KILL_MS);
			continue;
		}
		reap(&slots[i], status);
	}
	uint64_t after = free_pages();
	int64_t lost = (int64_t)before - (int64_t)after;
	rae_printf("sysfuzz: %lu children, %lu calls begun; %lu ended themselves, %lu killed for a "
		   "fault, %lu hung (killed), %lu could not be killed; free pages %lu -> %lu\n",
		   (unsigned long)started, (unsigned long)calls, (unsigned long)exited,
		   (unsigned long)faulted, (unsigned long)hung, (unsigned long)unkillable,
		   (unsigned long)before, (unsigned long)after);
	if (lost > PAGE_SLACK)
		rae_printf("sysfuzz: FAIL %ld pages not given back (slack %d)\n", (long)lost,
			   PAGE_SLACK);
	return unkillable || lost > PAGE_SLACK ? 1 : 0;
}

int main(uint64_t arg)
{
	if (!arg)
		return run_in_process();
	int64_t at = rae_mem_map((rae_handle_t)arg, RAE_PROT_READ | RAE_PROT_WRITE);
	if (at < 0)
		return 2;
	const uint64_t *magic = (const uint64_t *)(uintptr_t)at;
	if (*magic == RAE_TESTARGS_MAGIC)
		return run_parent((const rae_testargs_t *)(uintptr_t)at);
	if (*magic == FUZZ_MAGIC)
		return run_child((fuzz_page_t *)(uintptr_t)at);
	return 2;
}
