/* Frame-pointer backtraces of kernel code (the kernel is built with
 * -fno-omit-frame-pointer). */
#ifndef DEBUG_BACKTRACE_H
#define DEBUG_BACKTRACE_H

#include <stddef.h>
#include <stdint.h>

#define BACKTRACE_MAX_FRAMES 32

/* Collects return addresses by following the frame-pointer chain from `fp`.
 * Stops at a NULL, misaligned, unmapped or non-increasing frame pointer.
 * Returns how many addresses were stored. */
size_t backtrace_collect(uintptr_t fp, uintptr_t *pcs, size_t max);

/* Prints "backtrace:" then one symbolized line per frame, starting with `pc`
 * itself, then the callers found from `fp`. */
void backtrace_print(uintptr_t pc, uintptr_t fp);

#endif
