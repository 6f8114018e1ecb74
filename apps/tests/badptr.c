/* Bad pointers and lengths to every system call that takes one: NULL, page
 * zero, kernel addresses, non-canonical ones, an unmapped user page,
 * objects that run off a mapping into a hole or off the user half, ranges
 * that wrap, a read-only page for output, and huge lengths. Each must come
 * back as an error (RAE_ERR_FAULT, _RANGE or _INVALID, as docs/syscalls.md
 * says) with every register but rax, rcx and r11 as it was, nothing
 * written where it must not be and no handle left behind; never RAE_OK.
 * One table row per pointer argument: a new system call is one more row.
 * Started by the kernel test hostile_bad_pointers (it may spawn by path). */
#include <rae.h>
#include <rae/console.h>
#include <stdbool.h>

/* Where a row's pointer lives and what the call does with it. NONUSER:
 * any user value is legal (a thread's entry, a TLS base), only addresses
 * outside the user half are bad. AREA: an address in the mmap area that is
 * not dereferenced, where a reserved but unmapped range is legal. */
#define IN      0x01 /* the kernel reads it */
#define OUT     0x02 /* the kernel writes it: a read-only page must fail too */
#define STR     0x04 /* a NUL-terminated string */
#define NULL_OK 0x08 /* 0 means "none" here: not a bad pointer */
#define NONUSER 0x10
#define MSGBUF  0x20 /* the pointer is the buffer inside a valid rae_msg_t */
#define AREA    0x40

typedef struct row {
	const char *name;
	uint64_t nr;
	int ptr;       /* the argument (0-5) that is the pointer */
	uint64_t size; /* bytes the call reads or writes there */
	unsigned flags;
	int len;      /* the argument that is its length, or -1 */
	int64_t also; /* one more acceptable error for this row, or 0 */
	void (*setup)(uint64_t a[6]);
} row_t;

/* The kinds of bad pointer, each for an object of `size` bytes. */
enum {
	K_NULL,
	K_PAGE0,
	K_KERNEL,
	K_KERNEL_TEXT,
	K_WRAP,
	K_NONCANON,
	K_NONCANON_HIGH,
	K_USER_END,
	K_UNMAPPED,
	K_CROSS,
	K_READONLY,
	K_COUNT
};
static const char *const kind_name[K_COUNT] = {
    "null",     "page 0",        "kernel half",        "kernel text",
    "wrapping", "non-canonical", "non-canonical high", "past the user half",
    "unmapped", "into a hole",   "read-only"};

#define USER_END 0x0000800000000000ull

static uint64_t unmapped;  /* a reserved, never mapped range */
static uint64_t cross_end; /* the end of a mapped page with a hole after it */
static uint64_t ro_page;   /* a read-only page (must stay zero) */
static uint64_t rw_page;   /* a valid buffer */
static rae_handle_t ep, ended_thread, ended_proc, job, job_child, pipe_r, pipe_w, mem;
static rae_msg_t msg; /* the valid message of the MSGBUF rows */
static volatile int sending = 1;
static unsigned calls, failures;

static void fail(const char *what, const char *row, const char *kind, int64_t r)
{
	failures++;
	rae_printf("badptr: FAIL %s: %s, %s pointer: returned %ld\n", what, row, kind, (long)r);
}

/* The system call with every argument register checked afterwards: only
 * rax, rcx and r11 may change (docs/syscalls.md). */
static int64_t checked_syscall(const row_t *row, const char *kind, uint64_t nr, const uint64_t a[6])
{
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	register uint64_t r12 __asm__("r12") = 0x1212121212121212ull;
	register uint64_t r13 __asm__("r13") = 0x1313131313131313ull;
	register uint64_t r14 __asm__("r14") = 0x1414141414141414ull;
	register uint64_t r15 __asm__("r15") = 0x1515151515151515ull;
	uint64_t di = a[0], si = a[1], dx = a[2], bx = 0xbbbbbbbbbbbbbbbbull;
	int64_t ret = (int64_t)nr;
	__asm__ volatile("syscall"
			 : "+a"(ret), "+D"(di), "+S"(si), "+d"(dx), "+r"(r10), "+r"(r8), "+r"(r9),
			   "+b"(bx), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
			 :
			 : "rcx", "r11", "memory");
	calls++;
	if (di != a[0] || si != a[1] || dx != a[2] || r10 != a[3] || r8 != a[4] || r9 != a[5] ||
	    bx != 0xbbbbbbbbbbbbbbbbull || r12 != 0x1212121212121212ull ||
	    r13 != 0x1313131313131313ull || r14 != 0x1414141414141414ull ||
	    r15 != 0x1515151515151515ull)
		fail("registers changed", row->name, kind, ret);
	return ret;
}

static uint64_t bad_pointer(int kind, uint64_t size)
{
	uint64_t half = (size + 1) / 2;
	switch (kind) {
	case K_NULL: return 0;
	case K_PAGE0: return 0x40;
	case K_KERNEL: return 0xffff800000000000ull;
	case K_KERNEL_TEXT: return 0xffffffff80000000ull;
	case K_WRAP: return (0 - half) & ~3ull;
	case K_NONCANON: return USER_END + 0x1000; /* a stack top of USER_END is legal */
	case K_NONCANON_HIGH: return 0x8000000000000000ull;
	/* Objects of up to 8 bytes may need alignment, which keeps them on one
	 * page: those start in the hole itself. */
	case K_USER_END: return size <= 8 ? USER_END - 4 : USER_END - half;
	case K_UNMAPPED: return unmapped;
	case K_CROSS: return size <= 8 ? cross_end : cross_end - half;
	default: return ro_page;
	}
}

static bool kind_applies(const row_t *row, int kind)
{
	if (kind == K_NULL && (row->flags & NULL_OK))
		return false;
	if (kind == K_READONLY && !(row->flags & OUT))
		return false;
	if (kind == K_UNMAPPED && (row->flags & AREA))
		return false;
	if (row->flags & NONUSER)
		return kind == K_KERNEL || kind == K_KERNEL_TEXT || kind == K_WRAP ||
		       kind == K_NONCANON || kind == K_NONCANON_HIGH;
	return true;
}

static bool acceptable(const row_t *row, int64_t r)
{
	return r == RAE_ERR_FAULT || r == RAE_ERR_RANGE || r == RAE_ERR_INVALID ||
	       (row->also && r == row->also);
}

/* --- what each row needs besides its pointer ----------------------------- */

static void drain_pipe(void)
{
	char sink[256];
	while (rae_pipe_read(pipe_r, sink, sizeof(sink), 0) > 0) {
	}
}

static const char pipe_text[64] = "what stays in the pipe while bad buffers are offered to it..";

static void set_debug_write(uint64_t a[6])
{
	a[1] = 200;
}
static void set_thread_create(uint64_t a[6])
{
	a[0] = (uint64_t)(uintptr_t)rae_thread_exit; /* never runs: every case fails */
	a[2] = rw_page + 4096;
}
static void set_thread_join(uint64_t a[6])
{
	a[0] = ended_thread;
}
static void set_wait(uint64_t a[6])
{
	a[0] = ended_proc;
}
static void set_ep_short(uint64_t a[6])
{
	a[0] = ep;
	a[2] = 1000000; /* 1 ms: a call that got through would time out */
}
static void set_msgbuf_send(uint64_t a[6])
{
	set_ep_short(a);
	memset(&msg, 0, sizeof(msg));
	msg.buf_len = 64;
	a[1] = (uint64_t)(uintptr_t)&msg;
}
static void set_receive(uint64_t a[6])
{
	a[0] = ep;
	a[2] = 2000000000ull; /* the sender thread offers a message every few ms */
}
static void set_msgbuf_receive(uint64_t a[6])
{
	set_receive(a);
	memset(&msg, 0, sizeof(msg));
	msg.buf_cap = 64;
	a[1] = (uint64_t)(uintptr_t)&msg;
}
static void set_spawn_with(uint64_t a[6])
{
	(void)a; /* no handle, the caller's job */
}
static void set_spawn_image(uint64_t a[6])
{
	a[0] = mem;
	a[2] = 4096;
}
static void set_job_processes(uint64_t a[6])
{
	a[0] = job;
	a[2] = 1;
}
static void set_futex_wait(uint64_t a[6])
{
	a[2] = 1000000;
}
static void set_random(uint64_t a[6])
{
	a[1] = 64;
}
static void set_pipe_write(uint64_t a[6])
{
	drain_pipe();
	a[0] = pipe_w;
	a[2] = 64;
}
static void set_pipe_read(uint64_t a[6])
{
	drain_pipe();
	rae_pipe_write(pipe_w, pipe_text, sizeof(pipe_text), 0);
	a[0] = pipe_r;
	a[2] = 64;
}
static void set_vm_range(uint64_t a[6])
{
	a[1] = 4096;
}

/* The sizes of what SYSTEM_INFO, CONSOLE_INFO and PROCESS_INFO write. */
#define SZ(t) ((uint64_t)sizeof(t))

static const row_t rows[] = {
    {"DEBUG_WRITE buf", RAE_SYS_DEBUG_WRITE, 0, 200, IN, 1, 0, set_debug_write},
    {"THREAD_CREATE entry", RAE_SYS_THREAD_CREATE, 0, 1, NONUSER, -1, 0, set_thread_create},
    {"THREAD_CREATE stack_top", RAE_SYS_THREAD_CREATE, 2, 8, NONUSER, -1, 0, set_thread_create},
    {"THREAD_JOIN code", RAE_SYS_THREAD_JOIN, 1, 4, OUT | NULL_OK, -1, 0, set_thread_join},
    {"SPAWN path", RAE_SYS_SPAWN, 0, 1, IN | STR, -1, 0, NULL},
    {"WAIT status", RAE_SYS_WAIT, 1, 4, OUT | NULL_OK, -1, 0, set_wait},
    {"IPC_CALL msg", RAE_SYS_IPC_CALL, 1, SZ(rae_msg_t), IN, -1, 0, set_ep_short},
    {"IPC_CALL msg.buf", RAE_SYS_IPC_CALL, 1, 64, IN | MSGBUF, -1, 0, set_msgbuf_send},
    {"IPC_RECEIVE msg", RAE_SYS_IPC_RECEIVE, 1, SZ(rae_msg_t), IN | OUT, -1, 0, set_receive},
    {"IPC_RECEIVE msg.buf", RAE_SYS_IPC_RECEIVE, 1, 64, OUT | MSGBUF, -1, 0, set_msgbuf_receive},
    {"IPC_REPLY msg", RAE_SYS_IPC_REPLY, 0, SZ(rae_msg_t), IN, -1, 0, NULL},
    {"IPC_SEND msg", RAE_SYS_IPC_SEND, 1, SZ(rae_msg_t), IN, -1, 0, set_ep_short},
    {"IPC_SEND msg.buf", RAE_SYS_IPC_SEND, 1, 64, IN | MSGBUF, -1, 0, set_msgbuf_send},
    {"SPAWN_WITH path", RAE_SYS_SPAWN_WITH, 0, 1, IN | STR, -1, 0, set_spawn_with},
    {"SPAWN_IMAGE name", RAE_SYS_SPAWN_IMAGE, 3, 1, IN | STR, -1, 0, set_spawn_image},
    {"JOB_PROCESSES buf", RAE_SYS_JOB_PROCESSES, 1, SZ(rae_process_info_t), OUT, 2, 0,
     set_job_processes},
    {"SYSTEM_INFO info", RAE_SYS_SYSTEM_INFO, 0, SZ(rae_system_info_t), OUT, -1, 0, NULL},
    {"MEM_UNMAP addr", RAE_SYS_MEM_UNMAP, 0, 4096, IN, -1, RAE_ERR_NOT_FOUND, NULL},
    {"FUTEX_WAIT addr", RAE_SYS_FUTEX_WAIT, 0, 4, IN, -1, 0, set_futex_wait},
    {"FUTEX_WAKE addr", RAE_SYS_FUTEX_WAKE, 0, 4, NONUSER, -1, 0, NULL},
    {"SET_TLS_BASE base", RAE_SYS_SET_TLS_BASE, 0, 8, NONUSER, -1, 0, NULL},
    {"RANDOM buf", RAE_SYS_RANDOM, 0, 64, OUT, 1, 0, set_random},
    {"VM_PROTECT addr", RAE_SYS_VM_PROTECT, 0, 4096, AREA, 1, 0, set_vm_range},
    {"VM_FREE addr", RAE_SYS_VM_FREE, 0, 4096, AREA, 1, 0, set_vm_range},
    {"CONSOLE_INFO info", RAE_SYS_CONSOLE_INFO, 0, SZ(rae_console_hw_t), OUT, -1, 0, NULL},
    {"PIPE_CREATE ends", RAE_SYS_PIPE_CREATE, 0, 8, OUT, -1, 0, NULL},
    {"PIPE_WRITE buf", RAE_SYS_PIPE_WRITE, 1, 64, IN, 2, 0, set_pipe_write},
    {"PIPE_READ buf", RAE_SYS_PIPE_READ, 1, 64, OUT, 2, 0, set_pipe_read},
    {"PROCESS_INFO info", RAE_SYS_PROCESS_INFO, 1, SZ(rae_process_info_t), OUT, -1, 0, NULL},
    /* Not here: CONSOLE_HANDOVER's log_offset and LOG_READ's buffers, since
     * both first need a resource or the console handle, which this program
     * is never given (the handle checks come first and refuse it). */
};

/* Lengths past every limit, with a valid pointer; the last only for calls
 * with a limit of their own (a count whose range lies in the user half is
 * legal elsewhere: the kernel writes only as far as it needs). */
static const uint64_t huge_lengths[] = {1ull << 63, ~0ull, USER_END, 0x100000001ull};
#define HUGE_LENGTHS 4

static void sender(uint64_t arg)
{
	(void)arg;
	static char payload[64] = "a payload as long as the MSGBUF rows' buffers";
	while (sending) {
		rae_msg_t m = {.tag = 7, .buf = (uint64_t)(uintptr_t)payload, .buf_len = 64};
		rae_ipc_send(ep, &m, 5000000);
	}
	rae_thread_exit(0);
}

static void exit_at_once(uint64_t arg)
{
	(void)arg;
	rae_thread_exit(7);
}

/* How many more handles this process may hold: notifications made until
 * the table is full, then closed again. */
static unsigned free_handle_slots(void)
{
	static rae_handle_t made[1100];
	unsigned n = 0;
	for (int64_t h; n < 1100 && (h = rae_sys_notify_create()) > 0;)
		made[n++] = (rae_handle_t)h;
	for (unsigned i = 0; i < n; i++)
		rae_handle_close(made[i]);
	return n;
}

/* A string that runs into the hole without a NUL (output cases write
 * over it). */
static void refill_string(void)
{
	memset((char *)(uintptr_t)cross_end - 1024, 'a', 1024);
}

static void run_row(const row_t *row)
{
	for (int kind = 0; kind < K_COUNT; kind++) {
		if (!kind_applies(row, kind))
			continue;
		uint64_t a[6] = {0};
		if (row->setup)
			row->setup(a);
		refill_string();
		uint64_t p = bad_pointer(kind, row->size);
		if (row->flags & MSGBUF)
			msg.buf = p;
		else
			a[row->ptr] = p;
		int64_t r = checked_syscall(row, kind_name[kind], row->nr, a);
		if (!acceptable(row, r))
			fail("not refused", row->name, kind_name[kind], r);
	}
	if (row->len < 0)
		return;
	/* The length: past every limit, and from a valid start into a hole. */
	for (unsigned i = 0; i <= HUGE_LENGTHS; i++) {
		if (i == HUGE_LENGTHS - 1 && row->nr != RAE_SYS_DEBUG_WRITE &&
		    row->nr != RAE_SYS_RANDOM)
			continue;
		uint64_t a[6] = {0};
		if (row->setup)
			row->setup(a);
		bool into_hole = i == HUGE_LENGTHS;
		a[row->ptr] = into_hole ? cross_end - 32 : rw_page;
		a[row->len] =
		    into_hole ? (row->nr == RAE_SYS_JOB_PROCESSES ? 4 : 256) : huge_lengths[i];
		int64_t r = checked_syscall(row, "length", row->nr, a);
		if (!acceptable(row, r))
			fail("length not refused", row->name, into_hole ? "into a hole" : "huge",
			     r);
	}
}

int main(uint64_t arg)
{
	(void)arg;
	/* The pages the cases point into. */
	unmapped = (uint64_t)rae_vm_allocate(8192, 0);
	int64_t two = rae_vm_allocate(8192, RAE_PROT_READ | RAE_PROT_WRITE);
	ro_page = (uint64_t)rae_vm_allocate(4096, RAE_PROT_READ);
	rw_page = (uint64_t)rae_vm_allocate(4096, RAE_PROT_READ | RAE_PROT_WRITE);
	if ((int64_t)unmapped < 0 || two < 0 || (int64_t)ro_page < 0 || (int64_t)rw_page < 0 ||
	    rae_vm_protect((uint64_t)two + 4096, 4096, 0) != RAE_OK) {
		rae_puts("badptr: could not set up its pages\n");
		return 1;
	}
	cross_end = (uint64_t)two + 4096;

	rae_endpoint_create(&ep);
	int64_t t = rae_sys_thread_create(exit_at_once, 0, 0);
	int code = 0;
	int64_t child = rae_sys_spawn("bin/hello");
	int64_t j = rae_sys_job_create(0, ~0ull, ~0ull, ~0ull, ~0ull);
	int64_t jc = j > 0 ? rae_sys_spawn_with("bin/hello", 0, (rae_handle_t)j) : j;
	rae_handle_t ends[2];
	int64_t m = rae_sys_mem_create(4096, 0);
	if ((int64_t)ep <= 0 || t <= 0 || rae_thread_join(t, &code) != RAE_OK || child <= 0 ||
	    rae_wait(child, NULL) != RAE_OK || jc <= 0 || rae_pipe_create(ends) != RAE_OK ||
	    m <= 0) {
		rae_puts("badptr: could not set up its objects\n");
		return 1;
	}
	ended_thread = (rae_handle_t)t;
	ended_proc = (rae_handle_t)child;
	job = (rae_handle_t)j;
	job_child = (rae_handle_t)jc;
	pipe_r = ends[0];
	pipe_w = ends[1];
	mem = (rae_handle_t)m;
	int64_t s = rae_sys_thread_create(sender, 0, 0);
	if (s <= 0) {
		rae_puts("badptr: no sender thread\n");
		return 1;
	}

	unsigned slots_before = free_handle_slots();
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);

	/* The caller is intact: its read-only page untouched, the pipe's bytes
	 * all there, no handle left behind by a refused call, its TLS base
	 * and its calls still working. */
	for (unsigned i = 0; i < 4096; i++) {
		if (((volatile uint8_t *)(uintptr_t)ro_page)[i] != 0) {
			fail("read-only page written", "-", "-", i);
			break;
		}
	}
	set_pipe_read((uint64_t[6]){0});
	char back[64];
	if (rae_pipe_read(pipe_r, back, sizeof(back), 0) != 64 ||
	    memcmp(back, pipe_text, sizeof(back)) != 0)
		fail("pipe contents changed", "PIPE_READ", "-", 0);
	rae_set_tls_base(0);
	unsigned slots_after = free_handle_slots();
	if (slots_after != slots_before)
		fail("handles left behind", "-", "-", (int64_t)slots_before - (int64_t)slots_after);
	sending = 0;
	rae_thread_join(s, NULL);
	rae_kill(job_child);
	rae_printf("badptr: %u rows, %u bad calls, %u failures; %u free handle slots before and %u "
		   "after\n",
		   (unsigned)(sizeof(rows) / sizeof(rows[0])), calls, failures, slots_before,
		   slots_after);
	return failures ? 1 : 0;
}
