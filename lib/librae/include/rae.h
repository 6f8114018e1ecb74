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
#include <rae/device.h>
#include <rae/syscall.h>
#include <rae_heap.h>

#include <rae_syscalls.h>

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
