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
#include <rae/console.h>
#include <rae/syscall.h>
#include <rae/syscall_args.h>
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

/*
 * One stub per system call of the table (rae/syscalls.def, documented in
 * docs/syscalls.md): rae_NAME with the table's typed arguments. A call
 * that makes a handle takes one more argument, `rae_handle_t *out`, and
 * returns RAE_OK with the handle in *out (as Zircon's
 * zx_channel_create(opts, &out0, &out1)), or the error with *out
 * RAE_HANDLE_INVALID. Calls returning a value or an address return it as an
 * int64_t, negative for an error; CLOCK's stub returns a uint64_t. The
 * register IPC calls have hand-written stubs (rae_ipc_call_regs below).
 *
 * rae_sys_NAME is the same call with the kernel's result as it comes, an
 * int64_t (for a call that makes a handle: the handle, or an error), for
 * the programs that test the kernel's answers themselves (apps/tests).
 */
#define RAE_STUB_RAW(name, NAME, n, ...)                                                           \
	static inline int64_t rae_sys_##name(RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))                 \
	{                                                                                          \
		return rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__));           \
	}
#define RAE_STUB_RESULT(name, NAME, n, ...)                                                        \
	static inline int64_t rae_##name(RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))                    \
	{                                                                                          \
		return rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__));           \
	}
#define RAE_STUB_STATUS RAE_STUB_RESULT
#define RAE_STUB_VALUE  RAE_STUB_RESULT
#define RAE_STUB_ADDR   RAE_STUB_RESULT
#define RAE_STUB_TIME(name, NAME, n, ...)                                                          \
	static inline uint64_t rae_##name(RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))                   \
	{                                                                                          \
		return (uint64_t)rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__)); \
	}
#define RAE_STUB_NORETURN(name, NAME, n, ...)                                                      \
	__attribute__((noreturn)) static inline void rae_##name(                                  \
	    RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))                                                   \
	{                                                                                          \
		rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__));                  \
		__builtin_unreachable();                                                           \
	}
#define RAE_STUB_OUT_PARAMS_0(...) rae_handle_t *out
#define RAE_STUB_OUT_PARAMS_1(...) RAE_SYSCALL_PARAMS_1(__VA_ARGS__), rae_handle_t *out
#define RAE_STUB_OUT_PARAMS_2(...) RAE_SYSCALL_PARAMS_2(__VA_ARGS__), rae_handle_t *out
#define RAE_STUB_OUT_PARAMS_3(...) RAE_SYSCALL_PARAMS_3(__VA_ARGS__), rae_handle_t *out
#define RAE_STUB_OUT_PARAMS_4(...) RAE_SYSCALL_PARAMS_4(__VA_ARGS__), rae_handle_t *out
#define RAE_STUB_OUT_PARAMS_5(...) RAE_SYSCALL_PARAMS_5(__VA_ARGS__), rae_handle_t *out
#define RAE_STUB_OUT_PARAMS_6(...) RAE_SYSCALL_PARAMS_6(__VA_ARGS__), rae_handle_t *out
#define RAE_STUB_HANDLE(name, NAME, n, ...)                                                        \
	static inline rae_status_t rae_##name(RAE_STUB_OUT_PARAMS_##n(__VA_ARGS__))               \
	{                                                                                          \
		int64_t r = rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__));      \
		/* A handle is 32 bits; an error is negative. */                                   \
		*out = r < 0 ? RAE_HANDLE_INVALID : (rae_handle_t)r;                               \
		return r < 0 ? (rae_status_t)r : RAE_OK;                                           \
	}
#define RAE_STUB_TYPED(RET, name, NAME, n, ...)                                                    \
	RAE_STUB_RAW(name, NAME, n, __VA_ARGS__)                                                   \
	RAE_STUB_##RET(name, NAME, n, __VA_ARGS__)
#define RAE_STUB_FRAME(...)
#define RAE_SYSCALL(NAME, name, RET, ENTRY, OBJECT, RIGHTS, n, ...)                                 \
	RAE_STUB_##ENTRY(RET, name, NAME, n, __VA_ARGS__)
#include <rae/syscalls.def>
#undef RAE_SYSCALL

/* WAIT without flags: waits for the process to end. */
static inline int64_t rae_wait(rae_handle_t h, int *status)
{
	return rae_wait_flags(h, status, 0);
}

/* WAIT without waiting: RAE_OK with *status once the process ended,
 * RAE_ERR_TIMED_OUT while it runs. */
static inline int64_t rae_wait_nohang(rae_handle_t h, int *status)
{
	return rae_wait_flags(h, status, RAE_WAIT_NOHANG);
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
