/* librae: RaeCore system calls for user programs, and the few helpers a
 * program without a C library needs (printing numbers, memory routines).
 * The C library port (musl) will sit on top of these calls. */
#ifndef RAE_H
#define RAE_H

#include <stddef.h>
#include <stdint.h>
/* The memory and string routines: the kernel's (kernel/include/klibc,
 * kernel/generic/lib/string.c), linked into librae. */
#include <string.h>
#include <rae/status.h>
#include <rae/handle.h>
#include <rae/ipc.h>
#include <rae/pipe.h>
#include <rae/process.h>
#include <rae/resource.h>
#include <rae/syscall.h>
#include <rae_heap.h>

static inline int64_t rae_syscall6(uint64_t nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
				   uint64_t e, uint64_t f)
{
	int64_t ret;
	register uint64_t r10 __asm__("r10") = d;
	register uint64_t r8 __asm__("r8") = e;
	register uint64_t r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t rae_syscall(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	return rae_syscall6(nr, a, b, c, 0, 0, 0);
}

static inline int64_t rae_debug_write(const char *s, size_t n)
{
	return rae_syscall(RAE_SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)s, n, 0);
}

__attribute__((noreturn)) static inline void rae_exit(int code)
{
	rae_syscall(RAE_SYS_PROCESS_EXIT, (uint64_t)code, 0, 0);
	__builtin_unreachable();
}

/* A thread starts at entry(arg) with rsp 16-byte aligned, the kernel's
 * convention for every thread (a process's _start too), while a C function
 * expects rsp + 8 to be: an entry that keeps SSE values on its stack (a
 * zeroed rae_msg_t is enough) faults unless it is declared RAE_THREAD_ENTRY,
 * which has the compiler realign the stack on the way in. */
#define RAE_THREAD_ENTRY __attribute__((force_align_arg_pointer))

static inline int64_t rae_thread_create(void (*entry)(uint64_t), uint64_t arg)
{
	return rae_syscall(RAE_SYS_THREAD_CREATE, (uint64_t)(uintptr_t)entry, arg, 0);
}

__attribute__((noreturn)) static inline void rae_thread_exit(int code)
{
	rae_syscall(RAE_SYS_THREAD_EXIT, (uint64_t)code, 0, 0);
	__builtin_unreachable();
}

static inline int64_t rae_thread_join(int64_t h, int *code)
{
	return rae_syscall(RAE_SYS_THREAD_JOIN, (uint64_t)h, (uint64_t)(uintptr_t)code, 0);
}

static inline int64_t rae_sleep_ns(uint64_t ns)
{
	return rae_syscall(RAE_SYS_SLEEP, ns, 0, 0);
}

static inline int64_t rae_yield(void)
{
	return rae_syscall(RAE_SYS_YIELD, 0, 0, 0);
}

static inline uint64_t rae_clock_ns(void)
{
	return (uint64_t)rae_syscall(RAE_SYS_CLOCK, 0, 0, 0);
}

static inline int64_t rae_set_rt(uint64_t budget_ns, uint64_t period_ns)
{
	return rae_syscall(RAE_SYS_SET_RT, budget_ns, period_ns, 0);
}

static inline int64_t rae_set_affinity(uint64_t mask)
{
	return rae_syscall(RAE_SYS_SET_AFFINITY, mask, 0, 0);
}

/* Starts a program from the initrd; returns a handle to the new process
 * (READ, WAIT, MANAGE, DUPLICATE, TRANSFER). Only for processes the kernel
 * started (RAE_ERR_ACCESS_DENIED for others: rae_initrd_spawn_start). */
static inline int64_t rae_spawn(const char *path)
{
	return rae_syscall(RAE_SYS_SPAWN, (uint64_t)(uintptr_t)path, 0, 0);
}

/* Waits for the process `h` names to end (WAIT right); its exit status
 * in *status. Waiting again gives the same status. */
static inline int64_t rae_wait(int64_t h, int *status)
{
	return rae_syscall(RAE_SYS_WAIT, (uint64_t)h, (uint64_t)(uintptr_t)status, 0);
}

/* As rae_wait, with RAE_WAIT_* flags: RAE_WAIT_NOHANG returns
 * RAE_ERR_TIMED_OUT at once while the process still runs. */
static inline int64_t rae_wait_flags(int64_t h, int *status, uint64_t flags)
{
	return rae_syscall(RAE_SYS_WAIT, (uint64_t)h, (uint64_t)(uintptr_t)status, flags);
}

/* rae_wait without waiting: RAE_OK with *status once the process ended,
 * RAE_ERR_TIMED_OUT while it runs. */
static inline int64_t rae_wait_nohang(int64_t h, int *status)
{
	return rae_wait_flags(h, status, RAE_WAIT_NOHANG);
}

/* Signals `bits` on notification `n` (SIGNAL right) when the process `h`
 * names (WAIT right) ends, at once if it has. */
static inline int64_t rae_process_watch(rae_handle_t h, rae_handle_t n, uint64_t bits)
{
	return rae_syscall(RAE_SYS_PROCESS_WATCH, h, n, bits);
}

/* Fills buf with up to count processes of job `job`'s tree (READ right),
 * by process id; returns how many there are (possibly more than count). */
static inline int64_t rae_job_processes(rae_handle_t job, rae_process_info_t *buf, uint64_t count)
{
	return rae_syscall(RAE_SYS_JOB_PROCESSES, job, (uint64_t)(uintptr_t)buf, count);
}

/* A handle to process `pid` of job `job`'s tree (MANAGE right), or
 * RAE_ERR_NOT_FOUND. */
static inline int64_t rae_job_process(rae_handle_t job, uint64_t pid)
{
	return rae_syscall(RAE_SYS_JOB_PROCESS, job, pid, 0);
}

/* The facts of the process `h` names (READ), or with 0 of the caller
 * itself: its CPU time, pages, threads (rae/process.h). */
static inline int64_t rae_process_info(rae_handle_t h, rae_process_info_t *info)
{
	return rae_syscall(RAE_SYS_PROCESS_INFO, h, (uint64_t)(uintptr_t)info, 0);
}

static inline int64_t rae_system_info(rae_system_info_t *info)
{
	return rae_syscall(RAE_SYS_SYSTEM_INFO, (uint64_t)(uintptr_t)info, 0, 0);
}

/* Ends the process `h` names (MANAGE right). */
static inline int64_t rae_kill(int64_t h)
{
	return rae_syscall(RAE_SYS_KILL, (uint64_t)h, 0, 0);
}

/* The process id of the process `h` names (READ right), as GETPID gives
 * it to that process. */
static inline int64_t rae_process_id(rae_handle_t h)
{
	return rae_syscall(RAE_SYS_PROCESS_ID, h, 0, 0);
}

static inline int64_t rae_getpid(void)
{
	return rae_syscall(RAE_SYS_GETPID, 0, 0, 0);
}

static inline int64_t rae_cpu(void)
{
	return rae_syscall(RAE_SYS_CPU, 0, 0, 0);
}

/* Handles and IPC (rae/handle.h, rae/ipc.h). */
static inline int64_t rae_handle_close(rae_handle_t h)
{
	return rae_syscall(RAE_SYS_HANDLE_CLOSE, h, 0, 0);
}

static inline int64_t rae_handle_dup(rae_handle_t h, uint32_t rights)
{
	return rae_syscall(RAE_SYS_HANDLE_DUP, h, rights, 0);
}

static inline int64_t rae_handle_mint(rae_handle_t h, uint32_t rights, uint64_t badge)
{
	return rae_syscall(RAE_SYS_HANDLE_MINT, h, rights, badge);
}

/* As rae_handle_mint, and the endpoint's receivers get a RAE_IPC_TAG_CLOSED
 * notice with `badge` once every copy of the new handle is gone
 * (rae/ipc.h): how a server learns that a client ended. */
static inline int64_t rae_handle_mint_watched(rae_handle_t h, uint32_t rights, uint64_t badge)
{
	return rae_syscall(RAE_SYS_HANDLE_MINT_WATCHED, h, rights, badge);
}

static inline int64_t rae_endpoint_create(void)
{
	return rae_syscall(RAE_SYS_ENDPOINT_CREATE, 0, 0, 0);
}

static inline int64_t rae_ipc_call(rae_handle_t h, rae_msg_t *m, uint64_t timeout_ns)
{
	return rae_syscall(RAE_SYS_IPC_CALL, h, (uint64_t)(uintptr_t)m, timeout_ns);
}

/* One way: returns once a receiver took the message (no reply). */
static inline int64_t rae_ipc_send(rae_handle_t h, rae_msg_t *m, uint64_t timeout_ns)
{
	return rae_syscall(RAE_SYS_IPC_SEND, h, (uint64_t)(uintptr_t)m, timeout_ns);
}

static inline int64_t rae_ipc_receive(rae_handle_t h, rae_msg_t *m, uint64_t timeout_ns)
{
	return rae_syscall(RAE_SYS_IPC_RECEIVE, h, (uint64_t)(uintptr_t)m, timeout_ns);
}

static inline int64_t rae_ipc_reply(rae_msg_t *m)
{
	return rae_syscall(RAE_SYS_IPC_REPLY, (uint64_t)(uintptr_t)m, 0, 0);
}

static inline int64_t rae_notify_create(void)
{
	return rae_syscall(RAE_SYS_NOTIFY_CREATE, 0, 0, 0);
}

static inline int64_t rae_notify_signal(rae_handle_t h, uint64_t bits)
{
	return rae_syscall(RAE_SYS_NOTIFY_SIGNAL, h, bits, 0);
}

static inline int64_t rae_notify_wait(rae_handle_t h, uint64_t timeout_ns)
{
	return rae_syscall(RAE_SYS_NOTIFY_WAIT, h, timeout_ns, 0);
}

static inline int64_t rae_spawn_with(const char *path, rae_handle_t h)
{
	return rae_syscall(RAE_SYS_SPAWN_WITH, (uint64_t)(uintptr_t)path, h, 0);
}

static inline int64_t rae_spawn_in(rae_handle_t job, const char *path, rae_handle_t h)
{
	return rae_syscall(RAE_SYS_SPAWN_WITH, (uint64_t)(uintptr_t)path, h, job);
}

/* A process from the executable of `size` bytes at `offset` in memory
 * object `image` (needs READ; the kernel copies it), named `name`; `h`
 * (0: none) moves to it as main's argument; `job` 0 is the caller's. */
static inline int64_t rae_spawn_image(rae_handle_t image, uint64_t offset, uint64_t size,
				      const char *name, rae_handle_t h, rae_handle_t job)
{
	return rae_syscall6(RAE_SYS_SPAWN_IMAGE, image, offset, size, (uint64_t)(uintptr_t)name, h,
			    job);
}

/* A child job of `parent` (0: the caller's job). Limits of UINT64_MAX mean
 * none; every ancestor's limits apply as well. */
static inline int64_t rae_job_create(rae_handle_t parent, uint64_t processes, uint64_t threads,
				     uint64_t pages, uint64_t handles)
{
	return rae_syscall6(RAE_SYS_JOB_CREATE, parent, processes, threads, pages, handles, 0);
}

static inline int64_t rae_mem_create(uint64_t bytes, uint64_t flags)
{
	return rae_syscall(RAE_SYS_MEM_CREATE, bytes, flags, 0);
}

/* The size in bytes (whole pages) of the memory object `h` names (READ). */
static inline int64_t rae_mem_size(rae_handle_t h)
{
	return rae_syscall(RAE_SYS_MEM_SIZE, h, 0, 0);
}

static inline int64_t rae_mem_map(rae_handle_t h, uint64_t prot)
{
	return rae_syscall(RAE_SYS_MEM_MAP, h, prot, 0);
}

/* Register IPC (the fast path): a tag and four words each way. */
typedef struct {
	uint64_t tag, w[4], badge;
} rae_regs_t;

static inline int64_t rae_ipc_regs(uint64_t nr, rae_handle_t h, rae_regs_t *m)
{
	register uint64_t r10 __asm__("r10") = m->w[1];
	register uint64_t r8 __asm__("r8") = m->w[2];
	register uint64_t r9 __asm__("r9") = m->w[3];
	uint64_t rdi = h, rsi = m->tag, rdx = m->w[0];
	int64_t ret = (int64_t)nr;
	__asm__ volatile("syscall"
			 : "+a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	if (ret == RAE_OK) {
		m->tag = rsi;
		m->w[0] = rdx;
		m->w[1] = r10;
		m->w[2] = r8;
		m->w[3] = r9;
		m->badge = rdi;
	}
	return ret;
}

static inline int64_t rae_ipc_call_regs(rae_handle_t h, rae_regs_t *m)
{
	return rae_ipc_regs(RAE_SYS_IPC_CALL_REG, h, m);
}

static inline int64_t rae_ipc_recv_regs(rae_handle_t h, rae_regs_t *m)
{
	return rae_ipc_regs(RAE_SYS_IPC_RECV_REG, h, m);
}

static inline int64_t rae_ipc_reply_recv_regs(rae_handle_t h, rae_regs_t *m)
{
	return rae_ipc_regs(RAE_SYS_IPC_REPLY_RECV_REG, h, m);
}

/* How long this thread's register calls wait (RAE_TIMEOUT_NEVER: ever). */
static inline int64_t rae_ipc_set_timeout(uint64_t timeout_ns)
{
	return rae_syscall(RAE_SYS_IPC_SET_TIMEOUT, timeout_ns, 0, 0);
}

/* Pipes (rae/pipe.h): ends[0] gets the read end, ends[1] the write end. */
static inline int64_t rae_pipe_create(rae_handle_t ends[2])
{
	return rae_syscall(RAE_SYS_PIPE_CREATE, (uint64_t)(uintptr_t)ends, 0, 0);
}

/* Up to len bytes, waiting at most timeout_ns for the first (0: not at
 * all; RAE_TIMEOUT_NEVER: forever). Returns the count, 0 at end of file. */
static inline int64_t rae_pipe_read(rae_handle_t h, void *buf, size_t len, uint64_t timeout_ns)
{
	return rae_syscall6(RAE_SYS_PIPE_READ, h, (uint64_t)(uintptr_t)buf, len, timeout_ns, 0, 0);
}

/* Up to len bytes (all of them, in one piece, when len <= RAE_PIPE_ATOMIC);
 * returns the count, RAE_ERR_PEER_CLOSED once no read end is left. */
static inline int64_t rae_pipe_write(rae_handle_t h, const void *buf, size_t len,
				     uint64_t timeout_ns)
{
	return rae_syscall6(RAE_SYS_PIPE_WRITE, h, (uint64_t)(uintptr_t)buf, len, timeout_ns, 0, 0);
}

/* Hardware objects (rae/resource.h). A sub-resource of `parent` over
 * [base, base+size) of `kind`. */
static inline int64_t rae_resource_create(rae_handle_t parent, uint64_t kind, uint64_t base,
					  uint64_t size)
{
	return rae_syscall6(RAE_SYS_RESOURCE_CREATE, parent, kind, base, size, 0, 0);
}

/* A memory object over device memory [phys, phys+bytes), page aligned,
 * mapped with rae_mem_map; flags RAE_MEM_PHYS_*. */
static inline int64_t rae_mem_create_phys(rae_handle_t resource, uint64_t phys, uint64_t bytes,
					  uint64_t flags)
{
	return rae_syscall6(RAE_SYS_MEM_CREATE_PHYS, resource, phys, bytes, flags, 0, 0);
}

/* Removes the mapping rae_mem_map returned at `addr`. */
static inline int64_t rae_mem_unmap(uint64_t addr)
{
	return rae_syscall(RAE_SYS_MEM_UNMAP, addr, 0, 0);
}

/* Binds interrupt `line` (a GSI, or an ISA IRQ with RAE_IRQ_ISA) to
 * `bits` of a notification; acknowledge each with rae_interrupt_ack. */
static inline int64_t rae_interrupt_create(rae_handle_t resource, uint64_t line,
					   rae_handle_t notification, uint64_t bits, uint64_t flags)
{
	return rae_syscall6(RAE_SYS_INTERRUPT_CREATE, resource, line, notification, bits, flags, 0);
}

static inline int64_t rae_interrupt_ack(rae_handle_t h)
{
	return rae_syscall(RAE_SYS_INTERRUPT_ACK, h, 0, 0);
}

static inline int64_t rae_ioport_create(rae_handle_t resource, uint64_t base, uint64_t count)
{
	return rae_syscall(RAE_SYS_IOPORT_CREATE, resource, base, count);
}

/* Lets this process use the object's ports with in and out. */
static inline int64_t rae_ioport_enable(rae_handle_t h)
{
	return rae_syscall(RAE_SYS_IOPORT_ENABLE, h, 0, 0);
}

/* What a C library needs (lib/posix). Waits while the word at `addr` holds
 * `expected`, until rae_futex_wake on it or the timeout: RAE_OK when woken,
 * RAE_FUTEX_CHANGED when the word differed, RAE_ERR_TIMED_OUT. */
static inline int64_t rae_futex_wait(const volatile uint32_t *addr, uint32_t expected,
				     uint64_t timeout_ns)
{
	return rae_syscall(RAE_SYS_FUTEX_WAIT, (uint64_t)(uintptr_t)addr, expected, timeout_ns);
}

/* Wakes up to `count` threads waiting on `addr`; returns how many. */
static inline int64_t rae_futex_wake(const volatile uint32_t *addr, uint64_t count)
{
	return rae_syscall(RAE_SYS_FUTEX_WAKE, (uint64_t)(uintptr_t)addr, count, 0);
}

/* Sets this thread's FS base (where %fs:0 points: thread-local storage). */
static inline int64_t rae_set_tls_base(uint64_t base)
{
	return rae_syscall(RAE_SYS_SET_TLS_BASE, base, 0, 0);
}

/* Fills buf with len (at most RAE_RANDOM_MAX) random bytes. */
static inline int64_t rae_random(void *buf, size_t len)
{
	return rae_syscall(RAE_SYS_RANDOM, (uint64_t)(uintptr_t)buf, len, 0);
}

/* Fresh zeroed private pages in the mmap area; prot 0 only reserves them. */
static inline int64_t rae_vm_allocate(uint64_t bytes, uint64_t prot)
{
	return rae_syscall(RAE_SYS_VM_ALLOCATE, bytes, prot, 0);
}

/* New protections for private pages (holes get zeroed pages; 0 frees). */
static inline int64_t rae_vm_protect(uint64_t addr, uint64_t bytes, uint64_t prot)
{
	return rae_syscall(RAE_SYS_VM_PROTECT, addr, bytes, prot);
}

static inline int64_t rae_vm_free(uint64_t addr, uint64_t bytes)
{
	return rae_syscall(RAE_SYS_VM_FREE, addr, bytes, 0);
}

static inline uint8_t rae_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void rae_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Printing without a C library (lib.c, printf.c). */
size_t rae_strlen(const char *s);
void rae_puts(const char *s);
/* printf to the console (lib/format.h has the conversions), in one write,
 * so that another process's output never lands inside it; cut at
 * RAE_PRINTF_MAX - 1 bytes. Returns the bytes written. */
#define RAE_PRINTF_MAX 512
int rae_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rae_put_dec(int64_t v);
void rae_put_hex(uint64_t v);

/* The TSC, ordered after earlier instructions (guest instructions under
 * QEMU -icount). */
static inline uint64_t rae_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Sorts `samples` and prints a BENCH line (p50, p99, max) in instructions. */
void rae_bench_report(const char *name, uint64_t *samples, int n);
/* Sorts n samples in place, ascending. */
void rae_bench_report_sort(uint64_t *a, int n);

/* The server half of the register IPC benchmarks: answers every call on ep
 * with w[0] + 1 until a call tagged RAE_BENCH_STOP, answers that one too,
 * then waits in receive (to be killed). */
#define RAE_BENCH_STOP 0xdead
void rae_bench_echo_server(rae_handle_t ep);

/* The program's entry point, called by crt0 with the start argument.
 * Programs built with the C library (tools/raeen-cc, which defines
 * __raeenos__) have the standard main(argc, argv, envp) instead. */
#ifndef __raeenos__
int main(uint64_t arg);
#endif

/* The start-up convention: declared apart, included for every program. */
#include <rae_startup.h>

#endif
