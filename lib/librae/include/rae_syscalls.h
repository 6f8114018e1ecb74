/* librae's system call stubs, generated from the table (rae/syscalls.def):
 * rae.h includes them for programs, and the POSIX runtime (lib/posix),
 * which cannot include rae.h, includes them alone. */
#ifndef RAE_SYSCALLS_H
#define RAE_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>
#include <rae/console.h>
#include <rae/device.h>
#include <rae/handle.h>
#include <rae/ipc.h>
#include <rae/process.h>
#include <rae/status.h>
#include <rae/syscall.h>
#include <rae/syscall_args.h>

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
 * register IPC calls have hand-written stubs (rae_ipc_call_regs, rae.h).
 *
 * rae_sys_NAME is the same call with the kernel's result as it comes, an
 * int64_t (for a call that makes a handle: the handle, or an error), for
 * the programs that test the kernel's answers themselves (apps/tests).
 */
#define RAE_STUB_RAW(name, NAME, n, ...)                                                           \
	static inline int64_t rae_sys_##name(RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))                  \
	{                                                                                          \
		return rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__));           \
	}
#define RAE_STUB_RESULT(name, NAME, n, ...)                                                        \
	static inline int64_t rae_##name(RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))                      \
	{                                                                                          \
		return rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__));           \
	}
#define RAE_STUB_STATUS(...) RAE_STUB_RESULT(__VA_ARGS__)
#define RAE_STUB_VALUE(...)  RAE_STUB_RESULT(__VA_ARGS__)
#define RAE_STUB_ADDR(...)   RAE_STUB_RESULT(__VA_ARGS__)
#define RAE_STUB_TIME(name, NAME, n, ...)                                                          \
	static inline uint64_t rae_##name(RAE_SYSCALL_PARAMS_##n(__VA_ARGS__))                     \
	{                                                                                          \
		return (uint64_t)rae_syscall6(RAE_SYS_##NAME, RAE_SYSCALL_WORDS_##n(__VA_ARGS__)); \
	}
#define RAE_STUB_NORETURN(name, NAME, n, ...)                                                      \
	__attribute__((noreturn)) static inline void rae_##name(                                   \
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
	static inline rae_status_t rae_##name(RAE_STUB_OUT_PARAMS_##n(__VA_ARGS__))                \
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
#define RAE_SYSCALL(NAME, name, RET, ENTRY, OBJECT, RIGHTS, n, ...)                                \
	RAE_STUB_##ENTRY(RET, name, NAME, n, __VA_ARGS__)
#include <rae/syscalls.def>
#undef RAE_SYSCALL

#endif
