/* RaeCore system call numbers and calling convention (x86-64): the number
 * in rax, arguments in rdi, rsi, rdx, r10, r8, r9, the `syscall`
 * instruction, the result in rax (a rae_status_t, or a value >= 0).
 * Documented one by one in docs/syscalls.md. */
#ifndef RAE_SYSCALL_H
#define RAE_SYSCALL_H

#define RAE_SYS_DEBUG_WRITE     0 /* (const char *buf, size_t len) -> bytes written */
#define RAE_SYS_PROCESS_EXIT    1 /* (int code) -> does not return */
#define RAE_SYS_THREAD_CREATE   2 /* (entry, arg, stack_top) -> thread handle */
#define RAE_SYS_THREAD_EXIT     3 /* (int code) -> does not return */
#define RAE_SYS_THREAD_JOIN     4 /* (thread h, int *code) -> RAE_OK */
#define RAE_SYS_SLEEP           5 /* (uint64_t ns) -> RAE_OK */
#define RAE_SYS_YIELD           6 /* () -> RAE_OK */
#define RAE_SYS_CLOCK           7 /* () -> monotonic ns since boot */
#define RAE_SYS_SET_RT          8 /* (uint64_t budget_ns, uint64_t period_ns) -> RAE_OK; 0,0 = TS */
#define RAE_SYS_SET_AFFINITY    9 /* (uint64_t cpu_mask) -> RAE_OK */
#define RAE_SYS_SPAWN           10 /* (const char *path) -> process handle */
#define RAE_SYS_WAIT            11 /* (process h, int *status, flags) -> RAE_OK */
#define RAE_SYS_KILL            12 /* (process h) -> RAE_OK */
#define RAE_SYS_GETPID          13 /* () -> process id */
#define RAE_SYS_CPU             14 /* () -> the CPU the caller runs on */
#define RAE_SYS_HANDLE_CLOSE    15 /* (h) -> RAE_OK */
#define RAE_SYS_HANDLE_DUP      16 /* (h, rights) -> new handle (rights only shrink) */
#define RAE_SYS_HANDLE_MINT     17 /* (h, rights, badge) -> new handle carrying badge */
#define RAE_SYS_ENDPOINT_CREATE 18 /* () -> handle */
#define RAE_SYS_IPC_CALL        19 /* (h, rae_msg_t *msg, timeout_ns) -> RAE_OK, reply in msg */
#define RAE_SYS_IPC_RECEIVE     20 /* (h, rae_msg_t *msg, timeout_ns) -> RAE_OK */
#define RAE_SYS_IPC_REPLY       21 /* (rae_msg_t *msg) -> RAE_OK */
#define RAE_SYS_NOTIFY_CREATE   22 /* () -> handle */
#define RAE_SYS_NOTIFY_SIGNAL   23 /* (h, bits) -> RAE_OK */
#define RAE_SYS_NOTIFY_WAIT     24 /* (h, timeout_ns) -> the bits that were set */
#define RAE_SYS_SPAWN_WITH      25 /* (path, h or 0, job or 0) -> pid; h moves to the child */
#define RAE_SYS_JOB_CREATE      26 /* (parent job or 0, processes, threads, pages, handles) -> job */
/* Jobs nest at most this deep (the root job is depth 0): JOB_CREATE under a
 * job at this depth is RAE_ERR_LIMIT. Walks up the tree stay short. */
#define RAE_JOB_MAX_DEPTH  32
#define RAE_SYS_MEM_CREATE 27 /* (bytes, flags) -> handle to a memory object */
#define RAE_SYS_MEM_MAP    28 /* (h, prot) -> user address of a new mapping */
#define RAE_SYS_IPC_CALL_REG                                                                       \
	29 /* (h, tag, w0, w1, w2, w3) -> status; reply in rsi, rdx, r10, r8, r9 */
#define RAE_SYS_IPC_RECV_REG       30 /* (h) -> status; call in rsi, rdx, r10, r8, r9; badge in rdi */
#define RAE_SYS_IPC_REPLY_RECV_REG 31 /* (h, tag, w0, w1, w2, w3): reply, then as RECV_REG */
#define RAE_SYS_IPC_SEND           32 /* (h, rae_msg_t *msg, timeout_ns) -> RAE_OK once received */
#define RAE_SYS_SPAWN_IMAGE                                                                        \
	33 /* (memory h, offset, size, name, h or 0, job or 0) -> process handle */
#define RAE_SYS_PROCESS_ID 34 /* (process h) -> its process id */
#define RAE_SYS_IPC_SET_TIMEOUT                                                                    \
	35 /* (timeout_ns) -> RAE_OK; how long this thread's register IPC calls wait */
/* Processes seen through a job, and the system (rae/process.h): */
#define RAE_SYS_PROCESS_WATCH 36 /* (process h, notification h, bits) -> RAE_OK */
#define RAE_SYS_JOB_PROCESSES 37 /* (job h, rae_process_info_t *buf, count) -> processes */
#define RAE_SYS_JOB_PROCESS   38 /* (job h, pid) -> process handle */
#define RAE_SYS_SYSTEM_INFO   39 /* (rae_system_info_t *info) -> RAE_OK */
/* Hardware objects (rae/resource.h): */
#define RAE_SYS_RESOURCE_CREATE  40 /* (parent h, kind, base, size) -> resource handle */
#define RAE_SYS_MEM_CREATE_PHYS  41 /* (resource h, phys, bytes, flags) -> memory handle */
#define RAE_SYS_MEM_UNMAP        42 /* (address MEM_MAP returned) -> RAE_OK */
#define RAE_SYS_INTERRUPT_CREATE 43 /* (resource h, line, notification h, bits, flags) -> handle */
#define RAE_SYS_INTERRUPT_ACK    44 /* (interrupt h) -> RAE_OK; unmasks the line */
#define RAE_SYS_IOPORT_CREATE    45 /* (resource h, base, count) -> I/O port handle */
#define RAE_SYS_IOPORT_ENABLE    46 /* (I/O port h) -> RAE_OK; the process may use the ports */
/* What a C library needs of the kernel (lib/posix): */
#define RAE_SYS_FUTEX_WAIT   47 /* (u32 *addr, expected, timeout_ns) -> RAE_OK when woken */
#define RAE_SYS_FUTEX_WAKE   48 /* (u32 *addr, count) -> how many were woken */
#define RAE_SYS_SET_TLS_BASE 49 /* (base) -> RAE_OK; this thread's FS base */
#define RAE_SYS_RANDOM       50 /* (buf, len <= 256) -> len random bytes written */
#define RAE_SYS_VM_ALLOCATE  51 /* (bytes, prot) -> address of fresh private pages */
#define RAE_SYS_VM_PROTECT   52 /* (addr, bytes, prot) -> RAE_OK */
#define RAE_SYS_VM_FREE      53 /* (addr, bytes) -> RAE_OK; the pages are gone */

/* RAE_SYS_FUTEX_WAIT: the word did not hold the expected value. */
#define RAE_FUTEX_CHANGED 1
/* Largest RAE_SYS_RANDOM request and RAE_SYS_VM_ALLOCATE size. */
#define RAE_RANDOM_MAX   256
#define RAE_VM_BYTES_MAX (1ull << 30)
/* The console hand-over and the kernel log (rae/console.h): */
#define RAE_SYS_CONSOLE_HANDOVER                                                                   \
	54 /* (resource h, notification h or 0, bits, uint64_t *log_offset) -> console handle */
#define RAE_SYS_LOG_READ     55 /* (console h, uint64_t *offset, buf, len) -> bytes copied */
#define RAE_SYS_CONSOLE_INFO 56 /* (rae_console_hw_t *info) -> RAE_OK */
/* Pipes (rae/pipe.h): */
#define RAE_SYS_PIPE_CREATE  57 /* (rae_handle_t ends[2]) -> RAE_OK */
#define RAE_SYS_PIPE_READ    58 /* (read end h, buf, len, timeout_ns) -> bytes; 0: no writer left */
#define RAE_SYS_PIPE_WRITE   59 /* (write end h, buf, len, timeout_ns) -> bytes */
#define RAE_SYS_MEM_SIZE     60 /* (memory h) -> its size in bytes (whole pages) */
#define RAE_SYS_PROCESS_INFO 61 /* (process h or 0: the caller, rae_process_info_t *) -> RAE_OK */
/* (endpoint h, rights, badge) -> a badged handle, as HANDLE_MINT; when its
 * last copy is gone, the endpoint's receivers get a RAE_IPC_TAG_CLOSED
 * notice with the badge (rae/ipc.h). h needs DUPLICATE and READ. */
#define RAE_SYS_HANDLE_MINT_WATCHED 62
#define RAE_SYS_COUNT               64

/* RAE_SYS_MEM_CREATE flags and RAE_SYS_MEM_MAP protections. */
#define RAE_MEM_CONTIGUOUS 0x1
#define RAE_PROT_READ      0x1
#define RAE_PROT_WRITE     0x2
#define RAE_PROT_EXEC      0x4

/* RAE_SYS_WAIT flags. */
#define RAE_WAIT_NOHANG 0x1 /* RAE_ERR_TIMED_OUT at once if the process still runs */

/* Exit status of a process killed by the kernel for a fault or by kill. */
#define RAE_EXIT_KILLED_FAULT 0x100
#define RAE_EXIT_KILLED       0x101

#endif
