/* Stopping the kernel when one of its own invariants is broken. Not for
 * bad input from users or devices: those get an error code. */
#ifndef PANIC_H
#define PANIC_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>

/* Prints "KERNEL PANIC: <message>" and a backtrace of the caller on every
 * console, stops every CPU and, in a test run, quits QEMU with
 * HAL_EXIT_PANIC. Callable from any context, including a nested panic. */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* As panic, with the backtrace starting at code address `pc` and frame
 * pointer `fp` (an exception's saved registers). */
NORETURN void panic_at(uintptr_t pc, uintptr_t fp, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Whether a panic quits the virtual machine (test runs) or halts. */
void panic_set_exit_on_panic(bool exit);

/* Sets exit-on-panic from the command line: on for "test=..." and for
 * "panic=exit", so that a test run never hangs. */
void panic_configure(const char *cmdline);

/* True once a panic has started; other paths use it to stay quiet. */
bool panic_in_progress(void);

/* Invariants: checked in debug builds (the default, and what `make test`
 * runs), compiled out of release builds (DEBUG=0), where `cond` is not
 * evaluated. A check that must stay in release builds calls panic. */
#if defined(RAE_DEBUG) && !RAE_DEBUG
#define ASSERT(cond) ((void)sizeof(!(cond)))
#else
#define ASSERT(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(!(cond)))                                                             \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);          \
	} while (0)
#endif

#endif
