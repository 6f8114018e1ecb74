/* Every limited resource used up: each is allocated until refused, asked
 * for 100 more times (each must be refused the same way), then freed, and
 * the kernel's free pages (SYSTEM_INFO, as `free` reads them) and this
 * process's free handle slots must come back. Physical memory is used up
 * too, and while it is, the calls that allocate kernel memory must fail
 * cleanly. Everything runs twice: the first round may leave slab caches
 * grown (up to SLACK_FIRST pages), the second must not lose more than
 * SLACK_AGAIN pages per phase, which a leak of even one stack per refusal
 * would exceed. Parts that would spoil this process (its address space
 * used up, a job's limits) run in children of this same program. Started
 * by the kernel test hostile_exhaustion (it may spawn by path). */
#include <rae.h>
#include <stdbool.h>

#define MORE        100 /* refusals asked for after the first */
#define SLACK_FIRST 256 /* pages: slab caches and page tables may grow once */
#define SLACK_AGAIN 16  /* pages: per phase, once they have */
#define USER_END    0x0000800000000000ull
#define CHILD_MAGIC 0x65786861ull /* "exha" */
#define MAX_HANDLES 1100

typedef struct {
	uint64_t magic;
	uint64_t mode;
	int64_t result[4]; /* what the child saw, for the parent's report */
} child_page_t;

enum { CHILD_ADDRESS_SPACE = 1, CHILD_JOB_PAGES };

static unsigned failures;
static int64_t made[MAX_HANDLES];
static unsigned round_no;

static void fail(const char *phase, const char *what, int64_t a, int64_t b)
{
	failures++;
	rae_printf("exhaust: FAIL %s: %s (%ld, %ld)\n", phase, what, (long)a, (long)b);
}

static uint64_t free_pages(void)
{
	rae_system_info_t info;
	rae_system_info(&info);
	return info.free_pages;
}

/* Free handle slots: notifications until the table is full, closed again. */
static unsigned free_handle_slots(void)
{
	unsigned n = 0;
	for (int64_t h; n < MAX_HANDLES && (h = rae_sys_notify_create()) > 0;)
		made[n++] = h;
	for (unsigned i = 0; i < n; i++)
		rae_handle_close((rae_handle_t)made[i]);
	return n;
}

/* One phase: `create` until it fails, MORE times more (each must fail with
 * the first refusal's code), then `destroy` for each. */
typedef int64_t (*create_fn)(void);
typedef void (*destroy_fn)(int64_t);

static void phase(const char *name, create_fn create, destroy_fn destroy, int64_t want,
		  unsigned max)
{
	uint64_t pages = free_pages();
	unsigned slots = free_handle_slots();
	unsigned n = 0;
	int64_t r = 0;
	while (n < max && (r = create()) >= 0)
		made[n++] = r;
	if (n == max)
		fail(name, "never refused", n, 0);
	int64_t refusal = r;
	if (want && refusal != want)
		fail(name, "refused with the wrong code", refusal, want);
	for (int i = 0; i < MORE; i++) {
		int64_t again = create();
		if (again != refusal) {
			fail(name, "a later attempt was not refused the same way", again, refusal);
			if (again >= 0)
				destroy(again);
		}
	}
	for (unsigned i = 0; i < n; i++)
		destroy(made[i]);
	uint64_t after = free_pages();
	unsigned slots_after = free_handle_slots();
	int64_t lost = (int64_t)pages - (int64_t)after;
	rae_printf("exhaust: round %u %s: %u made, refused with %ld; free pages %lu -> %lu; free "
		   "handle slots %u -> %u\n",
		   round_no, name, n, (long)refusal, (unsigned long)pages, (unsigned long)after,
		   slots, slots_after);
	if (lost > (round_no == 1 ? SLACK_FIRST : SLACK_AGAIN))
		fail(name, "pages not given back", lost, round_no == 1 ? SLACK_FIRST : SLACK_AGAIN);
	if (slots_after != slots)
		fail(name, "handles not given back", slots, slots_after);
}

static void close_handle(int64_t h)
{
	rae_handle_close((rae_handle_t)h);
}

/* --- handles, endpoints, notifications, jobs ----------------------------- */

static int64_t make_notify(void)
{
	return rae_sys_notify_create();
}
static int64_t make_endpoint(void)
{
	return rae_sys_endpoint_create();
}
static int64_t make_job(void)
{
	return rae_sys_job_create(0, ~0ull, ~0ull, ~0ull, ~0ull);
}

/* --- threads ------------------------------------------------------------- */

static volatile uint32_t release;

static void waiter(uint64_t arg)
{
	(void)arg;
	while (!release)
		rae_futex_wait(&release, 0, RAE_TIMEOUT_NEVER);
	rae_thread_exit(0);
}
static int64_t make_thread(void)
{
	release = 0;
	return rae_sys_thread_create(waiter, 0, 0);
}
static void end_thread(int64_t h)
{
	release = 1;
	rae_futex_wake(&release, ~0ull);
	if (rae_thread_join(h, NULL) != RAE_OK)
		fail("threads", "join failed", h, 0);
	rae_handle_close((rae_handle_t)h);
}

/* --- mappings ------------------------------------------------------------ */

static rae_handle_t one_page;
static int64_t map_page(void)
{
	return rae_mem_map(one_page, RAE_PROT_READ | RAE_PROT_WRITE);
}
static void unmap(int64_t at)
{
	if (rae_mem_unmap((uint64_t)at) != RAE_OK)
		fail("mappings", "unmap failed", at, 0);
}

/* --- pipes (kernel heap: 64 KiB each) ------------------------------------ */

static int64_t make_pipe(void)
{
	rae_handle_t ends[2];
	int64_t r = rae_pipe_create(ends);
	return r == RAE_OK ? (int64_t)ends[0] | (int64_t)ends[1] << 32 : r;
}
static void close_pipe(int64_t both)
{
	rae_handle_close((rae_handle_t)(both & 0xffffffff));
	rae_handle_close((rae_handle_t)((uint64_t)both >> 32));
}

/* --- processes in a job ------------------------------------------------- */

#define JOB_PROCESSES_MAX 4
static rae_handle_t small_job;
static int64_t spawn_sleeper(void)
{
	return rae_sys_spawn_with("bin/sleeper", 0, small_job);
}
static void kill_sleeper(int64_t h)
{
	int status = 0;
	rae_kill(h);
	if (rae_wait(h, &status) != RAE_OK || status != RAE_EXIT_KILLED)
		fail("processes in a job", "kill and wait", status, 0);
	rae_handle_close((rae_handle_t)h);
}

/* --- physical memory, and the kernel heap while none is left ------------- */

static int64_t big[4096];       /* memory objects' handles, or private pieces' addresses */
static uint64_t big_size[4096]; /* 0 for an object, else the piece's size */
static unsigned n_big;

/* Takes every free page: memory objects of 16 MiB, then private pages in
 * ever smaller pieces. */
static void use_up_memory(void)
{
	n_big = 0;
	int64_t r;
	while (n_big < 256 && (r = rae_sys_mem_create(16u << 20, 0)) > 0) {
		big_size[n_big] = 0;
		big[n_big++] = r;
	}
	if (r != RAE_ERR_NO_MEMORY && n_big < 256)
		fail("memory", "a 16 MiB object refused with the wrong code", r, RAE_ERR_NO_MEMORY);
	for (uint64_t size = 1u << 20; size >= 4096; size /= 4) {
		while (n_big < 4096 &&
		       (r = rae_vm_allocate(size, RAE_PROT_READ | RAE_PROT_WRITE)) > 0) {
			big_size[n_big] = size;
			big[n_big++] = r;
		}
	}
}

static void free_memory(void)
{
	for (unsigned i = 0; i < n_big; i++) {
		if (big_size[i])
			rae_vm_free((uint64_t)big[i], big_size[i]);
		else
			rae_handle_close((rae_handle_t)big[i]);
	}
}

static void kernel_heap_without_memory(void)
{
	uint64_t before = free_pages();
	unsigned slots = free_handle_slots();
	use_up_memory();
	uint64_t low = free_pages();
	/* Each may succeed from what the heap still holds, or fail cleanly. */
	int64_t ep = rae_sys_endpoint_create(), n = rae_sys_notify_create(), j = make_job();
	int64_t pipe = make_pipe(), t = make_thread(), mem = rae_sys_mem_create(4096, 0);
	int64_t child = rae_sys_spawn("bin/hello");
	static char page[4096];
	rae_msg_t m = {.buf = (uint64_t)(uintptr_t)page, .buf_len = sizeof(page)};
	int64_t sent = ep > 0 ? rae_ipc_send((rae_handle_t)ep, &m, 1000000) : ep;
	rae_printf("exhaust: round %u without memory (%lu pages left): endpoint %ld, "
		   "notification %ld, job %ld, pipe %ld, thread %ld, memory %ld, spawn %ld, "
		   "send %ld\n",
		   round_no, (unsigned long)low, (long)(ep < 0 ? ep : 0), (long)(n < 0 ? n : 0),
		   (long)(j < 0 ? j : 0), (long)(pipe < 0 ? pipe : 0), (long)(t < 0 ? t : 0),
		   (long)(mem < 0 ? mem : 0), (long)(child < 0 ? child : 0), (long)sent);
	free_memory();
	if (t > 0)
		end_thread(t);
	if (child > 0) {
		rae_wait(child, NULL);
		rae_handle_close((rae_handle_t)child);
	}
	if (pipe >= 0)
		close_pipe(pipe);
	int64_t hs[] = {ep, n, j, mem};
	for (unsigned i = 0; i < 4; i++) {
		if (hs[i] > 0)
			rae_handle_close((rae_handle_t)hs[i]);
	}
	uint64_t after = free_pages();
	unsigned slots_after = free_handle_slots();
	int64_t lost = (int64_t)before - (int64_t)after;
	rae_printf("exhaust: round %u memory: %u pieces, free pages %lu -> %lu -> %lu\n", round_no,
		   n_big, (unsigned long)before, (unsigned long)low, (unsigned long)after);
	if (low > 64)
		fail("memory", "pages left after using them up", (int64_t)low, 64);
	if (lost > (round_no == 1 ? SLACK_FIRST : SLACK_AGAIN))
		fail("memory", "pages not given back", lost, 0);
	if (slots_after != slots)
		fail("memory", "handles not given back", slots, slots_after);
}

/* --- children ----------------------------------------------------------- */

/* Uses up its own mmap area with 1 GiB reservations: every address handed
 * out must lie in the user half, and once none is left, reservations,
 * mappings and thread stacks are refused. */
static int child_address_space(child_page_t *page)
{
	uint64_t n = 0;
	int64_t r;
	while ((r = rae_vm_allocate(1ull << 30, 0)) > 0) {
		if ((uint64_t)r >= USER_END || ((uint64_t)r & 4095) ||
		    (uint64_t)r + (1ull << 30) > USER_END)
			return 10;
		n++;
	}
	/* The rest, in ever smaller reservations down to one page. */
	for (uint64_t size = 1ull << 29; size >= 4096; size /= 2) {
		while ((r = rae_vm_allocate(size, 0)) > 0) {
			if ((uint64_t)r + size > USER_END)
				return 10;
		}
	}
	page->result[0] = (int64_t)n;
	page->result[1] = r;
	for (int i = 0; i < MORE; i++) {
		if (rae_vm_allocate(1ull << 30, 0) != r ||
		    rae_vm_allocate(4096, RAE_PROT_READ) != r)
			return 11;
	}
	int64_t mem = rae_sys_mem_create(4096, 0);
	page->result[2] = rae_mem_map((rae_handle_t)mem, RAE_PROT_READ);
	page->result[3] = rae_sys_thread_create(waiter, 0, 0);
	if (page->result[2] >= 0 || page->result[3] >= 0)
		return 12;
	return r == RAE_ERR_NO_MEMORY ? 0 : 13;
}

/* In a job of JOB_PAGES pages: private pages, then pipes (charged 16 pages
 * each), then the user heap, until refused. */
#define JOB_PAGES 1024
static int child_job_pages(child_page_t *page)
{
	int64_t r, n = 0;
	while ((r = rae_vm_allocate(65536, RAE_PROT_READ | RAE_PROT_WRITE)) > 0)
		n++;
	page->result[0] = n;
	page->result[1] = r;
	for (int i = 0; i < MORE; i++) {
		if (rae_vm_allocate(65536, RAE_PROT_READ | RAE_PROT_WRITE) != r)
			return 20;
	}
	rae_handle_t ends[2];
	page->result[2] = rae_pipe_create(ends);
	unsigned blocks = 0;
	while (blocks < 100000 && rae_heap_alloc(4096))
		blocks++;
	page->result[3] = blocks;
	if (blocks == 100000)
		return 21;
	return r == RAE_ERR_LIMIT && page->result[2] == RAE_ERR_LIMIT ? 0 : 22;
}

static void run_child(const char *name, uint64_t mode, rae_handle_t job)
{
	uint64_t pages = free_pages();
	int64_t mem = rae_sys_mem_create(4096, 0);
	int64_t at = mem > 0 ? rae_mem_map((rae_handle_t)mem, RAE_PROT_READ | RAE_PROT_WRITE) : mem;
	if (at < 0) {
		fail(name, "no page", at, 0);
		return;
	}
	child_page_t *page = (child_page_t *)(uintptr_t)at;
	page->magic = CHILD_MAGIC;
	page->mode = mode;
	int64_t h = rae_sys_spawn_with("bin/exhaust", (rae_handle_t)mem, job);
	int status = -1;
	if (h < 0 || rae_wait(h, &status) != RAE_OK || status != 0)
		fail(name, "child failed", h, status);
	rae_handle_close((rae_handle_t)h);
	rae_printf("exhaust: round %u %s: child saw %ld, %ld, %ld, %ld\n", round_no, name,
		   (long)page->result[0], (long)page->result[1], (long)page->result[2],
		   (long)page->result[3]);
	rae_mem_unmap((uint64_t)at);
	uint64_t after = free_pages();
	int64_t lost = (int64_t)pages - (int64_t)after;
	rae_printf("exhaust: round %u %s: free pages %lu -> %lu\n", round_no, name,
		   (unsigned long)pages, (unsigned long)after);
	if (lost > (round_no == 1 ? SLACK_FIRST : SLACK_AGAIN))
		fail(name, "pages not given back", lost, 0);
}

int main(uint64_t arg)
{
	if (arg) {
		int64_t at = rae_mem_map((rae_handle_t)arg, RAE_PROT_READ | RAE_PROT_WRITE);
		child_page_t *page = (child_page_t *)(uintptr_t)at;
		if (at < 0 || page->magic != CHILD_MAGIC)
			return 3;
		return page->mode == CHILD_ADDRESS_SPACE ? child_address_space(page)
							 : child_job_pages(page);
	}
	int64_t mem = rae_sys_mem_create(4096, 0);
	int64_t sj = rae_sys_job_create(0, JOB_PROCESSES_MAX, ~0ull, ~0ull, ~0ull);
	int64_t pj = rae_sys_job_create(0, ~0ull, ~0ull, JOB_PAGES, ~0ull);
	if (mem <= 0 || sj <= 0 || pj <= 0) {
		rae_puts("exhaust: could not set up\n");
		return 1;
	}
	one_page = (rae_handle_t)mem;
	small_job = (rae_handle_t)sj;
	uint64_t start = free_pages();
	for (round_no = 1; round_no <= 2; round_no++) {
		phase("handles (notifications)", make_notify, close_handle, RAE_ERR_LIMIT,
		      MAX_HANDLES);
		phase("endpoints", make_endpoint, close_handle, RAE_ERR_LIMIT, MAX_HANDLES);
		phase("jobs", make_job, close_handle, RAE_ERR_LIMIT, MAX_HANDLES);
		phase("threads", make_thread, end_thread, RAE_ERR_LIMIT, 100);
		phase("mappings", map_page, unmap, RAE_ERR_LIMIT, 100);
		phase("pipes", make_pipe, close_pipe, 0, MAX_HANDLES / 2);
		phase("processes in a job", spawn_sleeper, kill_sleeper, RAE_ERR_LIMIT, 20);
		kernel_heap_without_memory();
		run_child("address space", CHILD_ADDRESS_SPACE, 0);
		run_child("pages in a job", CHILD_JOB_PAGES, (rae_handle_t)pj);
	}
	uint64_t end = free_pages();
	rae_printf("exhaust: %u failures; free pages %lu at the start, %lu at the end\n", failures,
		   (unsigned long)start, (unsigned long)end);
	return failures ? 1 : 0;
}
