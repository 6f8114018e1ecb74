/* The register frame of a system call, as the architecture's entry code
 * builds it (syscall_frame_t), with typed accessors: only the dispatch
 * (proc/syscall.c) decodes arguments from it, and only the calls the table
 * marks FRAME (rae/syscalls.def) see it. */
#ifndef HAL_SYSCALL_H
#define HAL_SYSCALL_H

#include <arch/x86_64/cpu/syscall_frame.h>

#endif
